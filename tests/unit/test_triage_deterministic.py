"""A report reads the same on every run: nothing in its order may depend on Python's per-process hash seed.

Sets of strings iterate in an order that changes with PYTHONHASHSEED; a report that listed the libraries it
found in set order changed from one run to the next (the copies of cuFFT and cuSOLVER swapped places).
"""
import os
import subprocess
import sys

CASE = os.path.join(os.path.dirname(__file__), "..", "triage", "corpus", "2400-tf113-cuda9-dll-load-failed.txt")


def _json(path: str, seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run([sys.executable, "-m", "whynogpu", "triage", "--json", path], capture_output=True,
                         text=True, env=env, timeout=120)
    return out.stdout


def test_report_is_the_same_under_any_hash_seed(tmp_path):
    with open(CASE, encoding="utf-8") as fh:
        body = fh.read().split("\n---\n", 1)[1]
    path = tmp_path / "report.txt"
    path.write_text(body)
    first = _json(str(path), "1")
    assert '"soname"' in first  # the libraries the report shows are in the output compared
    assert all(_json(str(path), seed) == first for seed in ("2", "3"))
