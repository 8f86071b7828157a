"""Rollback points: the environment's exact distributions (and any file a step edits), written before
the first change, and put back on `whynogpu fix --rollback [ID]`.

A point is a folder ~/.cache/whynogpu/rollback/<ID>/ (under $XDG_CACHE_HOME when set):
  point.json    target, installer, time, the plan's steps, the edited files and whether each existed
  freeze.txt    `pip freeze --all` (or `uv pip freeze`) of the env: the lines restored as they are
  conda.txt     `conda list --explicit` of a conda env; point.json also keeps the env's conda revision
                (`conda list --revisions`) when the tool has revisions (conda, mamba; not micromamba)
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


REVISION = re.compile(r"\(rev (\d+)\)")


def _conda_exe(inst: Installer) -> str:
    return inst.exe or "conda"


def conda_revision(inst: Installer, capture=None) -> int | None:
    """The env's current conda revision (the last `(rev N)` of `conda list --revisions`), or None where the
    tool keeps none (micromamba) or cannot say."""
    if os.path.basename(_conda_exe(inst)).split(".")[0] == "micromamba":
        return None
    try:
        text = (capture or _capture)([_conda_exe(inst), "list", "--revisions", *inst._conda_env()], "the conda revision")
    except RollbackError:
        return None
    revs = [int(n) for n in REVISION.findall(text)]
    return max(revs) if revs else None


def record(inst: Installer, files: list[str], plan: dict) -> str:
    """Write a rollback point and return its ID. Raises RollbackError before anything has been changed."""
    freeze = _capture(inst.freeze(), "the installed distributions")
    conda = _capture([_conda_exe(inst), "list", "--explicit", "-p", inst.prefix], "the conda packages") \
        if inst.kind == "conda" else None
    revision = conda_revision(inst) if conda is not None else None
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
             "files": saved, "plan": plan, **({"conda_revision": revision} if revision is not None else {})}
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


def conda_packages(explicit: str) -> dict[str, str]:
    """Package name -> URL of each line of `conda list --explicit` (an `#md5` or `#sha256:` suffix dropped)."""
    out = {}
    for line in explicit.splitlines():
        url = line.split("#", 1)[0].strip()
        if not url or url.startswith("@"):
            continue
        base = url.rsplit("/", 1)[-1]
        for ext in (".tar.bz2", ".conda"):
            base = base[: -len(ext)] if base.endswith(ext) else base
        parts = base.rsplit("-", 2)
        if len(parts) == 3:
            out[parts[0].lower()] = url
    return out


def conda_restore(inst: Installer, recorded: str, current: str, revision: int | None, explicit_file: str
                  ) -> tuple[list[list[str]], list[str]]:
    """(commands, explicit lines) that put the conda packages of the env back: `install --revision N` when
    the point recorded the revision, else removal of the packages added since (without their dependents:
    they are restored too) and `install --file` of an @EXPLICIT file with the missing and changed ones,
    which conda installs as they are, solving nothing. Nothing when the packages did not change."""
    then, now = conda_packages(recorded), conda_packages(current)
    if then == now:
        return [], []
    exe, env = _conda_exe(inst), inst._conda_env()
    if revision is not None:
        return [[exe, "install", "-y", *env, "--revision", str(revision)]], []
    added = sorted(n for n in now if n not in then)
    lines = [url for n, url in then.items() if now.get(n) != url]
    cmds = [[exe, "remove", "-y", *env, "--force", *added]] if added else []
    if lines:
        cmds.append([exe, "install", "-y", *env, "--file", explicit_file])
    return cmds, lines


def _restore_conda(inst: Installer, point: dict, folder: str, run, capture) -> list[str]:
    path = os.path.join(folder, "conda.txt")
    if inst.kind != "conda" or not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as fh:
        recorded = fh.read()
    listing = [_conda_exe(inst), "list", "--explicit", "-p", inst.prefix]
    current = capture(listing, "the conda packages")
    then = conda_packages(recorded)
    changed = sorted(n for n in then.keys() | conda_packages(current).keys() if then.get(n) != conda_packages(current).get(n))
    if not changed:
        return []
    explicit = os.path.join(folder, "explicit.txt")
    # conda's own revision first where one was recorded; the explicit file when that leaves a difference
    for n, revision in enumerate(dict.fromkeys((point.get("conda_revision"), None))):
        now = current if n == 0 else capture(listing, "the conda packages")
        cmds, lines = conda_restore(inst, recorded, now, revision, explicit)
        if lines:
            with open(explicit, "w", encoding="utf-8") as fh:
                fh.write("@EXPLICIT\n" + "\n".join(lines) + "\n")
        failed = next((argv for argv in cmds if run(argv) != 0), None)
        after = conda_packages(capture(listing, "the conda packages"))
        if after == then:
            how = f"conda revision {revision}" if revision is not None else "the recorded conda.txt"
            return [f"conda packages restored from {how}: {', '.join(changed)}"]
    left = sorted(n for n in then.keys() | after.keys() if then.get(n) != after.get(n))
    raise RollbackError((f"`{' '.join(failed)}` failed; " if failed else "")
                        + f"the conda packages still differ from point {point['id']}: {', '.join(left)}")


def restore(point: dict, folder: str, run, capture=None) -> list[str]:
    """Put the environment and the edited files back; returns what was done, in words. `run(argv)`
    runs a command and returns its exit code; `capture(argv, what)` returns a command's output (the freeze
    and conda listings; tests give their own). A conda env gets its conda packages back first, then the
    distributions that pip sees."""
    capture = capture or _capture
    inst = Installer(**point["installer"])
    done = []
    for f in point.get("files", []):
        if f["existed"]:
            shutil.copy2(os.path.join(folder, f["copy"]), f["path"])
            done.append(f"restored {f['path']}")
        elif os.path.exists(f["path"]):
            os.remove(f["path"])
            done.append(f"removed {f['path']}")
    done += _restore_conda(inst, point, folder, run, capture)
    with open(os.path.join(folder, "freeze.txt"), encoding="utf-8") as fh:
        recorded = fh.read()
    current = capture(inst.freeze(), "the installed distributions")
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
    after = capture(inst.freeze(), "the installed distributions")
    if names(after) != names(recorded):
        left = restore_steps(inst, recorded, after)
        raise RollbackError(f"the environment still differs from point {point['id']}: "
                            f"extra or changed {left[0]}, missing {left[1]}")
    return done
