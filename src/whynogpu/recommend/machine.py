"""What `recommend` needs to know about the machine, read from a check's snapshot (never probed again here)."""

from __future__ import annotations

from dataclasses import dataclass

from whynogpu.facts.driver import DriverFacts
from whynogpu.facts.gpu import GpuFacts
from whynogpu.facts.platform import PlatformFacts
from whynogpu.facts.target import TargetFacts
from whynogpu.fix.installer import Installer, detect
from whynogpu.host.base import Host
from whynogpu.knowledge import gpu_compute_capability
from whynogpu.model import Finding, Report, Snapshot

FRAMEWORK_DISTS = {"tensorflow": ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-intel"),
                   "torch": ("torch",), "jax": ("jax",), "keras": ("keras",)}


@dataclass(frozen=True)
class Gpu:
    name: str | None
    compute_capability: str | None  # "8.6"; None when neither NVML nor the model name tells it
    source: str  # where the compute capability came from


@dataclass(frozen=True)
class Machine:
    platform: str  # linux, wsl, windows, macos (the platform a framework's builds are published for)
    os_label: str  # in words: "Ubuntu 22.04 (WSL2)"
    arch: str | None
    python: str | None  # the target interpreter's version, 3.11.7
    python_path: str | None
    driver: str | None  # the NVIDIA driver's version, as its platform numbers it (WSL2: the Windows driver)
    nvidia_gpu: bool | None  # None: cannot tell
    gpus: tuple[Gpu, ...] = ()
    installer: Installer | None = None
    installed: tuple[tuple[str, str], ...] = ()  # (distribution, version) of the frameworks in the target
    no_gpu_finding: Finding | None = None  # check's no_nvidia_gpu finding, when that is the verdict

    @property
    def windows_driver(self) -> bool:
        return self.platform in ("windows", "wsl")

    @property
    def capabilities(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(g.compute_capability for g in self.gpus if g.compute_capability))

    def version_of(self, framework: str) -> str | None:
        names = FRAMEWORK_DISTS.get(framework, (framework,))
        return next((v for n, v in self.installed if n in names), None)


def _platform(p: PlatformFacts | None, t: TargetFacts | None) -> tuple[str, str]:
    if p is None:
        plat = {"win32": "windows", "darwin": "macos"}.get(t.platform, "linux") if t else "linux"
        return plat, plat
    label = p.distro or p.os
    if p.os == "linux" and p.wsl:
        return ("wsl" if p.wsl == 2 else "wsl1"), f"{label} (WSL{p.wsl})"
    if p.os in ("windows", "macos"):
        return p.os, label
    return "linux", label


def _gpus(d: DriverFacts | None, g: GpuFacts | None) -> tuple[Gpu, ...]:
    found: list[Gpu] = []
    if d and d.nvml and d.nvml.gpus:
        for x in d.nvml.gpus:
            cc, src = x.compute_capability, "NVML"
            if not cc and x.name:
                hit = gpu_compute_capability(x.name)
                cc, src = (hit[1], "gpu_compute_capabilities.csv") if hit else (None, "")
            found.append(Gpu(x.name, cc, src))
    elif d and d.smi and d.smi.gpus:
        for x in d.smi.gpus:
            cc, src = x.compute_cap, "nvidia-smi"
            if not cc:
                hit = gpu_compute_capability(x.name or "")
                cc, src = (hit[1], "gpu_compute_capabilities.csv") if hit else (None, "")
            found.append(Gpu(x.name, cc, src))
    elif g and g.nvidia_gpus:
        found = [Gpu(None, None, "") for _ in g.nvidia_gpus]
    return tuple(found)


def from_snapshot(snap: Snapshot, report: Report, host: Host | None = None, cwd: str | None = None) -> Machine:
    p, t = snap.get(PlatformFacts), snap.get(TargetFacts)
    d, g = snap.get(DriverFacts), snap.get(GpuFacts)
    platform, label = _platform(p, t)
    gpus = _gpus(d, g)
    no_gpu = next((f for f in report.findings if f.category == "no_nvidia_gpu"), None)
    if no_gpu is not None:
        nvidia: bool | None = False
    elif gpus or (d and d.gpu_count):
        nvidia = True
    elif g is not None and g.pci_readable and not g.nvidia_gpus and platform == "linux":
        nvidia = False
    else:
        nvidia = None
    installer = None
    if t is not None and host is not None:
        try:
            installer = detect(host, t, cwd)
        except Exception:  # a snapshot from another machine: its files are not here
            installer = None
    installed = tuple((dist.name.lower(), dist.version) for dist in (t.distributions if t else ())
                      if any(dist.name.lower() in names for names in FRAMEWORK_DISTS.values()))
    return Machine(platform, label, p.arch if p else (t.machine if t else None), t.version if t else None,
                   t.python if t else None, d.driver_version if d else None, nvidia, gpus, installer, installed, no_gpu)
