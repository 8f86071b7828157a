"""Start-up cost of `whynogpu --no-probe` against an env with TensorFlow, next to `import tensorflow`.

Prints medians over repeated runs (wall clock, one whole process each, first run discarded).
Goal (issue 2): median <= 0.3 s on a 2-core machine.

    python benchmarks/bench_check.py [--runs 7] [--requirement tensorflow-cpu]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from _envs import env_with, env_with_steps  # noqa: E402


def timed(argv: list[str], runs: int) -> list[float]:
    out = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        if i:  # the first run warms caches
            out.append(time.perf_counter() - t0)
    return out


def show(label: str, values: list[float]) -> float:
    med = statistics.median(values)
    print(f"{label:<58} median {med:6.3f} s   min {min(values):6.3f}   max {max(values):6.3f}   (n={len(values)})")
    return med


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--requirement", default="tensorflow-cpu")
    args = ap.parse_args()
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    target = env_with(args.requirement)
    whynogpu = shutil.which("whynogpu") or os.path.join(os.path.dirname(sys.executable), "whynogpu")
    print(f"machine: {os.cpu_count()} cores; target env: {target} ({args.requirement})")
    # whynogpu installed into the TensorFlow env itself: the common `pip install whynogpu` case.
    inside = os.path.join(os.path.dirname(target), "whynogpu")
    subprocess.run([target, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", repo],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([target, "-m", "pip", "install", "-q", repo], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    show("whynogpu --no-probe (installed in the TF env, text)", timed([inside, "--no-probe"], args.runs))
    a = show("whynogpu --no-probe --json --python <env>",
             timed([whynogpu, "--no-probe", "--json", "--python", target], args.runs))
    show("whynogpu --no-probe (text, default target)", timed([whynogpu, "--no-probe"], args.runs))
    b = show("python -c 'import tensorflow' (same env)", timed([target, "-c", "import tensorflow"], args.runs))
    print(f"ratio whynogpu --no-probe / import tensorflow: {a / b:.3f}   goal: whynogpu median <= 0.300 s -> "
          f"{'met' if a <= 0.3 else 'NOT met'}")
    # tensorflow over tensorflow-cpu: telling which variant's files are on disk must not read the 1 GB library.
    both = env_with_steps("tf-over-tfcpu", ("tensorflow-cpu==2.21.0",), ("--no-deps", "tensorflow==2.21.0"))
    c = show("whynogpu --no-probe --json (tensorflow over tensorflow-cpu)",
             timed([whynogpu, "--no-probe", "--json", "--python", both], args.runs))
    print(f"side-by-side / plain TF env: {c / a:.2f}   goal: <= 0.300 s -> {'met' if c <= 0.3 else 'NOT met'}")


if __name__ == "__main__":
    main()
