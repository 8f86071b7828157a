"""From a finished run to one Report, in the same model as `check`: the watch rules on what was seen and,
when the command never touched a GPU, check's rules on this machine (static facts: nothing is imported)."""

from __future__ import annotations

import os
import re
import shutil

from whynogpu import __version__, serde
from whynogpu.facts.frameworks import LogLine
from whynogpu.model import SCHEMA_VERSION, Evidence, ProbeResult, ProbeStatus, ProbeSummary, Report, Snapshot
from whynogpu.watch.facts import GpuInfo, GpuReading, HeldMemory, Sample, WatchFacts

_PYTHON = re.compile(r"^python(\d+(\.\d+)*)?$")
# whynogpu.watch() in the process cannot read what the code prints without redirecting its stderr; it does not.
NOT_READ = Evidence("what the code printed on stderr (the framework's own messages) was not read: "
                    "whynogpu.watch() runs inside the process and leaves its stderr alone",
                    "whynogpu.watch() in this process")
NOT_READ_MISSING = ("the framework's messages on stderr, which whynogpu.watch() does not read: run the script as "
                    "`whynogpu watch -- python SCRIPT.py` (they are read there), or pass them to whynogpu.triage(text)")


def facts_from(argv, outcome, interval: float, env=None) -> WatchFacts:
    """The sampler's lines and the stderr matches of a runner.Outcome, as facts."""
    env = os.environ if env is None else env
    start = outcome.start or {}
    rc = outcome.returncode
    samples = tuple(
        Sample(t=float(s.get("t", 0.0)), cpu=s.get("cpu"), processes=int(s.get("processes", 0)),
               gpus=tuple(GpuReading(index=g["index"], util=g.get("util"), memory_used_mib=g.get("memory_used_mib"),
                                     tree_mib=int(g.get("tree_mib") or 0), tree_pids=tuple(g.get("tree_pids") or ()),
                                     others=tuple(HeldMemory(o["pid"], o.get("used_mib"), o.get("name"))
                                                  for o in g.get("others") or ()))
                          for g in s.get("gpus") or ()))
        for s in outcome.samples)
    return WatchFacts(
        command=tuple(argv), exit_code=rc if rc >= 0 else None, signal=-rc if rc < 0 else None,
        duration_s=round(outcome.ended - outcome.started, 3), interval_s=interval,
        nvml=start.get("nvml") or "the sampler did not start",
        gpus=tuple(GpuInfo(g["index"], g.get("name"), g.get("uuid"), g.get("memory_total_mib"))
                   for g in start.get("gpus") or ()),
        samples=samples,
        log=tuple(LogLine(m.id, m.kind, m.categories, m.text) for m in outcome.log),
        cpu_count=int(start.get("cpu_count") or os.cpu_count() or 1),
        cuda_visible_devices=env.get("CUDA_VISIBLE_DEVICES"), cuda_device_order=env.get("CUDA_DEVICE_ORDER"),
    )


def target_python(argv) -> str | None:
    """The interpreter the command runs, when it is one (`python train.py`): check inspects that one."""
    if not argv or not _PYTHON.match(os.path.basename(argv[0])):
        return None
    return shutil.which(argv[0]) if os.sep not in argv[0] else os.path.abspath(argv[0])


def machine_snapshot(argv, host=None, python: str | None = None) -> Snapshot:
    """check's static facts on this machine, for the interpreter the command runs (or `python`)."""
    from whynogpu.probes import Options, gather

    if host is None:
        from whynogpu.host.real import RealHost

        host = RealHost()
    return gather(host, Options(python=python or target_python(argv), live=False))


def build(facts: WatchFacts, machine: Snapshot | None = None) -> Report:
    """One Report of mode "watch": the watch rules, plus check's rules on `machine` when it is given."""
    import dataclasses

    from whynogpu.pipeline import _layers, _target
    from whynogpu.rules import evaluate, load_all
    from whynogpu.verdict import decide

    load_all()
    mine = ProbeResult("watch", ProbeStatus.OK, facts.duration_s, facts=facts)
    findings = evaluate(Snapshot(1, __version__, "watch", (mine,)))
    results = (mine,)
    if machine is not None:
        findings += evaluate(machine)
        results = (*machine.probes, mine)
    ordered, verdict = decide(findings)
    missing: tuple[str, ...] = ()
    if facts.in_process:  # say that the messages were not read where the run's verdict is given
        ordered = [dataclasses.replace(f, evidence=(*f.evidence, NOT_READ)) if f.code in ("WG901", "WG902") else f
                   for f in ordered]
        if verdict.root_cause == "unknown":
            missing = (NOT_READ_MISSING,)
    whole = Snapshot(1, __version__, "check", results)
    target = _target(whole)
    if machine is not None and target.python and facts.in_process:
        target = dataclasses.replace(target, why="the interpreter of the process watched")
    elif machine is not None and target.python and target_python(facts.command):
        target = dataclasses.replace(target, why="the interpreter the command runs")
    return Report(
        schema_version=SCHEMA_VERSION, tool={"name": "whynogpu", "version": __version__}, mode="watch",
        target=target, verdict=verdict, findings=tuple(ordered),
        probes=tuple(ProbeSummary(r.name, r.status, r.duration_s, r.reason, r.side_effects) for r in results),
        layers=_layers(whole, ordered),
        facts={r.name: serde.to_data(r.facts) for r in results if r.facts is not None},
        missing=missing,
    )
