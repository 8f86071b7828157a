"""What `whynogpu watch` saw while the command ran: the facts the watch rules (rules/watch.py) read.

Plain frozen dataclasses, like every fact type, so the report's JSON carries them (`facts.watch`).
"""

from __future__ import annotations

from dataclasses import dataclass

from whynogpu.facts.frameworks import LogLine


@dataclass(frozen=True)
class GpuInfo:
    index: int  # NVML's index (nvidia-smi's numbering, PCI bus order)
    name: str | None
    uuid: str | None
    memory_total_mib: int | None


@dataclass(frozen=True)
class HeldMemory:
    """A process other than the command's that holds memory on a GPU (nvmlDeviceGetComputeRunningProcesses)."""

    pid: int
    used_mib: int | None  # None: NVML does not report it (Windows WDDM, some vGPUs)
    name: str | None  # from /proc/PID/comm; None when the process is not visible here (another container)


@dataclass(frozen=True)
class GpuReading:
    index: int
    util: int | None  # % of the last NVML sample period a kernel ran (nvmlDeviceGetUtilizationRates.gpu)
    memory_used_mib: int | None  # by every process on the GPU
    tree_mib: int  # held by the command's processes
    tree_pids: tuple[int, ...]  # the command's processes NVML lists on this GPU
    others: tuple[HeldMemory, ...] = ()


@dataclass(frozen=True)
class Sample:
    t: float  # seconds since the command started
    cpu: float | None  # CPU cores the command's processes used since the last sample (1.0 = one core busy)
    processes: int  # processes in the command's tree
    gpus: tuple[GpuReading, ...] = ()


@dataclass(frozen=True)
class WatchFacts:
    command: tuple[str, ...]
    exit_code: int | None  # None when it was ended by a signal
    signal: int | None
    duration_s: float
    interval_s: float
    nvml: str  # "ok", or why NVML could not be read (its error text)
    gpus: tuple[GpuInfo, ...]
    samples: tuple[Sample, ...]
    log: tuple[LogLine, ...]  # known GPU messages the command printed on stderr (knowledge/log_messages.csv)
    cpu_count: int
    cuda_visible_devices: str | None = None  # as the command got it
    cuda_device_order: str | None = None
    # whynogpu.watch() inside the user's process: the "command" is that process (its tree, less the sampler),
    # timed from the start to the end of the watched block; its stderr is not read (log is empty).
    in_process: bool = False
    raised: str | None = None  # in_process: the exception that ended the block (its type name), if one did

    def touched(self) -> tuple[int, ...]:
        """Indices of the GPUs the command's processes held memory on at some sample."""
        return tuple(sorted({g.index for s in self.samples for g in s.gpus if g.tree_pids or g.tree_mib}))

    def gpu(self, index: int) -> GpuInfo | None:
        return next((g for g in self.gpus if g.index == index), None)
