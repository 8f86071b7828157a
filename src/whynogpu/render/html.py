"""HTML: one self-contained page (`--format html`) and the fragment a notebook shows (`Report._repr_html_`).

Verdict first, each finding's fix as commands in code blocks that select whole on one click, evidence
folded in <details>. No script, font, image or link that loads anything: the file is attached to tickets
and opened offline, and a notebook shows it without trusting it. Every piece of report text is escaped,
since evidence quotes logs and paths the user does not control.
"""

from __future__ import annotations

import json
from html import escape

from whynogpu.model import Report
from whynogpu.redact import Redactor
from whynogpu.render import MARKS, SEVERITY_MARK

USABLE = {True: "yes", False: "no", None: "unknown"}

# Scoped to .whynogpu so that the notebook around the fragment keeps its own look.
CSS = """
.whynogpu{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1d1d1f;max-width:60rem}
.whynogpu h1{font-size:1.1rem;margin:0 0 .2rem}
.whynogpu .why{color:#666;margin:0 0 .8rem}
.whynogpu .verdict-box{border-left:6px solid #888;background:#f6f6f6;padding:.6rem .9rem;margin:.6rem 0 1rem}
.whynogpu .verdict-box.bad{border-color:#c62828;background:#fdecea}
.whynogpu .verdict-box.good{border-color:#2e7d32;background:#edf7ee}
.whynogpu .verdict-box.unsure{border-color:#b26a00;background:#fff4e0}
.whynogpu .verdict{font-size:1.15rem;font-weight:600;margin:0;white-space:pre-wrap}
.whynogpu .summary{margin:.3rem 0 0}
.whynogpu code,.whynogpu pre{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.88em}
.whynogpu pre.cmd{background:#1e1e1e;color:#f2f2f2;padding:.45rem .7rem;border-radius:4px;margin:.25rem 0;
  white-space:pre-wrap;word-break:break-all;user-select:all;cursor:text}
.whynogpu .finding{border:1px solid #ddd;border-radius:6px;padding:.5rem .8rem;margin:.6rem 0}
.whynogpu .finding h2,.whynogpu .finding h3{font-size:1rem;margin:.1rem 0 .3rem}
.whynogpu .tag{color:#666;font-weight:normal;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.85em}
.whynogpu .error{color:#c62828}.whynogpu .warning{color:#b26a00}.whynogpu .ok{color:#2e7d32}
.whynogpu .hint,.whynogpu .info,.whynogpu .skipped{color:#555}.whynogpu .unknown{color:#8e24aa}
.whynogpu table{border-collapse:collapse;margin:.4rem 0 .8rem}
.whynogpu td{padding:.15rem .6rem .15rem 0;vertical-align:top}
.whynogpu details{margin:.3rem 0}
.whynogpu summary{cursor:pointer;color:#444}
.whynogpu ul{margin:.2rem 0;padding-left:1.3rem}
.whynogpu .src{color:#777;font-size:.9em}
.whynogpu pre.facts{background:#f6f6f6;padding:.5rem;max-height:30rem;overflow:auto;white-space:pre-wrap}
@media print{
  .whynogpu{max-width:none;font-size:11pt}
  .whynogpu pre.cmd{background:#fff;color:#000;border:1px solid #999}
  .whynogpu .finding{break-inside:avoid}
  .whynogpu details::details-content{content-visibility:visible;display:block}
  .whynogpu pre.facts{max-height:none;overflow:visible}
}
"""


def verdict_line(report: Report) -> str:
    """The verdict as the text report prints it; every other form shows these words."""
    return f"GPU usable: {USABLE[report.verdict.gpu_usable]}   root cause: {report.verdict.root_cause}"


def _tag(f) -> str:
    return f.code if f.category == "unknown" else f"{f.code} {f.category}"


def _finding(f, t, first: bool, root: str) -> str:
    sev = f.severity.value
    label = "Root cause" if first and f.category == root else sev.capitalize()
    head = "h2" if first else "h3"
    out = [f'<div class="finding {sev}-finding">',
           f'<{head}><span class="{sev}">{SEVERITY_MARK[sev]} {label}:</span> {escape(t(f.title))} '
           f'<span class="tag">[{escape(_tag(f))}]</span></{head}>']
    if f.location:
        out.append(f"<p>at <code>{escape(t(f.location.path))}:{f.location.line}:{f.location.column}</code></p>")
    out.append(f"<p>{escape(t(f.explanation))}</p>")
    if f.fix:
        out.append(f"<p><b>Fix:</b> {escape(t(f.fix.text))}</p>")
        out.extend(f'<pre class="cmd"><code>{escape(t(c))}</code></pre>' for c in f.fix.commands)
    if f.evidence:
        items = "".join(f'<li>{escape(t(e.fact))} <span class="src">({escape(t(e.source))})</span></li>'
                        for e in f.evidence)
        out.append(f'<details{" open" if first else ""}><summary>Evidence ({len(f.evidence)})</summary>'
                   f"<ul>{items}</ul></details>")
    out.append("</div>")
    return "\n".join(out)


def fragment(report: Report, redactor: Redactor | None = None) -> str:
    """The report as one <div> with its own scoped style, for a notebook cell."""
    t = redactor.text if redactor else (lambda s: s)
    v, tgt = report.verdict, report.target
    out = [f"<style>{CSS}</style>", '<div class="whynogpu">']
    out.append(f"<h1>whynogpu {escape(report.tool.get('version', ''))}"
               + (f" — <code>{escape(t(tgt.python))}</code> (Python {escape(tgt.version or '?')}, "
                  f"{escape(tgt.env_kind or '?')})" if tgt.python and report.mode != "triage" else "")
               + (" — a pasted report" if report.mode == "triage" else "") + "</h1>")
    if tgt.why:
        why = tgt.why if report.mode == "triage" else f"inspected because it is {tgt.why}"
        out.append(f'<p class="why">{escape(t(why))}</p>')
    mood = {True: "good", False: "bad", None: "unsure"}[v.gpu_usable]
    out.append(f'<div class="verdict-box {mood}"><p class="verdict" id="verdict">{escape(verdict_line(report))}</p>'
               f'<p class="summary">{escape(t(v.summary))}</p></div>')
    if report.findings:
        out.append(_finding(report.findings[0], t, True, v.root_cause))
    if report.layers:
        rows = "".join(f'<tr><td class="{escape(line.mark)}">{MARKS.get(line.mark, "?")}</td><td><b>{escape(line.title)}</b>'
                       f"</td><td>{escape(t(line.status))}</td></tr>" for line in report.layers)
        out.append(f"<table>{rows}</table>")
    if len(report.findings) > 1:
        out.append("<h2>Also found</h2>")
        out.extend(_finding(f, t, False, v.root_cause) for f in report.findings[1:])
    if report.missing:
        out.append("<h2>What would settle it</h2><ul>" + "".join(f"<li>{escape(t(m))}</li>" for m in report.missing)
                   + "</ul>")
    if report.probes:
        items = "".join(f"<li>{escape(p.name)}: {escape(p.status.value)} in {p.duration_s:.2f}s"
                        + (f" — {escape(t(p.reason.message))}" if p.reason else "") + "</li>" for p in report.probes)
        out.append(f"<details><summary>Probes ({len(report.probes)})</summary><ul>{items}</ul></details>")
    if report.facts:
        facts = redactor.data(report.facts) if redactor else report.facts
        text = json.dumps(facts, indent=1, ensure_ascii=False)[:20000]
        out.append(f'<details><summary>Facts</summary><pre class="facts">{escape(text)}</pre></details>')
    out.append("</div>")
    return "\n".join(out)


def render(report: Report, redactor: Redactor | None = None) -> str:
    """A whole page: the fragment, a title and nothing that loads from elsewhere."""
    title = f"whynogpu: {verdict_line(report)}"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            # the browser itself refuses any load, should report text ever carry markup past the escaping
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
            f"<title>{escape(title)}</title><style>body{{margin:1.5rem}}</style></head>\n<body>\n{fragment(report, redactor)}\n</body></html>\n")
