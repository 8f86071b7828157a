"""`whynogpu fleet --from DIR` at scale, simulated: 1,000 and 10,000 node snapshots, each one made distinct
(its GPU memory in use and probe timings differ, as on real nodes) so no cache of equal snapshots flatters it,
with 1 % of nodes on another driver and 1 % with CUDA_VISIBLE_DEVICES set. The base snapshot is the fixture
healthy RTX 3080 host with TensorFlow computing on its GPU (tests/unit/test_fleet_summary.py).

Run: .venv/bin/python benchmarks/bench_fleet.py [N ...]     (default: 1000 10000)

For each N, the whole command (`python -m whynogpu fleet --from DIR`, text and --json) runs in its own child
process: wall time, the child's own peak memory (os.wait4's rusage), and the time per node, so a loss of
linearity shows. The target: under 2 s for 1,000 nodes on this project's 2-core machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "unit"))

from test_fleet_summary import node_snapshot  # noqa: E402

from whynogpu.snapshot_io import to_data  # noqa: E402


def write_fleet(folder: str, n: int) -> None:
    kinds = {"base": to_data(node_snapshot()), "driver": to_data(node_snapshot(driver="535.104.05")),
             "hidden": to_data(node_snapshot(env={"CUDA_VISIBLE_DEVICES": "1"}))}
    texts = {k: json.dumps(v) for k, v in kinds.items()}
    for i in range(n):
        kind = "driver" if i % 100 == 17 else "hidden" if i % 100 == 53 else "base"
        # distinct per node: memory in use and a timing, where real nodes differ
        text = texts[kind].replace('"memory_used_mib": 312', f'"memory_used_mib": {312 + i}', 1)
        text = text.replace('"duration_s": 0.0', f'"duration_s": 0.{i:06d}', 1)
        with open(os.path.join(folder, f"node{i:05d}.json"), "w", encoding="utf-8") as fh:
            fh.write(text)


def run(folder: str, *args: str) -> tuple[float, float, int, str]:
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "whynogpu", "fleet", "--from", folder, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    last = out.decode().rstrip().splitlines()[-1] if not args else f"{len(out) >> 20} MiB of JSON"
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), last


def main(sizes: list[int]) -> None:
    for n in sizes:
        with tempfile.TemporaryDirectory() as folder:
            write_fleet(folder, n)
            for args in ((), ("--json",)):
                wall, mib, code, last = run(folder, *args)
                print(f"{n:>6} nodes {' '.join(args) or 'text':>6}: {wall:6.2f} s wall, {wall / n * 1000:.2f} ms/node, "
                      f"peak {mib:.0f} MiB, exit {code}: {last[:100]}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
