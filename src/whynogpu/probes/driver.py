"""The user-space driver: libcuda, NVML and nvidia-smi.

Library copies are found without loading anything (the loader cache, LD_LIBRARY_PATH, WSL's
folder). The libraries themselves are only loaded in short-lived child processes (snippets
cuda_driver and nvml_query), and only when a kernel driver is visible: with no kernel module
and no device node they cannot succeed, and as root they would create /dev/nvidiactl on the
way (which changes what JAX prints afterwards), so whynogpu leaves them alone.
"""

from __future__ import annotations

import json
import posixpath

from whynogpu.facts.driver import CudaInit, DriverFacts, GpuProcess, LibraryCopy, NvmlGpu, NvmlState, SmiState  # noqa: F401 (the facts it makes)
from whynogpu.knowledge import table
from whynogpu.parsers.driver_libs import version_from_filename
from whynogpu.parsers.ldconfig import is_64bit, parse_ldconfig_p
from whynogpu.parsers.nvidia_smi import (
    QUERY_FIELDS,
    SmiGpu,
    classify_failure,
    parse_header,
    parse_query_gpu,
)
from whynogpu.probes import Context, NotApplicable, probe
from whynogpu.probes.gpu import GpuFacts

LIBRARIES = ("libcuda.so.1", "libnvidia-ml.so.1")
SIDE_EFFECTS = ("loads libcuda.so.1 and libnvidia-ml.so.1 and runs nvidia-smi in child processes; as root these "
                "can create /dev/nvidiactl, and libcuda may call nvidia-modprobe to load kernel modules")


def ldconfig_exe(host) -> str | None:
    """The ldconfig whose cache the loader uses: on PATH, or in the sbin folders a user's PATH often lacks."""
    return next((p for p in (host.which("ldconfig"), "/sbin/ldconfig", "/usr/sbin/ldconfig") if p and host.exists(p)), None)

def cuda_version_text(v: int | None) -> str | None:
    """12020 → '12.2' (the encoding of cuDriverGetVersion and nvmlSystemGetCudaDriverVersion)."""
    if not v or v <= 0:
        return None
    return f"{v // 1000}.{(v % 1000) // 10}"


def nvml_kind(code: int | None) -> str | None:
    if code is None:
        return None
    row = next((r for r in table("nvml_errors") if int(r["code"]) == code), None)
    return row["kind"] if row else "other"


def find_libraries(ctx: Context) -> tuple[LibraryCopy, ...]:
    host = ctx.host
    found: list[LibraryCopy] = []
    seen: set[str] = set()

    def add(name: str, path: str, source: str) -> None:
        if path in seen or not host.exists(path):
            return
        seen.add(path)
        resolved = host.realpath(path)
        stem = name.split(".so")[0]
        found.append(LibraryCopy(name, path, resolved, version_from_filename(resolved, stem), source))

    for d in host.env().get("LD_LIBRARY_PATH", "").split(":"):
        for name in LIBRARIES:
            if d:
                add(name, posixpath.join(d, name), "LD_LIBRARY_PATH")
    ldconfig = ldconfig_exe(host)
    if ldconfig:
        res = ctx.run_once((ldconfig, "-p"), timeout=10)
        if res.ok:
            for e in parse_ldconfig_p(res.stdout):
                if e.soname in LIBRARIES and is_64bit(e):
                    add(e.soname, e.path, "loader cache")
    for name in LIBRARIES:
        add(name, posixpath.join("/usr/lib/wsl/lib", name), "WSL")
    return tuple(found)


def _snippet_json(ctx: Context, name: str) -> tuple[dict | None, str | None]:
    res = ctx.host.run_snippet(name, None, timeout=min(ctx.options.timeout, 30.0))
    if res.timed_out:
        return None, f"{name} did not finish in time (a hung driver call)"
    if res.signal:
        return None, f"{name} was killed by signal {res.signal} (the driver library crashed the process)"
    try:
        data = json.loads(res.stdout)
    except ValueError:
        return None, f"{name} gave no answer: {res.stderr_tail(3) or 'no output'}"
    return (data, None) if isinstance(data, dict) else (None, f"{name} gave an unexpected answer")


def probe_cuda(ctx: Context) -> CudaInit:
    data, problem = _snippet_json(ctx, "cuda_driver")
    if data is None:
        return CudaInit(False, problem, (), None, None, None, None)
    init = data.get("init") or {}
    return CudaInit(
        loaded=bool(data.get("loaded")),
        load_error=data.get("load_error"),
        paths=tuple(data.get("paths") or ()),
        driver_version=data.get("driver_version"),
        init_code=init.get("code"),
        init_name=init.get("name"),
        device_count=data.get("device_count"),
    )


def _gpu(g: dict) -> NvmlGpu:
    procs = tuple(GpuProcess(int(p["pid"]), p.get("name"), p.get("used_mib")) for p in g.get("processes") or ())
    fields = {k: g.get(k) for k in NvmlGpu.__dataclass_fields__ if k not in ("processes", "errors", "index")}
    return NvmlGpu(index=int(g.get("index", 0)), processes=procs, errors=dict(g.get("errors") or {}) or None, **fields)


def probe_nvml(ctx: Context) -> NvmlState | None:
    data, problem = _snippet_json(ctx, "nvml_query")
    if data is None:
        return NvmlState("unknown", None, problem, "crashed", None, None, None, None, ())
    init = data.get("init") or {}
    return NvmlState(
        source=data.get("source") or "unknown",
        init_code=init.get("code"),
        init_name=init.get("name"),
        init_kind=nvml_kind(init.get("code")),
        driver_version=data.get("driver_version"),
        nvml_version=data.get("nvml_version"),
        cuda_driver_version=data.get("cuda_driver_version"),
        device_count=data.get("device_count"),
        gpus=tuple(_gpu(g) for g in data.get("gpus") or ()),
    )


def probe_smi(ctx: Context) -> SmiState:
    host = ctx.host
    exe = host.which("nvidia-smi") or ("/usr/lib/wsl/lib/nvidia-smi" if host.exists("/usr/lib/wsl/lib/nvidia-smi") else None)
    if exe is None:
        return SmiState(False, None, None, None, ())
    plain = host.run([exe], timeout=20)
    text = plain.stdout + "\n" + plain.stderr
    gpus: tuple[SmiGpu, ...] = ()
    if plain.ok:
        q = host.run([exe, f"--query-gpu={','.join(QUERY_FIELDS)}", "--format=csv,noheader,nounits"], timeout=20)
        gpus = parse_query_gpu(q.stdout) if q.ok else ()
    return SmiState(True, plain.returncode, classify_failure(text), parse_header(plain.stdout), gpus)


def kernel_side_visible(gpu: GpuFacts | None) -> bool:
    if gpu is None:
        return True  # nothing known: let the libraries speak
    if gpu.proc_driver_present or gpu.wsl_libcuda:
        return True
    return any(posixpath.basename(n.path) in ("nvidiactl", "dxg") for n in gpu.device_nodes) or bool(gpu.gpu_nodes)


@probe("driver", facts=DriverFacts, order=40, layer="gpu", side_effects=SIDE_EFFECTS)
def gather_driver(ctx: Context) -> DriverFacts:
    u = ctx.host.uname()
    if u.system not in ("Linux", "Windows"):
        raise NotApplicable(f"there is no NVIDIA CUDA driver for {u.system}")
    if u.system == "Windows":  # nvcuda.dll/nvml.dll in System32, nvidia-smi.exe: no loader cache, no /dev
        from whynogpu.probes.windows_gpu import gather_driver as gather_windows_driver

        return gather_windows_driver(ctx)
    gpu = ctx.get(GpuFacts)
    libraries = find_libraries(ctx)
    cuda = nvml = smi = None
    skipped = None
    if kernel_side_visible(gpu):
        cuda = probe_cuda(ctx)
        nvml = probe_nvml(ctx)
        if nvml is None or nvml.init_code != 0:
            smi = probe_smi(ctx)  # NVML could not start here: nvidia-smi's own words are the next best evidence
    else:
        skipped = ("no NVIDIA kernel driver and no /dev/nvidia* node: libcuda and NVML cannot start, and loading "
                   "them as root would create /dev/nvidiactl, so they were not loaded")
    return DriverFacts(
        driver_version=_driver_version(nvml, smi, gpu),
        cuda_driver_version=cuda_version_text((nvml.cuda_driver_version if nvml else None) or (cuda.driver_version if cuda else None)),
        libraries=libraries,
        cuda=cuda,
        nvml=nvml,
        smi=smi,
        skipped=skipped,
        **_count(gpu, cuda, nvml, smi),
    )


def _driver_version(nvml, smi, gpu) -> str | None:
    if nvml and nvml.driver_version:
        return nvml.driver_version
    if smi and smi.header:
        return smi.header.driver_version
    if gpu and gpu.kernel_module and gpu.kernel_module.version:
        return gpu.kernel_module.version
    return gpu.sys_module_version if gpu else None


def _count(gpu, cuda, nvml, smi) -> dict:
    if nvml and nvml.init_code == 0 and nvml.device_count is not None:
        return {"gpu_count": nvml.device_count, "gpu_count_source": "NVML"}
    if smi and smi.gpus:
        return {"gpu_count": len(smi.gpus), "gpu_count_source": "nvidia-smi"}
    if cuda and cuda.device_count is not None:
        return {"gpu_count": cuda.device_count, "gpu_count_source": "cuDeviceGetCount"}
    if gpu and gpu.pci_readable:
        return {"gpu_count": len(gpu.nvidia_gpus), "gpu_count_source": "PCI"}
    if gpu and gpu.gpu_nodes:
        return {"gpu_count": len(gpu.gpu_nodes), "gpu_count_source": "device nodes"}
    return {"gpu_count": None, "gpu_count_source": None}  # no PCI view, no driver answer: unknown, not zero
