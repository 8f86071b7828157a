"""The sampler child of `whynogpu watch`: `python -m whynogpu.watch.sampler INTERVAL`.

It starts before the command (so NVML's answer is known at once), reads one line "PID T0 [EXCLUDED...]"
on stdin — the command's pid, its start on the monotonic clock, and pids to leave out of its tree (the
sampler itself when whynogpu.watch() watches the process that started it) — then writes one JSON line per
sample on stdout until stdin closes or anything more arrives on it (the command ended, or whynogpu died:
the child never outlives it; a worker forked from the watched process may hold stdin open, so the end is
also a "stop" line), or until the watched process is gone.
Runs in its own session, so a Ctrl-C meant for the command does not end it.

Lines: {"kind": "start", "nvml": "ok"|error, "gpus": [...], "cpu_count": N}, then
{"kind": "sample", "t": s, "cpu": cores|null, "processes": N, "gpus": [...]} (nvml.read's shape).
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import time

from whynogpu.watch import nvml, proctree


def _nvml_module():
    try:
        import pynvml
    except Exception as exc:  # not installed, or a broken install
        return None, f"nvidia-ml-py cannot be imported: {exc}"
    return pynvml, None


def _first_line(fd: int) -> bytes:
    """One line read byte by byte: a buffered read could swallow the "stop" that follows it."""
    out = b""
    while not out.endswith(b"\n") and len(out) < 4096:
        c = os.read(fd, 1)
        if not c:
            break
        out += c
    return out


def run(interval: float, stdin=None, stdout=None, nv=None, proc: str = "/proc") -> None:
    stdin = stdin if stdin is not None else sys.stdin.buffer
    stdout = stdout if stdout is not None else sys.stdout
    error = None
    if nv is None:
        nv, error = _nvml_module()
    handles, infos, status = nvml.start(nv) if nv is not None else ([], [], error)

    def emit(obj) -> None:
        stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
        stdout.flush()

    emit({"kind": "start", "nvml": status, "gpus": infos, "cpu_count": os.cpu_count() or 1})
    fd = stdin.fileno()
    first = _first_line(fd).split()
    if len(first) < 2:
        return
    pid, t0 = int(first[0]), float(first[1])
    exclude = {int(p) for p in first[2:]}
    last_t, last_cpu, most = None, None, 0.0
    n = 0
    while True:
        now = time.monotonic()
        pids, cpu_s = proctree.tree(pid, proc, exclude)
        if not pids and n:
            break  # the watched process is gone (and reaped)
        most = max(most, cpu_s)  # a child not yet reaped drops out of the sum for a moment
        cores = None
        if last_t is not None and now > last_t and pids:
            cores = round(max(0.0, most - last_cpu) / (now - last_t), 3)
        last_t, last_cpu = now, most
        gpus = nvml.read(nv, handles, pids, lambda p: proctree.comm(p, proc)) if handles else []
        emit({"kind": "sample", "t": round(now - t0, 3), "cpu": cores, "processes": len(pids), "gpus": gpus})
        n += 1
        # the next sample on a fixed schedule from the start, so slow reads do not stretch the interval
        wait = max(0.0, t0 + n * interval - time.monotonic())
        ready, _, _ = select.select([fd], [], [], wait)
        if ready:
            break  # stdin closed, or "stop": the command or the watched block has ended
    if handles:
        try:
            nv.nvmlShutdown()
        except Exception:
            pass


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        run(float(sys.argv[1]))
    except (BrokenPipeError, KeyboardInterrupt):
        pass


if __name__ == "__main__":
    main()
