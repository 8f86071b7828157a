"""The GPU layer as the kernel shows it: PCI devices, /dev nodes, the NVIDIA kernel module.

Part of the snapshot schema (whynogpu.facts): filled by the probes on a machine and by triage/to_facts.py
from a pasted report; read by the rules.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from whynogpu.parsers.proc_driver import KernelModuleVersion

NVIDIA = "0x10de"


@dataclass(frozen=True)
class PciDevice:
    address: str  # 0000:01:00.0
    vendor: str  # 0x10de
    device: str  # 0x2206
    pci_class: str  # 0x030000
    driver: str | None  # the kernel driver bound to it: nvidia, nouveau, vfio-pci, None

    @property
    def is_display(self) -> bool:
        return self.pci_class.startswith("0x03")

    @property
    def is_nvswitch(self) -> bool:
        # NVSwitch chips show up as NVIDIA "Bridge [0680]" functions (A100/H100 systems) or, from GB200 on,
        # as NVIDIA "PCI bridge [0604]" functions; NVIDIA makes no other bridges in current systems.
        return self.vendor == NVIDIA and self.pci_class.startswith(("0x0680", "0x0604"))


@dataclass(frozen=True)
class DeviceNode:
    path: str
    is_char: bool
    mode: int  # permission bits only, e.g. 0o666
    uid: int
    gid: int
    rdev: tuple[int, int] | None
    usable: bool  # this user may open it for reading and writing


@dataclass(frozen=True)
class Blacklist:
    module: str
    where: str  # the file (or kernel command line) that blacklists it


@dataclass(frozen=True)
class GpuFacts:
    pci_readable: bool  # /sys/bus/pci/devices could be listed and was not empty
    pci_devices: tuple[PciDevice, ...]
    device_nodes: tuple[DeviceNode, ...]  # /dev/nvidia*, /dev/nvidia-caps/*, /dev/dxg, before any library ran
    kernel_module: KernelModuleVersion | None  # parsed /proc/driver/nvidia/version
    proc_driver_present: bool
    sys_module_version: str | None  # /sys/module/nvidia/version
    loaded_modules: tuple[str, ...] | None  # of MODULES; None when /proc/modules cannot be read
    blacklisted: tuple[Blacklist, ...]
    module_files: tuple[str, ...]  # nvidia*.ko* found for the running kernel
    secure_boot: bool | None
    wsl_libcuda: tuple[str, ...]  # /usr/lib/wsl/lib/libcuda.so* (the Windows driver's, mounted by WSL2)
    user: str
    uid: int
    # Lists a pasted report did not show (a probed machine reads them all): a rule may not conclude
    # anything from their being empty. Values: "device_nodes", "wsl_libcuda".
    unknown: tuple[str, ...] = ()

    def knows(self, what: str) -> bool:
        return what not in self.unknown

    @property
    def nvidia_gpus(self) -> tuple[PciDevice, ...]:
        return tuple(d for d in self.pci_devices if d.vendor == NVIDIA and d.is_display)

    @property
    def nvswitches(self) -> tuple[PciDevice, ...]:
        return tuple(d for d in self.pci_devices if d.is_nvswitch)

    @property
    def other_gpus(self) -> tuple[PciDevice, ...]:
        return tuple(d for d in self.pci_devices if d.vendor != NVIDIA and d.is_display)

    def node(self, path: str) -> DeviceNode | None:
        return next((n for n in self.device_nodes if n.path == path), None)

    @property
    def gpu_nodes(self) -> tuple[DeviceNode, ...]:
        """/dev/nvidia0, /dev/nvidia1, …: one per GPU the container or host exposes."""
        return tuple(n for n in self.device_nodes if posixpath.basename(n.path)[6:].isdigit()
                     and posixpath.basename(n.path).startswith("nvidia"))

    def module_loaded(self, name: str) -> bool | None:
        return None if self.loaded_modules is None else name in self.loaded_modules
