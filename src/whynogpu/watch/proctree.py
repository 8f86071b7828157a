"""The command's process tree and the CPU time it used, read from /proc (Linux).

A tree's CPU time is the sum over its live processes of utime+stime+cutime+cstime: a child that
exited and was waited for moves its time into its parent's cutime/cstime, so the total keeps growing
as workers come and go. A child that exited but is not reaped yet drops out for a moment; the
caller keeps the running maximum.
"""

from __future__ import annotations

import os

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(proc: str, pid: str) -> tuple[int, float] | None:
    """(parent pid, CPU seconds incl. reaped children) of one process, or None when it is gone."""
    try:
        with open(f"{proc}/{pid}/stat", "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces or ')': split after the last one.
    rest = data[data.rfind(b")") + 2:].split()
    try:
        ppid = int(rest[1])
        ticks = int(rest[11]) + int(rest[12]) + int(rest[13]) + int(rest[14])
    except (IndexError, ValueError):
        return None
    return ppid, ticks / TICKS


def tree(root: int, proc: str = "/proc", exclude=()) -> tuple[set[int], float]:
    """The pids of `root` and all its descendants, and their CPU seconds so far; a pid in `exclude` and its
    descendants are left out (the sampler itself, when it watches the process that started it)."""
    try:
        names = os.listdir(proc)
    except OSError:
        return set(), 0.0
    children: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for name in names:
        if not name.isdigit():
            continue
        st = _stat(proc, name)
        if st is None:
            continue
        pid = int(name)
        children.setdefault(st[0], []).append(pid)
        cpu[pid] = st[1]
    if root not in cpu:
        return set(), 0.0
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid in found or pid in exclude:
            continue
        found.add(pid)
        todo.extend(children.get(pid, ()))
    return found, sum(cpu[p] for p in found)


def comm(pid: int, proc: str = "/proc") -> str | None:
    """A process's short name, or None when it is not visible here (gone, or in another PID namespace)."""
    try:
        with open(f"{proc}/{pid}/comm", encoding="utf-8", errors="replace") as fh:
            return fh.read().strip() or None
    except OSError:
        return None
