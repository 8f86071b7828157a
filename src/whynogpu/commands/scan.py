"""`whynogpu scan PATH...`: the code that keeps the GPU idle, found without running it.

Exit codes follow linters: 0 when no error-severity finding, 1 when there is one, 2 for a
usage problem (a path that does not exist, a malformed --select).
"""

from __future__ import annotations

import re
import sys
import time

import click

from whynogpu.cli import UserError, emit, main

_CODE = re.compile(r"^WG\d{0,3}$")


def _codes(text: str | None, option: str) -> tuple[str, ...]:
    if not text:
        return ()
    codes = tuple(c.strip().upper() for c in text.split(",") if c.strip())
    for c in codes:
        if not _CODE.match(c):
            raise UserError(f"{option}: {c!r} is not a finding code or prefix (like WG701 or WG71)")
    return codes


def select(findings, chosen: tuple[str, ...], ignored: tuple[str, ...]):
    """Findings whose code starts with a --select prefix (if any) and with no --ignore prefix."""
    return [f for f in findings
            if (not chosen or f.code.startswith(chosen)) and not f.code.startswith(ignored or ("\0",))]


def scan_report(host, paths: tuple[str, ...], chosen=(), ignored=()):
    """Scan `paths` and build the Report (plus the facts and the time it took)."""
    from whynogpu import __version__
    from whynogpu.lint import code_roots, lint
    from whynogpu.model import (
        SCHEMA_VERSION,
        ProbeResult,
        ProbeStatus,
        ProbeSummary,
        Report,
        Snapshot,
        Target,
    )
    from whynogpu.pipeline import _layers
    from whynogpu.rules import evaluate, load_all
    from whynogpu.scan import scan
    from whynogpu.serde import to_data
    from whynogpu.verdict import decide

    start = time.monotonic()
    facts = scan(host, code_roots(host, paths))
    middle = time.monotonic()
    files = lint(host, paths)  # Dockerfiles, compose, Kubernetes, package files (whynogpu/lint)
    seconds = time.monotonic() - start
    result = ProbeResult("code_scan", ProbeStatus.OK, round(middle - start, 4), facts=facts)
    file_result = ProbeResult("file_scan", ProbeStatus.OK, round(seconds - (middle - start), 4), facts=files)
    snap = Snapshot(schema_version=1, tool_version=__version__, mode="scan", probes=(result, file_result))
    load_all()
    ordered, verdict = decide(select(evaluate(snap), chosen, ignored))
    report = Report(
        schema_version=SCHEMA_VERSION, tool={"name": "whynogpu", "version": __version__}, mode="scan",
        target=Target(None, None, None), verdict=verdict, findings=tuple(ordered),
        probes=(ProbeSummary(result.name, result.status, result.duration_s),
                ProbeSummary(file_result.name, file_result.status, file_result.duration_s)),
        layers=_layers(snap, ordered), facts={"code_scan": to_data(facts), "file_scan": to_data(files)},
    )
    return report, facts, seconds


def _check_named(host, path: str) -> None:
    """A path named on the command line must be readable: it is what the user asked about.

    (Inside a folder, an unreadable file or subfolder is only a skipped-file note.)
    """
    import stat

    st = host.stat(path)
    if st is None:
        raise UserError(f"{path}: no such file or directory")
    if stat.S_ISDIR(st.mode):
        if host.listdir(path) is None:
            raise UserError(f"{path}: folder cannot be read")
    elif not stat.S_ISREG(st.mode):  # opening a FIFO would wait for a writer forever
        raise UserError(f"{path}: not a regular file (a pipe, a device or a socket)")
    elif host.read_text(path, limit=1) is None:
        raise UserError(f"{path}: cannot be read")


@main.command("scan")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--select", "select_", metavar="CODES", help="Only report these codes or prefixes (e.g. WG701,WG71).")
@click.option("--ignore", metavar="CODES", help="Never report these codes or prefixes.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "sarif"]), default="text",
              help="Output format; sarif is SARIF 2.1.0 for GitHub code scanning.")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--markdown", "as_md", is_flag=True, help="Same as --format markdown.")
@click.option("--no-redact", is_flag=True, help="Keep user names and home paths in JSON/Markdown.")
@click.option("-v", "--verbose", is_flag=True, help="Explain every finding.")
def scan_cmd(paths, select_, ignore, fmt, as_json, as_md, no_redact, verbose):
    """Find code that hides the GPU or pins work to the CPU (files, directories, notebooks)."""
    from whynogpu.host.real import RealHost

    chosen, ignored = _codes(select_, "--select"), _codes(ignore, "--ignore")
    host = RealHost()
    for p in paths:
        _check_named(host, p)
    report, facts, seconds = scan_report(host, tuple(paths), chosen, ignored)
    if fmt == "sarif" and not (as_json or as_md):
        from whynogpu.scan.sarif import render

        click.echo(render(report), nl=False)
    elif fmt == "text" and not (as_json or as_md):
        from whynogpu.scan.textout import render as text

        files = report.facts["file_scan"]["files_scanned"]
        click.echo(text(report, facts.files_scanned + files, seconds, verbose), nl=False)
    else:
        emit(report, fmt, as_json, as_md, no_redact, verbose, host=host)
    sys.exit(report.exit_code)
