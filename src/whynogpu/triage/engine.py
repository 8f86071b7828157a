"""A report's text → facts (triage/to_facts.py) → the same rules and ranking as `check` → a Report."""

from __future__ import annotations

import dataclasses

from whynogpu import __version__
from whynogpu.facts.platform import PlatformFacts
from whynogpu.facts.report import TriageFacts
from whynogpu.model import ProbeResult, ProbeStatus, Report, Snapshot, Target
from whynogpu.rules.usual import VERSION_KEY, setup
from whynogpu.triage.code import scan_report
from whynogpu.triage.extract import extract
from whynogpu.triage.files import pasted_files
from whynogpu.triage.signals import signals
from whynogpu.triage.similar import HEAD, resemblances
from whynogpu.triage.source import ReportText
from whynogpu.triage.to_facts import build


def snapshot(text: str | ReportText, leave_out: frozenset[str] = frozenset(), resemble: bool = True) -> Snapshot:
    """A report as a snapshot: the reader's record of it, then the same fact types a probed machine has.
    `leave_out`: threads of the corpus not to compare the report with (measuring a corpus case against the rest);
    `resemble=False`: no comparison at all, the report's own evidence alone (WG836 stays silent)."""
    facts = _current(extract(text))
    head = (text if isinstance(text, ReportText) else ReportText(text)).start(HEAD) if resemble else ""
    facts = dataclasses.replace(facts, signals=tuple(signals(facts)),
                                resembles=resemblances(head, leave_out) if resemble else ())
    probes = [ProbeResult("triage", ProbeStatus.OK, 0.0, facts=facts), *build(facts, scan_report(text), pasted_files(text))]
    return Snapshot(schema_version=1, tool_version=__version__, mode="triage", probes=tuple(probes))


def _current(f: TriageFacts) -> TriageFacts:
    """A report that tells how it went ("… and that error is gone. But now …"): the failures it printed before the
    reporter says they went away are history, not the state to diagnose."""
    gone = f.has_cue("error_gone")
    if not gone:
        return f
    upto = gone[-1].line
    return dataclasses.replace(f, log=tuple(m for m in f.log if m.line > upto or m.kind not in ("error", "warning")))


# What to run next for a framework the report names, so its own message says which layer fails.
_FRAMEWORK_CHECK = {
    "tf_version": "TF_CPP_MIN_LOG_LEVEL=0 python -c \"import tensorflow as tf; print(tf.config.list_physical_devices('GPU'))\"",
    "torch_version": "python -m torch.utils.collect_env",
    "jax_version": "python -c \"import jax; jax.print_environment_info(); print(jax.devices())\"",
}


def _missing(f: TriageFacts, framework: str | None) -> tuple[str, ...]:
    """The 1-3 outputs that would decide, given what the report already holds."""
    out = []
    cues = {c.id for c in f.cues}
    if "nvidia_smi" not in f.formats and not f.has_log("smi_no_driver", "nvml_mismatch", "nvml_unknown", "smi_not_found"):
        where = " inside the container" if "container" in cues or f.all("docker_run") else \
            " inside WSL (and `ls /usr/lib/wsl/lib`)" if "wsl" in cues else ""
        out.append(f"the output of `nvidia-smi`{where}")
    if not [m for m in f.log if m.kind in ("error", "warning", "success")]:
        key = next((k for k in _FRAMEWORK_CHECK if f.first(k)), None) or VERSION_KEY.get(framework, "tf_version")
        out.append(f"the full output of `{_FRAMEWORK_CHECK[key]}`")
    if "package_list" not in f.formats:
        out.append("`pip list | grep -i -E 'tensorflow|torch|jax|keras|nvidia'` (or `conda list`) of the environment "
                   "that runs the code")
    if f.first("os") is None and len(out) < 3:
        out.append("the operating system, and whether it runs in WSL, Docker or a Jupyter kernel")
    return tuple(out[:3])


_OS_WORDS = {"linux": "Linux", "windows": "Windows", "macos": "macOS"}


def _told(f: TriageFacts, plat: PlatformFacts | None) -> str:
    """What the report says about its machine, in a few words, for the header."""
    parts = []
    if f.first("os") is None and plat is not None and (plat.os != "linux" or plat.wsl or plat.container):
        parts.append("WSL" if plat.wsl else plat.container or _OS_WORDS.get(plat.os, plat.os))
    for key, label in (("os", ""), ("gpu", ""), ("driver", "driver "), ("tf_version", "TensorFlow "),
                       ("torch_version", "PyTorch "), ("jax_version", "JAX "), ("cuda", "CUDA "), ("python", "Python ")):
        s = f.first(key, program_only=True) or f.first(key)
        if s is not None:
            parts.append(f"{label}{s.value[:40]}")
    return ", ".join(dict.fromkeys(parts)) or "no OS, GPU or versions named"


def triage(text: str | ReportText, leave_out: frozenset[str] = frozenset(), resemble: bool = True) -> Report:
    """A report's diagnosis (see snapshot() for `leave_out` and `resemble`)."""
    from whynogpu.pipeline import report_from_snapshot

    snap = snapshot(text, leave_out, resemble)
    facts = snap.get(TriageFacts)
    report = report_from_snapshot(snap, mode="triage")
    py = facts.first("python")
    found = setup(snap)
    main = found.framework if found else None
    return dataclasses.replace(
        report, target=Target("a pasted report", py.value if py else None, "report", f"the report says: {_told(facts, snap.get(PlatformFacts))}"),
        missing=_missing(facts, main) if report.verdict.root_cause == "unknown" or _guessed(report) else ())


def _guessed(report: Report) -> bool:
    """The verdict is only the setup's usual cause (WG832) or that of reports that read alike (WG836): what would
    decide is still worth asking for."""
    return bool(report.findings) and report.findings[0].origin in ("similar", "usual")
