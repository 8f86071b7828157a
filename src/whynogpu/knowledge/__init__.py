"""Version knowledge as data: CSV tables in this folder, one fact per row, each row with a source.

Rules read these tables instead of encoding versions in if-chains. docs/knowledge.md says
how to add a release. A test checks that every row of every table names its source.
"""

from __future__ import annotations

import csv
import os
from functools import cache

HERE = os.path.dirname(os.path.abspath(__file__))


@cache
def table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of knowledge/<name>.csv as dicts (lines starting with '#' are comments)."""
    with open(os.path.join(HERE, f"{name}.csv"), encoding="utf-8") as fh:
        text = fh.read()
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return tuple(dict(row) for row in csv.DictReader(lines))


def tables() -> list[str]:
    return sorted(n[:-4] for n in os.listdir(HERE) if n.endswith(".csv"))
