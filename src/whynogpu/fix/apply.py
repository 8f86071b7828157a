"""Running the automatic steps of a plan, after a rollback point is on disk.

Commands run with the user's own terminal as output (an install's progress is the installer's own),
one step after another; the first one that fails stops the run. The only network use is what the
installer itself needs to download packages.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
from collections.abc import Callable

from whynogpu.fix import envvars, rollback
from whynogpu.fix.model import Plan, Step
from whynogpu.fix.render import data


class StepFailed(Exception):
    def __init__(self, step: Step, detail: str) -> None:
        super().__init__(detail)
        self.step = step


def run_command(argv, cwd=None, stdout=None) -> int:
    # VIRTUAL_ENV of whynogpu's own shell must not send uv or poetry to another environment.
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    try:
        return subprocess.run(list(argv), cwd=cwd, env=env, stdout=stdout).returncode
    except OSError as exc:
        print(f"whynogpu: cannot run {argv[0]}: {exc.strerror or exc}")
        return 127


def edited_files(plan: Plan) -> list[str]:
    """Files the automatic steps write, and the project files a poetry or pipenv command rewrites."""
    out = []
    for s in plan.automatic:
        for a in s.actions:
            if a.where:
                out += envvars.files(a)
    inst = plan.installer
    if inst and inst.project and inst.kind in ("poetry", "pipenv"):
        names = ("pyproject.toml", "poetry.lock") if inst.kind == "poetry" else ("Pipfile", "Pipfile.lock")
        out += [posixpath.join(inst.project, n) for n in names]
    return list(dict.fromkeys(out))


def apply(plan: Plan, echo: Callable[[str], None], run: Callable = run_command) -> str:
    """Record a rollback point, then run every automatic step; returns the point's ID.
    Raises RollbackError (nothing changed) or StepFailed (stopped at that step)."""
    ident = rollback.record(plan.installer, edited_files(plan), data(plan))
    echo(f"rollback point {ident} recorded in {os.path.join(rollback.root(), ident)}")
    steps = plan.automatic
    for i, step in enumerate(steps, 1):
        echo(f"[{i}/{len(steps)}] step {step.number}: {step.title}")
        for a in step.actions:
            if a.where:
                echo("  " + envvars.apply(a))
                continue
            echo("  $ " + " ".join(a.argv))
            code = run(a.argv, a.cwd)
            if code != 0:
                raise StepFailed(step, f"`{' '.join(a.argv)}` exited {code}")
    return ident
