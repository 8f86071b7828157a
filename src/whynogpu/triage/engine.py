"""A report's text → facts (triage/to_facts.py) → the same rules and ranking as `check` → a Report."""

from __future__ import annotations

import dataclasses

from whynogpu import __version__
from whynogpu.facts.report import TriageFacts
from whynogpu.model import ProbeResult, ProbeStatus, Report, Snapshot, Target
from whynogpu.triage.code import scan_report
from whynogpu.triage.extract import extract
from whynogpu.triage.signals import signals
from whynogpu.triage.to_facts import build


def snapshot(text: str) -> Snapshot:
    """A report as a snapshot: the reader's record of it, then the same fact types a probed machine has."""
    facts = extract(text)
    facts = dataclasses.replace(facts, signals=tuple(signals(facts)))
    probes = [ProbeResult("triage", ProbeStatus.OK, 0.0, facts=facts), *build(facts, scan_report(text))]
    return Snapshot(schema_version=1, tool_version=__version__, mode="triage", probes=tuple(probes))


def _missing(f: TriageFacts) -> tuple[str, ...]:
    out = []
    if "nvidia_smi" not in f.formats and not f.has_log("smi_no_driver", "nvml_mismatch", "nvml_unknown"):
        out.append("output of `nvidia-smi`")
    if "package_list" not in f.formats:
        out.append("`pip list | grep -i -E 'tensorflow|torch|jax|keras|nvidia'` (or `conda list`) of the environment")
    if not [m for m in f.log if m.kind in ("error", "warning", "success")]:
        out.append("the full log of `TF_CPP_MIN_LOG_LEVEL=0 python -c \"import tensorflow as tf; "
                   "print(tf.config.list_physical_devices('GPU'))\"` (or `python -m torch.utils.collect_env`)")
    if f.first("os") is None:
        out.append("the operating system, and whether it runs in WSL, Docker or a Jupyter kernel")
    return tuple(out)


def _told(f: TriageFacts) -> str:
    """What the report says about its machine, in a few words, for the header."""
    parts = []
    for key, label in (("os", ""), ("gpu", ""), ("driver", "driver "), ("tf_version", "TensorFlow "),
                       ("torch_version", "PyTorch "), ("jax_version", "JAX "), ("cuda", "CUDA "), ("python", "Python ")):
        s = f.first(key, program_only=True) or f.first(key)
        if s is not None:
            parts.append(f"{label}{s.value[:40]}")
    return ", ".join(dict.fromkeys(parts)) or "no OS, GPU or versions named"


def triage(text: str) -> Report:
    from whynogpu.pipeline import report_from_snapshot

    snap = snapshot(text)
    facts = snap.get(TriageFacts)
    report = report_from_snapshot(snap, mode="triage")
    py = facts.first("python")
    return dataclasses.replace(
        report, target=Target("a pasted report", py.value if py else None, "report", f"the report says: {_told(facts)}"),
        missing=_missing(facts) if report.verdict.root_cause == "unknown" else ())
