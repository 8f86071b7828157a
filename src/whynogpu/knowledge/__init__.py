"""Version knowledge as data: CSV tables in this folder, one fact per row, each row with a source.

Rules read these tables instead of encoding versions in if-chains. docs/knowledge.md says
how to add a release. A test checks that every row of every table names its source.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources


@cache
def table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of knowledge/<name>.csv as dicts (lines starting with '#' are comments)."""
    text = resources.files(__name__).joinpath(f"{name}.csv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return tuple(dict(row) for row in csv.DictReader(lines))


def tables() -> list[str]:
    return sorted(p.name[:-4] for p in resources.files(__name__).iterdir() if p.name.endswith(".csv"))
