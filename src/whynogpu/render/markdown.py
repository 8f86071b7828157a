"""Markdown for pasting into an issue: verdict, evidence and fix first, details folded."""

from __future__ import annotations

import json

from whynogpu.model import Report
from whynogpu.redact import Redactor
from whynogpu.render import MARKS, SEVERITY_MARK


def render(report: Report, redactor: Redactor | None = None) -> str:
    t = redactor.text if redactor else (lambda s: s)
    out: list[str] = []
    v = report.verdict
    usable = {True: "yes", False: "no", None: "unknown"}[v.gpu_usable]
    out.append(f"## whynogpu {report.tool['version']}: GPU usable: **{usable}**   root cause: `{v.root_cause}`")
    out.append("")
    out.append(f"**Root cause:** `{v.root_cause}` — {t(v.summary)}")
    out.append("")
    if report.mode == "triage":
        out.append(f"Input: a pasted report ({t(report.target.why or '')})")
        out.append("")
    elif report.target.python:
        out.append(f"Target: `{t(report.target.python)}` (Python {report.target.version}, {report.target.env_kind})")
        out.append("")
    if report.layers:
        out.append("| | layer | status |")
        out.append("|---|---|---|")
        for line in report.layers:
            out.append(f"| {MARKS.get(line.mark, '?')} | {line.title} | {t(line.status).replace('|', '/')} |")
        out.append("")
    for i, f in enumerate(report.findings):
        if i == 1:
            out.append("### Also found")
            out.append("")
        head = "###" if i == 0 else "####"
        out.append(f"{head} {SEVERITY_MARK[f.severity.value]} {t(f.title)} (`{f.code}` `{f.category}`)")
        if f.location:
            out.append(f"`{t(f.location.path)}:{f.location.line}:{f.location.column}`")
        for e in f.evidence:
            out.append(f"- {t(e.fact)} — _{t(e.source)}_")
        out.append("")
        out.append(t(f.explanation))
        if f.fix:
            out.append("")
            out.append(f"**Fix:** {t(f.fix.text)}")
            if f.fix.commands:
                out.append("```sh")
                out.extend(t(c) for c in f.fix.commands)
                out.append("```")
        out.append("")
    if report.missing:
        out.append("### What would settle it")
        out.extend(f"- {t(m)}" for m in report.missing)
        out.append("")
    probes = ", ".join(f"{p.name} {p.status.value} {p.duration_s:.2f}s" for p in report.probes)
    if probes:
        out.append(f"<details><summary>Probes</summary>\n\n{probes}\n\n</details>")
    if report.facts:
        facts = redactor.data(report.facts) if redactor else report.facts
        out.append("")
        out.append("<details><summary>Facts</summary>\n\n```json")
        out.append(json.dumps(facts, indent=1, ensure_ascii=False)[:20000])
        out.append("```\n</details>")
    return "\n".join(out) + "\n"
