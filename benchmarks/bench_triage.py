"""Triage accuracy per category (top-1 / top-3) on tests/triage/corpus and throughput on a 1 MB report.

Run: .venv/bin/python benchmarks/bench_triage.py
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "triage"))

from corpus_cases import cases  # noqa: E402

from whynogpu.triage.engine import triage  # noqa: E402


def accuracy() -> None:
    per = defaultdict(lambda: [0, 0, 0])  # category -> [cases, top1, top3]
    for _name, want, also, body in cases():
        report = triage(body)
        ok = {want, *also}
        ranked = [c.category for c in report.candidates] or ["unknown"]
        row = per[want]
        row[0] += 1
        row[1] += report.verdict.root_cause in ok
        row[2] += bool(ok & set(ranked[:3]))
    total = [sum(r[i] for r in per.values()) for i in range(3)]
    print(f"{'category':<32}{'cases':>6}{'top-1':>8}{'top-3':>8}")
    for cat, (n, t1, t3) in sorted(per.items()):
        print(f"{cat:<32}{n:>6}{t1 / n:>8.0%}{t3 / n:>8.0%}")
    print(f"{'ALL':<32}{total[0]:>6}{total[1] / total[0]:>8.0%}{total[2] / total[0]:>8.0%}")


def throughput() -> None:
    bodies = [c[3] for c in cases()]
    text = ""
    while len(text) < 1 << 20:
        text += "\n".join(bodies)
    text = text[: 1 << 20]
    start = time.perf_counter()
    triage(text)
    print(f"1 MB report: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    accuracy()
    throughput()
