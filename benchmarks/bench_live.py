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

BARE = {  # the slowest (TensorFlow) last, so that it sits next to whynogpu in every round
    "torch": "import torch; torch.cuda.is_available()",
    "jax": "import jax; jax.devices()",
    "tensorflow": "import tensorflow as tf; tf.config.list_physical_devices('GPU')",
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
    names = list(commands)
    for r in range(args.rounds + 1):
        # the two commands compared sit side by side, and take turns going first
        last_two = names[-2:] if r % 2 else names[-2:][::-1]
        for name in names[:-2] + last_two:
            t = timed(commands[name])
            if r:  # round 0 warms the page cache
                times[name].append(t)
    med = {name: statistics.median(ts) for name, ts in times.items()}
    slowest = max((n for n in BARE), key=lambda n: med[n])
    ratio = med["whynogpu"] / med[slowest]
    # This VM's speed drifts by ±10 % from minute to minute, which moves both commands of a round
    # alike: the ratio within each round is the steadier figure, and the one the goal is judged on.
    beside = names[-2]  # the bare command run next to whynogpu in every round
    pairs = list(zip(times["whynogpu"], times[beside], strict=True))
    paired = statistics.median(w / b for w, b in pairs)
    for name, ts in times.items():
        print(f"{name:11s} median {med[name]:6.2f} s  min {min(ts):6.2f}  max {max(ts):6.2f}  (n={len(ts)})")
    if beside != slowest:
        print(f"note: {slowest}, not {beside}, was the slowest here; the per-round ratios are against {beside}")
    print(f"per-round ratios against {beside}:", " ".join(f"{w / b:.2f}" for w, b in pairs))
    print(f"ratio of medians whynogpu / slowest bare ({slowest}): {ratio:.2f}")
    print(f"median of per-round ratios: {paired:.2f} (goal <= {GOAL})")
    return 0 if paired <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
