"""`whynogpu fix`: the check's verdict as a plan of steps (a dry run unless --apply), applied in the
target environment after a rollback point is recorded, verified by the check's live probe again, and
undone with `--rollback [ID]`.

A step that fails, or a check afterwards that is worse than the one before (a new error finding, or a GPU
that was usable and is not), restores the rollback point by itself (`--no-rollback` keeps the changed
environment to look into); an index that cannot be reached also lists the plan's commands to run later.

Exit codes: 0 plan shown, applied or rolled back; 1 a step failed or the result was worse (rolled back
unless --no-rollback), or a rollback failed (the message says how to go back); 2 usage error (a bad --python, an unknown rollback ID, --apply with no terminal and no --yes).
"""

from __future__ import annotations

import os
import shutil
import sys

import click

from whynogpu.cli import UserError, _check_target, _end_progress, _options, _progress, main


def _echo_to(json_out: bool):
    return lambda line: click.echo(line, err=json_out)


def _check_python(python: str | None) -> None:
    if not python:
        return
    found = python if os.sep in python else (shutil.which(python) or python)
    if not os.path.exists(found):
        raise UserError(f"--python {python}: no such file")
    if not os.access(found, os.X_OK) or os.path.isdir(found):
        raise UserError(f"--python {python}: not an executable file")


def _confirm(question: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise UserError("this changes the environment: add --yes to confirm when there is no terminal to ask on")
    if not click.confirm(question, default=False):
        click.echo("whynogpu: nothing was changed")
        sys.exit(0)


def _diagnose(options):
    from whynogpu.host.real import RealHost
    from whynogpu.pipeline import report_from_snapshot
    from whynogpu.probes import gather

    host = RealHost()
    snapshot = gather(host, options, progress=_progress)
    _end_progress()
    _check_target(snapshot, options.python)
    return host, snapshot, report_from_snapshot(snapshot)


def _errors(report) -> list[str]:
    return [f.code for f in report.findings if f.severity.value == "error"]


def _rollback(ident, yes, echo) -> None:
    from whynogpu.fix import rollback
    from whynogpu.fix.apply import run_command

    try:
        point, folder = rollback.load(ident)
    except rollback.RollbackError as exc:
        raise UserError(str(exc)) from None
    target = point["installer"]["python"]
    _confirm(f"Restore {target} to rollback point {point['id']} ({point['created']})?", yes)
    echo(f"restoring {target} to rollback point {point['id']}")
    try:
        done = rollback.restore(point, folder, lambda argv: run_command(argv)[0])
    except (rollback.RollbackError, OSError) as exc:
        click.echo(f"whynogpu: rollback failed: {exc}", err=True)
        sys.exit(1)
    for line in done or ["nothing differed"]:
        echo(f"  {line}")
    echo(f"{target} is back at rollback point {point['id']}: its distributions match the recorded freeze exactly")


def _history(echo) -> None:
    from whynogpu.fix import rollback

    points = rollback.history()
    if not points:
        echo(f"no rollback points (in {rollback.root()})")
    for p in points:
        steps = [s["title"] for s in p.get("plan", {}).get("steps", []) if s.get("kind") == "automatic"]
        echo(f"{p['id']}  {p['installer']['python']} ({p['installer']['kind']})  {'; '.join(steps)}")


@main.command("fix")
@click.option("--python", "python", metavar="PATH", help="The interpreter whose environment to fix (venv, conda env, kernel).")
@click.option("--replay", "replay_dir", metavar="DIR", help="Plan for a folder made by `whynogpu capture` (plan only).")
@click.option("--timeout", type=float, default=None, metavar="SECONDS", help="Time limit per probe (default 60).")
@click.option("--json", "as_json", is_flag=True, help="The plan as JSON.")
@click.option("--apply", "do_apply", is_flag=True, help="Run the automatic steps (after recording a rollback point).")
@click.option("-y", "--yes", is_flag=True, help="Do not ask before changing anything.")
@click.option("--rollback", "rollback_id", is_flag=False, flag_value="latest", default=None, metavar="[ID]",
              help="Restore a rollback point (the latest without ID).")
@click.option("--history", is_flag=True, help="List the rollback points.")
@click.option("--no-rollback", "no_rollback", is_flag=True,
              help="With --apply: keep the changed environment when a step fails or the result is worse (to debug).")
def fix_cmd(python, replay_dir, timeout, as_json, do_apply, yes, rollback_id, history, no_rollback):
    """Turn the verdict into a plan of steps; --apply runs the automatic ones, --rollback undoes them."""
    from whynogpu.fix import plan as planning
    from whynogpu.fix import render

    echo = _echo_to(as_json)
    chosen = [n for n, on in (("--apply", do_apply), ("--rollback", rollback_id is not None), ("--history", history),
                              ("--replay", replay_dir)) if on]
    if len(chosen) > 1:
        raise UserError(f"{' and '.join(chosen)} cannot be used together")
    if no_rollback and not do_apply:
        raise UserError("--no-rollback only goes with --apply")
    if history:
        return _history(echo)
    if rollback_id is not None:
        return _rollback(rollback_id, yes, echo)
    _check_python(python)
    if replay_dir:
        from whynogpu.commands.capture import replay_report
        from whynogpu.host.capture_folder import load

        if python or timeout is not None:
            raise UserError("--replay plans for a captured folder with the options it was captured with")
        report, snapshot = replay_report(replay_dir, False)
        host = load(replay_dir)[0]
    else:
        options = _options(python, False, timeout)
        host, snapshot, report = _diagnose(options)
    the_plan = planning.build(report, snapshot, host, cwd=os.getcwd())
    click.echo(render.as_json(the_plan) if as_json else render.text(the_plan, dry_run=not do_apply), nl=False)
    if not do_apply:
        return
    if not the_plan.automatic:
        echo("whynogpu: no automatic step to apply")
        return
    _apply(the_plan, options, report, yes, echo, as_json, not no_rollback)


def _say(line: str) -> None:
    click.echo(f"whynogpu: {line}", err=True)


def _go_back(ident: str, auto: bool, echo, run) -> None:
    """After a failed step or a worse result: restore point `ident` (unless --no-rollback), then exit 1."""
    from whynogpu.fix import apply

    if not auto:
        _say(f"the environment is left as it is now (--no-rollback); `whynogpu fix --rollback {ident}` restores it "
             "as it was before")
        sys.exit(1)
    _say(f"rolling back automatically to rollback point {ident}")
    undone = apply.undo(ident, lambda argv: run(argv, None))
    if undone.error:
        _say(f"the automatic rollback to point {ident} failed: {undone.error}. "
             f"`whynogpu fix --rollback {ident}` tries again")
        sys.exit(1)
    for line in undone.done or ["nothing differed"]:
        echo(f"  {line}")
    _say(f"rolled back automatically: the environment is back at rollback point {ident}")
    sys.exit(1)


def _apply(the_plan, options, before, yes, echo, as_json, auto_rollback=True) -> None:
    from whynogpu.fix import apply, rollback

    n = len(the_plan.automatic)
    _confirm(f"Run the {n} automatic step{'s' if n != 1 else ''} in {the_plan.target}?", yes)
    # with --json only the plan is on stdout: the installers' own output goes to stderr
    run = (lambda argv, cwd: apply.run_command(argv, cwd, stdout=sys.stderr)) if as_json else apply.run_command
    try:
        ident = apply.apply(the_plan, echo, run)
    except rollback.RollbackError as exc:
        _say(f"{exc}; nothing was changed")
        sys.exit(1)
    except apply.StepFailed as exc:
        _say(f"step {exc.step.number} failed: {exc}; " + ("it changed nothing, " if not exc.changed else "")
             + "the steps after it were not run")
        if exc.offline:
            _say("the package index cannot be reached from here. The plan's commands can be run later, "
                 "when it can (or `whynogpu fix --apply` again):")
            for line in apply.later(the_plan):
                click.echo(f"    {line}", err=True)
        _go_back(exc.ident, auto_rollback, echo, run)
    echo("checking again…")
    _, _, after = _diagnose(options)
    gone = [c for c in _errors(before) if c not in _errors(after)]
    echo(f"before: {before.verdict.root_cause} — {before.verdict.summary}")
    echo(f"after:  {after.verdict.root_cause} — {after.verdict.summary}")
    new = [c for c in _errors(after) if c not in _errors(before)]
    if gone:
        echo(f"resolved: {', '.join(dict.fromkeys(gone))}")
    if new:  # e.g. a GPU build on a machine without a GPU now misses the CUDA libraries it would load
        echo(f"new: {', '.join(dict.fromkeys(new))} (`whynogpu --python {the_plan.target}` explains them)")
    if apply.foreseen(before, after):
        echo(f"expected: {', '.join(apply.foreseen(before, after))}: the GPU build's CUDA libraries were left out, "
             "as this machine has no NVIDIA GPU to use them (not counted as worse)")
    reasons = apply.worse(before, after)
    if reasons:
        _say("the result is worse than before: " + "; ".join(reasons))
        _go_back(ident, auto_rollback, echo, run)
    echo(f"`whynogpu fix --rollback {ident}` undoes these changes")
