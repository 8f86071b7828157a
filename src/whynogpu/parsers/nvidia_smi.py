"""nvidia-smi output: its failure messages, the table header, and `--query-gpu` CSV.

Failure texts are NVIDIA's own (see tests/fixtures/reference/gpu-error-messages.md §7.4), e.g.

    NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. …   (exit 9)
    Failed to initialize NVML: Driver/library version mismatch
    NVML library version: 610.43
    Unable to determine the device handle for GPU 0000:05:00.0: GPU is lost.  Reboot the system to recover this GPU
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# (substring, failure class). The class names match NVML's error names where one exists, so
# rules can treat an nvidia-smi failure and an NVML init failure alike.
_FAILURES = (
    ("couldn't communicate with the NVIDIA driver", "driver_not_loaded"),
    ("Driver/library version mismatch", "lib_rm_version_mismatch"),
    ("Insufficient Permissions", "no_permission"),
    ("GPU is lost", "gpu_is_lost"),
    ("No devices were found", "no_devices"),
    ("Unable to determine the device handle", "device_handle_unknown"),
    ("Failed to initialize NVML: Unknown Error", "unknown"),
)
# The header is one table line: `| NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: 12.2 |`.
# It is read line by line, the two halves apart: one regex with `.*?` between them scanned to the
# end of the line from every "NVIDIA-SMI" in it, quadratic on a long line.
_SMI = re.compile(r"NVIDIA-SMI[ \t]+([\d.]+)[ \t]")
# From the R610 drivers on the header names the kernel-mode driver and the user-mode driver's CUDA:
# "KMD Version: 610.57.04     CUDA UMD Version: 13.3" (before: "Driver Version: …   CUDA Version: …").
_DRIVER = re.compile(r"(?:Driver|KMD) Version:[ \t]*([\d.]+)(?:[ \t]+CUDA (?:UMD )?Version:[ \t]*([\d.]+|N/A))?")
_NVML_LIB = re.compile(r"NVML library version:\s*([\d.]+)")


@dataclass(frozen=True)
class SmiFailure:
    kind: str  # one of the classes above, or "other"
    message: str  # the first meaningful line, verbatim
    nvml_library_version: str | None = None  # printed by newer drivers on a mismatch


@dataclass(frozen=True)
class SmiHeader:
    smi_version: str
    driver_version: str
    cuda_version: str | None  # None for "N/A" or when absent


@dataclass(frozen=True)
class SmiGpu:
    index: int
    name: str
    driver_version: str | None
    memory_total_mib: int | None
    memory_used_mib: int | None
    compute_cap: str | None


def classify_failure(text: str) -> SmiFailure | None:
    """What kind of failure an nvidia-smi output reports; None when it reports none."""
    for needle, kind in _FAILURES:
        if needle.lower() in text.lower():
            line = next(ln.strip() for ln in text.splitlines() if needle.lower() in ln.lower())
            m = _NVML_LIB.search(text)
            return SmiFailure(kind, line, m.group(1) if m else None)
    return None


def parse_header(text: str) -> SmiHeader | None:
    for line in text.splitlines():
        at = max(line.find("Driver Version:"), line.find("KMD Version:"))
        smi = _SMI.search(line, 0, at) if at > 0 else None
        if smi is None:
            continue
        d = _DRIVER.match(line, at)
        if d:
            cuda = d.group(2)
            return SmiHeader(smi.group(1), d.group(1), None if cuda in (None, "N/A") else cuda)
    return None


QUERY_FIELDS = ("index", "name", "driver_version", "memory.total", "memory.used", "compute_cap")


def parse_query_gpu(text: str) -> tuple[SmiGpu, ...]:
    """Rows of `--query-gpu=<QUERY_FIELDS> --format=csv,noheader,nounits`; lines that are not rows are skipped."""

    def num(v: str) -> int | None:
        # ASCII digits of a sane length only: `\d` also takes other scripts' digits, and float() of
        # 400 nines is inf, which int() refuses.
        v = v.strip()
        return int(float(v)) if re.fullmatch(r"[0-9]{1,15}(\.[0-9]{1,15})?", v) else None

    def opt(v: str) -> str | None:
        v = v.strip()
        return None if v in ("", "[N/A]", "N/A", "[Not Supported]") else v

    rows = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != len(QUERY_FIELDS) or num(parts[0]) is None or "." in parts[0]:
            continue
        rows.append(SmiGpu(int(parts[0]), parts[1], opt(parts[2]), num(parts[3]), num(parts[4]), opt(parts[5])))
    return tuple(rows)
