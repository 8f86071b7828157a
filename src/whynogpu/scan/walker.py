"""Which files a scan reads: Python sources and notebooks under the given paths.

Directories are walked through the Host seam (so tests can use a FakeHost), honouring
.gitignore files below each root and skipping virtual environments, caches and VCS
folders: an installed TensorFlow inside `.venv/` is not the user's code. A path named
explicitly on the command line is always scanned, whatever its name.
"""

from __future__ import annotations

import posixpath
import stat as _stat
from collections.abc import Callable
from dataclasses import dataclass

from whynogpu.facts.code import SkippedFile
from whynogpu.host.base import Host
from whynogpu.scan.gitignore import IgnoreRules

SOURCE_SUFFIXES = (".py", ".pyw", ".ipynb")
# Never user code, or never worth reading: VCS data, caches, and installed packages.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", "__pycache__", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
    "node_modules", ".ipynb_checkpoints", "site-packages", "dist-packages", ".eggs",
})
# A directory holding one of these is a virtual environment or conda environment.
ENV_MARKERS = ("pyvenv.cfg", "conda-meta")


@dataclass(frozen=True)
class SourceFile:
    path: str  # as the user would type it: the root joined with the relative path
    rel: str  # relative to the scan root (the file name when the root is a file)

    @property
    def notebook(self) -> bool:
        return self.path.endswith(".ipynb")


def _is_env(host: Host, names: list[str]) -> bool:
    return any(m in names for m in ENV_MARKERS)


def walk(host: Host, roots: tuple[str, ...], accept: Callable[[str], object] | None = None
         ) -> tuple[list[SourceFile], list[str], list[SkippedFile]]:
    """Source files under `roots`, the roots that do not exist, and what could not be looked into.

    `accept(relative path)` picks other files than Python sources and notebooks (whynogpu/lint's kinds)."""
    files: list[SourceFile] = []
    missing: list[str] = []
    skipped: list[SkippedFile] = []
    seen: set[str] = set()
    for root in roots:
        st = host.stat(root)
        if st is None:
            missing.append(root)
        elif _stat.S_ISDIR(st.mode):
            _walk_dir(host, root, "", IgnoreRules(), files, seen, skipped, accept)
        elif _stat.S_ISREG(st.mode):
            files.append(SourceFile(root, posixpath.basename(root)))
        else:  # reading a FIFO would wait for a writer forever
            skipped.append(SkippedFile(root, "not a regular file (a pipe, a device or a socket)"))
    return files, missing, skipped


def _walk_dir(host: Host, root: str, rel: str, rules: IgnoreRules, out: list[SourceFile], seen: set[str],
              skipped: list[SkippedFile], accept: Callable[[str], object] | None = None) -> None:
    here = posixpath.join(root, rel) if rel else root
    real = host.realpath(here)
    if real in seen:  # a symlink loop, or the same tree named twice
        return
    seen.add(real)
    names = host.listdir(here)
    if names is None:  # no permission, or gone since it was listed: say so, the files in it were not checked
        skipped.append(SkippedFile(here, "folder cannot be read"))
        return
    if rel and _is_env(host, names):
        return
    if ".gitignore" in names:
        text = host.read_text(posixpath.join(here, ".gitignore"), limit=1 << 18)
        if text:
            rules = rules.extended(text, rel)
    for name in names:
        child_rel = posixpath.join(rel, name) if rel else name
        full = posixpath.join(root, child_rel)
        if (accept(child_rel) if accept else name.endswith(SOURCE_SUFFIXES)):
            st = host.stat(full)
            if st is None:
                continue
            is_dir = _stat.S_ISDIR(st.mode)
        elif name in SKIP_DIRS or name.startswith("."):
            continue
        else:
            st = host.stat(full)
            if st is None or not _stat.S_ISDIR(st.mode):
                continue
            is_dir = True
        if rules.rules and rules.ignored(child_rel, is_dir):
            continue
        if is_dir:
            _walk_dir(host, root, child_rel, rules, out, seen, skipped, accept)
        elif _stat.S_ISREG(st.mode):
            out.append(SourceFile(full, child_rel))
