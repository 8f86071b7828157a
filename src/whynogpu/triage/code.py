"""Code pasted into a report → the scan engine's facts (the same ones `whynogpu scan` gives for a file).

A report carries code in fenced blocks, in REPL lines (`>>> `, `In [3]:`) and as single statements in
the text. Each block is scanned as a source; a block that does not parse as a whole (a fragment, a
traceback mixed in) is scanned statement by statement, so `with tf.device('/CPU:0'):` or
`os.environ["CUDA_VISIBLE_DEVICES"] = "-1"` count wherever they stand. Nothing is executed.
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_right
from itertools import accumulate, takewhile

from whynogpu.facts.code import CodeHit, ScanFacts
from whynogpu.scan.engine import SourceError, scan_source
from whynogpu.scan.placement import hit_at, never_placed
from whynogpu.triage.literals import lowered
from whynogpu.triage.source import ReportText

MAX_BLOCKS = 200  # a huge log is not a code listing; the first blocks are what people paste
MAX_BLOCK_LINES = 5_000  # lines kept of one block: a snippet people paste is far shorter
MAX_BLOCK_CHARS = 100_000
MAX_INLINE_LINES = 3000
_PROMPT = re.compile(r"^\s*(?:>>>|\.\.\.|In \[\d*\]:)\s?")
# Cheap test for a line that may hold a statement the scanner knows (scan.engine._TRIGGERS), searched in the
# lower-cased text (`triggered`): a case-blind search of a long paste costs three times as much.
_TRIGGER = re.compile(r"visible_devices|keras_backend|jax_platform|jax_default_device|device_count|num_gpus|use_gpu|['\"]/?cpu|"
                      r"device:cpu|\.cpu\(")


def triggered(text: str) -> re.Match | None:
    return _TRIGGER.search(lowered(text))
PATH = "<report>"


# A line of Python written outside a fence (an import, an assignment, a call, a block header, an indented body).
_PYTHON = re.compile(r"^(?:\s+\S|import \w|from [\w.]+ import |[\w.]+(?:\[[^\]]*\])?\s*=[^=]|(?:def|class|with|for|while|if|"
                     r"elif|try|except) .*:\s*$|(?:else|try|finally):\s*$|@\w|[\w.]+\(.*\)\s*$)")


def fences(numbered):
    """The report's lines in order as (n, line, None), with each fenced block in place of its lines as
    (first line, lines, True); an unclosed fence keeps at most MAX_BLOCK_LINES lines and ends with the text."""
    fence: list[str] | None = None
    start = 0
    for n, line in numbered:
        if "```" in line and line.lstrip().startswith("```"):
            if fence is None:
                fence, start = [], n + 1
            else:
                yield start, fence, True
                fence = None
        elif fence is not None:
            if len(fence) < MAX_BLOCK_LINES:  # an unclosed fence would otherwise keep the rest of the paste
                fence.append(line)
        else:
            yield n, line, None
    if fence:
        yield start, fence, True


def _blocks(lines):
    """(first line number, lines) of each fenced block, and of each run of REPL or Python lines outside them in the
    reporter's part (the first MAX_INLINE_LINES lines: past them, indented lines are a log's, not code), made one
    at a time (a huge paste never holds all its blocks at once)."""
    made = 0
    start = 0
    repl: list[str] = []
    for n, item, fenced in fences(lines):
        if made >= MAX_BLOCKS:
            return
        if fenced:
            made += 1
            yield n, item
        elif n > MAX_INLINE_LINES and not repl:
            continue
        elif _PROMPT.match(item) or (_PYTHON.match(item) and (repl or not item[:1].isspace())):
            if not repl:
                start = n
            if len(repl) < MAX_BLOCK_LINES:
                repl.append(item)
        elif repl:
            made += 1
            yield start, repl
            repl = []
    if repl and made < MAX_BLOCKS:
        yield start, repl


# Snippets in reports leave out their imports; the scanner resolves names through them, so the
# conventional aliases are declared first (not Keras: an import of it changes what KERAS_BACKEND means).
PREAMBLE = "import os\nimport tensorflow as tf\nimport torch\nimport jax\n"
_SKIP = PREAMBLE.count("\n")


def _scan(source: str, first: int) -> list[CodeHit]:
    hits, _ = scan_source(PREAMBLE + source, PATH)
    return [dataclasses.replace(h, line=h.line - _SKIP + first - 1) for h in hits if h.line > _SKIP]


def _statements(lines: list[str], first: int) -> list[CodeHit]:
    """Statement by statement: each line that may matter, with the lines indented under it."""
    hits: list[CodeHit] = []
    for i, line in enumerate(lines):
        if not triggered(line):
            continue
        stmt = line.strip()
        body = stmt + ("\n    pass" if stmt.endswith(":") else "")
        try:
            hits.extend(_scan(body, first + i))
        except SourceError:
            continue
    return hits


_BATCH = 256  # lines searched as one text: one regex scan at C speed instead of a call per line


def _any_trigger(lines) -> bool:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= _BATCH:
            if triggered("\n".join(batch)):
                return True
            batch = []
    return bool(batch) and triggered("\n".join(batch)) is not None


def _with_trigger(numbered: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The items whose line holds a trigger, found by one search of the joined text."""
    joined = lowered("\n".join(ln for _, ln in numbered))  # (lowered keeps every character where it was)
    starts = list(accumulate((len(ln) + 1 for _, ln in numbered), initial=0))
    out, at = [], 0
    while (m := _TRIGGER.search(joined, at)) is not None:
        i = bisect_right(starts, m.start()) - 1
        out.append(numbered[i])
        at = starts[i + 1]  # one hit a line is enough
    return out


def _placement(text: ReportText) -> list[CodeHit]:
    """The report's fenced code read as one program: a model made and run, and nothing placed on a device."""
    head = takewhile(lambda item: item[0] <= MAX_INLINE_LINES, text.numbered())  # the reporter's part
    blocks = list(_blocks(head))
    joined = "\n".join("\n".join(_PROMPT.sub("", ln) for ln in lines) for _, lines in blocks)[:MAX_BLOCK_CHARS]
    found = never_placed(joined) if ("torch" in joined or "from_pretrained" in joined) else None
    if found is None:
        return []
    line = found[0]
    for first, lines in blocks:  # back from the joined text to the report's line
        if line <= len(lines):
            return [hit_at(PATH, first + line - 1, found[1])]
        line -= len(lines)
    return []


def scan_report(report: str | ReportText) -> ScanFacts | None:
    text = report if isinstance(report, ReportText) else ReportText(report)
    placed = _placement(text)
    if not _any_trigger(text.lines()):
        return ScanFacts(roots=(PATH,), files_scanned=1, hits=tuple(placed)) if placed else None
    hits: list[CodeHit] = list(placed)
    covered: set[int] = set()
    for first, lines in _blocks(text.numbered()):
        clean = [_PROMPT.sub("", ln) for ln in lines]
        source = "\n".join(clean)[:MAX_BLOCK_CHARS]
        if first <= MAX_INLINE_LINES:  # only the reporter's part is read for inline statements below
            covered.update(range(first, min(first + len(lines), MAX_INLINE_LINES + 1)))
        if not triggered(source):
            continue
        try:
            hits.extend(_scan(source, first))
        except SourceError:
            hits.extend(_statements(clean, first))
    # Statements written inline in the prose, outside any block (in the reporter's part, before long logs).
    lines = list(takewhile(lambda item: item[0] <= MAX_INLINE_LINES, text.numbered()))
    rest = [(n, ln) for n, ln in _with_trigger(lines) if n not in covered]
    for n, ln in rest[:MAX_BLOCKS]:
        hits.extend(_statements([ln.strip().strip("`")], n))
    if not hits:
        return None
    return ScanFacts(roots=(PATH,), files_scanned=1, hits=tuple(hits))
