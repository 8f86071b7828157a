"""Parse only the parts of a large file that can matter: its imports, its simple module-level
constants and the top-level statements that contain a trigger word.

Parsing is most of a scan's cost (about 1 MB/s here) and library files are large while the
lines that name a device are few. Other lines are blanked, so line and column numbers stay
true. When the cut is wrong (a top-level triple-quoted string confuses it) the result does
not parse and the caller parses the whole file instead.
"""

from __future__ import annotations

import re

_IMPORT = re.compile(r"^(?:import|from)\s")
_CONST = re.compile(r"^[A-Za-z_]\w*\s*(?::[^=]+)?=\s*[\"'\d(fFrRbB-]")
_CONTINUES = ("else", "elif", "except", "finally", "case")
SMALL = 20_000  # below this a whole-file parse is cheap enough


def _top(line: str) -> bool:
    """A line that starts a top-level statement (column 0, not a comment or a closing bracket)."""
    return bool(line) and line[0] not in " \t#)]}" and not line.startswith(_CONTINUES)


def sparse_source(source: str, triggers: tuple[str, ...]) -> str | None:
    """The source with irrelevant top-level statements blanked, or None when that saves little."""
    if len(source) < SMALL:
        return None
    lines = source.split("\n")
    keep = [False] * len(lines)
    starts = [i for i, ln in enumerate(lines) if _top(ln)]
    for n, i in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        if lines[i].startswith("@"):
            continue  # decorators belong to the def/class that follows
        begin = i
        while begin > 0 and lines[begin - 1].startswith("@"):
            begin -= 1
        block = "\n".join(lines[begin:end])
        low = block.lower()
        if _IMPORT.match(lines[i]) or (_CONST.match(lines[i]) and end - i <= 3) or any(t in low for t in triggers):
            for k in range(begin, end):
                keep[k] = True
    kept = sum(keep)
    if kept > len(lines) // 2:
        return None
    return "\n".join(ln if k else "" for ln, k in zip(lines, keep, strict=True))
