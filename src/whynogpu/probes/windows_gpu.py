"""The GPU and driver layers on native Windows (called by probes/gpu.py and probes/driver.py there).

Windows has no /sys, /proc or /dev: the GPU is the display adapter Windows lists (Win32_VideoController, its
PNPDeviceID carries the PCI vendor VEN_10DE and device id), the driver is NVIDIA's when the adapter is not
"Microsoft Basic Display Adapter" and reports no Device Manager error, and the user-space driver is
nvcuda.dll and nvml.dll in System32 (nvml.dll in ...\\NVIDIA Corporation\\NVSMI with older drivers), with
nvidia-smi.exe beside one of them. The DLLs themselves are loaded only in child processes (snippets
cuda_driver and nvml_query), as on Linux.
"""

from __future__ import annotations

import ntpath

from whynogpu.facts.driver import DriverFacts, LibraryCopy, SmiState
from whynogpu.facts.gpu import NVIDIA, GpuFacts, PciDevice
from whynogpu.host.windows import (
    NVSMI,
    VIDEO_CONTROLLER_PS,
    WMIC_ARGV,
    nvidia_version_from_windows,
    parse_format_list,
    pci_ids,
    system32,
)
from whynogpu.parsers.nvidia_smi import QUERY_FIELDS, classify_failure, parse_header, parse_query_gpu
from whynogpu.probes import Context

POWERSHELL = ("powershell.exe", "-NoProfile", "-NonInteractive", "-Command", VIDEO_CONTROLLER_PS)
BASIC_DISPLAY = "microsoft basic display adapter"
NVIDIA_DRIVER = "nvlddmkm"  # the service name of NVIDIA's Windows display driver (Device Manager, Driver details)
DRIVER_DLLS = ("nvcuda.dll", "nvml.dll")


def adapters_from_records(records: list[dict[str, str]]) -> tuple[PciDevice, ...]:
    out = []
    for r in records:
        pnp = r.get("PNPDeviceID", "")
        vendor, device = pci_ids(pnp)
        if vendor is None or not pnp.upper().startswith("PCI\\"):
            continue  # a remote-desktop or virtual display driver, not a PCI device
        name = r.get("Name", "")
        error = r.get("ConfigManagerErrorCode", "0") or "0"
        if BASIC_DISPLAY in name.lower():
            driver = "BasicDisplay"
        elif error != "0":
            driver = None  # Device Manager shows a problem code (e.g. 43): the driver did not start
        elif vendor == NVIDIA:
            driver = NVIDIA_DRIVER
        else:
            driver = r.get("AdapterCompatibility") or "vendor driver"
        out.append(PciDevice(pnp, vendor, device or "", "0x0300", driver))
    return tuple(out)


def read_adapters(ctx: Context) -> tuple[bool, tuple[PciDevice, ...], dict[str, dict[str, str]]]:
    """(answered, adapters, record per PNPDeviceID) from PowerShell, else wmic (gone from newer Windows 11)."""
    for argv in (POWERSHELL, WMIC_ARGV):
        res = ctx.run_once(argv, timeout=30)
        if res.ok and res.stdout.strip():
            records = parse_format_list(res.stdout)
            if records:
                return True, adapters_from_records(records), {r.get("PNPDeviceID", ""): r for r in records}
    return False, (), {}


def gather_gpu(ctx: Context) -> GpuFacts:
    user = ctx.host.user()
    answered, adapters, _ = read_adapters(ctx)
    return GpuFacts(
        pci_readable=answered,
        pci_devices=adapters,
        device_nodes=(),
        kernel_module=None,
        proc_driver_present=False,
        sys_module_version=None,
        loaded_modules=None,
        blacklisted=(),
        module_files=(),
        secure_boot=None,
        wsl_libcuda=(),
        user=user.name,
        uid=user.uid,
        unknown=("device_nodes", "wsl_libcuda"),  # Windows has neither: nothing may be concluded from them
    )


def windows_driver_version(ctx: Context) -> str | None:
    """NVIDIA's driver number from the adapter's Windows driver version (27.21.14.5541 -> 455.41)."""
    _, adapters, records = read_adapters(ctx)
    for a in adapters:
        if a.vendor == NVIDIA and a.driver == NVIDIA_DRIVER:
            v = nvidia_version_from_windows(records.get(a.address, {}).get("DriverVersion", ""))
            if v:
                return v
    return None


def find_driver_dlls(ctx: Context) -> tuple[LibraryCopy, ...]:
    env = ctx.host.env()
    found = []
    for d, source in ((system32(env), "System32"), (NVSMI, "NVSMI folder")):
        for name in DRIVER_DLLS:
            path = ntpath.join(d, name)
            if ctx.host.exists(path) and not any(c.name == name for c in found):
                found.append(LibraryCopy(name, path, ctx.host.realpath(path), None, source))
    return tuple(found)


def nvidia_smi(ctx: Context) -> str | None:
    """nvidia-smi.exe as `where nvidia-smi` finds it, else in System32 or the older NVSMI folder."""
    host = ctx.host
    env = host.env()
    return host.which("nvidia-smi") or next(
        (p for p in (ntpath.join(system32(env), "nvidia-smi.exe"), ntpath.join(NVSMI, "nvidia-smi.exe"))
         if host.exists(p)), None)


def probe_smi(ctx: Context) -> SmiState:
    exe = nvidia_smi(ctx)
    if exe is None:
        return SmiState(False, None, None, None, ())
    plain = ctx.host.run([exe], timeout=20)
    gpus = ()
    if plain.ok:
        q = ctx.host.run([exe, f"--query-gpu={','.join(QUERY_FIELDS)}", "--format=csv,noheader,nounits"], timeout=20)
        gpus = parse_query_gpu(q.stdout) if q.ok else ()
    return SmiState(True, plain.returncode, classify_failure(plain.stdout + "\n" + plain.stderr),
                    parse_header(plain.stdout), gpus)


def gather_driver(ctx: Context) -> DriverFacts:
    from whynogpu.probes.driver import _count, cuda_version_text, probe_cuda, probe_nvml

    gpu = ctx.get(GpuFacts)
    libraries = find_driver_dlls(ctx)
    cuda = nvml = smi = None
    skipped = None
    has_nvcuda = any(c.name == "nvcuda.dll" for c in libraries)
    if has_nvcuda or not (gpu and gpu.pci_readable and not gpu.nvidia_gpus):
        # Loading nvcuda.dll/nvml.dll on Windows creates no device node and loads no driver: it is safe
        # whenever they may exist. On a machine with no NVIDIA adapter and no nvcuda.dll there is nothing to load.
        cuda = probe_cuda(ctx)
        nvml = probe_nvml(ctx)
        if nvml is None or nvml.init_code != 0:
            smi = probe_smi(ctx)
    else:
        skipped = "no NVIDIA display adapter and no nvcuda.dll in System32: there is no NVIDIA driver to load"
    version = (nvml.driver_version if nvml and nvml.driver_version else None) or \
        (smi.header.driver_version if smi and smi.header else None) or windows_driver_version(ctx)
    return DriverFacts(
        driver_version=version,
        cuda_driver_version=cuda_version_text((nvml.cuda_driver_version if nvml else None)
                                              or (cuda.driver_version if cuda else None))
        or (smi.header.cuda_version if smi and smi.header and getattr(smi.header, "cuda_version", None) else None),
        libraries=libraries,
        cuda=cuda,
        nvml=nvml,
        smi=smi,
        skipped=skipped,
        **_count(gpu, cuda, nvml, smi),
    )
