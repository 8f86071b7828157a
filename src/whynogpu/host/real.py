from __future__ import annotations

import collections
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence

from whynogpu.host.base import CommandResult, FileStat, Host, RunningSnippet, Uname, UserInfo, snippet_source

WINDOWS = sys.platform == "win32"
# Windows has no sessions or process-group signals: a child starts in a new process group (so a Ctrl-C
# in whynogpu's console does not reach it) and is ended with its whole tree by taskkill /T /F.
CREATION_FLAGS = (getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0) | getattr(subprocess, "CREATE_NO_WINDOW", 0)
                  if WINDOWS else 0)


def _kill_group(proc: subprocess.Popen) -> None:
    if WINDOWS:
        _kill_tree_windows(proc)
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()


def _kill_tree_windows(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            subprocess.run(["taskkill", "/PID", str(proc.pid), "/T", "/F"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=10, creationflags=CREATION_FLAGS)
        except (OSError, subprocess.SubprocessError):
            pass
    try:
        proc.kill()  # TerminateProcess: the child itself, if taskkill could not
    except OSError:
        pass


class RealHost(Host):
    """The machine whynogpu runs on. `root` lets tests point file reads at a folder."""

    def __init__(self, root: str = "/") -> None:
        self.root = root

    def _p(self, path: str) -> str:
        if self.root == "/":
            return path
        return os.path.join(self.root, path.lstrip("/"))

    def read_text(self, path: str, limit: int = 1 << 20) -> str | None:
        try:
            with open(self._p(path), "rb") as fh:
                return fh.read(limit).decode("utf-8", errors="replace")
        except OSError:
            return None

    def listdir(self, path: str) -> list[str] | None:
        try:
            return sorted(os.listdir(self._p(path)))
        except OSError:
            return None

    def stat(self, path: str) -> FileStat | None:
        try:
            st = os.stat(self._p(path))
        except (OSError, ValueError):
            return None
        rdev = (os.major(st.st_rdev), os.minor(st.st_rdev)) if st.st_rdev and hasattr(os, "major") else None
        return FileStat(mode=st.st_mode, uid=st.st_uid, gid=st.st_gid, rdev=rdev)

    def realpath(self, path: str) -> str:
        return os.path.realpath(path)

    def readlink(self, path: str) -> str | None:
        try:
            return os.readlink(self._p(path))
        except (OSError, ValueError):
            return None

    def env(self) -> Mapping[str, str]:
        return dict(os.environ)

    def uname(self) -> Uname:
        u = platform.uname()
        return Uname(system=u.system, release=u.release, version=u.version, machine=u.machine, node=u.node)

    def user(self) -> UserInfo:
        import getpass

        try:
            name = getpass.getuser()
        except Exception:  # no passwd entry in some containers
            name = ""
        get = getattr(os, "getuid", None)
        uid = get() if get else -1
        gid = os.getgid() if hasattr(os, "getgid") else -1
        groups = tuple(os.getgroups()) if hasattr(os, "getgroups") else ()
        return UserInfo(uid=uid, gid=gid, groups=groups, name=name, home=os.path.expanduser("~"))

    def own_python(self) -> str:
        return sys.executable

    def make_scratch_dir(self, prefix: str) -> str:
        import tempfile

        return tempfile.mkdtemp(prefix=prefix)

    def remove_scratch_dir(self, path: str) -> None:
        import shutil

        shutil.rmtree(path, ignore_errors=True)

    def run(self, argv: Sequence[str], timeout: float, env: Mapping[str, str] | None = None) -> CommandResult:
        return _Child(tuple(argv), env, stdin=False).result(timeout)

    def run_snippet(
        self,
        name: str,
        python: str | None,
        timeout: float,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
    ) -> CommandResult:
        # -c keeps the snippet off the target's sys.path; the target sees its own environment
        # unless the probe passes one, so PYTHONPATH and friends act as they do for the user.
        # Always a child process, even for whynogpu's own interpreter: on two cores the child runs
        # beside whynogpu's start-up, where running it in-process would share one GIL with it
        # (measured: `--no-probe` median 0.40 s as a child, 0.46 s in-process).
        return _Child(_snippet_argv(python, name, args), env, stdin=False, cwd=NEUTRAL_CWD).result(timeout)

    def end_children(self) -> None:
        with _LOCK:
            procs = list(_RUNNING)
        for proc in procs:
            _kill_group(proc)

    def start_snippet(
        self,
        name: str,
        python: str | None,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
    ) -> RunningSnippet:
        return _Child(_snippet_argv(python, name, args), env, stdin=True, cwd=NEUTRAL_CWD)


# Snippet children start in the file system's root, not in the user's folder: `python -c` puts the working
# directory first on sys.path, so a json.py or re.py there would run inside the child. -B: no __pycache__ is
# ever written into the inspected environment (a .pth file can import modules at start-up).
NEUTRAL_CWD = os.path.abspath(os.sep)


def _snippet_argv(python: str | None, name: str, args: Sequence[str]) -> tuple[str, ...]:
    python = python or sys.executable
    if os.sep in python or (os.altsep and os.altsep in python):
        python = os.path.abspath(python)  # a relative path meant the user's folder, not the child's
    return (python, "-B", "-c", snippet_source(name), *args)


class _Child(RunningSnippet):
    """A child process whose output is read as it comes, so that a chatty child never stalls on a
    full pipe while whynogpu is busy elsewhere. It runs in a session of its own, so that a timeout
    kills everything it started."""

    def __init__(self, argv: tuple[str, ...], env: Mapping[str, str] | None, stdin: bool, cwd: str | None = None) -> None:
        self.argv = argv
        self.start = time.monotonic()
        self.failure: CommandResult | None = None
        self.proc: subprocess.Popen | None = None
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=dict(env) if env is not None else None,
                cwd=cwd,
                start_new_session=not WINDOWS,
                creationflags=CREATION_FLAGS,
            )
        except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
            self.failure = CommandResult(argv, None, "", str(exc), time.monotonic() - self.start, not_found=True)
            return
        except OSError as exc:
            self.failure = CommandResult(argv, None, "", str(exc), time.monotonic() - self.start)
            return
        self.out = _Capped()
        self.err = _Capped()
        self.readers = [threading.Thread(target=_drain, args=(pipe, buf), daemon=True)
                        for pipe, buf in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for t in self.readers:
            t.start()
        with _LOCK:
            _RUNNING.add(self.proc)

    def send(self, line: str) -> None:
        if self.proc is None or self.proc.stdin is None:
            return
        try:
            self.proc.stdin.write(line.encode("utf-8") + b"\n")
            self.proc.stdin.close()
        except (OSError, ValueError):  # it has exited already, or was sent a line before
            pass

    def result(self, timeout: float) -> CommandResult:
        if self.proc is None:
            assert self.failure is not None
            return self.failure
        deadline = self.start + timeout
        # Wait on the output first: a reader ends at once when the child closes its pipes, where
        # Popen.wait(timeout) would poll with sleeps of up to 50 ms.
        self._join(deadline)
        timed_out = False
        if any(t.is_alive() for t in self.readers):  # output still open at the time limit
            timed_out = self.proc.poll() is None
            _kill_group(self.proc)  # the child, or something it started that holds its pipes
            self._join(time.monotonic() + 2.0)
        else:
            try:
                self.proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:  # closed its output, yet runs on past the limit
                timed_out = True
                _kill_group(self.proc)
        self.proc.wait()
        return self._collect(timed_out)

    def cancel(self) -> None:
        if self.proc is not None:
            _kill_group(self.proc)
            self.proc.wait()
            self._join(time.monotonic() + 2.0)
            self._collect(False)

    def _collect(self, timed_out: bool) -> CommandResult:
        assert self.proc is not None
        with _LOCK:
            _RUNNING.discard(self.proc)
        if self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        return CommandResult(
            self.argv, None if timed_out else self.proc.returncode,
            self.out.text(), self.err.text(),
            time.monotonic() - self.start, timed_out=timed_out,
        )

    def _join(self, deadline: float) -> None:
        for t in self.readers:
            t.join(max(0.0, deadline - time.monotonic()))


# Children started and not yet collected. Each has a session of its own, so Ctrl-C reaches none of
# them: end_children() ends them when whynogpu is interrupted.
_RUNNING: set[subprocess.Popen] = set()
_LOCK = threading.Lock()


class _Capped:
    """What a child printed, in bounded memory: the first HEAD and the last TAIL bytes (the end is where a
    probe writes its JSON and a framework its error), and how much was dropped between them. A framework that
    prints without end then costs a few megabytes, not all the memory of the machine."""

    HEAD = 1 << 20
    TAIL = 1 << 20

    def __init__(self) -> None:
        self.head = bytearray()
        self.tail: collections.deque[bytes] = collections.deque()
        self.tail_size = 0
        self.dropped = 0

    def append(self, chunk: bytes) -> None:
        room = self.HEAD - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if not chunk:
            return
        self.tail.append(chunk)
        self.tail_size += len(chunk)
        while self.tail_size - len(self.tail[0]) >= self.TAIL:
            self.dropped += len(self.tail[0])
            self.tail_size -= len(self.tail.popleft())

    def text(self) -> str:
        gap = f"\n[… whynogpu dropped {self.dropped} bytes of this output …]\n".encode() if self.dropped else b""
        return (bytes(self.head) + gap + b"".join(self.tail)).decode("utf-8", "replace")


def _drain(pipe, buf: _Capped) -> None:
    with pipe:
        for chunk in iter(lambda: pipe.read1(65536), b""):
            buf.append(chunk)
