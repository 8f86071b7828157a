"""requirements*.txt (and requirements/*.txt, requirements*.in): pip's line format.

Options pip applies to the whole file (`--index-url`, `--extra-index-url`, `--find-links`) become the
`index` of every requirement; `-r`/`-c` lines are not followed (those files are scanned on their own).
"""

from __future__ import annotations

import re

from whynogpu.facts import files as K
from whynogpu.facts.files import DeclaredFile, Requirement
from whynogpu.lint.common import pip_requirement, spot

_INDEX = re.compile(r"^(?:-i|--index-url|--extra-index-url|-f|--find-links)(?:\s*=\s*|\s+)(\S+)")
_COMMENT = re.compile(r"(^|\s)#.*$")


def logical_lines(text: str) -> list[tuple[int, int, str]]:
    """(line, column, text) of each requirement line: comments cut, `\\` continuations joined."""
    out: list[tuple[int, int, str]] = []
    pending: tuple[int, int, str] | None = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = _COMMENT.sub("", raw).rstrip()
        if pending is not None:
            pending = (pending[0], pending[1], pending[2] + " " + line.rstrip("\\").strip())
        elif line.strip():
            pending = (n, len(line) - len(line.lstrip()) + 1, line.rstrip("\\").strip())
        if pending is not None and not line.endswith("\\"):
            out.append(pending)
            pending = None
    if pending is not None:
        out.append(pending)
    return out


def read(path: str, text: str) -> DeclaredFile:
    lines = text.splitlines()
    entries = logical_lines(text)
    index = " ".join(m.group(1) for _, _, t in entries if (m := _INDEX.match(t)))
    reqs: list[Requirement] = []
    for line, col, t in entries:
        if t.startswith("-"):
            continue  # an option line (index, -r, -c, -e of a local path)
        t = re.split(r"\s--?[a-z]", t, maxsplit=1)[0]  # per-requirement options (--hash=…)
        r = pip_requirement(t, spot(lines, line, col), index=index)
        if r is not None:
            reqs.append(r)
    return DeclaredFile(path, K.REQUIREMENTS, requirements=tuple(reqs))
