# Query NVML (libnvidia-ml.so.1) for the driver and every GPU. Uses NVIDIA's nvidia-ml-py
# bindings (module pynvml) when importable, else plain ctypes for the essentials. Runs in a
# child process: loading NVML may create /dev/nvidiactl as root. Every field is fetched on its
# own, because one unsupported or undecodable field must not lose the others.
# Stdlib only apart from the optional pynvml; Python 3.7+. Prints one JSON object on stdout.
import ctypes
import json
import os
import sys


def text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def process_name(pid):
    # Another container's (or user's) processes are not visible here: name stays None.
    if sys.platform == "win32":
        return None  # no /proc on Windows (NVML's own name call is not used: it differs across bindings)
    try:
        with open(f"/proc/{int(pid)}/comm") as fh:
            return fh.read().strip() or None
    except (OSError, ValueError):
        return None


def with_pynvml(nv, out):
    def call(errors, field, fn, *args):
        try:
            return fn(*args)
        except nv.NVMLError as exc:
            errors[field] = str(exc)
        except Exception as exc:  # undecodable bytes, missing symbols in old bindings
            errors[field] = f"{type(exc).__name__}: {exc}"
        return None

    try:
        nv.nvmlInit()
    except nv.NVMLError as exc:
        out["init"] = {"code": getattr(exc, "value", None), "name": str(exc)}
        return
    out["init"] = {"code": 0, "name": "Success"}
    errors = out["errors"]
    out["driver_version"] = text(call(errors, "driver_version", nv.nvmlSystemGetDriverVersion))
    out["nvml_version"] = text(call(errors, "nvml_version", nv.nvmlSystemGetNVMLVersion))
    out["cuda_driver_version"] = call(errors, "cuda_driver_version", nv.nvmlSystemGetCudaDriverVersion)
    count = call(errors, "device_count", nv.nvmlDeviceGetCount)
    out["device_count"] = count
    for i in range(count or 0):
        g = {"index": i, "errors": {}}
        e = g["errors"]
        h = call(e, "handle", nv.nvmlDeviceGetHandleByIndex, i)
        out["gpus"].append(g)
        if h is None:
            continue
        g["name"] = text(call(e, "name", nv.nvmlDeviceGetName, h))
        g["uuid"] = text(call(e, "uuid", nv.nvmlDeviceGetUUID, h))
        pci = call(e, "pci", nv.nvmlDeviceGetPciInfo, h)
        g["pci_bus_id"] = text(getattr(pci, "busId", None)) if pci is not None else None
        cc = call(e, "compute_capability", nv.nvmlDeviceGetCudaComputeCapability, h)
        g["compute_capability"] = f"{cc[0]}.{cc[1]}" if cc else None
        mem = call(e, "memory", nv.nvmlDeviceGetMemoryInfo, h)
        if mem is not None:
            g["memory_total_mib"] = int(mem.total) // (1 << 20)
            g["memory_used_mib"] = int(mem.used) // (1 << 20)
        procs = call(e, "processes", nv.nvmlDeviceGetComputeRunningProcesses, h) or []
        g["processes"] = [{"pid": p.pid, "name": process_name(p.pid),
                           "used_mib": (int(p.usedGpuMemory) // (1 << 20)) if p.usedGpuMemory else None}
                          for p in procs]
        mig = call(e, "mig_mode", nv.nvmlDeviceGetMigMode, h)
        g["mig_enabled"] = bool(mig[0]) if mig else None
        if g["mig_enabled"]:
            n = call(e, "mig_devices", nv.nvmlDeviceGetMaxMigDeviceCount, h) or 0
            found = 0
            for j in range(n):
                try:
                    nv.nvmlDeviceGetMigDeviceHandleByIndex(h, j)
                    found += 1
                except Exception:
                    pass
            g["mig_devices"] = found
        g["compute_mode"] = call(e, "compute_mode", nv.nvmlDeviceGetComputeMode, h)
        g["persistence_mode"] = call(e, "persistence_mode", nv.nvmlDeviceGetPersistenceMode, h)
        g["ecc_uncorrected_volatile"] = call(e, "ecc", nv.nvmlDeviceGetTotalEccErrors, h,
                                             nv.NVML_MEMORY_ERROR_TYPE_UNCORRECTED, nv.NVML_VOLATILE_ECC)
        pending = call(e, "retired_pages_pending", nv.nvmlDeviceGetRetiredPagesPendingStatus, h)
        g["retired_pages_pending"] = bool(pending) if pending is not None else None
        rows = call(e, "remapped_rows", nv.nvmlDeviceGetRemappedRows, h)
        if rows is not None:
            g["remap_pending"] = bool(rows[2])
            g["remap_failure"] = bool(rows[3])
        if hasattr(nv, "c_nvmlGpuFabricInfo_t"):
            info = nv.c_nvmlGpuFabricInfo_t()
            if call(e, "fabric", nv.nvmlDeviceGetGpuFabricInfo, h, ctypes.byref(info)) is not None:
                g["fabric_state"] = int(info.state)
                g["fabric_status"] = int(info.status)
    try:
        nv.nvmlShutdown()
    except Exception:
        pass


def nvml_library():
    # Windows: nvml.dll in System32 (current drivers) or in ...\NVIDIA Corporation\NVSMI (older ones), by full
    # path: since Python 3.8 ctypes does not search PATH.
    if sys.platform != "win32":
        return "libnvidia-ml.so.1"
    root = os.environ.get("SystemRoot", "C:\\Windows")
    for d in (os.path.join(root, "System32"),
              os.path.join(os.environ.get("ProgramFiles", "C:\\Program Files"), "NVIDIA Corporation", "NVSMI")):
        if os.path.exists(os.path.join(d, "nvml.dll")):
            return os.path.join(d, "nvml.dll")
    return "nvml.dll"


def with_ctypes(out):
    try:
        lib = ctypes.CDLL(nvml_library())
    except OSError as exc:
        out["init"] = {"code": 12, "name": "NVML Shared Library Not Found", "detail": str(exc)}
        return
    lib.nvmlErrorString.restype = ctypes.c_char_p
    rc = lib.nvmlInit_v2()
    out["init"] = {"code": rc, "name": text(lib.nvmlErrorString(rc))}
    if rc != 0:
        return
    buf = ctypes.create_string_buffer(96)
    if lib.nvmlSystemGetDriverVersion(buf, 96) == 0:
        out["driver_version"] = text(buf.value)
    v = ctypes.c_int(0)
    if lib.nvmlSystemGetCudaDriverVersion(ctypes.byref(v)) == 0:
        out["cuda_driver_version"] = v.value
    n = ctypes.c_uint(0)
    if lib.nvmlDeviceGetCount_v2(ctypes.byref(n)) == 0:
        out["device_count"] = n.value
        for i in range(n.value):
            g = {"index": i, "errors": {}}
            h = ctypes.c_void_p()
            if lib.nvmlDeviceGetHandleByIndex_v2(i, ctypes.byref(h)) == 0:
                name = ctypes.create_string_buffer(96)
                if lib.nvmlDeviceGetName(h, name, 96) == 0:
                    g["name"] = text(name.value)
            out["gpus"].append(g)
    lib.nvmlShutdown()


def main():
    out = {"source": None, "init": None, "driver_version": None, "nvml_version": None,
           "cuda_driver_version": None, "device_count": None, "gpus": [], "errors": {}}
    try:
        import pynvml
    except Exception:
        pynvml = None
    if pynvml is not None and os.environ.get("WHYNOGPU_NVML_CTYPES") != "1":
        out["source"] = "pynvml"
        with_pynvml(pynvml, out)
    else:
        out["source"] = "ctypes"
        with_ctypes(out)
    print(json.dumps(out))


main()
