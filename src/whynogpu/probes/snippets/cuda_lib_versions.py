# Asks CUDA libraries for their version, in a child process: whynogpu never loads a CUDA library
# into its own process. Arguments are library paths; prints one JSON object {path: {...}}.
# Only version getters that need no GPU and no driver are called (cudaRuntimeGetVersion,
# cudnnGetVersion, cublasGetProperty), so nothing is initialised. Stdlib only, Python 3.7+.
import ctypes
import json
import os
import sys


def cudnn_text(v):
    if v >= 90000:
        return f"{v // 10000}.{(v % 10000) // 100}.{v % 100}"
    return f"{v // 1000}.{(v % 1000) // 100}.{v % 100}"


def ask(path):
    name = os.path.basename(path)
    try:
        lib = ctypes.CDLL(path)
    except OSError as exc:
        return {"error": str(exc)}
    if name.startswith("libcudart"):
        v = ctypes.c_int(0)
        rc = lib.cudaRuntimeGetVersion(ctypes.byref(v))
        if rc == 0:
            return {"version": f"{v.value // 1000}.{(v.value % 1000) // 10}"}
        return {"error": f"cudaRuntimeGetVersion returned {rc}"}
    if name.startswith("libcudnn"):
        lib.cudnnGetVersion.restype = ctypes.c_size_t
        return {"version": cudnn_text(int(lib.cudnnGetVersion()))}
    if name.startswith("libcublas"):
        parts = []
        for prop in (0, 1, 2):  # MAJOR_VERSION, MINOR_VERSION, PATCH_LEVEL
            v = ctypes.c_int(0)
            if lib.cublasGetProperty(prop, ctypes.byref(v)) != 0:
                return {"error": "cublasGetProperty failed"}
            parts.append(str(v.value))
        return {"version": ".".join(parts)}
    return {"error": "no version call known"}


def main():
    out = {}
    for path in sys.argv[1:]:
        try:
            out[path] = ask(path)
        except Exception as exc:  # one odd library must not hide the others
            out[path] = {"error": f"{type(exc).__name__}: {exc}"}
    sys.stdout.write(json.dumps(out))


if __name__ == "__main__":
    main()
