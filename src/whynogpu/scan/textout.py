"""Terminal output of `whynogpu scan`: one block per finding in the `path:line:col: CODE` form
editors and CI logs link to, then a one-line summary."""

from __future__ import annotations

from whynogpu.model import Report, Severity
from whynogpu.rules import folded


def render(report: Report, files: int, seconds: float, verbose: bool = False) -> str:
    out: list[str] = []
    shown = [f for f in report.findings if f.severity is not Severity.INFO]
    for f in sorted(shown, key=lambda f: (f.location.path, f.location.line, f.code) if f.location else ("", 0, f.code)):
        loc = f"{f.location.path}:{f.location.line}:{f.location.column}" if f.location else "?"
        out.append(f"{loc}: {f.code} {f.severity.value}: {f.title}")
        if f.evidence:
            out.append(f"    {f.evidence[0].fact}")
        if verbose:
            out.extend(f"    • {e.fact} ({e.source})" for e in f.evidence[1:])
            out.append(f"    {f.explanation}")
        elif folded(f):
            out.append(f"    • {folded(f)}")
        if f.fix:
            out.append(f"    fix: {f.fix.text}")
            out.extend(f"        {c}" for c in f.fix.commands)
    skipped = [f for f in report.findings if f.severity is Severity.INFO]
    for f in skipped:
        where = f.location.path if f.location else "?"
        out.append(f"{where}: skipped: {f.evidence[0].fact if f.evidence else f.title}")
    counts = {s: sum(1 for f in shown if f.severity is s) for s in (Severity.ERROR, Severity.WARNING, Severity.HINT)}
    parts = [f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts.items()]
    tail = f"; {len(skipped)} skipped" if skipped else ""
    if out:
        out.append("")
    out.append(f"Scanned {files} file{'s' if files != 1 else ''} in {seconds:.2f}s: {', '.join(parts)}{tail}.")
    if counts[Severity.ERROR]:
        out.append(f"Root cause: {report.verdict.root_cause} — {report.verdict.summary}")
    return "\n".join(out) + "\n"
