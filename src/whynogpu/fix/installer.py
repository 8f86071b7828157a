"""Which tool the user manages the target environment with, and that tool's commands.

A fix is only useful when it is made the way the environment is kept: a poetry project re-installs
from its lock file, a uv venv has no pip, a conda package is replaced by conda. Detection reads the
environment and the project files next to it through the host seam, so fake hosts can test it.
"""

from __future__ import annotations

import posixpath
import shlex
from dataclasses import dataclass

from whynogpu.facts.target import TargetFacts, _norm
from whynogpu.host.base import Host


@dataclass(frozen=True)
class Installer:
    kind: str  # pip, uv, conda, poetry, pipenv
    python: str  # the target interpreter
    prefix: str
    exe: str | None = None  # uv, conda/mamba/micromamba, poetry or pipenv; None for pip (run by the python)
    project: str | None = None  # the folder a poetry or pipenv command runs in
    conda_name: str | None = None  # `-n NAME` when the env lives in <root>/envs/NAME, else `-p PREFIX`
    refused: str | None = None  # why whynogpu changes nothing here by itself
    because: str = ""  # what showed the tool, for the plan's header

    # -- commands (argv lists: run as they are, shown with shlex.join) -------------------------

    def _tool(self) -> list[str]:
        return [self.exe or self.kind]

    def _conda_env(self) -> list[str]:
        return ["-n", self.conda_name] if self.conda_name else ["-p", self.prefix]

    def remove(self, names: list[str]) -> list[list[str]]:
        if not names:
            return []
        if self.kind == "uv":
            return [[*self._tool(), "pip", "uninstall", "--python", self.python, *names]]
        if self.kind == "conda":
            return [[*self._tool(), "remove", "-y", *self._conda_env(), *names]]
        if self.kind == "poetry":
            return [[*self._tool(), "remove", *names]]
        if self.kind == "pipenv":
            return [[*self._tool(), "uninstall", *names]]
        return [[self.python, "-m", "pip", "uninstall", "-y", *names]]

    def install(self, specs: list[str], index: str | None = None, channel: str | None = None,
                source_name: str | None = None) -> list[list[str]]:
        """Install `specs`; `index` is an index URL that replaces PyPI for these packages, `channel` a conda channel."""
        if self.kind == "uv":
            return [[*self._tool(), "pip", "install", "--python", self.python, *(["--index-url", index] if index else []),
                     *specs]]
        if self.kind == "conda":
            return [[*self._tool(), "install", "-y", *self._conda_env(), *(["-c", channel] if channel else []), *specs]]
        if self.kind == "poetry":
            if not index:
                return [[*self._tool(), "add", *specs]]
            # poetry takes a package from a non-PyPI index only through a named source of the project
            name = source_name or "gpu-wheels"
            return [[*self._tool(), "source", "add", "--priority=explicit", name, index],
                    [*self._tool(), "add", "--source", name, *specs]]
        if self.kind == "pipenv":
            return [[*self._tool(), "install", *(["--index", index] if index else []), *specs]]
        return [[self.python, "-m", "pip", "install", *(["--index-url", index] if index else []), *specs]]

    def freeze(self) -> list[str]:
        """The command whose output is the rollback point: every distribution and its exact version."""
        if self.kind == "uv":
            return [*self._tool(), "pip", "freeze", "--python", self.python]
        return [self.python, "-m", "pip", "freeze", "--all"]

    def restore_remove(self, names: list[str]) -> list[str]:
        if self.kind == "uv":
            return [*self._tool(), "pip", "uninstall", "--python", self.python, *names]
        return [self.python, "-m", "pip", "uninstall", "-y", *names]

    def restore_install(self, requirements: str) -> list[str]:
        """Put back exactly the recorded lines (a requirements file), nothing resolved anew."""
        if self.kind == "uv":
            return [*self._tool(), "pip", "install", "--python", self.python, "--no-deps", "-r", requirements]
        return [self.python, "-m", "pip", "install", "--no-deps", "-r", requirements]

    def for_package(self, installer_of_dist: str | None) -> Installer:
        """A package pip put into a conda env is changed with that env's pip, not with conda."""
        if self.kind == "conda" and (installer_of_dist or "pip").strip().lower() != "conda":
            return Installer("pip", self.python, self.prefix, refused=self.refused, because="pip inside the conda env")
        return self


def shown(argv: list[str]) -> str:
    return shlex.join(argv)


def _exe(host: Host, names: tuple[str, ...], extra: tuple[str, ...] = ()) -> str | None:
    for name in names:
        found = host.which(name)
        if found:
            return found
    for path in extra:
        if path and host.exists(path):
            return path
    return None


def _conda_tool(host: Host, prefix: str) -> str:
    env = host.env()
    for var in ("MAMBA_EXE", "CONDA_EXE"):  # set by the shell hook of the tool the user activates with
        if env.get(var) and host.exists(env[var]):
            return env[var]
    parent = posixpath.dirname(prefix)
    root = posixpath.dirname(parent) if posixpath.basename(parent) == "envs" else None
    local = tuple(posixpath.join(root, "bin", n) for n in ("mamba", "conda")) if root else ()
    return _exe(host, ("mamba", "micromamba", "conda"), local) or "conda"


def _project(host: Host, prefix: str, cwd: str | None) -> tuple[str, str] | None:
    """(kind, folder) of a poetry or pipenv project that owns this env: its in-project .venv, or the
    folder whynogpu runs in when that project's env is kept elsewhere (poetry's and pipenv's caches)."""
    folders = [posixpath.dirname(prefix.rstrip("/"))]
    if cwd:
        folders.append(cwd)
    for folder in folders:
        if host.exists(posixpath.join(folder, "poetry.lock")) or "[tool.poetry" in (
                host.read_text(posixpath.join(folder, "pyproject.toml"), limit=1 << 18) or ""):
            return "poetry", folder
        if host.exists(posixpath.join(folder, "Pipfile")):
            return "pipenv", folder
    return None


def _managed_by(prefix: str, home: str, cwd: str | None, folder: str) -> bool:
    """A project found in the current folder owns the env only when the env is its own .venv or lives in
    that tool's cache of envs; otherwise the venv is just the user's, next to an unrelated project."""
    if posixpath.dirname(prefix.rstrip("/")) == folder:
        return True
    caches = ("/pypoetry/virtualenvs/", "/.local/share/virtualenvs/", "/poetry/virtualenvs/")
    return any(c in prefix for c in caches) and folder == cwd


def detect(host: Host, t: TargetFacts, cwd: str | None = None) -> Installer:
    prefix = t.prefix
    conda_meta = posixpath.join(prefix, "conda-meta")
    if t.env_kind == "conda" or host.is_dir(conda_meta):
        exe = _conda_tool(host, prefix)
        base = host.is_dir(posixpath.join(prefix, "condabin")) or host.is_dir(posixpath.join(prefix, "envs"))
        parent = posixpath.dirname(prefix.rstrip("/"))
        name = posixpath.basename(prefix.rstrip("/")) if posixpath.basename(parent) == "envs" else None
        return Installer("conda", t.python, prefix, exe=exe, conda_name=name,
                         refused="this is the base conda environment: make a new env (`conda create -n gpu …`) "
                                 "and fix that one" if base else None,
                         because=f"{prefix} is a conda environment (conda-meta/)")
    if t.env_kind == "system":
        return Installer("pip", t.python, prefix,
                         refused="this is the interpreter of the system (not a venv or conda env): whynogpu never "
                                 "changes it; make a venv (`python3 -m venv gpu-env`) and install there",
                         because="the system interpreter")
    project = _project(host, prefix, cwd)
    if project and _managed_by(prefix, host.user().home, cwd, project[1]):
        kind, folder = project
        exe = _exe(host, (kind,), (posixpath.join(host.user().home, ".local/bin", kind),)) or kind
        lock = "poetry.lock / [tool.poetry]" if kind == "poetry" else "Pipfile"
        return Installer(kind, t.python, prefix, exe=exe, project=folder,
                         because=f"{folder} is a {kind} project ({lock}) whose environment this is")
    cfg = host.read_text(posixpath.join(prefix, "pyvenv.cfg"), limit=1 << 16) or ""
    has_pip = t.dist("pip") is not None
    made_by_uv = any(line.split("=")[0].strip() == "uv" for line in cfg.splitlines())
    if made_by_uv or (not has_pip and _uv_installed(t)):
        home = host.user().home
        exe = _exe(host, ("uv",), (posixpath.join(home, ".local/bin/uv"), posixpath.join(home, ".cargo/bin/uv"))) or "uv"
        why = "its pyvenv.cfg names uv" if made_by_uv else "its packages were installed by uv and it has no pip"
        return Installer("uv", t.python, prefix, exe=exe, because=f"{prefix} is a uv venv ({why})")
    return Installer("pip", t.python, prefix, because="pip of the target interpreter")


def _uv_installed(t: TargetFacts) -> bool:
    return any((d.installer or "").strip().lower() == "uv" for d in t.distributions
               if _norm(d.name) not in ("pip", "setuptools"))
