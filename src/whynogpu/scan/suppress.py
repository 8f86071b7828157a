"""`# whynogpu: ignore[WG701]` comments: which codes are silenced on which lines.

Comments are found with `tokenize`, so the text inside strings never counts. A bare
`# whynogpu: ignore` silences every code on its line.
"""

from __future__ import annotations

import io
import re
import tokenize

_MARK = re.compile(r"#\s*whynogpu:\s*ignore(?:\[([A-Za-z0-9_,\s]*)\])?", re.IGNORECASE)


def ignored_in(line: str) -> tuple[str, ...]:
    """Codes silenced by a mark in one line of text that is not Python (a notebook magic)."""
    m = _MARK.search(line)
    if not m:
        return ()
    return tuple(c.strip().upper() for c in (m.group(1) or "*").split(",") if c.strip()) or ("*",)


def ignored_lines(source: str) -> dict[int, tuple[str, ...]]:
    if "whynogpu" not in source:  # the common case: nothing to tokenize
        return {}
    out: dict[int, tuple[str, ...]] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type != tokenize.COMMENT:
                continue
            m = _MARK.search(tok.string)
            if m:
                codes = tuple(c.strip().upper() for c in (m.group(1) or "*").split(",") if c.strip())
                out[tok.start[0]] = codes or ("*",)
    except (tokenize.TokenError, SyntaxError):
        pass
    return out
