"""`whynogpu recommend` output: text for people, JSON with check's verdict object for programs."""

from __future__ import annotations

from whynogpu import __version__, serde
from whynogpu.recommend.advise import Advice, Install
from whynogpu.recommend.machine import Machine

MARK = {"works": "✓", "driver_upgrade": "!", "no_build": "✗", "no_gpu": "✗"}


def _machine_line(m: Machine) -> str:
    named = [f"{g.name or 'NVIDIA GPU'}" + (f" (compute capability {g.compute_capability})" if g.compute_capability
                                            else "") for g in m.gpus]
    gpus = ", ".join(f"{named.count(n)} × {n}" if named.count(n) > 1 else n for n in dict.fromkeys(named))
    parts = [m.os_label + (f" {m.arch}" if m.arch else "")]
    parts.append(f"Python {m.python}" if m.python else "Python unknown")
    if m.nvidia_gpu is False:
        parts.append("no NVIDIA GPU")
    else:
        parts.append(gpus or "NVIDIA GPU unknown")
        parts.append(f"driver {m.driver}" if m.driver else "driver version unknown")
    if m.installer:
        parts.append(f"installer {m.installer.kind}")
    return ", ".join(parts)


def _install_lines(i: Install, indent: str = "    ") -> list[str]:
    out = [f"{indent}{c}" for c in i.commands]
    out += [f"{indent}# {n}" for n in i.notes]
    return out


def text(machine: Machine, advices: list[Advice], verdict=None) -> str:
    lines = [f"whynogpu {__version__} recommend — {machine.python_path or 'python'}", f"  {_machine_line(machine)}", ""]
    if machine.nvidia_gpu is False and machine.no_gpu_finding is not None:
        f = machine.no_gpu_finding
        lines.append(f"✗ {f.title} [{f.code} {f.category}]")
        lines += [f"  • {e.fact}" for e in f.evidence[:2]]
        lines.append("")
    if machine.installer and machine.installer.refused:
        lines.append(f"Note: {machine.installer.refused}.")
        lines.append("")
    for a in advices:
        lines.append(f"{MARK[a.status]} {a.summary}")
        if a.works:
            lines.append(f"  Install ({a.works.label}, CUDA {a.works.cuda}"
                         + (f", driver {a.works.min_driver} or newer" if a.works.min_driver else "") + "):")
            lines += _install_lines(a.works)
        if a.upgrade:
            lines.append(f"  Newest that needs a driver upgrade: {a.upgrade.label} — driver {a.upgrade_driver} or newer, then:")
            lines += _install_lines(a.upgrade)
        for b in a.blocked if a.status in ("no_build", "driver_upgrade") else ():
            lines.append(f"  • {b}")
        if a.ways_out:
            lines.append("  Ways out:")
            lines += [f"    - {w}" for w in a.ways_out]
        if a.hardware:
            lines.append(f"  Hardware: {a.hardware}")
        if a.wanted:
            lines.append(f"  On such a machine ({a.wanted.label}):")
            lines += _install_lines(a.wanted)
        if a.cpu:
            lines.append("  To test on the CPU here:")
            lines += _install_lines(a.cpu)
        lines += [f"  Note: {n}" for n in a.notes]
        lines.append("")
    return "\n".join(lines)


def data(machine: Machine, advices: list[Advice], report) -> dict:
    m = serde.to_data(machine)
    m.pop("no_gpu_finding", None)
    inst = machine.installer
    m["installer"] = ({"kind": inst.kind, "executable": inst.exe or inst.python, "prefix": inst.prefix,
                       "refused": inst.refused, "because": inst.because} if inst else None)
    return {
        "schema_version": 1,
        "tool": {"name": "whynogpu", "version": __version__},
        "mode": "recommend",
        "verdict": serde.to_data(report.verdict),
        "root_cause_finding": ({"code": machine.no_gpu_finding.code, "title": machine.no_gpu_finding.title}
                               if machine.no_gpu_finding else None),
        "machine": m,
        "recommendations": [serde.to_data(a) for a in advices],
    }
