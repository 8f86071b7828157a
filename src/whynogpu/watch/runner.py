"""Run the user's command unchanged while the sampler child watches it.

The command inherits stdin, stdout, the environment and the working directory. Its stderr goes
through whynogpu — a pseudo-terminal when whynogpu's stderr is a terminal (so progress bars and
colours behave as without whynogpu), else a pipe — and every chunk is written on at once, then read
for known framework messages. Signals meant for the command are passed on; the command is killed if
whynogpu itself is killed (PR_SET_PDEATHSIG), so it is never left behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

from whynogpu.parsers.logs import LogMatch, clean, match_line

MAX_LOG = 200  # known messages kept; a loop printing one OOM line per step must not fill the memory
MAX_PARTIAL = 16384  # bytes of an unfinished line kept for matching (a progress bar never ends its line)
# Signals a terminal sends to its whole foreground process group: the command (in our group) got them already.
TERMINAL_SIGNALS = (signal.SIGINT, signal.SIGQUIT, signal.SIGHUP)
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


@dataclass
class Outcome:
    returncode: int
    started: float
    ended: float
    start: dict = field(default_factory=dict)  # the sampler's first line (NVML status, GPUs)
    samples: list[dict] = field(default_factory=list)
    log: list[LogMatch] = field(default_factory=list)


def _write_all(fd: int, data: bytes) -> bool:
    try:
        while data:
            data = data[os.write(fd, data):]
        return True
    except OSError:  # our stderr was closed: keep draining so the command never blocks on a full pipe
        return False


class StderrReader:
    """Pass the command's stderr on unchanged and note the known GPU messages in it."""

    def __init__(self, out_fd: int = 2) -> None:
        self.out_fd = out_fd
        self.log: list[LogMatch] = []
        self._partial = b""
        self._lines = 0
        self._seen: set[tuple[str, str]] = set()

    def feed(self, data: bytes) -> None:
        parts = (self._partial + data).split(b"\n")
        self._partial = parts.pop()[-MAX_PARTIAL:]
        for raw in parts:
            self._line(raw)

    def close(self) -> None:
        if self._partial:
            self._line(self._partial)
            self._partial = b""

    def _line(self, raw: bytes) -> None:
        self._lines += 1
        if len(self.log) >= MAX_LOG:
            return
        for text in clean(raw.decode("utf-8", "replace")).split("\n"):  # a lone CR ends a progress-bar line
            m = match_line(text, self._lines)
            if m is not None and (m.id, m.text) not in self._seen:
                self._seen.add((m.id, m.text))
                self.log.append(m)

    def pump(self, fd: int) -> None:
        live = True
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the pseudo-terminal's last writer has gone
                break
            if not data:
                break
            if live:
                live = _write_all(self.out_fd, data)
            self.feed(data)
        self.close()


def _stderr_channel() -> tuple[int, int]:
    """(read end for whynogpu, write end for the command)."""
    if os.isatty(2):
        try:
            import fcntl
            import pty
            import termios

            master, slave = pty.openpty()
            attrs = termios.tcgetattr(slave)
            attrs[1] &= ~termios.OPOST  # bytes unchanged: no \n -> \r\n on the way through
            termios.tcsetattr(slave, termios.TCSANOW, attrs)
            size = fcntl.ioctl(2, termios.TIOCGWINSZ, b"\0" * 8)
            fcntl.ioctl(slave, termios.TIOCSWINSZ, size)
            return master, slave
        except (OSError, ImportError):
            pass
    return os.pipe()


def _die_with_parent(parent: int):
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def child() -> None:
        try:
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: killed with whynogpu, never orphaned
        except Exception:
            pass
        if os.getppid() != parent:  # whynogpu died before prctl took effect
            os.kill(os.getpid(), signal.SIGKILL)

    return child


def _from_terminal() -> bool:
    """Whether whynogpu's process group is its terminal's foreground group: then a Ctrl-C or a hang-up
    reached the command directly, and passing it on would deliver it twice."""
    for fd in (0, 1, 2):
        try:
            if os.isatty(fd):
                return os.tcgetpgrp(fd) == os.getpgrp()
        except OSError:
            continue
    return False


def sampler_command(interval: float) -> list[str]:
    return [sys.executable, "-m", "whynogpu.watch.sampler", repr(interval)]


class SamplerChild:
    """The sampler child (sampler.py) and the lines it has written so far, read by a daemon thread.

    `notice(start_line)` is called as soon as the sampler knows NVML's state. With `keep_stderr`, the
    sampler's own stderr is kept for `failure()` (why it never answered); else it goes nowhere."""

    def __init__(self, command: list[str], notice=None, env=None, keep_stderr: bool = False) -> None:
        self.start: dict = {}
        self.samples: list[dict] = []
        self.got_start = threading.Event()
        self._notice = notice
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE if keep_stderr else subprocess.DEVNULL,
                                     start_new_session=True, close_fds=True, env=env)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for line in self.proc.stdout:
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                if obj.get("kind") == "start":
                    self.start.update(obj)
                    self.got_start.set()
                    if self._notice:
                        self._notice(obj)
                elif obj.get("kind") == "sample":
                    self.samples.append(obj)
        except (OSError, ValueError):
            pass
        finally:
            self.got_start.set()

    def watch(self, pid: int, t0: float, exclude=()) -> None:
        """Start sampling `pid`'s process tree (without `exclude`), `t0` being its start on the monotonic clock."""
        try:
            self.proc.stdin.write(" ".join(map(str, (pid, t0, *exclude))).encode() + b"\n")
            self.proc.stdin.flush()
        except OSError:
            pass

    def stop(self) -> None:
        try:  # a worker forked from a watched process may hold stdin open: closing it is not enough
            self.proc.stdin.write(b"stop\n")
            self.proc.stdin.flush()
        except (OSError, ValueError):
            pass
        _stop(self.proc)
        self._thread.join(timeout=1.0)

    def failure(self) -> str | None:
        """After stop(): the last line the sampler wrote on stderr (with keep_stderr), e.g. a failed import."""
        if self.proc.stderr is None:
            return None
        try:
            lines = self.proc.stderr.read(65536).decode("utf-8", "replace").strip().splitlines()
        except (OSError, ValueError):
            return None
        return lines[-1][:300] if lines else None


def run(argv: list[str], interval: float, notice=None, sampler: list[str] | None = None) -> Outcome:
    """Run `argv` to its end; `notice(start_line)` is called as soon as the sampler knows NVML's state."""
    sam = SamplerChild(sampler or sampler_command(interval), notice)
    reader = StderrReader()
    r_fd, w_fd = _stderr_channel()
    started = time.monotonic()
    try:
        proc = subprocess.Popen(argv, stderr=w_fd, close_fds=True, preexec_fn=_die_with_parent(os.getpid()))
    except BaseException:
        os.close(r_fd)
        os.close(w_fd)
        sam.stop()
        raise
    os.close(w_fd)
    pump = threading.Thread(target=reader.pump, args=(r_fd,), daemon=True)
    pump.start()
    sam.watch(proc.pid, started)
    returncode = _wait(proc, r_fd)
    ended = time.monotonic()
    # A background grandchild may keep stderr open: wait a little for the rest, never for it to finish.
    pump.join(timeout=0.5)
    sam.stop()
    try:
        os.close(r_fd)
    except OSError:
        pass
    return Outcome(returncode, started, ended, dict(sam.start), list(sam.samples), list(reader.log))


def _resize(pty_fd: int) -> None:
    """The terminal was resized: give the command's pseudo-terminal the new size."""
    try:
        import fcntl
        import termios

        if os.isatty(pty_fd):
            fcntl.ioctl(pty_fd, termios.TIOCSWINSZ, fcntl.ioctl(2, termios.TIOCGWINSZ, b"\0" * 8))
    except (OSError, ImportError):
        pass


def _wait(proc: subprocess.Popen, stderr_fd: int) -> int:
    def forward(signum, frame) -> None:
        if signum == signal.SIGWINCH:
            _resize(stderr_fd)
            return
        if signum in TERMINAL_SIGNALS and _from_terminal():
            return
        try:
            proc.send_signal(signum)
        except OSError:
            pass

    old = {}
    for sig in (*FORWARDED, signal.SIGWINCH):
        try:
            old[sig] = signal.signal(sig, forward)
        except (OSError, ValueError):
            pass
    try:
        return proc.wait()
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _stop(sam: subprocess.Popen) -> None:
    try:
        sam.stdin.close()
    except OSError:
        pass
    try:
        sam.wait(timeout=2.0)
    except subprocess.TimeoutExpired:
        sam.kill()
        sam.wait()
