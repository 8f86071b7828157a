"""What `whynogpu watch` costs the command it watches, and what its sampler costs the machine.

    python benchmarks/bench_watch.py [--rounds 5] [--work 3e7] [--interval 1] [--sampler-seconds 10]

1. The command's own time. A fixed CPU-bound job (sum of i*i for i < WORK, in one Python process) reports
   the seconds its loop took; it runs bare and under `whynogpu watch --interval S`, interleaved round by
   round so machine noise hits both alike. Printed: medians and the watched/bare ratio of the loop's own
   time (goal: at most 1.01) and of the whole wall time (which adds whynogpu's start, the sampler's start
   and the verdict at the end: reported, not a goal).
2. The sampler alone. `python -m whynogpu.watch.sampler S` watches a sleeping process for N and for 2N
   seconds; the CPU time it used (user + system, from os.wait4) in the extra N seconds, over N, is its
   steady share of one core (goal: at most 0.5 %); its start (Python, imports) is printed apart.
   On a machine without NVML (like CI's) this is the /proc half only; with a GPU, NVML's calls add theirs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

JOB = ("import sys, time\nt = time.perf_counter()\ns = 0\nfor i in range(int(float(sys.argv[1]))):\n    s += i * i\n"
       "print('loop_s', time.perf_counter() - t)\n")


def run(argv: list[str]) -> tuple[float, float]:
    """(the loop's own seconds, the whole wall time) of one run."""
    start = time.monotonic()
    res = subprocess.run(argv, capture_output=True, text=True, check=False)
    wall = time.monotonic() - start
    loop = next(float(line.split()[1]) for line in res.stdout.splitlines() if line.startswith("loop_s"))
    return loop, wall


def sampler_cpu(interval: float, seconds: float) -> float:
    """CPU seconds the sampler used to watch a sleeping process for `seconds`, its start included."""
    sleeper = subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({seconds + 5})"])
    child = subprocess.Popen([sys.executable, "-m", "whynogpu.watch.sampler", str(interval)],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        child.stdin.write(f"{sleeper.pid} {time.monotonic()}\n".encode())
        child.stdin.flush()
        time.sleep(seconds)
        child.stdin.close()
        _, _, usage = os.wait4(child.pid, 0)
    finally:
        sleeper.kill()
        sleeper.wait()
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--work", default="3e7", help="loop iterations of the job (about 2 s per 1e7 on 2 cores)")
    ap.add_argument("--interval", type=float, default=1.0)
    ap.add_argument("--sampler-seconds", type=float, default=10.0)
    args = ap.parse_args()

    bare = [sys.executable, "-c", JOB, args.work]
    watched = [sys.executable, "-m", "whynogpu", "watch", "--interval", str(args.interval), "--", *bare]
    rows: dict[str, list[tuple[float, float]]] = {"bare": [], "watched": []}
    for r in range(args.rounds + 1):  # round 0 warms the caches and is dropped
        for name, argv in (("bare", bare), ("watched", watched)):
            loop, wall = run(argv)
            if r:
                rows[name].append((loop, wall))
    med = {k: (statistics.median(x for x, _ in v), statistics.median(w for _, w in v)) for k, v in rows.items()}
    print(f"job: sum of i*i for i < {args.work}; {args.rounds} rounds, interval {args.interval} s")
    for name, (loop, wall) in med.items():
        print(f"  {name:<8} loop median {loop:6.3f} s   wall median {wall:6.3f} s")
    ratio = med["watched"][0] / med["bare"][0]
    print(f"  the command's own time, watched / bare: {ratio:.3f} (goal <= 1.01)")
    print(f"  wall time, watched / bare: {med['watched'][1] / med['bare'][1]:.3f} "
          "(whynogpu's start, the sampler's and the verdict included; not a goal)")
    n = args.sampler_seconds
    short, long = sampler_cpu(args.interval, n), sampler_cpu(args.interval, 2 * n)
    share = max(0.0, long - short) / n
    print(f"sampler alone at {args.interval} s: {share:.3%} of one core while watching (goal <= 0.5 %); "
          f"{max(0.0, short - share * n):.2f} CPU s to start")
    return 0 if ratio <= 1.01 and share <= 0.005 else 1


if __name__ == "__main__":
    sys.exit(main())
