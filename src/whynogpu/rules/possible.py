"""Causes a report's own setup rules out, whatever its wording resembles.

The vote of similar reports (WG836) counts words, and words travel: a PyTorch report on Windows reads like the
TensorFlow-on-Windows threads, a TensorFlow 2.1 report like those about 2.11. A cause bound to a platform or a
framework cannot be the one of a report whose named setup lies outside it, so the vote never names it there. Only
what the report names counts: a report that names no platform or framework rules nothing out.
"""

from __future__ import annotations

from whynogpu.facts.report import TriageFacts
from whynogpu.knowledge import table
from whynogpu.rules.platform import tf_gpu_row
from whynogpu.rules.usual import Setup, cuda_build_ran


def ruled_out(s: Setup | None, f: TriageFacts) -> frozenset[str]:
    """The causes the setup excludes, and those a CUDA build at work excludes."""
    out = {"cpu_only_package", "python_version_unsupported"} if cuda_build_ran(f) else set()
    if s is None:
        return frozenset(out)
    if s.place != "unknown":
        place = "windows" if s.place == "windows_bundle" else s.place
        out |= {r["category"] for r in table("cause_places") if place not in r["places"].split()}
    # TensorFlow's native-Windows CPU-only releases (knowledge/tensorflow_platforms.csv): 2.11 and later
    row = tf_gpu_row("windows", "" if s.at_most else s.version) if s.framework == "tensorflow" else None
    if s.framework in ("torch", "jax") or s.place not in ("windows", "windows_bundle", "unknown") or \
            (row is not None and row["gpu"] != "none"):
        out.add("windows_native_unsupported")
    return frozenset(out)

