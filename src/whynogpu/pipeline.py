"""The whole check: gather facts, run rules, decide, build the report."""

from __future__ import annotations

import dataclasses

from whynogpu import __version__, serde
from whynogpu.categories import LAYERS, layer_of
from whynogpu.host.base import Host
from whynogpu.model import (
    SCHEMA_VERSION,
    LayerLine,
    ProbeStatus,
    ProbeSummary,
    Report,
    Severity,
    Snapshot,
    Target,
)
from whynogpu.probes import Options, gather, load_all
from whynogpu.rules import SUMMARIES, evaluate_read
from whynogpu.rules import load_all as load_rules
from whynogpu.rules.similar import alternatives
from whynogpu.verdict import ORIGINS, rank


def check(host: Host | None = None, options: Options | None = None, progress=None) -> Report:
    if host is None:
        from whynogpu.host.real import RealHost

        host = RealHost()
    snapshot = gather(host, options or Options(), progress=progress, idle=load_rules)
    return report_from_snapshot(snapshot)


def _target(snapshot: Snapshot) -> Target:
    from whynogpu.facts.target import TargetFacts

    t = snapshot.get(TargetFacts)
    if t is None:
        return Target(None, None, None, None)
    return Target(t.python, t.version, t.env_kind, t.chosen_because)


def _layers(snapshot: Snapshot, findings) -> tuple[LayerLine, ...]:
    probes = load_all()
    lines = []
    report = snapshot.mode == "triage"
    for layer in LAYERS:
        mine = [f for f in findings if layer_of(f.code, f.category) == layer.id]
        problems = [f for f in mine if f.severity in (Severity.ERROR, Severity.WARNING)]
        results = [r for r in snapshot.probes if probes.get(r.name) and probes[r.name].layer == layer.id]
        broken = [r for r in results if r.status in (ProbeStatus.FAILED, ProbeStatus.CRASHED, ProbeStatus.TIMED_OUT)]
        texts, more = [], []  # a summary gives the layer's status line (str) or detail lines (tuple)
        for fn in SUMMARIES.get(layer.id, []):
            out = fn(snapshot)
            if isinstance(out, tuple):
                more.extend(out)
            elif out:
                texts.append(out)
        if problems:
            worst = min(problems, key=lambda f: f.severity.rank)
            mark = worst.severity.value
            status = worst.title
        elif report:
            continue  # a report's silence on a layer says nothing about it: no ✓ without a finding
        elif broken:
            mark, status = "unknown", f"could not check: {broken[0].reason.message if broken[0].reason else broken[0].status.value}"
        elif texts:
            mark, status = "ok", texts[0]
        elif mine:
            mark, status = "ok", mine[0].title
        else:
            continue  # nothing was looked at on this layer
        details = tuple(texts[1:] if texts and texts[0] == status else texts) + tuple(more)
        lines.append(LayerLine(layer.id, layer.title, mark, status, details))
    return tuple(lines)


# The probes whose facts make a finding of each layer (code band): a rule may read other layers for
# context (the target's python path for a fix), but its conclusion stands on these.
LAYER_PROBES = {"platform": ("platform",), "gpu": ("gpu", "driver"), "cuda": ("cuda_libs", "driver"),
                "packages": ("target", "frameworks"), "frameworks": ("frameworks_live", "frameworks"),
                "environment": ("environment",), "code": ("code_scan",)}


def _weigh(finding, read: frozenset[str], origins: dict[str, str]):
    """A report's finding gets the weakest origin of the facts of its own layer that its rule read."""
    if finding.origin or not origins:
        return finding
    own = [n for n in LAYER_PROBES.get(layer_of(finding.code, finding.category), ()) if n in read and n in origins]
    used = own or [n for n in read if n in origins]
    if not used:
        return finding
    weakest = max((origins[n] for n in used), key=ORIGINS.index)
    return dataclasses.replace(finding, origin=weakest)


def report_from_snapshot(snapshot: Snapshot, mode: str | None = None) -> Report:
    load_rules()
    origins = {r.name: r.origin for r in snapshot.probes if r.origin in ORIGINS}
    findings = [_weigh(f, read, origins) for f, read in evaluate_read(snapshot)]
    # A report, even one whose facts all came as cues (no fact probe with an origin), lists its candidates.
    report = bool(origins) or (mode or snapshot.mode) == "triage"
    ordered, verdict, candidates = rank(findings, alternatives(snapshot) if report else ())
    if report:  # a report: evidence that only repeats a cause already found adds nothing to read
        by_facts = {f.category for f in ordered if not f.code.startswith("WG8")}
        seen: set[str] = set()
        kept = []
        for f in ordered:
            repeats = f.category in by_facts if f.code.startswith("WG8") else False
            if repeats or (f.code in ("WG827", "WG828") and f.category in seen):
                continue  # a message or words naming a cause that a fact-based finding (or another one) names
            seen.add(f.category)
            kept.append(f)
        ordered = kept
    return Report(
        schema_version=SCHEMA_VERSION,
        tool={"name": "whynogpu", "version": __version__},
        mode=mode or snapshot.mode,
        target=_target(snapshot),
        verdict=verdict,
        findings=tuple(ordered),
        probes=tuple(ProbeSummary(r.name, r.status, r.duration_s, r.reason, r.side_effects) for r in snapshot.probes),
        layers=_layers(snapshot, ordered),
        facts={r.name: serde.to_data(r.facts) for r in snapshot.probes if r.facts is not None},
        candidates=candidates[:3] if report else (),
    )
