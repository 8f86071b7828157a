"""How the CUDA runtime reads CUDA_VISIBLE_DEVICES.

Entries are comma-separated: a device index, or a UUID (or a unique prefix of one)
starting with "GPU-" / "MIG-". Indices are read like strtoul, so "1gpu" counts as 1.
Enumeration stops at the first entry that is not valid (for example -1, an index past the
last device, or text): that entry and every entry after it are dropped. An empty value
hides every device.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# ASCII digits only, as strtoul reads them (`\d` would take other scripts' digits too).
_INDEX = re.compile(r"\s*([0-9]+)")


@dataclass(frozen=True)
class VisibleDevices:
    value: str
    accepted: tuple[str, ...]  # entries CUDA will use, in order
    dropped: tuple[str, ...]  # the first invalid entry and everything after it
    stop_reason: str | None  # why enumeration stopped, if it did

    @property
    def hides_all(self) -> bool:
        return not self.accepted


def _index(digits: str) -> int:
    # int() refuses more than 4300 digits; any number that long is past the last device anyway.
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 18 else 1 << 64


def parse_visible_devices(value: str, device_count: int | None = None) -> VisibleDevices:
    if value.strip() == "":
        return VisibleDevices(value, (), (), "the variable is set but empty")
    entries = value.split(",")
    accepted: list[str] = []
    for i, raw in enumerate(entries):
        entry = raw.strip()
        reason = None
        if entry.upper().startswith(("GPU-", "MIG-")):
            pass  # UUID form; validated against real UUIDs only where they are known
        else:
            m = _INDEX.match(raw)
            if not m:
                reason = f"{entry!r} is not a device index or UUID"
            elif device_count is not None and _index(m.group(1)) >= device_count:
                shown = m.group(1).lstrip("0")[:20] or "0"
                reason = f"index {shown} does not exist (this machine has {device_count} GPU{'s' if device_count != 1 else ''})"
        if reason:
            return VisibleDevices(value, tuple(accepted), tuple(e.strip() for e in entries[i:]), reason)
        accepted.append(entry)
    return VisibleDevices(value, tuple(accepted), (), None)


def names_a_later_gpu(vd: VisibleDevices) -> int | None:
    """The GPU index the value names first, when it is not the first GPU (0): a machine with that many GPUs or fewer
    has none visible. None for an index 0, a UUID or a value that hides every GPU already."""
    first = vd.accepted[0].strip() if vd.accepted else ""
    return int(first) if first.isdigit() and int(first) > 0 else None
