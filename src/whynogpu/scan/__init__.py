"""`whynogpu scan`: find the code that keeps the GPU idle, without running it.

Sources are parsed with the standard library's `ast` and never imported or executed.
`scan(host, paths)` walks the paths through the Host seam and returns ScanFacts; the
rules in whynogpu/rules/code.py turn those facts into findings, both for `whynogpu scan`
and for `whynogpu check --scan PATH`.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import warnings

from whynogpu.host.base import Host
from whynogpu.scan.facts import CodeHit, ScanFacts, SkippedFile
from whynogpu.scan.notebook import NotebookError, read_cells
from whynogpu.scan.suppress import ignored_in, ignored_lines
from whynogpu.scan.visitor import TEST_FILE, ModuleState, Visitor
from whynogpu.scan.walker import walk

# Larger sources are generated code (protobuf modules, vendored bundles), not something a
# person wrote a device choice into; reading them would only slow the scan down.
MAX_BYTES = 2 * 1024 * 1024
# A file that mentions none of these words cannot match any pattern, so it is not parsed.
_TRIGGER = re.compile(r"environ|putenv|device|ConfigProto|jax_|cpu|backward|\.fit|set_env|%env|export ")
_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)


def scan(host: Host, roots: tuple[str, ...]) -> ScanFacts:
    files, missing = walk(host, roots)
    hits: list[CodeHit] = []
    skipped = [SkippedFile(m, "does not exist") for m in missing]
    training: list[str] = []
    scanned = 0
    for f in files:
        text = host.read_text(f.path, limit=MAX_BYTES + 1)
        if text is None:
            skipped.append(SkippedFile(f.path, "cannot be read"))
            continue
        if len(text) > MAX_BYTES:
            skipped.append(SkippedFile(f.path, f"larger than {MAX_BYTES // (1024 * 1024)} MiB (generated code?)"))
            continue
        if "\x00" in text[:4096]:
            skipped.append(SkippedFile(f.path, "binary or UTF-16/32 text (contains NUL bytes)"))
            continue
        is_test = bool(TEST_FILE.search(f.rel))
        try:
            if f.notebook:
                found, state, bad_cells = scan_notebook(text, f.path, is_test)
                skipped.extend(bad_cells)
            else:
                found, state = scan_source(text, f.path, is_test=is_test)
        except SourceError as exc:
            skipped.append(SkippedFile(f.path, str(exc)))
            continue
        scanned += 1
        hits.extend(found)
        if state.trains and not state.distributes:
            training.append(f.path)
    return ScanFacts(roots=tuple(roots), files_scanned=scanned, hits=tuple(hits),
                     skipped=tuple(skipped), single_device_training=tuple(training))


class SourceError(ValueError):
    """A file that cannot be scanned; the message says why, in a few words."""


def _parse(source: str, label: str) -> ast.Module:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences in user code are not our business
            return ast.parse(source)
    except SyntaxError as exc:
        if "\ufffd" in source:
            m = _CODING.search("\n".join(source.split("\n")[:2]))
            declared = f" (declares coding {m.group(1)})" if m else ""
            raise SourceError(f"not UTF-8 text{declared}") from None
        raise SourceError(f"syntax error{label} at line {exc.lineno}: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        if "null" in str(exc):
            raise SourceError("binary or not UTF-8 text (contains NUL bytes)") from None
        raise SourceError(f"cannot be parsed: {exc}") from None


def _with_suppressions(hits: list[CodeHit], source: str, nodes_end: dict[int, int]) -> list[CodeHit]:
    ignored = ignored_lines(source)
    if not ignored:
        return hits
    out = []
    for h in hits:
        codes: tuple[str, ...] = ()
        for line in range(h.line, nodes_end.get(h.line, h.line) + 1):
            codes += ignored.get(line, ())
        out.append(dataclasses.replace(h, ignored=codes) if codes else h)
    return out


def _statement_ends(tree: ast.Module) -> dict[int, int]:
    ends: dict[int, int] = {}
    for n in ast.walk(tree):
        if isinstance(n, ast.stmt) and n.end_lineno:
            ends[n.lineno] = max(ends.get(n.lineno, 0), n.end_lineno)
    return ends


def scan_source(source: str, path: str, state: ModuleState | None = None, cell: int | None = None,
                is_test: bool = False) -> tuple[list[CodeHit], ModuleState]:
    state = state or ModuleState()
    if source.startswith("\ufeff"):
        source = source[1:]
    if cell is None and not _TRIGGER.search(source):
        return [], state
    label = f" in cell {cell}" if cell else ""
    tree = _parse(source, label)
    hits = Visitor(source, path, state, cell, is_test).run(tree)
    if "whynogpu" in source:
        hits = _with_suppressions(hits, source, _statement_ends(tree))
    return hits, state


def scan_notebook(text: str, path: str, is_test: bool = False) -> tuple[list[CodeHit], ModuleState, list[SkippedFile]]:
    try:
        cells = read_cells(text)
    except NotebookError as exc:
        raise SourceError(f"notebook not readable: {exc}") from None
    state = ModuleState()
    hits: list[CodeHit] = []
    bad: list[SkippedFile] = []
    for cell in cells:
        try:
            found, state = scan_source(cell.source, path, state, cell.index, is_test)
        except SourceError as exc:
            bad.append(SkippedFile(f"{path}:cell {cell.index}", str(exc).replace(f" in cell {cell.index}", "")))
            found = []
        v = Visitor("", path, state, cell.index, is_test)
        for magic in cell.env:
            v.env_magic(magic)
        magic_hits = [dataclasses.replace(h, ignored=ignored_in(h.statement)) if ignored_in(h.statement) else h
                      for h in v.hits]
        hits.extend(sorted(found + magic_hits, key=lambda h: (h.line, h.column)))
    if cells and len(bad) == len(cells):
        raise SourceError(f"no code cell could be parsed ({bad[0].reason})")
    return hits, state, bad
