"""`whynogpu capture DIR`: everything whynogpu reads on this machine, redacted, as a folder to attach to
a bug report. The check runs as usual through a recording host (host/recording.py); the folder has the
FakeHost layout (host/capture_folder.py), so `whynogpu check --replay DIR` diagnoses it again, and a
copy under tests/fixtures/hosts/ is a regression test.

Exit codes: 0 captured, 2 usage error (DIR not empty without --force, a bad --python) or a failure.
"""

from __future__ import annotations

import sys

import click

from whynogpu.cli import UserError, _check_target, _end_progress, _options, _progress, main


def _command_line(folder, python, no_probe, timeout) -> str:
    words = ["whynogpu", "capture", folder]
    if python:
        words += ["--python", python]
    if no_probe:
        words.append("--no-probe")
    if timeout is not None:
        words += ["--timeout", str(timeout)]
    return " ".join(words)


@main.command("capture")
@click.argument("folder", metavar="DIR")
@click.option("--python", "python", metavar="PATH", help="Inspect this interpreter (a venv, conda env, Jupyter kernel).")
@click.option("--no-probe", is_flag=True, help="Static facts only: no framework is imported anywhere.")
@click.option("--timeout", type=float, default=None, metavar="SECONDS", help="Time limit per probe (default 60).")
@click.option("--force", is_flag=True, help="Write into DIR even if it is not empty (a capture already there is replaced).")
def capture_cmd(folder, python, no_probe, timeout, force):
    """Record what whynogpu reads here, redacted, into DIR: attach the folder to your bug report."""
    from datetime import datetime, timezone

    from whynogpu import __version__
    from whynogpu.host.capture_folder import CaptureError, check_target, prepare, write
    from whynogpu.host.real import RealHost
    from whynogpu.host.recording import RecordingHost
    from whynogpu.pipeline import report_from_snapshot
    from whynogpu.probes import gather

    options = _options(python, no_probe, timeout)
    try:
        check_target(folder, force)  # before probing, which can take a minute
    except CaptureError as exc:
        raise UserError(str(exc)) from None
    rec = RecordingHost(RealHost())
    snapshot = gather(rec, options, progress=_progress)
    _end_progress()
    _check_target(snapshot, python)
    report = report_from_snapshot(snapshot)
    codes = [f.code for f in report.findings]
    manifest = {
        "tool": "whynogpu", "version": __version__,
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": _command_line(folder, python, no_probe, timeout),
        # what `check --replay` runs with, so that it asks the same questions the capture answered
        "options": {"probe": options.live, "python": options.python, "timeout": options.timeout},
        "verdict": {"gpu_usable": report.verdict.gpu_usable, "root_cause": report.verdict.root_cause,
                    "summary": report.verdict.summary},
        "findings": codes,
    }
    try:
        prepare(folder)
        written = write(folder, rec, manifest)
    except CaptureError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot write {folder}: {exc.strerror or exc}") from None
    n_files = sum(1 for f in written["files"] if f.startswith("root/"))
    usable = {True: "yes", False: "no", None: "unknown"}[report.verdict.gpu_usable]
    click.echo(f"whynogpu: captured {n_files} files, {len(rec.commands)} commands and {len(rec.snippets)} snippet runs "
               f"into {folder} (redacted; {folder}/manifest.json says what each file is)")
    click.echo(f"GPU usable: {usable}   root cause: {report.verdict.root_cause}   findings: {', '.join(codes) or 'none'}")
    click.echo(f"Attach the folder to your bug report (e.g. `tar czf whynogpu-capture.tgz {folder}`); "
               f"`whynogpu check --replay {folder}` diagnoses it again.")
    sys.exit(0)


def replay_report(folder: str, no_probe: bool):
    """The report of a capture folder (or any host fixture folder) diagnosed through FakeHost, with the
    options the capture ran with; `no_probe` also skips the live probes a capture recorded."""
    from whynogpu.host.capture_folder import CaptureError, load
    from whynogpu.pipeline import report_from_snapshot
    from whynogpu.probes import Options, gather

    try:
        host, manifest = load(folder)
    except CaptureError as exc:
        raise UserError(str(exc)) from None
    recorded = manifest.get("options") if isinstance(manifest.get("options"), dict) else {}
    python = recorded.get("python") if isinstance(recorded.get("python"), str) else None
    live = recorded.get("probe") is not False and not no_probe
    timeout = recorded.get("timeout")
    timeout = float(timeout) if isinstance(timeout, (int, float)) and timeout > 0 else 60.0
    snapshot = gather(host, Options(python=python, live=live, timeout=timeout))
    return report_from_snapshot(snapshot), snapshot
