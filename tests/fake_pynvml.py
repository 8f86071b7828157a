"""A stand-in for nvidia-ml-py's `pynvml` module with its real API shapes (structs, NVMLError and its
messages are pynvml's own), answering from a sampled sequence in tests/fixtures/watch/ (see SOURCE.md)."""

from __future__ import annotations

import json
import os
from types import SimpleNamespace

import pynvml

NVMLError = pynvml.NVMLError
MIB = 1 << 20
WATCH = os.path.join(os.path.dirname(__file__), "fixtures", "watch")


def load(name: str) -> dict:
    with open(os.path.join(WATCH, f"{name}.json"), encoding="utf-8") as fh:
        return json.load(fh)


class FakeNvml:
    """Each call of nvmlDeviceGetComputeRunningProcesses on the last GPU moves to the next sample (the
    sampler asks it last for every GPU); the last sample repeats. `error`: nvmlInit raises that NVML code."""

    NVMLError = NVMLError

    def __init__(self, data: dict | None = None, cmd_pid: int = 0, error: int | None = None) -> None:
        self.data = data or {"gpus": [], "samples": []}
        self.cmd_pid = cmd_pid
        self.error = error
        self.step = 0
        self.shut = False

    def _now(self, h: int) -> dict:
        samples = self.data["samples"]
        return samples[min(self.step, len(samples) - 1)]["gpus"][h]

    def nvmlInit(self) -> None:
        if self.error is not None:
            raise NVMLError(self.error)

    def nvmlShutdown(self) -> None:
        self.shut = True

    def nvmlDeviceGetCount(self) -> int:
        return len(self.data["gpus"])

    def nvmlDeviceGetHandleByIndex(self, i: int) -> int:
        return i

    def nvmlDeviceGetName(self, h: int) -> str:
        return self.data["gpus"][h]["name"]

    def nvmlDeviceGetUUID(self, h: int) -> str:
        return self.data["gpus"][h]["uuid"]

    def nvmlDeviceGetMemoryInfo(self, h: int):
        total = self.data["gpus"][h]["memory_total_mib"] * MIB
        used = (self._now(h)["memory_used_mib"] or 0) * MIB if self.data["samples"] else 0
        return pynvml.c_nvmlMemory_t(total=total, free=total - used, used=used)

    def nvmlDeviceGetUtilizationRates(self, h: int):
        return pynvml.c_nvmlUtilization_t(gpu=self._now(h)["util"], memory=0)

    def nvmlDeviceGetComputeRunningProcesses(self, h: int):
        procs = [SimpleNamespace(pid=self.cmd_pid if p["pid"] == "CMD" else p["pid"],
                                 usedGpuMemory=None if p["used_mib"] is None else p["used_mib"] * MIB,
                                 gpuInstanceId=0xFFFFFFFF, computeInstanceId=0xFFFFFFFF)
                 for p in self._now(h)["processes"]]
        if h == len(self.data["gpus"]) - 1:
            self.step += 1
        return procs
