"""`whynogpu recommend [tensorflow|torch|jax|keras]`: the exact install of a GPU build that will work on this
machine (or a saved snapshot's), the newest one that needs a newer driver, or why none can and the way out.

Exit codes: 0 every framework asked for has a GPU build that works here as it is; 1 not (no NVIDIA GPU, a driver
upgrade needed, no build for this combination); 2 usage error or unreadable snapshot.
"""

from __future__ import annotations

import json
import os
import sys

import click

from whynogpu.cli import UserError, _check_target, _end_progress, _options, _progress, main

FRAMEWORKS = ("tensorflow", "torch", "jax", "keras")


def recommend(snapshot, host=None, frameworks=(), version=None, cwd=None):
    """(machine, advices, report) for a snapshot: the same report `check` makes, then the advice per framework."""
    from whynogpu.pipeline import report_from_snapshot
    from whynogpu.recommend.advise import advise
    from whynogpu.recommend.machine import from_snapshot

    report = report_from_snapshot(snapshot)
    machine = from_snapshot(snapshot, report, host, cwd)
    wanted = list(frameworks) or [f for f in ("tensorflow", "torch", "jax") if machine.version_of(f)] \
        or ["tensorflow", "torch", "jax"]
    return machine, [advise(f, machine, version) for f in wanted], report


@main.command("recommend")
@click.argument("framework", required=False, type=click.Choice(FRAMEWORKS))
@click.option("--version", "version", metavar="V", help="The release wanted (2.15, 2.15.1); default: the newest that fits.")
@click.option("--python", "python", metavar="PATH", help="The interpreter to install into (a venv, conda env, kernel).")
@click.option("--from", "from_file", metavar="SNAPSHOT.json", help="Recommend for a saved snapshot instead of this machine.")
@click.option("--json", "as_json", is_flag=True, help="The recommendation as JSON, with check's verdict object.")
@click.option("--no-redact", is_flag=True, help="Keep user names and home paths in the JSON.")
def recommend_cmd(framework, version, python, from_file, as_json, no_redact):
    """Which GPU build to install here, as the exact command: `whynogpu recommend tensorflow`."""
    from whynogpu.knowledge import version_key

    if version is not None and (framework is None or not version_key(version)):
        raise UserError("--version needs a framework and a version number (`recommend tensorflow --version 2.15`)")
    if from_file and python:
        raise UserError("--from recommends for a saved snapshot: --python does not apply")
    if from_file:
        from whynogpu.host.fake import FakeHost
        from whynogpu.redact import for_snapshot
        from whynogpu.snapshot_io import SnapshotError, load

        try:
            snapshot = load(from_file)
        except SnapshotError as exc:
            raise UserError(str(exc)) from None
        host, redactor = FakeHost(), for_snapshot(snapshot)
    else:
        from whynogpu.host.real import RealHost
        from whynogpu.probes import gather
        from whynogpu.redact import for_host

        host = RealHost()
        snapshot = gather(host, _options(python, True, None), progress=_progress)
        _end_progress()
        _check_target(snapshot, python)
        redactor = for_host(host)
    from whynogpu.recommend import render

    machine, advices, report = recommend(snapshot, host, (framework,) if framework else (), version,
                                         None if from_file else os.getcwd())
    if as_json:
        out = render.data(machine, advices, report)
        if not no_redact:
            out = redactor.data(out)
        click.echo(json.dumps(out, indent=1, ensure_ascii=False))
    else:
        click.echo(render.text(machine, advices), nl=False)
    sys.exit(0 if all(a.status == "works" for a in advices) else 1)
