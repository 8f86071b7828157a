# Ask libcuda.so.1 which CUDA version it implements and whether it can start. Runs in a
# short-lived child process because loading libcuda may create device nodes (as root) or
# call nvidia-modprobe; whynogpu's own process never loads it. Stdlib only, Python 3.7+.
# Prints one JSON object on stdout.
import ctypes
import json
import sys

NAMES = ["libcuda.so.1", "libcuda.so"] if sys.platform != "win32" else ["nvcuda.dll"]


def module_path(lib):
    # Windows: the file the loader took nvcuda.dll from (GetModuleFileNameW of its handle); no /proc there.
    buf = ctypes.create_unicode_buffer(1024)
    try:
        n = ctypes.windll.kernel32.GetModuleFileNameW(ctypes.c_void_p(lib._handle), buf, 1024)
    except (AttributeError, OSError):
        return []
    return [buf.value] if n else []


def mapped_paths(stem):
    # Where the loader really took the library from: the first copy on its search path wins,
    # which is not always the one the user thinks.
    if sys.platform == "win32":
        return []
    try:
        with open("/proc/self/maps") as fh:
            return sorted({ln.split()[-1] for ln in fh if stem in ln and "/" in ln})
    except OSError:
        return []


def main():
    out = {"loaded": False, "load_error": None, "paths": [], "driver_version": None,
           "init": None, "device_count": None}
    lib = None
    for name in NAMES:
        try:
            lib = ctypes.CDLL(name)
            break
        except OSError as exc:
            # keep the first message: it names libcuda.so.1, the file CUDA programs load
            out["load_error"] = out["load_error"] or str(exc)
    if lib is None:
        print(json.dumps(out))
        return
    out["loaded"] = True
    out["load_error"] = None
    out["paths"] = module_path(lib) if sys.platform == "win32" else mapped_paths("libcuda.so")

    def err(rc):
        name = ctypes.c_char_p()
        try:
            lib.cuGetErrorName(rc, ctypes.byref(name))
        except AttributeError:
            pass
        text = name.value.decode("utf-8", "replace") if name.value else None
        return {"code": rc, "name": text}

    v = ctypes.c_int(0)
    rc = lib.cuDriverGetVersion(ctypes.byref(v))
    out["driver_version"] = v.value if rc == 0 else None
    out["init"] = err(lib.cuInit(0))
    if out["init"]["code"] == 0:
        n = ctypes.c_int(-1)
        if lib.cuDeviceGetCount(ctypes.byref(n)) == 0:
            out["device_count"] = n.value
    print(json.dumps(out))


main()
