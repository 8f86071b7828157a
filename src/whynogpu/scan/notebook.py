"""Jupyter notebooks: the code cells as Python, with IPython's own syntax taken out.

Line magics (`%...`), shell escapes (`!...`, `x = !ls`) and help lines (`obj?`) are not
Python, so they are blanked (keeping line numbers) before parsing. The ones that set
environment variables are kept aside as facts: `%env VAR=value`, `%env VAR value`,
`%set_env VAR value`, and in shell escapes `export VAR=value` or `VAR=value command`.
Cells run by another interpreter (`%%bash`, `%%script`, …) are skipped whole.
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field


class NotebookError(ValueError):
    """The file is not a notebook we can read (broken JSON, unknown layout)."""


@dataclass(frozen=True)
class EnvMagic:
    line: int  # 1-based within the cell
    column: int
    name: str
    value: str
    shell: bool  # set in a `!` line: only that shell command sees it
    text: str  # the line as written


@dataclass(frozen=True)
class ShellLine:
    """A `!` line: a command the notebook runs (its options count like a launcher's)."""

    line: int  # 1-based within the cell
    column: int
    text: str  # the line as written


@dataclass(frozen=True)
class Cell:
    index: int  # 1-based position among all cells, as the notebook shows them
    source: str
    env: tuple[EnvMagic, ...] = field(default_factory=tuple)
    shell: tuple[ShellLine, ...] = field(default_factory=tuple)


# Cell magics whose body is still Python run in the kernel (the first line is blanked below).
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
_ENV_MAGIC = re.compile(r"^%(?:env|set_env)\s+([A-Za-z_][A-Za-z0-9_]*)(?:\s*=\s*|\s+)(.*)$")
_ASSIGN_SHELL = re.compile(r"^[A-Za-z_][\w.]*\s*=\s*[!%]")
_SHELL_ASSIGN = re.compile(r"(?:^|\s)(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(\S*)")


def _shell_env(cmd: str) -> list[tuple[str, str]]:
    """VAR=value pairs a shell line sets: `export A=1`, `A=1 python x.py`, `export A=1 && …`."""
    out = []
    for part in re.split(r"&&|;|\|\|", cmd):
        try:
            words = shlex.split(part, posix=True)
        except ValueError:
            continue
        if words and words[0] == "export":
            words = words[1:]
        for w in words:
            m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", w)
            if not m:
                break  # assignments only count before the command name
            out.append((m.group(1), m.group(2)))
    return out


def _cell_source(cell: dict) -> str:
    src = cell.get("source", cell.get("input", ""))
    if isinstance(src, list):
        if not all(isinstance(s, str) for s in src):
            raise NotebookError("a cell's source is not text")
        return "".join(src)
    if not isinstance(src, str):
        raise NotebookError("a cell's source is not text")
    return src


def _clean(source: str) -> tuple[str, list[EnvMagic], list[ShellLine]]:
    lines = source.split("\n")
    env: list[EnvMagic] = []
    shell: list[ShellLine] = []
    for i, raw in enumerate(lines):
        stripped = raw.strip()
        col = len(raw) - len(raw.lstrip()) + 1
        if not stripped:
            continue
        if stripped.startswith("%"):
            m = _ENV_MAGIC.match(stripped)
            if m:
                value = m.group(2).strip()
                if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                    value = value[1:-1]
                env.append(EnvMagic(i + 1, col, m.group(1), value, False, stripped))
            lines[i] = ""
        elif stripped.startswith("!"):
            for name, value in _shell_env(stripped.lstrip("!")):
                env.append(EnvMagic(i + 1, col, name, value, True, stripped))
            shell.append(ShellLine(i + 1, col, stripped))
            lines[i] = ""
        elif stripped.startswith("?") or stripped.endswith("?") and not stripped.startswith("#") \
                or _ASSIGN_SHELL.match(stripped):
            lines[i] = ""
    return "\n".join(lines), env, shell


def read_cells(text: str) -> list[Cell]:
    """Code cells of a notebook (nbformat 4, or 3 with worksheets)."""
    return read_notebook(text)[0]


def read_notebook(text: str) -> tuple[list[Cell], dict]:
    """Code cells of a notebook (nbformat 4, or 3 with worksheets), and its metadata."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except ValueError:  # an integer of more than 4300 digits
        raise NotebookError("not valid JSON (a number too large to read)") from None
    except RecursionError:
        raise NotebookError("not valid JSON (nested too deeply)") from None
    if not isinstance(data, dict):
        raise NotebookError("not a notebook (no cells)")
    cells = data.get("cells")
    if cells is None and isinstance(data.get("worksheets"), list):
        cells = [c for ws in data["worksheets"] if isinstance(ws, dict) and isinstance(ws.get("cells"), list)
                 for c in ws["cells"]]
    if not isinstance(cells, list):
        raise NotebookError("not a notebook (no cells)")
    out = []
    for i, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = _cell_source(cell)
        head = source.lstrip()
        if head.startswith("%%"):
            magic = re.match(r"%%(\w*)", head).group(1)  # type: ignore[union-attr]
            if magic not in PYTHON_CELL_MAGICS:
                continue  # another interpreter (bash, html, a file writer) handles this cell
        clean, env, shell = _clean(source)
        out.append(Cell(i, clean, tuple(env), tuple(shell)))
    return out, data.get("metadata") if isinstance(data.get("metadata"), dict) else {}


def colab_without_gpu(metadata: dict) -> bool:
    """A notebook saved by Colab (its "colab" metadata) that asks for no accelerator: Colab opens it on its default
    runtime, which has no GPU (https://research.google.com/colaboratory/faq.html). Choosing one (Runtime > Change
    runtime type) saves "accelerator": "GPU" in the metadata and the GPU's kind under "colab" ("gpuType": "T4"; older
    notebooks "gpuClass"), as Colab notebooks in public repositories show; "TPU" asks for a TPU on purpose."""
    colab = metadata.get("colab")
    return isinstance(colab, dict) and not metadata.get("accelerator") and not metadata.get("gpuClass") and \
        not colab.get("gpuType") and not colab.get("gpuClass")
