"""The scan engine: walk, read, parse and visit sources (see the package docstring).

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

from whynogpu.facts import code as F
from whynogpu.facts.code import CodeHit, ScanFacts, SkippedFile
from whynogpu.host.base import Host
from whynogpu.lint.scripts import runs_a_program
from whynogpu.parsers import cpu_options
from whynogpu.scan.notebook import NotebookError, colab_without_gpu, read_notebook
from whynogpu.scan.placement import hit_at, never_placed, never_placed_hit
from whynogpu.scan.sparse import sparse_source
from whynogpu.scan.suppress import ignored_in, ignored_lines
from whynogpu.scan.visitor import DISTRIBUTE_MODULES, DISTRIBUTE_NAMES, TEST_FILE, ModuleState, Visitor
from whynogpu.scan.walker import walk

# Larger sources are generated code (protobuf modules, vendored bundles), not something a
# person wrote a device choice into; reading them would only slow the scan down.
MAX_BYTES = 2 * 1024 * 1024
# A notebook's size is mostly its outputs (images, logs); only its code cells count against
# MAX_BYTES, but the JSON must still be read whole, up to this bound.
MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024
# A file that mentions none of these cannot match any pattern, so it is not parsed: parsing
# and walking every tree is what makes a scan slow, and most files name no device at all.
# (VISIBLE_DEVICES covers both CUDA_VISIBLE_DEVICES and set_visible_devices.)
_TRIGGERS = ("visible_devices", "keras_backend", "jax_platform", "jax_default_device", "device_count",
             "'cpu", '"cpu', "'/cpu", '"/cpu', "device:cpu", ".cpu(", "-cpu", "device cpu", "use_cpu",
             "gpus=", "no_cuda", "use_gpu",
             # a switch that turns the GPU on (WG706): --cuda, --gpu, --accel, --use-gpu, --enable-cuda, --with-cuda
             "--cuda", "--gpu", "--accel", "--use-cuda", "--use_cuda", "--use-gpu", "--enable-cuda", "--enable_cuda",
             "--enable-gpu", "--enable_gpu", "--with-cuda", "--with_cuda")
# Training and multi-device use are judged from the text alone, for the same reason.
_USES_JAX = re.compile(r"^\s*(?:import|from) (?:jax|flax|haiku|optax|equinox)\b", re.M)
_TRAINS = (".fit(", ".fit_generator(", ".train_on_batch(", ".backward(")
_DISTRIBUTES = re.compile(r"\b(?:" + "|".join(sorted(DISTRIBUTE_NAMES)) + r")\b|"
                          + "|".join(re.escape(m) for m in DISTRIBUTE_MODULES))


def _may_match(text: str) -> bool:
    # NOTE: plain substring tests on the lower-cased text; an IGNORECASE regex alternation
    # was ten times slower on the 42 MB of keras + tensorflow sources.
    low = text.lower()
    # (or TensorFlow beside JAX: one of them takes the GPU memory the other needs, WG704)
    return any(t in low for t in _TRIGGERS) or ("import tensorflow" in low and _USES_JAX.search(low) is not None)


_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)


def scan(host: Host, roots: tuple[str, ...]) -> ScanFacts:
    files, missing, unreadable = walk(host, roots)
    hits: list[CodeHit] = []
    skipped = [SkippedFile(m, "does not exist") for m in missing] + unreadable
    training: list[str] = []
    scanned = 0
    for f in files:
        limit = MAX_NOTEBOOK_BYTES if f.notebook else MAX_BYTES
        text = host.read_text(f.path, limit=limit + 1)
        if text is None:
            skipped.append(SkippedFile(f.path, "cannot be read"))
            continue
        if len(text) > limit:
            what = "" if f.notebook else " (generated code?)"
            skipped.append(SkippedFile(f.path, f"larger than {limit // (1024 * 1024)} MiB{what}"))
            continue
        if "\x00" in text[:4096]:
            skipped.append(SkippedFile(f.path, "binary or UTF-16/32 text (contains NUL bytes)"))
            continue
        scanned += 1
        if any(t in text for t in _TRAINS) and not _DISTRIBUTES.search(text):
            training.append(f.path)
        is_test = bool(TEST_FILE.search(f.rel))
        if not f.notebook and not is_test and ("torch" in text or "from_pretrained" in text):
            placed = never_placed_hit(text, f.path)
            if placed is not None:
                hits.append(placed)
        if not f.notebook and not _may_match(text):
            continue  # (a notebook is always opened, so broken JSON is reported)
        try:
            if f.notebook:
                found, _, bad_cells = scan_notebook(text, f.path, is_test)
                skipped.extend(bad_cells)
            else:
                found, _ = scan_source(text, f.path, is_test=is_test)
        except Exception as exc:
            # One odd file (nested too deeply for the parser or the visitor, say) is a note,
            # never the end of the whole scan; the note names the error so a bug still shows.
            skipped.append(SkippedFile(f.path, str(exc) if isinstance(exc, SourceError) else _why(exc)))
            scanned -= 1
            if training and training[-1] == f.path:
                training.pop()
            continue
        hits.extend(found)
    return ScanFacts(roots=tuple(roots), files_scanned=scanned, hits=tuple(hits),
                     skipped=tuple(skipped), single_device_training=tuple(training))


class SourceError(ValueError):
    """A file that cannot be scanned; the message says why, in a few words."""


def _why(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "cannot be read: nested too deeply to scan"
    if isinstance(exc, MemoryError):
        return "cannot be read: too large to scan"
    return f"cannot be read: the scanner failed on it ({type(exc).__name__}: {str(exc)[:100]})"


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
    if cell is None and not _may_match(source):
        return [], state
    label = f" in cell {cell}" if cell else ""
    tree = None
    cut = sparse_source(source, _TRIGGERS) if cell is None else None
    if cut is not None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(cut)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None  # the cut went wrong; the whole file decides
    if tree is None:
        tree = _parse(source, label)
    try:
        hits = Visitor(source, path, state, cell, is_test).run(tree)
    except RecursionError:
        # ast.parse accepts deeper trees than a recursive walk can visit (`"a" + "a" + …` x 2000).
        raise SourceError(f"cannot be read{label}: nested too deeply to scan") from None
    if "whynogpu" in source:
        hits = _with_suppressions(hits, source, _statement_ends(tree))
    return hits, state


_IMPORTS_FRAMEWORK = re.compile(r"^\s*(?:import|from)\s+(torch|tensorflow|keras|jax|flax)\b", re.M)


def scan_notebook(text: str, path: str, is_test: bool = False) -> tuple[list[CodeHit], ModuleState, list[SkippedFile]]:
    try:
        cells, metadata = read_notebook(text)
    except NotebookError as exc:
        raise SourceError(f"notebook not readable: {exc}") from None
    if sum(len(c.source) for c in cells) > MAX_BYTES:
        raise SourceError(f"code cells larger than {MAX_BYTES // (1024 * 1024)} MiB (generated code?)")
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
        v.hits.extend(cpu_options.hit(sh.text, path, sh.line, sh.column, cell=cell.index) for sh in cell.shell
                      if "cpu" in sh.text and cpu_options.find(sh.text) and runs_a_program(sh.text.lstrip("!")))
        magic_hits = [dataclasses.replace(h, ignored=ignored_in(h.statement)) if ignored_in(h.statement) else h
                      for h in v.hits]
        hits.extend(sorted(found + magic_hits, key=lambda h: (h.line, h.column)))
    if cells and len(bad) == len(cells):
        raise SourceError(f"no code cell could be parsed ({bad[0].reason})")
    uses = colab_without_gpu(metadata) and not is_test and \
        sorted({m.group(1) for c in cells for m in _IMPORTS_FRAMEWORK.finditer(c.source)})
    if uses:
        at = text.count("\n", 0, max(text.find('"colab"'), 0)) + 1  # the notebook's own JSON line
        hits.append(CodeHit("colab_cpu_runtime", path, path, at, 1,
                            'notebook metadata "colab" with no "accelerator": "GPU"', F.MODULE,
                            extra={"framework": uses[0]}))
    if not is_test:
        joined = "\n".join(c.source for c in cells)
        found_line = never_placed(joined) if ("torch" in joined or "from_pretrained" in joined) else None
        if found_line is not None:  # back from the joined text to its cell and the line in it
            line = found_line[0]
            for c in cells:
                count = c.source.count("\n") + 1
                if line <= count:
                    hits.append(hit_at(path, line, found_line[1], c.index))
                    break
                line -= count
    return hits, state, bad
