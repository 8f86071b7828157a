"""Full `whynogpu` against the slowest bare "import X; list devices", side by side in one run.

Goal (issue 5): whynogpu with TensorFlow, torch and JAX installed takes at most 1.15 × the slowest
single bare `python -c "import X; <list devices>"` on this machine. Runs are interleaved (one of
each per round) so machine noise hits all commands alike; the first round is a warm-up.

    python benchmarks/bench_live.py --python ~/.cache/whynogpu-it/all-cpu/bin/python --rounds 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

BARE = {
    "tensorflow": "import tensorflow as tf; tf.config.list_physical_devices('GPU')",
    "torch": "import torch; torch.cuda.is_available()",
    "jax": "import jax; jax.devices()",
}
GOAL = 1.15


def timed(argv: list[str]) -> float:
    start = time.monotonic()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.monotonic() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--python", required=True, help="interpreter with tensorflow, torch and jax installed")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    whynogpu = os.path.join(os.path.dirname(sys.executable), "whynogpu")
    commands = {name: [args.python, "-c", code] for name, code in BARE.items()}
    commands["whynogpu"] = [whynogpu, "--python", args.python]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for r in range(args.rounds + 1):
        for name, argv in commands.items():
            t = timed(argv)
            if r:  # round 0 warms the page cache
                times[name].append(t)
    med = {name: statistics.median(ts) for name, ts in times.items()}
    slowest = max((n for n in BARE), key=lambda n: med[n])
    ratio = med["whynogpu"] / med[slowest]
    for name, ts in times.items():
        print(f"{name:11s} median {med[name]:6.2f} s  min {min(ts):6.2f}  max {max(ts):6.2f}  (n={len(ts)})")
    print(f"ratio whynogpu / slowest bare ({slowest}): {ratio:.2f} (goal <= {GOAL})")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
