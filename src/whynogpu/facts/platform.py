"""The platform layer: operating system, WSL, container.

Part of the snapshot schema (whynogpu.facts): filled by the probes on a machine and by triage/to_facts.py
from a pasted report; read by the rules.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlatformFacts:
    os: str  # "linux", "windows", "macos" or the raw system name lower-cased
    kernel: str
    distro: str | None  # PRETTY_NAME from /etc/os-release
    arch: str
    wsl: int | None  # 1 or 2 under WSL, else None
    container: str | None  # docker, podman, kubernetes, apptainer, lxc, container
    container_evidence: tuple[str, ...]
    hostname: str
    # The container runtime was asked for a GPU (docker run --gpus, --runtime=nvidia, a device request): known from a
    # report that shows how the container was started; None on a machine, whose probes cannot tell from inside.
    gpu_requested: bool | None = None
