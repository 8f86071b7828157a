# whynogpu's live Keras probe, for a Keras whose backend is not probed on its own (the backend
# is not installed, or is numpy/openvino). Same contract as probe_tensorflow.py: a child process
# in the target interpreter, Python 3.7+, facts as JSON on the LAST line of stdout. Keras picks
# its backend itself (KERAS_BACKEND, keras.json), exactly as it would for the user.
import json
import os
import sys
import time
import traceback

LIB_PREFIXES = ("libcuda", "libcublas", "libcudnn", "libcufft", "libcurand", "libcusolver", "libcusparse",
                "libnccl", "libnvrtc", "libnvjitlink", "libnvidia-ml", "libcupti", "libnvinfer", "libtorch_cuda",
                "libc10_cuda", "xla_cuda")
TIMED_N = 2048  # 17 GFLOP per matmul: milliseconds on a GPU, well under a second on a CPU


def loaded_libs():
    """CUDA libraries this process really mapped: the loaded-vs-installed fact (Linux only)."""
    seen = []
    try:
        with open("/proc/self/maps") as fh:
            for line in fh:
                parts = line.split(None, 5)
                path = parts[5].strip() if len(parts) == 6 else ""
                base = os.path.basename(path).lower()
                if path.startswith("/") and base.startswith(LIB_PREFIXES) and path not in seen:
                    seen.append(path)
    except OSError:
        return None
    return seen


def error_text(limit=15):
    return "".join(traceback.format_exc().splitlines(True)[-limit:]).strip()


def device_of(x):
    for attr in ("device", "devices"):
        value = getattr(x, attr, None)
        if callable(value):
            try:
                value = sorted(str(d) for d in value())[0]
            except Exception:
                value = None
        if value is not None:
            return str(value)
    return None


def probe_keras(out):
    k = {}
    start = time.time()
    try:
        import keras

        k["version"] = getattr(keras, "__version__", None)
        backend = getattr(getattr(keras, "backend", None), "backend", None)
        k["backend"] = backend() if callable(backend) else None
        ops = keras.ops
        k["matmul_device"] = device_of(ops.matmul(ops.ones((2, 2)), ops.ones((2, 2))))
    except BaseException:
        k["error"] = error_text()
    k["seconds"] = round(time.time() - start, 3)
    out["keras"] = k


def main():
    out = {"framework": "keras", "python": sys.executable, "argv": sys.argv[1:]}
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
    if "--nice" in sys.argv and hasattr(os, "nice"):
        os.nice(10)  # a quicker framework yields the CPU to the slowest one, which sets the wall time
    result = main()
    sys.stderr.flush()
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    sys.stdout.flush()
