"""The log interpreter: which known GPU message each line of a log is, and what it means.

The knowledge lives in knowledge/log_messages.csv (one row per message shape, with its
source); this module only cleans the text and matches it. It is shared by the live probe
(a framework's stderr) and by triage (a pasted report), so both read a message the same way.

Matching is line by line and linear in the input: each row has a plain `needle` that is
looked for (case-insensitively) before its regex runs, and very long lines are cut, so a
50 MB paste or a line of a million characters cannot make a regex take quadratic time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from whynogpu.knowledge import table

MAX_LINE = 4000  # characters of a line that are matched; real messages are far shorter

_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
# TF/TSL prefix "2023-05-10 12:16:23.632521: E tensorflow/…/cuda_driver.cc:271] " and the absl prefix
# "E0000 00:00:1795300565.300085    6479 cuda_platform.cc:52] " of recent TF/XLA.
_PREFIX = re.compile(
    r"^\s*(?:\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?:?\s+(?P<l1>[IWEF])\s+"
    r"|(?P<l2>[IWEF])\d{4} \d\d:\d\d:\d+(?:\.\d+)?\s+\d+\s+)(?P<file>[\w./+-]+\.(?:cc|cpp|h|py)):\d+\]"
)


@dataclass(frozen=True)
class LogRow:
    id: str
    ref: str  # the message's id in the shared reference (T1, P2, …)
    kind: str  # error, warning, info, success, benign
    categories: tuple[str, ...]  # candidate root causes, most likely first
    needle: str
    pattern: re.Pattern
    meaning: str
    source: str
    fix: str = ""  # the fix the message itself points to, when the table gives one
    scope: str = ""  # "build": printed while building or loading a package on the framework, not by a run of it
    title: str = ""  # what the finding of a message says, when the cause's own rule would name another program


@dataclass(frozen=True)
class LogMatch:
    id: str  # row id in log_messages.csv
    line: int  # 1-based line number in the text given to interpret()
    text: str  # the matched line, without colour codes and surrounding blanks
    groups: dict[str, str] = field(default_factory=dict)  # named groups that matched
    kind: str = "info"
    categories: tuple[str, ...] = ()
    level: str | None = None  # I, W, E or F from a TF/XLA log prefix
    emitter: str | None = None  # the source file named in that prefix, e.g. "cuda_platform.cc"

    @property
    def meaning(self) -> str:
        return row(self.id).meaning


@cache
def rows() -> tuple[LogRow, ...]:
    out = []
    for r in table("log_messages"):
        out.append(
            LogRow(
                id=r["id"],
                ref=r["ref"],
                kind=r["kind"],
                categories=tuple(c for c in r["categories"].split("|") if c),
                needle=r["needle"].lower(),
                pattern=re.compile(r["pattern"]),
                meaning=r["meaning"],
                source=r["source"],
                fix=r.get("fix") or "",
                scope=r.get("scope") or "",
                title=r.get("title") or "",
            )
        )
    return tuple(out)


def row(row_id: str) -> LogRow:
    for r in rows():
        if r.id == row_id:
            return r
    raise KeyError(row_id)


def decode(data: bytes) -> str:
    """Bytes of a log or report as text: UTF-8 (with BOM), UTF-16 with BOM, else latin-1 per bad byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    # "replace" keeps line numbers right when a paste mixes encodings.
    return data.decode("utf-8", "replace")


def clean(text: str) -> str:
    """Text without ANSI colour codes, with \\n line ends (CRLF and lone CR from progress bars too)."""
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\x00", "")


def split_lines(text: str) -> list[str]:
    return clean(text).split("\n")


def iter_lines(text: str):
    """The lines of `text`, made one at a time (a huge paste is never held twice as a list of lines)."""
    start, size = 0, len(text)
    while start <= size:
        end = text.find("\n", start)
        end = size if end < 0 else end
        yield text[start:end]
        start = end + 1


# A message's "<what>: <why>" retold in a sentence: "failed to initialize NVML because of Insufficient Permissions",
# "… - Insufficient Permissions", "… with error: …"
_TOLD_JOIN = r"(?::\s*|\s*[-\u2013\u2014,]\s+|\s+(?:because of|due to|with|saying|says|reason:?|error:?)\s+)"


def _told(source: str) -> str:
    """A pattern's source with each literal ": " (outside a character class) also taking the words a person puts there."""
    out, in_class, i = [], False, 0
    while i < len(source):
        c = source[i]
        if c == "\\":
            out.append(source[i:i + 2])
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
        elif c == "]" and in_class:
            in_class = False
        if c == ":" and not in_class and source[i + 1:i + 2] == " " and source[i - 2:i] != "(?":  # (not "(?: …)")
            out.append(_TOLD_JOIN)
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


@cache
def _any_case(r: LogRow) -> re.Pattern:
    return re.compile(_told(r.pattern.pattern), re.I)


def message_span(m: LogMatch, line: str) -> tuple[int, int] | None:
    """Where in `line` the message `m` was found (read as a person retells it), or None."""
    found = _any_case(row(m.id)).search(line[:MAX_LINE])
    return found.span() if found else None


def match_line(line: str, number: int, candidates: Iterable[LogRow] | None = None, told: bool = False) -> LogMatch | None:
    """The first table row that matches one (already cleaned) line, or None.

    `candidates`: only these rows are tried (a caller that indexed a whole text already knows
    which needles each line holds); they must keep the table's order. `told`: the line is a person's sentence that
    retells the message, so its letters' case is the writer's, not the program's ("it says unable to initialize
    backend 'tpu'").
    """
    cut = line[:MAX_LINE]
    low = cut.lower()
    for r in rows() if candidates is None else candidates:
        if r.needle not in low:
            continue
        m = (_any_case(r) if told else r.pattern).search(cut)
        if m is None:
            continue
        groups = {k: v.strip() for k, v in m.groupdict().items() if v is not None}
        p = _PREFIX.match(cut)
        return LogMatch(
            id=r.id,
            line=number,
            text=cut.strip(),
            groups=groups,
            kind=r.kind,
            categories=r.categories,
            level=(p.group("l1") or p.group("l2")) if p else None,
            emitter=p.group("file").rsplit("/", 1)[-1] if p else None,
        )
    return None


def interpret(text: str, first_line: int = 1) -> tuple[LogMatch, ...]:
    """Every line of `text` that is a known GPU message, in order, at most one match per line."""
    out = []
    for i, line in enumerate(split_lines(text)):
        m = match_line(line, first_line + i)
        if m is not None:
            out.append(m)
    return tuple(out)
