"""`lspci` lines pasted into a report: which devices the PCI bus holds, and the kernel driver bound to each.

Real lines (the forms `lspci`, `lspci -nn`, `lspci -k`/`-v` print; see tests/fixtures/triage_lspci/SOURCE.md):

    01:00.0 VGA compatible controller: NVIDIA Corporation GM204 [GeForce GTX 970] (rev a1) (prog-if 00 [VGA controller])
    01:00.0 VGA compatible controller [0300]: NVIDIA Corporation Device [10de:13c2](rev a1) (prog-if 00 [VGA controller])
    00:00.0 Host bridge: Intel Corporation 82Q33 Express DRAM Controller (rev 02)
        (a tab, then) Kernel driver in use: nouveau

Data-centre GPUs are "3D controller" (class 0302), not "VGA compatible controller": a `lspci | grep VGA`
that shows no NVIDIA line does not prove the machine has none, so the caller decides what a listing proves.
"""

from __future__ import annotations

import re

from whynogpu.facts.gpu import PciDevice
from whynogpu.knowledge import table

_LINE = re.compile(r"^\s*(?:[0-9a-f]{4}:)?(?P<addr>[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) (?P<cls>[A-Z][\w /-]*?)"
                   r"(?: \[(?P<code>[0-9a-f]{4})\])?: (?P<rest>\S.*)$")
_IDS = re.compile(r"\[(?P<vendor>[0-9a-f]{4}):(?P<device>[0-9a-f]{4})\]")
_DRIVER = re.compile(r"^\s+Kernel driver in use: (?P<d>[\w-]+)\s*$")
# The class names lspci prints and their class codes (PCI ID repository, class list: https://pci-ids.ucw.cz/read/PD/):
# the display classes, and the bridges an NVSwitch shows up as; any other name is some other kind of device.
_CLASSES = {"VGA compatible controller": "0x0300", "3D controller": "0x0302", "Display controller": "0x0380",
            "Bridge": "0x0680", "PCI bridge": "0x0604", "Host bridge": "0x0600"}


def parse_lspci_line(line: str) -> PciDevice | None:
    """One device line of lspci's output, or None when the line is not one."""
    m = _LINE.match(line)
    if m is None:
        return None
    rest = m.group("rest")
    ids = _IDS.search(rest)
    if ids:
        vendor, device = "0x" + ids.group("vendor"), "0x" + ids.group("device")
    else:
        vendor = next((r["vendor"] for r in table("pci_vendors") if r["lspci_name"] and rest.startswith(r["lspci_name"])), "")
        device = ""
    code = "0x" + m.group("code") if m.group("code") else _CLASSES.get(m.group("cls"), "0x0000")
    return PciDevice("0000:" + m.group("addr"), vendor, device, code + "00", None)


def kernel_driver(line: str) -> str | None:
    """`Kernel driver in use: nouveau` (lspci -k / -v), the driver bound to the device listed above it."""
    m = _DRIVER.match(line)
    return m.group("d") if m else None
