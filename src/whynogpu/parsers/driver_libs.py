"""Driver versions carried in NVIDIA library file names.

The driver installs each library under its full version and points the soname at it:
libcuda.so.1 -> libcuda.so.535.309.01. The resolved name therefore says which driver release
the user-space side is, without loading it.
"""

from __future__ import annotations

import re


def version_from_filename(path: str, stem: str) -> str | None:
    """'…/libcuda.so.535.309.01' → '535.309.01'; short sonames ('libcuda.so.1') give None."""
    name = path.rsplit("/", 1)[-1]
    prefix = stem + ".so."
    if not name.startswith(prefix):
        return None
    rest = name[len(prefix):]
    return rest if re.fullmatch(r"\d+\.\d+(\.\d+)?", rest) else None
