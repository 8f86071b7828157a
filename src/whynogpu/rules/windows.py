"""Native Windows: the GPU as a display adapter, NVIDIA's driver, and the Windows wording of the CUDA
library fixes (PATH and CUDA_PATH instead of LD_LIBRARY_PATH and ldconfig; PowerShell and cmd syntax).

The CUDA-layer rules in rules/cuda.py ask `windows_dlls(facts)` and take their fixes from here when the
libraries are Windows DLLs (a probed Windows machine, or a pasted Windows log)."""

from __future__ import annotations

from whynogpu.facts.cuda import CudaLibFacts, FrameworkLibs
from whynogpu.facts.driver import DriverFacts
from whynogpu.facts.gpu import NVIDIA, GpuFacts
from whynogpu.host.windows import path_key
from whynogpu.knowledge import table, version_key
from whynogpu.model import Evidence, Fix, Severity
from whynogpu.parsers.cuda_files import cuda_version_of_dll
from whynogpu.rules import rule
from whynogpu.rules.common import pip, platform, target

DRIVER_DOWNLOAD = "https://www.nvidia.com/Download/index.aspx"


def native_windows(snap) -> bool:
    p = platform(snap)
    return p is not None and p.os == "windows"


def windows_dlls(facts: CudaLibFacts | None) -> bool:
    """The libraries are Windows DLLs: a native Windows machine, or a report whose failed names end in .dll."""
    if facts is None:
        return False
    return facts.os == "windows" or any(r.soname.lower().endswith(".dll") for f in facts.frameworks for r in f.libs)


def ps_prepend_path(directory: str) -> str:
    return f'$env:Path = "{directory};" + $env:Path'


def cmd_prepend_path(directory: str) -> str:
    return f'set "PATH={directory};%PATH%"'


def ps_persist_user_path(directory: str) -> str:
    return ('[Environment]::SetEnvironmentVariable("Path", '
            f'"{directory};" + [Environment]::GetEnvironmentVariable("Path", "User"), "User")')


def searched(facts: CudaLibFacts, fw: FrameworkLibs) -> list[Evidence]:
    if not facts.scanned:
        return []
    if fw.framework == "torch":
        lib_dir = fw.pip_dirs[0] if fw.pip_dirs else "torch\\lib"
        where = f"{lib_dir} (PyTorch adds it with os.add_dll_directory)"
    else:
        path = [d for d in facts.dll_search_path if d not in facts.default_dirs]
        where = (f"python.exe's folder, System32, the Windows folder and the {len(path)} PATH folders"
                 " (a CUDA_PATH that is set is not searched by itself)")
    return [Evidence("searched " + where, "the Windows DLL search order (whynogpu's model)")]


def install_fix(snap, fw: FrameworkLibs) -> Fix:
    t = target(snap)
    if fw.framework == "torch":
        tag = "cu" + "".join(str(x) for x in version_key(fw.cuda or "12.8")[:2]) if fw.cuda else "cu128"
        return Fix("Reinstall PyTorch from its CUDA wheel index: its Windows wheels carry the CUDA DLLs in torch\\lib:",
                   (pip(t, f"install --force-reinstall torch --index-url https://download.pytorch.org/whl/{tag}"),))
    cuda = ".".join(str(x) for x in version_key(fw.cuda or _cuda_of_dlls(fw) or "")[:2])
    cudnn = fw.cudnn_min or (f"{fw.cudnn_major}.x" if fw.cudnn_major else "")
    cuda_bin = f"C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v{cuda or 'X.Y'}\\bin"
    label = f"TensorFlow {fw.version}" if version_key(fw.version) else "This TensorFlow"
    said = f"the CUDA {cuda}" if cuda else "the CUDA (X.Y: the release its build names)"
    return Fix(
        f"{label} on native Windows loads {said} and cuDNN {cudnn + ' ' if cudnn else ''}DLLs from PATH. Install "
        "them into the conda environment (TensorFlow's own instructions for 2.10), or install them from NVIDIA "
        "and put their bin folders on PATH (PowerShell, then cmd), then restart the terminal or Jupyter:",
        (f"conda install -c conda-forge cudatoolkit={cuda or 'X.Y'} cudnn" + (f"={cudnn.replace('.x', '')}" if cudnn else ""),
         f"# or NVIDIA's CUDA {cuda or 'X.Y'} installer and its cuDNN (the bin folder into the CUDA folder), then:",
         ps_prepend_path(cuda_bin),
         cmd_prepend_path(cuda_bin)),
    )


def _cuda_of_dlls(fw: FrameworkLibs) -> str:
    """The CUDA release of the runtime DLL the build asked for (cudart64_100.dll → 10.0)."""
    return next((v for r in fw.libs if (v := cuda_version_of_dll(r.soname or ""))), "")


def path_fix(facts: CudaLibFacts, dirs: list[str]) -> Fix:
    in_env = bool(facts.prefix) and any(path_key(d).startswith(path_key(facts.prefix or "") + "\\") for d in dirs)
    if facts.env_kind == "conda" and facts.prefix and not facts.conda_active and in_env:
        return Fix("The DLLs are in the conda environment's Library\\bin, which is on PATH only while the "
                   "environment is activated: activate it (or start Jupyter from it):",
                   (f'conda activate "{facts.prefix}"',))
    d = dirs[0]
    return Fix(
        "Put the folder on PATH for this terminal (PowerShell, then cmd) and for your user (new terminals and "
        "Jupyter started afterwards); or, in the script, add it before importing the framework:",
        (ps_prepend_path(d), cmd_prepend_path(d), ps_persist_user_path(d),
         f'import os; os.add_dll_directory(r"{d}")  # Python 3.8+, before import tensorflow'),
    )


def missing_driver_dll(d: DriverFacts | None) -> bool:
    return d is not None and not d.skipped and not d.copies("nvcuda.dll")


@rule(
    "WG106", "windows_no_nvidia_gpu", "no_nvidia_gpu",
    "Windows lists no NVIDIA display adapter",
    detects="On native Windows, the display adapters (Win32_VideoController) include none with PCI vendor "
            "VEN_10DE, and neither NVML nor nvidia-smi sees a GPU.",
    why="CUDA needs an NVIDIA GPU; Windows lists every GPU with a driver as a display adapter, its PNP device id "
        "naming the PCI vendor (10DE is NVIDIA).",
    example="Win32_VideoController: Intel(R) UHD Graphics 630 (PCI\\VEN_8086&DEV_3E92…) only",
    fix="Use a machine with an NVIDIA GPU; on a laptop with two GPUs, check that the NVIDIA one is enabled in "
        "Device Manager and in the firmware settings.",
    references=("https://learn.microsoft.com/en-us/windows/win32/cimwin32prov/win32-videocontroller",),
)
def windows_no_nvidia_gpu(info, snap):
    g, d = snap.get(GpuFacts), snap.get(DriverFacts)
    if not native_windows(snap) or g is None or not g.pci_readable or g.nvidia_gpus:
        return
    if d is not None and (d.gpu_count or (d.nvml and d.nvml.gpus) or (d.smi and d.smi.gpus)):
        return  # a GPU in TCC mode is no display adapter, yet the driver sees it
    shown = ", ".join(a.address for a in g.pci_devices)
    yield info.finding(
        Severity.ERROR,
        [Evidence(f"display adapters: {shown or 'none'}; none from vendor VEN_10DE (NVIDIA)",
                  "Get-CimInstance Win32_VideoController")],
        "Windows lists no NVIDIA GPU on this machine, so CUDA has nothing to run on.",
        Fix("Use a machine with an NVIDIA GPU, or enable it (Device Manager > Display adapters; on some laptops "
            "the firmware can switch the NVIDIA GPU off):", ("devmgmt.msc",)),
    )


@rule(
    "WG107", "windows_nvidia_driver_missing", "driver_not_loaded",
    "The NVIDIA GPU has no working NVIDIA driver on Windows",
    detects="On native Windows, a display adapter with vendor VEN_10DE runs on Microsoft's Basic Display Adapter "
            "or reports a Device Manager problem code, or nvcuda.dll (installed by the NVIDIA driver) is not in "
            "System32.",
    why="The CUDA driver API is nvcuda.dll, which only NVIDIA's display driver installs into System32; without "
        "it, or with the adapter stopped (code 43 and others), no framework finds a GPU.",
    example="PCI\\VEN_10DE&DEV_1F11… as 'Microsoft Basic Display Adapter'; no C:\\Windows\\System32\\nvcuda.dll",
    fix="Install the current NVIDIA driver for this GPU from nvidia.com and restart Windows.",
    references=("https://www.nvidia.com/Download/index.aspx", "https://github.com/ollama/ollama/issues/6236"),
)
def windows_nvidia_driver_missing(info, snap):
    g, d = snap.get(GpuFacts), snap.get(DriverFacts)
    if not native_windows(snap) or g is None or not g.pci_readable:
        return
    nvidia = [a for a in g.pci_devices if a.vendor == NVIDIA]
    stopped = [a for a in nvidia if a.driver != "nvlddmkm"]
    if not nvidia or not (stopped or missing_driver_dll(d)):
        return
    evidence = [Evidence(f"{a.address}: " + ("Microsoft Basic Display Adapter (no NVIDIA driver)"
                                             if a.driver == "BasicDisplay" else "the device reports a problem code")
                         , "Get-CimInstance Win32_VideoController") for a in stopped]
    if missing_driver_dll(d):
        evidence.append(Evidence("no nvcuda.dll in System32", "file system"))
    yield info.finding(
        Severity.ERROR,
        evidence,
        "Windows sees an NVIDIA GPU, but NVIDIA's driver is not running it, so CUDA cannot start.",
        Fix("Install NVIDIA's driver for this GPU (a clean install), restart Windows, then check it with nvidia-smi:",
            (f"# {DRIVER_DOWNLOAD}", "nvidia-smi")),
    )


def windows_gpu_summary(snap) -> str | None:
    g = snap.get(GpuFacts)
    if g is None:
        return None
    nvidia = g.nvidia_gpus
    if nvidia:
        running = sum(1 for a in nvidia if a.driver == "nvlddmkm")
        return f"{len(nvidia)} NVIDIA display adapter(s), {running} with NVIDIA's driver"
    return "no NVIDIA display adapter" if g.pci_readable else "display adapters could not be listed"


def tensorflow_ways(t) -> tuple[list[str], list[str]]:
    """The commands and notes of the ways out for TF >= 2.11 on native Windows, for the target's Python."""
    cmds, notes = [], []
    py = version_key(t.version if t else "")[:2]
    for row in table("windows_tensorflow_ways"):
        limit = version_key(row["python_max"])[:2]
        too_new = bool(limit and py and py > limit)
        label = {"wsl2": "1) WSL2", "tf210_native": "2) TensorFlow 2.10 on native Windows",
                 "directml": "3) the DirectML plugin"}[row["way"]]
        cmds.append(f"# {label}" + (f" (needs Python {row['python_max']} or older, this is {'.'.join(map(str, py))})"
                                    if too_new else "") + f": {row['source']}")
        cmds += [c.replace("{pip}", pip(t, "").strip()) for c in row["commands"].split("|")]
        notes.append(row["note"])
    return cmds, notes
