"""`whynogpu fleet --slurm`: one `whynogpu snapshot` per node of a Slurm allocation, through srun.

    srun [--slurm-args] --ntasks-per-node=1 --overlap --label sh -c SCRIPT … python -m whynogpu snapshot

`--overlap` lets the step run beside the allocation's own job; a step gets the job's GPUs by default, so the
node is seen as a job step sees it (CUDA_VISIBLE_DEVICES as Slurm sets it). `--label` prefixes every line
with its task number, so the nodes' outputs can be told apart however srun interleaves them; the script
names its node (SLURMD_NODENAME) first and its exit status last, and ends the snapshot with coreutils
`timeout --foreground` on the node (in the task's process group, so that a cancelled step ends it even where
Slurm tracks a step's processes by process group). The interpreter is this one (sys.executable): on a cluster it sits on a shared file
system, like the allocation's own software.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shlex
import signal
import subprocess
import sys
import threading
import time

from whynogpu.fleet.model import ANSWERED, FAILED, NO_ANSWER, Node

SCRIPT = r"""
printf '@whynogpu-node %s\n' "${SLURMD_NODENAME:-$(hostname)}"
t=$1; shift
if timeout --foreground 1 true 2>/dev/null; then timeout --foreground -k 5 "$t" "$@"; else "$@"; fi
printf '@whynogpu-done %s\n' "$?"
"""
LABEL = re.compile(r"^\s*(\d+): ?(.*)$")
GRACE = 30.0  # for srun to start the step's tasks, on top of the per-node time


class SlurmError(RuntimeError):
    pass


def expand_hostlist(text: str) -> list[str]:
    """Slurm's compressed node list ("gpu[01-03,07],login1") as names; what `scontrol show hostnames` prints."""
    names: list[str] = []
    for part in re.findall(r"[^,\[]+(?:\[[^\]]*\])?[^,\[]*", text):
        m = re.fullmatch(r"([^\[]*)\[([^\]]*)\](.*)", part)
        if not m:
            names.append(part)
            continue
        head, ranges, tail = m.groups()
        for r in ranges.split(","):
            lo, _, hi = r.partition("-")
            if hi and lo.isdigit() and hi.isdigit():
                names += [f"{head}{i:0{len(lo)}d}{tail}" for i in range(int(lo), int(hi) + 1)]
            else:
                names.append(f"{head}{r}{tail}")
    return names


def command(slurm_args: str | None, python: str | None, no_probe: bool, timeout: float,
            env: dict | None = None) -> list[str]:
    env = os.environ if env is None else env
    argv = ["srun"]
    extra = shlex.split(slurm_args or "")
    argv += extra
    if not extra and env.get("SLURM_JOB_NUM_NODES"):  # the whole allocation, one task each, whatever it asked for
        n = env["SLURM_JOB_NUM_NODES"]
        argv += [f"--nodes={n}", f"--ntasks={n}"]
    argv += ["--ntasks-per-node=1", "--overlap", "--label", "--kill-on-bad-exit=0"]
    snap = [sys.executable, "-m", "whynogpu", "snapshot"] + (["--python", python] if python else [])
    snap += ["--no-probe"] if no_probe else []
    return argv + ["sh", "-c", SCRIPT, "whynogpu-fleet", f"{timeout:g}", *snap]


class _Task:
    def __init__(self, task_id: int) -> None:
        self.id = task_id
        self.name: str | None = None
        self.lines: list[str] = []
        self.errors: list[str] = []
        self.rc: int | None = None


def gather(slurm_args: str | None, python: str | None, no_probe: bool, timeout: float,
           progress=None) -> tuple[str, list[Node]]:
    env = os.environ
    if not slurm_args and not env.get("SLURM_JOB_ID"):
        raise SlurmError("--slurm runs inside an allocation (salloc, sbatch); outside one, request it with "
                         "--slurm-args \"-N 4 --gres=gpu:1 …\"")
    expected = expand_hostlist(env.get("SLURM_JOB_NODELIST", "")) if not slurm_args else []
    where = (f"Slurm allocation {env['SLURM_JOB_ID']}" if not slurm_args
             else f"Slurm, srun {slurm_args}")
    argv = command(slurm_args, python, no_probe, timeout)
    try:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                text=True, errors="replace", start_new_session=True)
    except OSError as exc:
        raise SlurmError(f"cannot run {argv[0]}: {exc.strerror or exc}") from None
    lines: queue.Queue = queue.Queue()
    readers = [threading.Thread(target=_read, args=(stream, kind, lines), daemon=True)
               for stream, kind in ((proc.stdout, "out"), (proc.stderr, "err"))]
    for t in readers:
        t.start()
    tasks: dict[int, _Task] = {}
    loose_errors: list[str] = []
    try:
        _collect(proc, lines, tasks, loose_errors, timeout, len(expected), progress)
    except KeyboardInterrupt:
        _stop(proc)
        raise
    if proc.poll() is None:
        _stop(proc)
    return where, _nodes(tasks, expected, loose_errors, timeout, proc.returncode)


def _read(stream, kind: str, out: queue.Queue) -> None:
    for line in stream:
        out.put((kind, line.rstrip("\n")))
    out.put((kind, None))


def _collect(proc, lines: queue.Queue, tasks: dict, loose: list, timeout: float, expected: int, progress) -> None:
    open_streams, done = 2, 0
    deadline = time.monotonic() + timeout + GRACE
    while open_streams and time.monotonic() < deadline:
        try:
            kind, line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        if line is None:
            open_streams -= 1
            continue
        m = LABEL.match(line)
        if not m:
            if kind == "err" and line.strip():
                loose.append(line.strip())  # srun's own words: "srun: error: node3: task 2: Exited with exit code 1"
            continue
        task = tasks.setdefault(int(m.group(1)), _Task(int(m.group(1))))
        text = m.group(2)
        if kind == "err":
            task.errors.append(text)
        elif text.startswith("@whynogpu-node ") and task.name is None:
            task.name = text.split(" ", 1)[1].strip() or None
        elif text.startswith("@whynogpu-done "):
            task.rc = int(text.split()[1]) if text.split()[1].lstrip("-").isdigit() else -1
            done += 1
            if progress:
                status = ANSWERED if task.rc == 0 else NO_ANSWER if task.rc in (124, 137) else FAILED
                progress(done, max(expected, len(tasks)), Node(name=task.name or f"task {task.id}", status=status))
        else:
            task.lines.append(text)


def _stop(proc) -> None:
    """srun cancels its step on two SIGINTs within a second; kill it if it lingers."""
    for _ in range(2):
        try:
            os.killpg(proc.pid, signal.SIGINT)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.3)
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()


def _nodes(tasks: dict, expected: list[str], loose: list[str], timeout: float, srun_rc: int | None) -> list[Node]:
    from whynogpu.snapshot_io import SnapshotError, from_data

    nodes: list[Node] = []
    for task in sorted(tasks.values(), key=lambda t: t.id):
        node = Node(name=task.name or f"task {task.id}")
        if task.rc is None:
            node.status, node.reason = NO_ANSWER, f"no answer within {timeout:g} s (srun task {task.id})"
        elif task.rc in (124, 137):
            node.status, node.reason = NO_ANSWER, f"`whynogpu snapshot` did not finish within {timeout:g} s (ended)"
        elif task.rc != 0:
            tail = (task.errors or ["no message"])[-1][:300]
            node.status, node.reason = FAILED, f"`whynogpu snapshot` exited with {task.rc}: {tail}"
        else:
            try:
                node.snapshot = from_data(json.loads("\n".join(task.lines)))
                node.status = ANSWERED
            except (ValueError, SnapshotError) as exc:
                node.status, node.reason = FAILED, f"the node's snapshot cannot be read: {str(exc)[:200]}"
        nodes.append(node)
    seen = {n.name for n in nodes}
    for name in expected:
        if name not in seen:  # in the allocation, but its task never spoke
            why = loose[-1] if loose else f"srun exited with {srun_rc}" if srun_rc else "its task never started"
            nodes.append(Node(name=name, status=NO_ANSWER, reason=f"no answer: {why}"[:300]))
    if not nodes:
        raise SlurmError("srun started no task: " + (loose[-1] if loose else f"exit status {srun_rc}"))
    return nodes
