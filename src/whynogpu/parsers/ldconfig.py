"""`ldconfig -p`: the dynamic loader's cache, which decides where a bare soname is found.

Real output (glibc 2.36, Debian 12):

    536 libs found in cache `/etc/ld.so.cache'
    <TAB>libcudart.so.13 (libc6,x86-64) => /usr/local/cuda-13.0/lib/libcudart.so.13

The cache lists every soname once per ABI; the loader picks the entry matching its own ABI,
so 32-bit (`libc6`) entries are kept but marked. Entry lines start with a tab.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CacheEntry:
    soname: str
    flags: str  # e.g. "libc6,x86-64"
    path: str


def _entry(line: str) -> CacheEntry | None:
    """One `<TAB>name (flags)[ OS ABI: …] => path` line, or None.

    Read with string operations rather than one regex: a regex with a lazy path and optional
    trailing blanks took seconds on a line ending in a long run of spaces (quadratic backtracking).
    """
    if not line[:1].isspace():
        return None
    parts = line.split(None, 1)
    if len(parts) != 2 or not parts[1].startswith("("):
        return None
    name, rest = parts
    close = rest.find(")")
    if close < 0:
        return None
    flags, rest = rest[1:close], rest[close + 1:]
    if not rest[:1].isspace():
        return None
    rest = rest.lstrip()
    if rest.startswith("OS ABI:"):  # older glibc prints the ABI after the flags
        eq = rest.find("=")
        if eq < 0 or not rest[eq - 1].isspace():
            return None
        rest = rest[eq:]
    if not rest.startswith("=>") or not rest[2:3].isspace():
        return None
    path = rest[2:].strip()
    return CacheEntry(name, flags, path) if path else None


def parse_ldconfig_p(text: str) -> list[CacheEntry]:
    return [e for e in map(_entry, text.splitlines()) if e is not None]


def is_64bit(entry: CacheEntry) -> bool:
    """True for entries a 64-bit process can load (x86-64, AArch64 and other 64-bit ABIs)."""
    flags = entry.flags.lower()
    return any(tag in flags for tag in ("x86-64", "aarch64", "64bit", "ia-64", "ppc64", "s390x"))
