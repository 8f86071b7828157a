"""NVML, read through nvidia-ml-py (module `pynvml`), in the sampler child only.

Every function takes the module as `nv`, so tests hand in a fake with pynvml's API shapes
(tests/unit/fake_pynvml.py) fed from real public nvidia-smi captures. One call failing (an
unsupported field, a GPU that fell off the bus) loses that field only.
"""

from __future__ import annotations

MIB = 1 << 20


def _text(value) -> str | None:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def start(nv) -> tuple[list, list[dict], str]:
    """Initialise NVML: (device handles, static info per GPU, "ok" or the error text)."""
    try:
        nv.nvmlInit()
        count = nv.nvmlDeviceGetCount()
    except nv.NVMLError as exc:
        return [], [], str(exc) or type(exc).__name__
    handles, infos = [], []
    for i in range(count):
        try:
            h = nv.nvmlDeviceGetHandleByIndex(i)
        except nv.NVMLError:
            continue
        info = {"index": i, "name": None, "uuid": None, "memory_total_mib": None}
        for key, call in (("name", nv.nvmlDeviceGetName), ("uuid", nv.nvmlDeviceGetUUID)):
            try:
                info[key] = _text(call(h))
            except nv.NVMLError:
                pass
        try:
            info["memory_total_mib"] = int(nv.nvmlDeviceGetMemoryInfo(h).total) // MIB
        except nv.NVMLError:
            pass
        handles.append((i, h))
        infos.append(info)
    return handles, infos, "ok"


def read(nv, handles: list, tree: set[int], comm) -> list[dict]:
    """One reading per GPU: utilisation, memory used, and who holds memory (the command's tree or others).

    `comm(pid)` names another process (None when it is not visible in this PID namespace)."""
    out = []
    for index, h in handles:
        g = {"index": index, "util": None, "memory_used_mib": None, "tree_mib": 0, "tree_pids": [], "others": []}
        try:
            g["util"] = int(nv.nvmlDeviceGetUtilizationRates(h).gpu)
        except nv.NVMLError:
            pass
        try:
            g["memory_used_mib"] = int(nv.nvmlDeviceGetMemoryInfo(h).used) // MIB
        except nv.NVMLError:
            pass
        try:
            procs = nv.nvmlDeviceGetComputeRunningProcesses(h)
        except nv.NVMLError:
            procs = []
        for p in procs:
            # pynvml gives None for NVML_VALUE_NOT_AVAILABLE (e.g. under Windows WDDM)
            mib = int(p.usedGpuMemory) // MIB if p.usedGpuMemory is not None else None
            if p.pid in tree:
                g["tree_pids"].append(int(p.pid))
                g["tree_mib"] += mib or 0
            else:
                g["others"].append({"pid": int(p.pid), "used_mib": mib, "name": comm(p.pid)})
        out.append(g)
    return out
