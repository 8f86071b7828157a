"""The terminal report, in the shape of `flutter doctor`: overview, then root cause first."""

from __future__ import annotations

import io
import re
from typing import Any

from whynogpu.model import Report
from whynogpu.render import MARKS, SEVERITY_MARK

STYLE = {"ok": "green", "warning": "yellow", "error": "red", "unknown": "magenta", "skipped": "dim",
         "hint": "cyan", "info": "dim"}


def _flatten(prefix: str, value: Any, out: list[str], limit: int = 12) -> None:
    if isinstance(value, dict):
        for k, v in list(value.items())[:40]:
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out, limit)
    elif isinstance(value, list):
        if all(not isinstance(v, (dict, list)) for v in value):
            shown = ", ".join(str(v) for v in value[:limit])
            more = f" … (+{len(value) - limit})" if len(value) > limit else ""
            out.append(f"{prefix}: [{shown}{more}]")
        else:
            for i, v in enumerate(value[:limit]):
                _flatten(f"{prefix}[{i}]", v, out, limit)
            if len(value) > limit:
                out.append(f"{prefix}: … {len(value) - limit} more")
    else:
        s = str(value)
        if "\n" in s or len(s) > 160:
            s = s.replace("\n", "⏎")[:160] + "…"
        out.append(f"{prefix}: {s}")


# A run of backslashes, then one of the tags this renderer writes or a bracket. As in rich markup,
# each pair of backslashes prints one, and an odd one left over makes the bracket literal.
_BRACKET = re.compile(r"(\\*)(\[/?(?:bold|dim|red|green|yellow|cyan|magenta)?\]|\[)")


def escape(text: str) -> str:
    """Make user text safe inside rich markup: a bracket is always literal, and so is a backslash,
    even one that ends the text (a Windows folder) or stands before a bracket."""
    return re.sub(r"(\\+)(?=\[|$)", lambda m: m.group(1) * 2, text).replace("[", "\\[")


def plain(markup: str) -> str:
    """The text a rich console would print for `markup`, without styles."""
    def one(m: re.Match) -> str:
        slashes, what = m.group(1), m.group(2)
        kept = "\\" * (len(slashes) // 2)
        if len(slashes) % 2 or what == "[":
            return kept + what  # an escaped bracket, or a lone one, is printed
        return kept  # a style tag is not

    return _BRACKET.sub(one, markup)


def _tag(f) -> str:
    """'WG404 package_conflict': the code to look up, and the cause when the finding names one."""
    return f.code if f.category == "unknown" else f"{f.code} {f.category}"


def render(report: Report, verbose: bool = False, color: bool | None = None, width: int | None = None) -> str:
    buf = io.StringIO()
    if color:
        from rich.console import Console

        con = Console(file=buf, force_terminal=True, width=width or 100, highlight=False, soft_wrap=True)
        p = con.print
    else:
        # Piped or redirected output has no colour to show, and rich costs ~0.1 s to import:
        # print the same lines with the markup taken out.
        def p(text: str = "", end: str = "\n", soft_wrap: bool = True) -> None:
            buf.write(plain(text) + end)
    v = report.verdict
    tgt = report.target
    p(f"[bold]whynogpu {escape(report.tool['version'])}[/bold]", end="")
    if report.mode == "triage":
        p(f" — {escape(tgt.python or 'a pasted report')}")
        p(f"  [dim]{escape(tgt.why or '')}[/dim]")
    elif tgt.python:
        p(f" — {escape(tgt.python)} (Python {escape(tgt.version or '?')}, {escape(tgt.env_kind or '?')})")
        if tgt.why:
            p(f"  [dim]inspected because it is {escape(tgt.why)}[/dim]")
    else:
        p("")
    p("")
    for line in report.layers:
        style = STYLE.get(line.mark, "")
        p(f"[{style}]\\[{MARKS.get(line.mark, '?')}][/{style}] [bold]{escape(line.title)}[/bold]: {escape(line.status)}")
        if verbose:
            for d in line.details:
                p(f"    • {escape(d)}")
    p("")
    usable = {True: "[green]yes[/green]", False: "[red]no[/red]", None: "[yellow]unknown[/yellow]"}[v.gpu_usable]
    p(f"[bold]GPU usable: {usable}[/bold]   root cause: [bold]{escape(v.root_cause)}[/bold]")
    p(f"{escape(v.summary)}")
    for i, f in enumerate(report.findings):
        sev = f.severity.value
        style = STYLE.get(sev, "")
        p("")
        if i == 1:
            p("[bold]Also found[/bold]")
        label = "Root cause" if i == 0 and f.category == v.root_cause else sev.capitalize()
        p(f"[{style}]{SEVERITY_MARK[sev]} {label}:[/{style}] [bold]{escape(f.title)}[/bold] [dim]\\[{_tag(f)}][/dim]")
        if i > 0 and not verbose and sev in ("hint", "info"):
            continue
        if f.location:
            p(f"  at {escape(f.location.path)}:{f.location.line}:{f.location.column}")
        for e in f.evidence:
            p(f"  • {escape(e.fact)} [dim]({escape(e.source)})[/dim]")
        p(f"  {escape(f.explanation)}")
        if f.fix:
            p(f"  [bold]Fix:[/bold] {escape(f.fix.text)}")
            for c in f.fix.commands:
                p(f"    [cyan]{escape(c)}[/cyan]", soft_wrap=True)
    if report.missing:
        p("")
        p("[bold]What would settle it[/bold]")
        for m in report.missing:
            p(f"  • {escape(m)}")
    if verbose:
        p("")
        p("[bold]Probes[/bold]")
        for pr in report.probes:
            reason = f" — {pr.reason.message}" if pr.reason else ""
            p(f"  {escape(pr.name)}: {pr.status.value} in {pr.duration_s:.2f}s{escape(reason)}")
            if pr.reason and pr.reason.command:
                p(f"    command: {escape(' '.join(pr.reason.command))} (exit {pr.reason.exit_code})")
            if pr.side_effects and pr.status.value != "not_applicable":
                p(f"    [dim]may change the machine: {escape(pr.side_effects)}[/dim]")
            if pr.reason and pr.reason.stderr_tail:
                for ln in pr.reason.stderr_tail.splitlines():
                    p(f"    | {escape(ln)}")
        p("")
        p("[bold]Facts[/bold]")
        for name, facts in report.facts.items():
            lines: list[str] = []
            _flatten("", facts, lines)
            p(f"  [bold]{escape(name)}[/bold]")
            for ln in lines:
                p(f"    {escape(ln)}", soft_wrap=True)
    elif report.findings:
        p("")
        p("[dim]Run with -v for the facts behind every line, --markdown for a report to paste in an issue.[/dim]")
    return buf.getvalue()
