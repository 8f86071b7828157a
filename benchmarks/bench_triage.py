"""Triage accuracy per category (top-1 / top-3, confusion table) on the dev split (tests/triage/corpus) and,
separately, the frozen test split (tests/triage/frozen), and speed and memory on big reports.

Run: .venv/bin/python benchmarks/bench_triage.py [--no-50mb]

Speed is measured here, not in timed tests: the target is a 1 MB report in <= 0.5 s, time linear in
size. Three 1 MB inputs, every line made distinct so no cache of repeated lines can flatter them:
  mixed  real captured logs (../shared/fixtures/real/*/stderr*.txt), pip freeze lists and corpus reports
  prose  the corpus reports' sentences only (free text is what the cue regexes read)
  line   the same prose as one line of 1 MB (no line ends at all)
Each is timed 3 times; the best wall and CPU times are printed. Then a 50 MB report runs through the
installed command (`python -m whynogpu triage FILE`) in a child process: wall time, peak memory, exit
code and the first line it printed.
"""

from __future__ import annotations

import glob
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "triage"))

from corpus_cases import CORPUS, FROZEN, cases, meta  # noqa: E402

from whynogpu.triage.engine import triage  # noqa: E402

MB = 1 << 20
REAL = os.path.join(HERE, "..", "..", "shared", "fixtures", "real")
_STAMP = re.compile(r"(\d\d:\d\d:\d\d\.)(\d+)")


def accuracy(name: str, folder: str) -> None:
    """Strict top-1 and top-3 per category, the prose/log split, and a confusion table (want → got)."""
    per = defaultdict(lambda: [0, 0, 0])  # category -> [cases, top1, top3]
    confusion: Counter = Counter()
    evidence = meta(folder)
    by_kind = defaultdict(lambda: [0, 0])
    for file, want, also, body in cases(folder):
        report = triage(body)
        ok = {want, *also}
        ranked = [c.category for c in report.candidates] or ["unknown"]
        row = per[want]
        row[0] += 1
        hit = report.verdict.root_cause in ok
        row[1] += hit
        row[2] += bool(ok & set(ranked[:3]))
        kind = evidence.get(file, {}).get("evidence", "?")
        by_kind[kind][0] += 1
        by_kind[kind][1] += hit
        if not hit:
            confusion[(want, report.verdict.root_cause)] += 1
    total = [sum(r[i] for r in per.values()) for i in range(3)]
    print(f"\n== {name} split ({folder}) ==")
    print(f"{'category':<32}{'cases':>6}{'top-1':>8}{'top-3':>8}")
    for cat, (n, t1, t3) in sorted(per.items()):
        print(f"{cat:<32}{n:>6}{t1 / n:>8.0%}{t3 / n:>8.0%}")
    print(f"{'ALL':<32}{total[0]:>6}{total[1] / total[0]:>8.0%}{total[2] / total[0]:>8.0%}")
    print("by evidence: " + ", ".join(f"{k} {h}/{n}" for k, (n, h) in sorted(by_kind.items())))
    print("confusion (expected -> verdict: cases):")
    for (want, got), n in confusion.most_common():
        print(f"  {want} -> {got}: {n}")


def _prose_lines() -> list[str]:
    out = []
    for _n, _w, _a, body in cases():
        for line in body.splitlines():
            s = line.strip()
            if s.count(" ") > 6 and not s.startswith(("```", "20", "File ", "/", "I0", "W0", "E0")):
                out.append(s)
    return out


def _vary(line: str, k: int, rng: random.Random) -> str:
    """Copy k of a line, different from the other copies the way real repeats differ (time stamps, wording)."""
    if k == 0:
        return line
    if _STAMP.search(line):
        return _STAMP.sub(lambda m: m.group(1) + f"{k:06d}", line, count=1)
    words = line.split(" ")
    if len(words) > 3:
        i, j = rng.randrange(1, len(words)), rng.randrange(1, len(words))
        words[i], words[j] = words[j], words[i]
        return " ".join(words) + f" ({k})"
    return line


def _fill(lines: list[str], size: int, sep: str = "\n") -> str:
    rng = random.Random(6)
    out, n, k = [], 0, 0
    while n < size:
        for line in lines:
            v = _vary(line, k, rng)
            out.append(v)
            n += len(v) + 1
            if n >= size:
                break
        k += 1
    return sep.join(out)[:size]


def inputs(size: int = MB) -> dict[str, str]:
    def read(pattern: str) -> list[str]:
        text = []
        for path in sorted(glob.glob(os.path.join(REAL, pattern))):
            with open(path, encoding="utf-8", errors="replace") as fh:
                text.extend(fh.read().splitlines())
        return text

    prose = _prose_lines()
    mixed = read("*/stderr*.txt") + read("*/versions*.txt") + [ln for c in cases() for ln in c[3].splitlines()]
    return {"mixed": _fill(mixed, size), "prose": _fill(prose, size), "line": _fill(prose, size, sep=" ")}


def speed() -> None:
    print("\n1 MB reports (best of 3; target <= 0.5 s wall):")
    for name, text in inputs().items():
        best_wall = best_cpu = float("inf")
        for _ in range(3):
            w, c = time.perf_counter(), time.process_time()
            report = triage(text)
            best_wall = min(best_wall, time.perf_counter() - w)
            best_cpu = min(best_cpu, time.process_time() - c)
        print(f"  {name:<6} {len(text) / MB:.1f} MB  {text.count(chr(10)) + 1:>6} lines  wall {best_wall:.2f} s  "
              f"cpu {best_cpu:.2f} s  -> {report.verdict.root_cause}")


def huge(size_mb: int = 50) -> None:
    text = inputs(size_mb * MB)["mixed"]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as fh:
        fh.write(text)
        path = fh.name
    del text
    try:
        start = time.perf_counter()
        res = subprocess.run([sys.executable, "-m", "whynogpu", "triage", path], capture_output=True, timeout=600)
        wall = time.perf_counter() - start
    finally:
        os.unlink(path)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    first = (res.stdout or res.stderr).decode("utf-8", "replace").strip().splitlines()[:1]
    print(f"\n{size_mb} MB report through `whynogpu triage FILE`: exit {res.returncode}, wall {wall:.1f} s, "
          f"peak memory {peak:.0f} MB, first line: {first[0] if first else '(none)'}")


if __name__ == "__main__":
    accuracy("dev", CORPUS)
    accuracy("frozen test", FROZEN)
    speed()
    if "--no-50mb" not in sys.argv:
        huge()
