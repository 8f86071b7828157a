"""Which backend Keras 3 will pick, decided from the same inputs Keras reads, without importing it.

Keras 3 (keras/src/backend/config.py) starts from "tensorflow", then takes the `backend` key of
`$KERAS_HOME/keras.json` (KERAS_HOME defaults to ~/.keras), and a non-empty KERAS_BACKEND
overrides both. Keras 2 (and tf-keras) always run on TensorFlow.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass

DEFAULT_BACKEND = "tensorflow"


@dataclass(frozen=True)
class KerasBackendChoice:
    backend: str
    source: str  # "KERAS_BACKEND", the keras.json path, or "default"
    config_path: str
    config_exists: bool
    config_error: str | None = None  # keras.json exists but cannot be used


def config_path(env: Mapping[str, str], home: str) -> str:
    keras_home = env.get("KERAS_HOME") or posixpath.join(home, ".keras")
    return posixpath.join(keras_home, "keras.json")


def choose_backend(env: Mapping[str, str], home: str, read: Callable[[str], str | None],
                   keras_major: int | None = 3) -> KerasBackendChoice:
    path = config_path(env, home)
    text = read(path)
    if keras_major is not None and keras_major < 3:
        return KerasBackendChoice("tensorflow", "Keras 2 runs on TensorFlow only", path, text is not None)
    backend, source, error = DEFAULT_BACKEND, "default", None
    if text is not None:
        try:
            data = json.loads(text)
        except ValueError as exc:
            data, error = None, f"not valid JSON: {str(exc)[:200]}"
        except RecursionError:
            data, error = None, "not valid JSON: nested too deeply"
        if isinstance(data, dict) and isinstance(data.get("backend"), str):
            backend, source = data["backend"], path
    if env.get("KERAS_BACKEND"):
        backend, source = env["KERAS_BACKEND"], "KERAS_BACKEND"
    return KerasBackendChoice(backend, source, path, text is not None, error)
