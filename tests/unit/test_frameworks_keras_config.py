"""Keras 3's backend choice, read the way keras/src/backend/config.py reads it."""

from whynogpu.parsers.keras_config import choose_backend

REAL = '{\n    "floatx": "float32",\n    "epsilon": 1e-07,\n    "backend": "jax",\n    "image_data_format": "channels_last"\n}'


def reader(files):
    return files.get


def test_default_is_tensorflow_without_file_or_variable():
    c = choose_backend({}, "/home/u", reader({}))
    assert (c.backend, c.source, c.config_exists) == ("tensorflow", "default", False)


def test_keras_json_then_variable_override():
    files = {"/home/u/.keras/keras.json": REAL}
    assert choose_backend({}, "/home/u", reader(files)).backend == "jax"
    c = choose_backend({"KERAS_BACKEND": "torch"}, "/home/u", reader(files))
    assert (c.backend, c.source) == ("torch", "KERAS_BACKEND")
    assert choose_backend({"KERAS_BACKEND": ""}, "/home/u", reader(files)).backend == "jax"  # empty is ignored


def test_keras_home_moves_the_file_and_broken_json_is_reported():
    c = choose_backend({"KERAS_HOME": "/cfg"}, "/home/u", reader({"/cfg/keras.json": "{not json"}))
    assert c.backend == "tensorflow" and c.config_error and c.config_path == "/cfg/keras.json"


def test_keras2_always_runs_on_tensorflow():
    c = choose_backend({"KERAS_BACKEND": "jax"}, "/home/u", reader({}), keras_major=2)
    assert c.backend == "tensorflow"
