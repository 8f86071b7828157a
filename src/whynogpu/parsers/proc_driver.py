"""/proc/driver/nvidia/version: which NVIDIA kernel module is loaded.

Real banners (the fields are separated by runs of two spaces):

    NVRM version: NVIDIA UNIX x86_64 Kernel Module  545.23.08  Mon Nov  6 23:49:37 UTC 2023
    NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  555.58.02  Release Build  (dvs-builder@…)

The version is the first dotted number after "Kernel Module"; it is the number libcuda and
libnvidia-ml must match exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_VERSION = re.compile(r"Kernel Module(?: for \S+)?\s+(\d+\.\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class KernelModuleVersion:
    version: str | None  # "545.23.08"; None when the banner has no version we recognise
    flavor: str  # "proprietary" or "open"
    banner: str  # the first line, as read
    gcc: str | None = None


def parse_proc_driver_version(text: str) -> KernelModuleVersion | None:
    """Parse the file's text; None when it is not an NVRM banner at all."""
    lines = [ln.rstrip() for ln in text.splitlines() if ln.strip()]
    nvrm = next((ln for ln in lines if ln.startswith("NVRM version:")), None)
    if nvrm is None:
        return None
    m = _VERSION.search(nvrm)
    gcc = next((ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("GCC version:")), None)
    return KernelModuleVersion(
        version=m.group(1) if m else None,
        flavor="open" if "Open Kernel Module" in nvrm else "proprietary",
        banner=nvrm,
        gcc=gcc or None,
    )
