"""The driver layer: libcuda and NVML loaded in children, nvidia-smi.

Part of the snapshot schema (whynogpu.facts): filled by the probes on a machine and by triage/to_facts.py
from a pasted report; read by the rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from whynogpu.parsers.nvidia_smi import SmiFailure, SmiGpu, SmiHeader


@dataclass(frozen=True)
class LibraryCopy:
    name: str  # libcuda.so.1
    path: str  # where it was found
    resolved: str  # after symlinks
    version: str | None  # driver version from the file name (libcuda.so.535.309.01)
    source: str  # "loader cache", "LD_LIBRARY_PATH", "WSL"


@dataclass(frozen=True)
class CudaInit:
    loaded: bool
    load_error: str | None
    paths: tuple[str, ...]  # where libcuda was mapped from in the child
    driver_version: int | None  # cuDriverGetVersion, e.g. 12020
    init_code: int | None  # cuInit(0) result
    init_name: str | None  # e.g. CUDA_ERROR_NO_DEVICE
    device_count: int | None


@dataclass(frozen=True)
class GpuProcess:
    pid: int
    name: str | None  # None when the process is not visible here (another container or user)
    used_mib: int | None


@dataclass(frozen=True)
class NvmlGpu:
    index: int
    name: str | None = None
    uuid: str | None = None
    pci_bus_id: str | None = None
    compute_capability: str | None = None
    memory_total_mib: int | None = None
    memory_used_mib: int | None = None
    processes: tuple[GpuProcess, ...] = ()
    mig_enabled: bool | None = None
    mig_devices: int | None = None
    compute_mode: int | None = None  # 0 default, 1 exclusive thread (old drivers), 2 prohibited, 3 exclusive process
    persistence_mode: int | None = None
    ecc_uncorrected_volatile: int | None = None
    retired_pages_pending: bool | None = None
    remap_pending: bool | None = None
    remap_failure: bool | None = None
    fabric_state: int | None = None  # 0 not supported, 1 not started, 2 in progress, 3 completed
    fabric_status: int | None = None  # an NVML return code
    errors: dict[str, str] | None = None  # field -> why it could not be read


@dataclass(frozen=True)
class NvmlState:
    source: str  # "pynvml" or "ctypes"
    init_code: int | None
    init_name: str | None
    init_kind: str | None  # from knowledge/nvml_errors.csv: ok, driver_not_loaded, lib_rm_version_mismatch, …
    driver_version: str | None
    nvml_version: str | None
    cuda_driver_version: int | None
    device_count: int | None
    gpus: tuple[NvmlGpu, ...]


@dataclass(frozen=True)
class SmiState:
    found: bool
    exit_code: int | None
    failure: SmiFailure | None
    header: SmiHeader | None
    gpus: tuple[SmiGpu, ...]


@dataclass(frozen=True)
class DriverFacts:
    driver_version: str | None  # e.g. "550.54.14": NVML, else nvidia-smi, else the kernel module
    cuda_driver_version: str | None  # newest CUDA the driver supports, e.g. "12.2" (from 12020)
    gpu_count: int | None  # NVIDIA GPUs the driver layer knows (NVML, nvidia-smi, cuDeviceGetCount, PCI); None: cannot tell
    gpu_count_source: str | None
    libraries: tuple[LibraryCopy, ...]
    cuda: CudaInit | None
    nvml: NvmlState | None
    smi: SmiState | None
    skipped: str | None  # why the libraries were not loaded, when they were not
    branch: str | None = None  # only the driver branch is known ("driver 470" in a report): no release within it

    def copies(self, name: str) -> tuple[LibraryCopy, ...]:
        return tuple(c for c in self.libraries if c.name == name)
