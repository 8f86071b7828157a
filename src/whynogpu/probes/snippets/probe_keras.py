# whynogpu's live Keras probe, for a Keras whose backend is not probed on its own (the backend
# is not installed, or is numpy/openvino). Same contract as probe_tensorflow.py: a child process
# in the target interpreter, Python 3.7+, facts as JSON on the LAST line of stdout. Keras picks
# its backend itself (KERAS_BACKEND, keras.json), exactly as it would for the user.
# whynogpu: include probe_common


def main():
    out = {"framework": "keras", "python": sys.executable, "argv": sorted(FLAGS)}
    start = time.time()
    probe_keras(out)
    out["import_s"] = round(time.time() - start, 3)
    k = out.pop("keras")
    out["version"] = k.get("version")
    out["keras"] = k
    if k.get("error"):
        out["error"] = k["error"]
    out["loaded_libs"] = loaded_libs()
    return out


if __name__ == "__main__":
    run_probe(main)
