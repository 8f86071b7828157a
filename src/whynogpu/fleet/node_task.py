"""What runs on a node: `whynogpu snapshot` in a child process, with a time limit, its JSON returned.

Imported on Ray workers (whynogpu is shipped to them with the task, so a node needs Ray, not whynogpu), so
it imports nothing beyond the standard library. The child is started with `-c` and the shipped package's
folder put on sys.path there, not through PYTHONPATH: the node's environment is what is being diagnosed.
"""

from __future__ import annotations

import os
import subprocess
import sys


def _root() -> str:
    """The folder whynogpu is imported from (Ray's copy of it on a worker)."""
    import whynogpu

    return os.path.dirname(os.path.dirname(os.path.abspath(whynogpu.__file__)))


def node_env() -> dict[str, str]:
    """This process's environment without the PYTHONPATH entry Ray adds for the shipped package: that entry
    is ours, not the node's, and would show in the snapshot as if the node set it."""
    env = dict(os.environ)
    root = _root()
    kept = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and os.path.abspath(p) != root]
    if kept:
        env["PYTHONPATH"] = os.pathsep.join(kept)
    else:
        env.pop("PYTHONPATH", None)
    return env


def snapshot_argv(python: str | None, no_probe: bool, interpreter: str = sys.executable) -> list[str]:
    root = _root()
    args = ["snapshot"] + (["--python", python] if python else []) + (["--no-probe"] if no_probe else [])
    code = f"import sys; sys.path.insert(0, {root!r}); sys.argv = ['whynogpu', *{args!r}]; from whynogpu.cli import run; run()"
    return [interpreter, "-c", code]


def take_snapshot(python: str | None, no_probe: bool, timeout: float) -> dict:
    """{"snapshot": JSON text} or {"error": why}; never raises for a failure on the node (a KeyboardInterrupt
    from a cancelled task still ends the child: subprocess.run kills it on any exception)."""
    import socket

    answer: dict = {"hostname": socket.gethostname(), "python": python or sys.executable}
    try:
        done = subprocess.run(snapshot_argv(python or sys.executable, no_probe), capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL, env=node_env())
    except subprocess.TimeoutExpired:
        answer["error"] = f"`whynogpu snapshot` did not finish within {timeout:g} s on the node (ended)"
        answer["timed_out"] = True
        return answer
    except OSError as exc:
        answer["error"] = f"cannot start {sys.executable}: {exc}"
        return answer
    if done.returncode != 0 or not done.stdout.strip():
        tail = (done.stderr.strip().splitlines() or ["no message"])[-1][:300]
        answer["error"] = f"`whynogpu snapshot` exited with {done.returncode}: {tail}"
        return answer
    answer["snapshot"] = done.stdout
    return answer
