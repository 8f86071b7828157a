"""/proc/modules (what `lsmod` prints): loaded kernel modules.

Each line is `name size refcount users state address [taint]`, for example

    nvidia_uvm 1384448 2 - Live 0x0000000000000000 (POE)
    nvidia 56500224 3776 nvidia_uvm,nvidia_modeset, Live 0x0000000000000000 (POE)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoadedModule:
    name: str
    refcount: int | None  # None when the kernel prints "-" (refcount hidden)
    used_by: tuple[str, ...]
    state: str  # Live, Loading, Unloading


def parse_proc_modules(text: str) -> tuple[LoadedModule, ...]:
    out = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 5:
            continue
        name, _size, ref, users, state = fields[:5]
        used_by = tuple(u for u in users.split(",") if u and u != "-")
        # isdigit() is also true for "²" and for 5000 digits, which int() refuses.
        count = int(ref) if ref.isascii() and ref.isdigit() and len(ref) <= 18 else None
        out.append(LoadedModule(name, count, used_by, state))
    return tuple(out)
