"""`ldconfig -p`: the dynamic loader's cache, which decides where a bare soname is found.

Real output (glibc 2.36, Debian 12):

    536 libs found in cache `/etc/ld.so.cache'
    <TAB>libcudart.so.13 (libc6,x86-64) => /usr/local/cuda-13.0/lib/libcudart.so.13

The cache lists every soname once per ABI; the loader picks the entry matching its own ABI,
so 32-bit (`libc6`) entries are kept but marked. Entry lines start with a tab.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LINE = re.compile(r"^\s+(?P<name>\S+)\s+\((?P<flags>[^)]*)\)(?:\s+OS ABI:[^=]*)?\s+=>\s+(?P<path>\S.*?)\s*$")


@dataclass(frozen=True)
class CacheEntry:
    soname: str
    flags: str  # e.g. "libc6,x86-64"
    path: str


def parse_ldconfig_p(text: str) -> list[CacheEntry]:
    entries = []
    for line in text.splitlines():
        m = _LINE.match(line)
        if m:
            entries.append(CacheEntry(m["name"], m["flags"], m["path"]))
    return entries


def is_64bit(entry: CacheEntry) -> bool:
    """True for entries a 64-bit process can load (x86-64, AArch64 and other 64-bit ABIs)."""
    flags = entry.flags.lower()
    return any(tag in flags for tag in ("x86-64", "aarch64", "64bit", "ia-64", "ppc64", "s390x"))
