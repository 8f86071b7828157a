"""A report's text → a triage Snapshot → the same rules as `check` → a Report with ranked candidates."""

from __future__ import annotations

import dataclasses

from whynogpu import __version__
from whynogpu.model import Candidate, ProbeResult, ProbeStatus, Report, Snapshot, Verdict
from whynogpu.probes.platform import PlatformFacts
from whynogpu.probes.target import Distribution, PackageOwner, TargetFacts
from whynogpu.triage.extract import extract
from whynogpu.triage.facts import TriageFacts
from whynogpu.triage.score import rank

TF_DISTS = ("tensorflow", "tensorflow-gpu", "tensorflow-cpu", "tensorflow-intel", "tf-nightly")


def _platform(f: TriageFacts) -> PlatformFacts | None:
    os_fact = f.first("os")
    if os_fact is None:
        return None
    v = os_fact.value.lower()
    name = "windows" if "windows" in v else "macos" if ("mac" in v or "darwin" in v) else "linux"
    return PlatformFacts(os=name, kernel="", distro=os_fact.value, arch="", wsl=2 if "wsl" in v else None,
                         container=None, container_evidence=(), hostname="")


def _target(f: TriageFacts) -> TargetFacts | None:
    """A target made of a pasted pip/conda list: distributions, and who owns tensorflow/ when variants coexist."""
    if not f.packages:
        return None
    dists = tuple(Distribution(p.name, p.version + (f"+{p.build}" if p.build and "cpu" in p.build else ""), "(pasted list)")
                  for p in f.packages)
    norm = [p.name.lower().replace("_", "-") for p in f.packages]
    variants = tuple(n for n in TF_DISTS if n in norm)
    owners = {"tensorflow": PackageOwner("tensorflow", variants, None, {})} if variants else {}
    py = f.first("python")
    return TargetFacts(python="python", version=py.value if py else "", implementation="CPython", prefix="",
                       base_prefix="", env_kind="unknown", platform="", machine="", chosen_because="pasted report",
                       sys_path=(), distributions=dists, packages={}, owners=owners, files={})


def snapshot(text: str) -> Snapshot:
    facts = extract(text)
    probes = [ProbeResult("triage", ProbeStatus.OK, 0.0, facts=facts)]
    plat = _platform(facts)
    if plat:
        probes.append(ProbeResult("platform", ProbeStatus.OK, 0.0, facts=plat))
    tgt = _target(facts)
    if tgt:
        probes.append(ProbeResult("target", ProbeStatus.OK, 0.0, facts=tgt))
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


def triage(text: str) -> Report:
    from whynogpu.pipeline import report_from_snapshot

    snap = snapshot(text)
    facts = snap.get(TriageFacts)
    report = report_from_snapshot(snap, mode="triage")
    ranked = rank(facts)
    candidates = tuple(Candidate(c.category, c.confidence) for c in ranked if c.confidence >= 0.15)
    # Check rules that fire on pasted package lists count as program evidence too.
    seen = {c.category for c in candidates}
    extra = [Candidate(f.category, 0.6) for f in report.findings
             if not f.code.startswith("WG8") and f.severity.value == "error" and f.category not in seen]
    candidates = tuple(sorted(candidates + tuple(extra), key=lambda c: (-c.confidence, c.category)))
    if candidates:
        top = candidates[0]
        title = next((f.title for f in report.findings if f.category == top.category), top.category)
        verdict = Verdict(True if top.category == "no_problem" else False, top.category,
                          f"{title} (confidence {top.confidence:.2f})")
    else:
        verdict = Verdict(None, "unknown", "Nothing in the report supports a cause; see what to collect below.")
    order = {c.category: i for i, c in enumerate(candidates)}
    findings = tuple(sorted(report.findings, key=lambda f: (order.get(f.category, 999), f.severity.rank, f.code)))
    return dataclasses.replace(report, verdict=verdict, findings=findings, candidates=candidates,
                               missing=_missing(facts))
