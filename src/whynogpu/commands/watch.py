"""`whynogpu watch [--interval S] [--json FILE] [--plot FILE.png] -- COMMAND ARGS...`: run a command unchanged,
watch its GPU use, then say whether it used the GPU and, if not, why (the logic is in whynogpu/watch/).

Exit code: the command's own (128+N when a signal N ended it); 127/126 when it cannot be started (not
found / not executable), as a shell says; 2 for a usage error (one line on stderr).
"""

from __future__ import annotations

import math
import os
import sys

import click

from whynogpu.cli import UserError, main

MIN_INTERVAL, MAX_INTERVAL = 0.05, 3600.0


def _interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and MIN_INTERVAL <= value <= MAX_INTERVAL):
        raise UserError(f"--interval must be a number of seconds from {MIN_INTERVAL:g} to {MAX_INTERVAL:g}, not {text!r}")
    return value


def _writable(option: str, path: str | None) -> None:
    """Refuse an output file that cannot be written before the command runs, not after an hour of training."""
    if path is None:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path) or not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise UserError(f"{option} {path}: cannot write there")


def _notice(start: dict) -> None:
    # Said at once in a terminal; a pipe gets it in the summary only, so the command's stderr stays exact.
    if start.get("nvml") != "ok" and sys.stderr.isatty():
        sys.stderr.write(f"whynogpu: no GPU can be watched here (NVML: {start.get('nvml')}); running the command "
                         "anyway, the diagnosis follows when it ends\n")
        sys.stderr.flush()


@main.command("watch", context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False})
@click.option("--interval", default="1", show_default=True, metavar="S",
              help="Seconds between two samples of the GPUs and the command's processes.")
@click.option("--json", "json_file", metavar="FILE", help="Also write the report, with the time series, as JSON.")
@click.option("--plot", "plot_file", metavar="FILE.png",
              help="Also draw utilisation, memory and CPU over time (needs whynogpu[plot]).")
@click.option("--no-redact", is_flag=True, help="Keep user names, home paths and GPU UUIDs in the JSON.")
@click.option("-v", "--verbose", is_flag=True, help="Show the facts behind every line.")
@click.argument("command", nargs=-1, type=click.UNPROCESSED, metavar="-- COMMAND [ARGS]...")
def watch_cmd(interval, json_file, plot_file, no_redact, verbose, command):
    """Run COMMAND unchanged and tell whether it really used the GPU, and why not."""
    from whynogpu.watch import plot, report, runner
    from whynogpu.watch import text as watch_text

    argv = list(command)
    if not argv:
        raise UserError("give the command to watch after --, e.g. `whynogpu watch -- python train.py`")
    interval = _interval(interval)
    _writable("--json", json_file)
    _writable("--plot", plot_file)
    if plot_file and not plot.available():
        raise UserError(plot.MISSING)
    try:
        outcome = runner.run(argv, interval, notice=_notice)
    except FileNotFoundError:
        click.echo(f"whynogpu: {argv[0]}: command not found", err=True)
        sys.exit(127)
    except PermissionError:
        click.echo(f"whynogpu: {argv[0]}: permission denied", err=True)
        sys.exit(126)
    facts = report.facts_from(argv, outcome, interval)
    machine = None if facts.touched() else report.machine_snapshot(argv)
    rep = report.build(facts, machine)
    from whynogpu.render.text import render

    sys.stderr.write("\n" + watch_text.summary(facts) + "\n" + render(rep, verbose=verbose, color=sys.stderr.isatty()))
    if json_file:
        _write_json(rep, json_file, no_redact)
    if plot_file:
        try:
            plot.write(facts, plot_file)
        except Exception as exc:  # a broken matplotlib install must not hide the command's exit code
            click.echo(f"whynogpu: --plot {plot_file}: {type(exc).__name__}: {exc}", err=True)
    rc = outcome.returncode
    sys.exit(rc if rc >= 0 else 128 - rc)


def _write_json(rep, path: str, no_redact: bool) -> None:
    from whynogpu.render.json_report import render

    redactor = None
    if not no_redact:
        from whynogpu.host.real import RealHost
        from whynogpu.redact import for_host

        redactor = for_host(RealHost())
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(render(rep, redactor))
    except OSError as exc:
        click.echo(f"whynogpu: --json {path}: {exc.strerror or exc}", err=True)
