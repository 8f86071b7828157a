"""Running the automatic steps of a plan, after a rollback point is on disk, and going back to that
point by itself when a step fails or the check afterwards is worse than before.

Commands run with the user's own terminal as output (an install's progress is the installer's own; its
error output is shown as it comes and its tail kept, to tell an unreachable index from other failures),
one step after another; the first one that fails stops the run. The only network use is what the
installer itself needs to download packages. Before a step removes anything, each pip or uv install of
that step is resolved with `--dry-run` first: an index that cannot be reached then fails the step before
anything was uninstalled, and the environment needs no download to go back.
"""

from __future__ import annotations

import os
import posixpath
import re
import subprocess
import sys
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from whynogpu.fix import envvars, rollback
from whynogpu.fix.model import Plan, Step
from whynogpu.fix.render import data

# What pip, uv and conda print when the index or channel cannot be reached (DNS, refused, timeout, proxy,
# TLS), as opposed to a version that does not exist or a build that fails.
NETWORK = re.compile(
    r"NewConnectionError|Failed to establish a new connection|Name or service not known"
    r"|Temporary failure in name resolution|Network is unreachable|No route to host|Connection refused"
    r"|ConnectTimeoutError|ReadTimeoutError|Read timed out|ProxyError|Cannot connect to proxy"
    r"|Could not fetch URL|HTTPSConnectionPool|HTTPConnectionPool|SSLError|CERTIFICATE_VERIFY_FAILED"
    r"|error sending request for url|dns error|failed to lookup address|tcp connect error"
    r"|Network connectivity is disabled|CONNECTION FAILED|CondaHTTPError",
    re.IGNORECASE)


def unreachable(output: str) -> bool:
    """The installer's error output says the package index (or conda channel) could not be reached."""
    return bool(NETWORK.search(output or ""))


class StepFailed(Exception):
    def __init__(self, step: Step, detail: str, output: str = "", changed: bool = True) -> None:
        super().__init__(detail)
        self.step = step
        self.output = output  # the tail of the installer's error output
        self.offline = unreachable(output)
        self.changed = changed  # False: this step failed before it changed anything
        self.ident: str | None = None  # the rollback point, set by apply()


def run_command(argv, cwd=None, stdout=None) -> tuple[int, str]:
    """Run `argv`, its error output shown as it comes; returns (exit code, the last lines of that output)."""
    # VIRTUAL_ENV of whynogpu's own shell must not send uv or poetry to another environment.
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    try:
        proc = subprocess.Popen(list(argv), cwd=cwd, env=env, stdout=stdout, stderr=subprocess.PIPE, text=True,
                                errors="replace")
    except OSError as exc:
        print(f"whynogpu: cannot run {argv[0]}: {exc.strerror or exc}")
        return 127, str(exc)
    tail: deque[str] = deque(maxlen=200)
    for line in proc.stderr:
        sys.stderr.write(line)
        sys.stderr.flush()
        tail.append(line)
    return proc.wait(), "".join(tail)


def _result(value) -> tuple[int, str]:
    return (value, "") if isinstance(value, int) else (int(value[0]), str(value[1] or ""))


def dry_run(argv: tuple[str, ...] | list[str]) -> list[str] | None:
    """The same pip or uv install resolved without changing anything (None for any other command)."""
    argv = list(argv)
    if (len(argv) > 3 and argv[1:4] == ["-m", "pip", "install"]) or \
            (len(argv) > 2 and posixpath.basename(argv[0]) in ("uv", "uv.exe") and argv[1:3] == ["pip", "install"]):
        return [*argv, "--dry-run", "--quiet"]
    return None


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


def _check_index(step: Step, echo, run) -> None:
    """Resolve the step's installs before its removals run; raise StepFailed (nothing changed) when the index
    cannot be reached. Any other failure of the dry run (an old pip without --dry-run) is left to the step."""
    for a in step.actions:
        check = dry_run(a.argv) if not a.where else None
        if check is None:
            continue
        echo("  checking that the index can be reached: $ " + " ".join(check))
        code, output = _result(run(check, a.cwd))
        if code != 0 and unreachable(output):
            raise StepFailed(step, f"the package index could not be reached (`{' '.join(a.argv)}` resolved with "
                                   f"--dry-run exited {code})", output, changed=False)


def apply(plan: Plan, echo: Callable[[str], None], run: Callable = run_command, check_index: bool = True) -> str:
    """Record a rollback point, then run every automatic step; returns the point's ID.
    Raises RollbackError (nothing changed) or StepFailed (stopped at that step; its `ident` is the point).
    `run(argv, cwd)` returns an exit code or (exit code, error output)."""
    ident = rollback.record(plan.installer, edited_files(plan), data(plan))
    echo(f"rollback point {ident} recorded in {os.path.join(rollback.root(), ident)}")
    steps = plan.automatic
    try:
        for i, step in enumerate(steps, 1):
            echo(f"[{i}/{len(steps)}] step {step.number}: {step.title}")
            if check_index and any(not a.where and not dry_run(a.argv) for a in step.actions):
                _check_index(step, echo, run)  # only where the step also removes: an install alone changes nothing on failure
            for a in step.actions:
                if a.where:
                    echo("  " + envvars.apply(a))
                    continue
                echo("  $ " + " ".join(a.argv))
                code, output = _result(run(a.argv, a.cwd))
                if code != 0:
                    raise StepFailed(step, f"`{' '.join(a.argv)}` exited {code}", output)
    except StepFailed as exc:
        exc.ident = ident
        if i > 1:
            exc.changed = True  # earlier steps did change the environment
        raise
    return ident


def foreseen(before, after) -> list[str]:
    """New error findings the plan meant to leave: on a machine without an NVIDIA GPU a GPU build is installed
    without its CUDA libraries (they would be downloaded for nothing), so that they are missing is no regression."""
    from whynogpu.fix.plan import LIBS_BY_PIP

    if not any(f.category == "no_nvidia_gpu" for f in before.findings):
        return []
    old = {f.code for f in before.findings if f.severity.value == "error"}
    return list(dict.fromkeys(f.code for f in after.findings if f.severity.value == "error"
                              and f.code not in old and f.category in LIBS_BY_PIP))


def worse(before, after) -> list[str]:
    """Why the check after the steps is worse than the one before (empty: not worse): an error finding that
    was not there before (other than those foreseen), or a GPU that was usable and is not any more."""
    old = {f.code for f in before.findings if f.severity.value == "error"} | set(foreseen(before, after))
    new = list(dict.fromkeys(f.code for f in after.findings if f.severity.value == "error" and f.code not in old))
    out = [f"new error finding{'s' if len(new) > 1 else ''}: {', '.join(new)}"] if new else []
    if before.verdict.gpu_usable is True and after.verdict.gpu_usable is not True:
        out.append("the GPU was usable before and is not any more")
    return out


def later(plan: Plan) -> list[str]:
    """Every command of the plan's automatic steps, to run by hand when the index can be reached."""
    return [c for s in plan.automatic for c in s.commands]


@dataclass
class Undone:
    """What an automatic rollback did: `done` in words, or `error` when it could not finish."""

    ident: str
    done: list[str] = field(default_factory=list)
    error: str | None = None


def undo(ident: str, run: Callable = None) -> Undone:
    """Restore rollback point `ident` (the automatic rollback); `run(argv)` returns an exit code."""
    run = run or (lambda argv: run_command(argv)[0])
    try:
        point, folder = rollback.load(ident)
        return Undone(ident, rollback.restore(point, folder, lambda argv: _result(run(argv))[0]))
    except (rollback.RollbackError, OSError) as exc:
        return Undone(ident, error=str(exc))
