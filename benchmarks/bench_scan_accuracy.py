"""`whynogpu scan` on the blind scan corpus (tests/scan_corpus): how many cases each split reads right, by what the
label expects (a category, or clean), and for the dev split every case with the errors and warnings scan gave.
The frozen split is only counted, never listed: it is not read while changing scan.

Run: .venv/bin/python benchmarks/bench_scan_accuracy.py
"""

from __future__ import annotations

import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "scan_corpus"))

from scan_cases import DEV, FROZEN, score  # noqa: E402


def main() -> None:
    for name, folder in (("dev", DEV), ("frozen", FROZEN)):
        ok, n, rows = score(folder)
        by = Counter()
        right = Counter()
        for case, good, _ in rows:
            kind = "clean" if case.expected == "clean" else "positive"
            by[kind] += 1
            right[kind] += good
        print(f"{name}: {ok}/{n} = {ok / n:.0%}  (positive {right['positive']}/{by['positive']}, "
              f"clean {right['clean']}/{by['clean']})")
        if name == "dev":
            for case, good, said in rows:
                shown = ", ".join(f"{c}/{sev}/{cat}:{line}" for c, sev, cat, line in said) or "-"
                print(f"  {'ok  ' if good else 'MISS'} {case.name:<48} want {case.expected:<28} got {shown}")


if __name__ == "__main__":
    main()
