"""Reads scenarios.toml (tomllib is 3.11+; on 3.10 the `tomli` backport is used when present) and
finds base interpreters; shared by conftest.py and the tests."""

from __future__ import annotations

import glob
import os
import shutil
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

SCENARIOS_FILE = Path(__file__).resolve().parent / "scenarios.toml"


def load() -> dict:
    with open(SCENARIOS_FILE, "rb") as fh:
        return tomllib.load(fh)


def find_python(version: str) -> str | None:
    """An interpreter of the given major.minor: pyenv's first, then pythonX.Y on PATH."""
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    for cand in sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}"), reverse=True):
        return cand
    return shutil.which(f"python{version}")
