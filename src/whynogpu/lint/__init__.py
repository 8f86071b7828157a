"""The files beside the code that decide whether a GPU is used: container, orchestration and package files.

`lint(host, roots)` walks the roots with the scan's walker (same .gitignore, venv and cache rules),
reads every Dockerfile/Containerfile, compose file, Kubernetes manifest, requirements file,
pyproject.toml, pixi.toml, setup.py/setup.cfg, environment.yml, Pipfile, Kaggle kernel-metadata.json and launcher script (shell, batch, service unit) with one small reader per kind (the
modules of this package) and returns FileScanFacts: what each file declares, with line and column.
The rules in whynogpu/rules/files.py, images.py and workloads.py judge them. A file that cannot be read (bad YAML or TOML, not
UTF-8, too large, an alias bomb) is a per-file note, never the end of the scan.

YAML is read with PyYAML's safe composer (lint/yamlread.py) and TOML with tomllib; neither by regex.
"""

from __future__ import annotations

import re

from whynogpu.facts import files as K
from whynogpu.facts.code import SkippedFile
from whynogpu.facts.files import DeclaredFile, FileScanFacts
from whynogpu.host.base import Host
from whynogpu.lint.common import Unreadable, kind_of

MAX_BYTES = 4 * 1024 * 1024
_TEXT_ONLY = (K.DOCKERFILE, K.REQUIREMENTS, K.SETUP_PY, K.SETUP_CFG, K.SCRIPT)  # line formats: odd bytes do no harm


_TOP_KEY = re.compile(r"^(dependencies|services):[ \t]*(?:#.*)?$", re.M)


def read(kind: str, path: str, text: str) -> DeclaredFile | None:
    """One file's declarations; None when a YAML file turns out to be no Kubernetes object.
    Raises Unreadable with the reason when the file cannot be read."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text[:8192]:
        raise Unreadable("binary or UTF-16/32 text (contains NUL bytes)")
    if "\ufffd" in text and kind not in _TEXT_ONLY:
        raise Unreadable("not UTF-8 text")
    if kind == K.DOCKERFILE:
        from whynogpu.lint import dockerfile as m
    elif kind == K.COMPOSE:
        from whynogpu.lint import compose as m
    elif kind == K.KUBERNETES:
        from whynogpu.lint import kubernetes as m

        if not m.looks_like(text):
            # YAML named neither compose nor environment that is one by its top-level keys (tensorflow-gpu.yml,
            # stack.yml): a conda environment lists `dependencies:`, a compose file `services:`
            if _TOP_KEY.search(text):
                from whynogpu.lint import compose, condaenv

                return (condaenv if _TOP_KEY.search(text).group(1) == "dependencies" else compose).read(path, text)
            return None
        try:
            return m.read(path, text)
        except Unreadable as exc:
            if "{{" in text:
                raise Unreadable(f"a Helm/Go template, not YAML yet ({exc}); scan the output of `helm template`") \
                    from None
            raise
    elif kind == K.CONDA_ENV:
        from whynogpu.lint import condaenv as m
    elif kind == K.REQUIREMENTS:
        from whynogpu.lint import requirements as m
    elif kind == K.PYPROJECT:
        from whynogpu.lint import pyproject as m
    elif kind == K.PIXI:
        from whynogpu.lint import pixi as m
    elif kind == K.KAGGLE:
        from whynogpu.lint import kaggle as m
    elif kind == K.PIPFILE:
        from whynogpu.lint import pipfile as m
    elif kind == K.SETUP_PY:
        from whynogpu.lint.setupfiles import read_setup_py

        return read_setup_py(path, text)
    elif kind == K.SCRIPT:
        from whynogpu.lint import scripts as m
    elif kind == K.SETUP_CFG:
        from whynogpu.lint.setupfiles import read_setup_cfg

        return read_setup_cfg(path, text)
    else:
        return None
    return m.read(path, text)


def _why(exc: BaseException) -> str:
    if isinstance(exc, Unreadable):
        return f"cannot be read: {exc}"
    if isinstance(exc, RecursionError):
        return "cannot be read: nested too deeply"
    if isinstance(exc, MemoryError):
        return "cannot be read: too large"
    return f"cannot be read: the reader failed on it ({type(exc).__name__}: {str(exc)[:100]})"


def lint(host: Host, roots: tuple[str, ...]) -> FileScanFacts:
    from whynogpu.scan.walker import walk

    found, _missing, _unreadable = walk(host, roots, accept=kind_of)  # the code scan reports those two
    files: list[DeclaredFile] = []
    skipped: list[SkippedFile] = []
    scanned = 0
    for f in found:
        kind = kind_of(f.rel)
        if kind is None:
            continue  # a file named on the command line that is not one of these kinds
        text = host.read_text(f.path, limit=MAX_BYTES + 1)
        if text is None:
            skipped.append(SkippedFile(f.path, "cannot be read"))
            continue
        if len(text) > MAX_BYTES:
            skipped.append(SkippedFile(f.path, f"larger than {MAX_BYTES // (1024 * 1024)} MiB"))
            continue
        try:
            declared = read(kind, f.path, text)
        except Exception as exc:  # one odd file is a note, never the end of the scan
            skipped.append(SkippedFile(f.path, _why(exc)))
            continue
        if declared is not None:
            scanned += 1
            files.append(declared)
    return FileScanFacts(tuple(roots), scanned, tuple(files), tuple(skipped))


def code_roots(host: Host, roots: tuple[str, ...]) -> tuple[str, ...]:
    """The roots the code scan reads: a file named on the command line that is one of this package's kinds
    (and not also Python, as setup.py is) is not Python code."""
    import stat

    from whynogpu.scan.walker import SOURCE_SUFFIXES

    out = []
    for r in roots:
        st = host.stat(r)
        if st is not None and stat.S_ISREG(st.mode) and kind_of(r) and not r.endswith(SOURCE_SUFFIXES):
            continue
        out.append(r)
    return tuple(out)
