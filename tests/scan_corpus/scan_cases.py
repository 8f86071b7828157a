"""The blind scan corpus: real project files (each a trimmed rewrite), one folder a case, with a LABEL.md that says
what a GPU expert expects of it. Shared by tests/unit/test_scan_accuracy.py and benchmarks/bench_scan_accuracy.py.

A case is right when:
  - `expected: clean`: scan gives no error and no warning (hints are fine: they are not a claim that the GPU is lost);
  - `expected: <category>`: an error or warning of that category is among the findings.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
DEV = os.path.join(HERE, "dev")
FROZEN = os.path.join(HERE, "frozen")  # scored, never read while changing scan (README.md)


@dataclass(frozen=True)
class Case:
    name: str
    folder: str
    expected: str  # a category of root-causes.md, or "clean"
    source: str


def cases(split: str) -> list[Case]:
    out = []
    for name in sorted(os.listdir(split)):
        folder = os.path.join(split, name)
        if not os.path.isdir(folder):
            continue
        with open(os.path.join(folder, "LABEL.md"), encoding="utf-8") as fh:
            label = fh.read()
        expected = re.search(r"^expected:\s*(\S+)", label, re.M).group(1)
        source = re.search(r"^source:\s*(.+)$", label, re.M).group(1).strip()
        out.append(Case(name, folder, expected, source))
    return out


def judged(case: Case) -> tuple[bool, list[tuple[str, str, str, int | None]]]:
    """(right?, the error and warning findings as (code, severity, category, line))."""
    from whynogpu.commands.scan import scan_report
    from whynogpu.host.real import RealHost

    files = tuple(os.path.join(case.folder, f) for f in sorted(os.listdir(case.folder)) if f != "LABEL.md")
    report, _, _ = scan_report(RealHost(), files)
    said = [(f.code, f.severity.value, f.category, f.location.line if f.location else None)
            for f in report.findings if f.severity.value in ("error", "warning")]
    if case.expected == "clean":
        return not said, said
    return any(s[2] == case.expected for s in said), said


def score(split: str) -> tuple[int, int, list[tuple[Case, bool, list]]]:
    rows = [(c, *judged(c)) for c in cases(split)]
    return sum(ok for _, ok, _ in rows), len(rows), rows
