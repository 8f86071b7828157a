"""Triage accuracy per category (top-1 / top-3, confusion table) on the dev split (tests/triage/corpus) and,
separately, the frozen test split (tests/triage/frozen), and speed and memory on big reports.

Run: .venv/bin/python benchmarks/bench_triage.py [--no-50mb]

Speed is measured here, not in timed tests: the target is a 1 MB report in <= 0.5 s, time linear in
size. Three 1 MB inputs, every line made distinct so no cache of repeated lines can flatter them:
  mixed  real captured logs (tests/fixtures/real/*/stderr*.txt), pip freeze lists and corpus reports
  prose  the corpus reports' sentences only (free text is what the cue regexes read)
  line   the same prose as one line of 1 MB (no line ends at all)
Each is timed 3 times; the best wall and CPU times are printed. Then mixed reports of 1, 10 and 50 MB
(50 MB skipped with --no-50mb) and a tiny corpus report (the baseline: interpreter start and imports) run
through the installed command (`python -m whynogpu triage FILE`), each in its own child process: wall time,
that child's own peak memory (its VmHWM as it exits: not the running maximum over all children, nor the
parent's size that Linux carries into a child's ru_maxrss), exit code and
the first line it printed, with wall and memory above the baseline per MB, so a loss of linearity shows.

Last, repetition: one harmless line of a no_problem case (a TensorRT libnvinfer warning) once and 10,000
times; both verdicts' root causes and the top candidates' confidences are printed (the verdict itself has
no confidence field), so a reader sees whether repeating a line changes the verdict.
"""

from __future__ import annotations

import glob
import os
import random
import re
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
REAL = os.path.join(HERE, "..", "tests", "fixtures", "real")  # copies of the real captures (SOURCE.md there)
_STAMP = re.compile(r"(\d\d:\d\d:\d\d\.)(\d+)")


def accuracy(name: str, folder: str) -> None:
    """Strict top-1 and top-3 per category, the prose/log split, and a confusion table (want → got)."""
    per = defaultdict(lambda: [0, 0, 0])  # category -> [cases, top1, top3]
    confusion: Counter = Counter()
    evidence = meta(folder)
    by_kind = defaultdict(lambda: [0, 0])
    for file, want, also, body in cases(folder):
        # a dev case is not compared with its own thread in knowledge/similar_reports.csv, which holds the dev split
        report = triage(body, leave_out=frozenset([evidence.get(file, {}).get("source", "")]))
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
    prose = _prose_lines()
    return {"mixed": mixed_input(size), "prose": _fill(prose, size), "line": _fill(prose, size, sep=" ")}


def mixed_input(size: int) -> str:
    """The `mixed` input alone (real logs, version lists and corpus reports), `size` characters."""
    text = []
    for path in sorted(glob.glob(os.path.join(REAL, "*/stderr*.txt")) + glob.glob(os.path.join(REAL, "*/versions*.txt"))):
        with open(path, encoding="utf-8", errors="replace") as fh:
            text.extend(fh.read().splitlines())
    return _fill(text + [ln for c in cases() for ln in c[3].splitlines()], size)


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


# The child's own peak, read from its /proc/self/status (VmHWM) as it exits. Not os.wait4's ru_maxrss: Linux
# carries the parent's resident size at fork into the child's maxrss when it execs, and this parent holds the
# big inputs, so ru_maxrss would report the benchmark's own memory (it did: ~500 MB for a 50 MB report).
_PEAK = ("import atexit, runpy, sys\n"
         "out = sys.argv.pop(1)\n"
         "def peak():\n"
         "    hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
         "    open(out, 'w').write(hwm.split()[1])\n"
         "atexit.register(peak)\n"
         "runpy.run_module('whynogpu', run_name='__main__', alter_sys=True)\n")


def _cli(path: str) -> tuple[float, float, int, str]:
    """`python -m whynogpu triage PATH` in a child: (wall s, the child's own peak RSS in MB, exit code, first line)."""
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r", suffix=".peak") as peak_file:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", _PEAK, peak_file.name, "triage", path], stdout=out,
                              stderr=subprocess.STDOUT, check=False)
        wall = time.perf_counter() - start
        out.seek(0)
        first = out.read(4096).decode("utf-8", "replace").strip().splitlines()[:1]
        kib = peak_file.read().strip()
    return wall, (int(kib) / 1024 if kib.isdigit() else float("nan")), proc.returncode, first[0] if first else "(none)"


def cli_sizes(sizes_mb: tuple[int, ...] = (1, 10, 50)) -> None:
    """Each size through the command in its own child: wall, peak memory, and both per MB above a tiny report."""
    print("\nmixed reports through `whynogpu triage FILE`, one child each (peak = that child's max RSS):")
    tiny = os.path.join(CORPUS, "709-docker-deepo-tf21-libnvinfer-warning.txt")
    base_wall, base_peak, rc, first = _cli(tiny)
    print(f"  {'tiny':>6}  {os.path.getsize(tiny) / 1024:6.1f} KB  exit {rc}  wall {base_wall:6.2f} s  "
          f"peak {base_peak:6.0f} MB  (baseline: start-up and imports)")
    for size_mb in sizes_mb:
        text = mixed_input(size_mb * MB)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as fh:
            fh.write(text)
            path = fh.name
        del text
        try:
            wall, peak, rc, first = _cli(path)
        finally:
            os.unlink(path)
        print(f"  {size_mb:>4} MB  exit {rc}  wall {wall:6.2f} s  peak {peak:6.0f} MB  "
              f"above baseline per MB: {(wall - base_wall) / size_mb:5.2f} s, {(peak - base_peak) / size_mb:5.1f} MB"
              f"  first line: {first[:70]}")


def repetition(times: int = 10_000) -> None:
    """One harmless line once vs. `times` times in the same report: does repetition move the verdict?"""
    file = "709-docker-deepo-tf21-libnvinfer-warning.txt"
    body = next(c[3] for c in cases() if c[0] == file)
    line = next(ln for ln in body.splitlines() if "Could not load dynamic library" in ln)
    repeated = body.replace(line, "\n".join([line] * times), 1)

    def show(label: str, text: str) -> None:
        start = time.perf_counter()
        report = triage(text)
        wall = time.perf_counter() - start
        conf = getattr(report.verdict, "confidence", None)
        top = ", ".join(f"{c.category} {c.confidence:.2f}" for c in report.candidates[:3]) or "none"
        print(f"  {label:<14} {len(text) / 1024:8.1f} KB  {wall:5.2f} s  root cause {report.verdict.root_cause}"
              f"{'' if conf is None else f' (confidence {conf:.2f})'}  top candidates: {top}")

    print(f"\nrepetition ({file}, expected no_problem; the verdict has no confidence field, candidates do):")
    print(f"  line: {line[:110]}")
    show("line once", body)
    show(f"line x{times:,}", repeated)


if __name__ == "__main__":
    accuracy("dev", CORPUS)
    accuracy("frozen test", FROZEN)
    speed()
    cli_sizes((1, 10) if "--no-50mb" in sys.argv else (1, 10, 50))
    repetition()
