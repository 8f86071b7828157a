"""Causes a report's own setup rules out, whatever its wording resembles.

The vote of similar reports (WG836) counts words, and words travel: a PyTorch report on Windows reads like the
TensorFlow-on-Windows threads, a TensorFlow 2.1 report like those about 2.11. A cause bound to a platform or a
framework cannot be the one of a report whose named setup lies outside it, so the vote never names it there. Only
what the report names counts: a report that names no platform or framework rules nothing out.
"""

from __future__ import annotations

from whynogpu.facts.report import TriageFacts
from whynogpu.rules.platform import _tf_gpu_row
from whynogpu.rules.usual import Setup

# Places (rules/usual.Setup.place) where a cause can happen at all; a cause not listed here can happen anywhere.
# The Linux kernel's nvidia_uvm module and the Fabric Manager service exist on Linux hosts and the containers they run
# (WSL2 reaches the GPU through /dev/dxg, not /dev/nvidia-uvm); macOS has no CUDA since 10.2; WSL's GPU path is WSL's
# own (Docker Desktop's containers run in it).
_PLACES = {
    "macos_no_cuda": ("macos",),
    "nvidia_uvm_unavailable": ("linux", "container"),
    "fabric_manager_not_running": ("linux", "container"),
    "wsl_gpu_not_enabled": ("wsl", "container", "windows"),
    "container_no_gpu": ("container", "linux", "wsl", "windows"),
}


def ruled_out(s: Setup | None, f: TriageFacts) -> frozenset[str]:
    """The causes the setup excludes, and those a CUDA build at work excludes."""
    out = {"cpu_only_package", "python_version_unsupported"} if cuda_build_ran(f) else set()
    if s is None:
        return frozenset(out)
    if s.place != "unknown":
        place = "windows" if s.place == "windows_bundle" else s.place
        out |= {c for c, places in _PLACES.items() if place not in places}
    # TensorFlow's native-Windows CPU-only releases (knowledge/tensorflow_platforms.csv): 2.11 and later
    row = _tf_gpu_row("windows", "" if s.at_most else s.version) if s.framework == "tensorflow" else None
    if s.framework in ("torch", "jax") or s.place not in ("windows", "windows_bundle", "unknown") or \
            (row is not None and row["gpu"] != "none"):
        out.add("windows_native_unsupported")
    return frozenset(out)


def cuda_build_ran(f: TriageFacts) -> bool:
    """A program's output shows a CUDA build of the framework: is_available() answered True, or a failure inside CUDA
    (which a CPU-only build never calls; no CPU-only package, and no Python without GPU wheels, gives either). A
    version named in the report (2.1.0+cu121) is not enough: reports name the build they had before it was replaced."""
    return any(s.value == "True" for s in f.all("torch_cuda_available")) or \
        any(m.kind == "error" and m.categories and "cpu_only_package" not in m.categories for m in f.log)
