"""Reads scenarios.toml (tomllib is 3.11+; on 3.10 the `tomli` backport is used when present)."""

from __future__ import annotations

from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

SCENARIOS_FILE = Path(__file__).resolve().parent / "scenarios.toml"


def load() -> dict:
    with open(SCENARIOS_FILE, "rb") as fh:
        return tomllib.load(fh)
