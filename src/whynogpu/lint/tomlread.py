"""TOML read with the standard library's tomllib (the `tomli` package on Python 3.10).

tomllib gives values, not positions: a finding's line and column are found afterwards by looking the
parsed string up in the file's text (`locate`). The parse itself never relies on that lookup.
"""

from __future__ import annotations

import re

from whynogpu.lint.common import Unreadable

MAX_BYTES = 1024 * 1024


def load(text: str) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ModuleNotFoundError:
            raise Unreadable("TOML not read: Python 3.10 has no tomllib; `pip install tomli` lets whynogpu "
                             "read it") from None
    if len(text) > MAX_BYTES:
        raise Unreadable(f"larger than {MAX_BYTES // 1024} KiB")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Unreadable(f"not valid TOML: {exc}") from None
    except RecursionError:
        raise Unreadable("TOML nested too deeply to read") from None


def locate(text: str, value: str, key: str | None = None) -> tuple[int, int]:
    """(line, column) of a quoted string value in the text, else of `key =`, else (1, 1)."""
    for q in ('"', "'"):
        i = text.find(q + value + q) if value else -1
        if i >= 0:
            return _pos(text, i + 1)
    if key:
        m = re.search(r"^[ \t]*[\"']?" + re.escape(key) + r"[\"']?[ \t]*=", text, re.M | re.I)
        if m:
            return _pos(text, m.start() + len(m.group(0)) - len(m.group(0).lstrip()))
    return 1, 1


def _pos(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
