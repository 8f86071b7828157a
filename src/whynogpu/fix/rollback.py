"""Rollback points: the environment's exact distributions (and any file a step edits), written before
the first change, and put back on `whynogpu fix --rollback [ID]`.

A point is a folder ~/.cache/whynogpu/rollback/<ID>/ (under $XDG_CACHE_HOME when set):
  point.json    target, installer, time, the plan's steps, the edited files and whether each existed
  freeze.txt    `pip freeze --all` (or `uv pip freeze`) of the env: the lines restored as they are
  conda.txt     `conda list --explicit` of a conda env (for the user: conda's own revisions restore it)
  files/N       the original content of each file an automatic step edits (kernel.json, activation scripts)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import asdict

from whynogpu.fix.installer import Installer


class RollbackError(Exception):
    pass


def root() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "whynogpu", "rollback")


def _capture(argv: list[str], what: str, cwd: str | None = None) -> str:
    try:
        res = subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=cwd)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RollbackError(f"cannot record {what}: `{' '.join(argv)}` failed: {exc}") from None
    if res.returncode != 0:
        tail = (res.stderr.strip().splitlines() or ["no output"])[-1]
        raise RollbackError(f"cannot record {what}: `{' '.join(argv)}` exited {res.returncode}: {tail}")
    return res.stdout


def record(inst: Installer, files: list[str], plan: dict) -> str:
    """Write a rollback point and return its ID. Raises RollbackError before anything has been changed."""
    freeze = _capture(inst.freeze(), "the installed distributions")
    conda = _capture([inst.exe or "conda", "list", "--explicit", "-p", inst.prefix], "the conda packages") \
        if inst.kind == "conda" else None
    os.makedirs(root(), exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    ident, n = stamp, 1
    while True:
        try:
            os.mkdir(os.path.join(root(), ident))
            break
        except FileExistsError:
            n += 1
            ident = f"{stamp}-{n}"
    folder = os.path.join(root(), ident)
    saved = []
    for i, path in enumerate(files):
        exists = os.path.exists(path)
        if exists:
            os.makedirs(os.path.join(folder, "files"), exist_ok=True)
            shutil.copy2(path, os.path.join(folder, "files", str(i)))
        saved.append({"path": path, "existed": exists, "copy": f"files/{i}" if exists else None})
    with open(os.path.join(folder, "freeze.txt"), "w", encoding="utf-8") as fh:
        fh.write(freeze)
    if conda is not None:
        with open(os.path.join(folder, "conda.txt"), "w", encoding="utf-8") as fh:
            fh.write(conda)
    point = {"id": ident, "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "installer": asdict(inst),
             "files": saved, "plan": plan}
    # point.json last: a folder without it is an incomplete point that --rollback refuses
    with open(os.path.join(folder, "point.json"), "w", encoding="utf-8") as fh:
        json.dump(point, fh, indent=1)
    return ident


def history() -> list[dict]:
    out = []
    for name in sorted(os.listdir(root())) if os.path.isdir(root()) else []:
        try:
            with open(os.path.join(root(), name, "point.json"), encoding="utf-8") as fh:
                out.append(json.load(fh))
        except (OSError, ValueError):
            continue
    return out


def load(ident: str | None) -> tuple[dict, str]:
    points = history()
    if not points:
        raise RollbackError(f"no rollback point has been recorded (in {root()})")
    if ident in (None, "", "latest"):
        point = points[-1]
    else:
        point = next((p for p in points if p.get("id") == ident), None)
        if point is None:
            raise RollbackError(f"no rollback point {ident!r}; `whynogpu fix --history` lists them")
    return point, os.path.join(root(), point["id"])


NAME = re.compile(r"^\s*(?:-e\s+.*#egg=)?([A-Za-z0-9][A-Za-z0-9._-]*)")


def names(freeze: str) -> dict[str, str]:
    """Normalised distribution name -> its freeze line."""
    out = {}
    for line in freeze.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = NAME.match(line)
        if m:
            out[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = line
    return out


def restore_steps(inst: Installer, recorded: str, current: str) -> tuple[list[str], list[str]]:
    """(names to uninstall, freeze lines to install): what differs between now and the point.
    Everything that changed is removed first, so that two variants sharing files (tensorflow and
    tensorflow-cpu) never delete each other's files on the way back."""
    then, now = names(recorded), names(current)
    remove = sorted(n for n, line in now.items() if then.get(n) != line)
    install = [line for n, line in then.items() if now.get(n) != line]
    return remove, install


def restore(point: dict, folder: str, run) -> list[str]:
    """Put the environment and the edited files back; returns what was done, in words. `run(argv)`
    runs a command and returns its exit code."""
    inst = Installer(**point["installer"])
    done = []
    for f in point.get("files", []):
        if f["existed"]:
            shutil.copy2(os.path.join(folder, f["copy"]), f["path"])
            done.append(f"restored {f['path']}")
        elif os.path.exists(f["path"]):
            os.remove(f["path"])
            done.append(f"removed {f['path']}")
    with open(os.path.join(folder, "freeze.txt"), encoding="utf-8") as fh:
        recorded = fh.read()
    current = _capture(inst.freeze(), "the installed distributions")
    remove, install = restore_steps(inst, recorded, current)
    if remove:
        if run(inst.restore_remove(remove)) != 0:
            raise RollbackError("uninstalling " + " ".join(remove) + " failed")
        done.append("removed " + ", ".join(remove))
    if install:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
            fh.write("\n".join(install) + "\n")
        try:
            if run(inst.restore_install(fh.name)) != 0:
                raise RollbackError("installing the recorded versions failed: " + ", ".join(install))
        finally:
            os.unlink(fh.name)
        done.append("installed " + ", ".join(install))
    after = _capture(inst.freeze(), "the installed distributions")
    if names(after) != names(recorded):
        left = restore_steps(inst, recorded, after)
        raise RollbackError(f"the environment still differs from point {point['id']}: "
                            f"extra or changed {left[0]}, missing {left[1]}")
    return done
