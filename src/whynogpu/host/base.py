from __future__ import annotations

import os
import posixpath
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CommandResult:
    argv: tuple[str, ...]
    returncode: int | None  # None when the command could not start or timed out
    stdout: str
    stderr: str
    duration_s: float = 0.0
    timed_out: bool = False
    not_found: bool = False  # the executable does not exist

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    @property
    def signal(self) -> int | None:
        """The signal that killed the process, if any (negative return codes on POSIX)."""
        if self.returncode is not None and self.returncode < 0:
            return -self.returncode
        return None

    def stderr_tail(self, lines: int = 8) -> str:
        return "\n".join(self.stderr.strip().splitlines()[-lines:])


@dataclass(frozen=True)
class FileStat:
    mode: int  # st_mode
    uid: int
    gid: int
    rdev: tuple[int, int] | None = None  # (major, minor) for device nodes


@dataclass(frozen=True)
class Uname:
    system: str  # "Linux", "Windows", "Darwin"
    release: str
    version: str
    machine: str
    node: str = ""


@dataclass(frozen=True)
class UserInfo:
    uid: int
    gid: int
    groups: tuple[int, ...]
    name: str
    home: str


class RunningSnippet(ABC):
    """A snippet started by `Host.start_snippet`, still running.

    It exists so that a slow child (a framework import) can start before whynogpu has decided
    everything about it: a snippet started with `--gate` reads one line of further flags from
    stdin once its import is done, and `send` writes that line.
    """

    argv: tuple[str, ...]

    @abstractmethod
    def send(self, line: str) -> None:
        """Write one line to the child's stdin and close it; a child that has gone is not an error."""

    @abstractmethod
    def result(self, timeout: float) -> CommandResult:
        """Wait for the child until `timeout` seconds after it started; past that it is killed."""

    @abstractmethod
    def cancel(self) -> None:
        """Kill the child (and anything it started) and reap it."""


INCLUDE = "# whynogpu: include "
# Package data is read by path: importlib.resources costs more start-up time than it saves here.
SNIPPETS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "probes", "snippets")


def snippet_source(name: str) -> str:
    """Source of a stdlib-only snippet shipped in whynogpu/probes/snippets/.

    Snippets run with `python -c`, so they cannot import each other; a line
    `# whynogpu: include OTHER` is replaced by the source of snippet OTHER.
    """
    with open(os.path.join(SNIPPETS, f"{name}.py"), encoding="utf-8") as fh:
        text = fh.read()
    if INCLUDE not in text:
        return text
    return "\n".join(snippet_source(line[len(INCLUDE):].strip()) if line.startswith(INCLUDE) else line
                     for line in text.split("\n"))


class Host(ABC):
    """Everything a probe may ask of a machine."""

    @abstractmethod
    def read_text(self, path: str, limit: int = 1 << 20) -> str | None:
        """Text of a file (decoded leniently), or None if it cannot be read."""

    @abstractmethod
    def listdir(self, path: str) -> list[str] | None:
        """Sorted names in a directory, or None if it is not a readable directory."""

    @abstractmethod
    def stat(self, path: str) -> FileStat | None:
        """stat() following symlinks, or None if the path does not exist."""

    @abstractmethod
    def realpath(self, path: str) -> str: ...

    @abstractmethod
    def env(self) -> Mapping[str, str]: ...

    @abstractmethod
    def uname(self) -> Uname: ...

    @abstractmethod
    def user(self) -> UserInfo: ...

    @abstractmethod
    def run(self, argv: Sequence[str], timeout: float, env: Mapping[str, str] | None = None) -> CommandResult:
        """Run a command with captured output. `env` replaces the environment when given."""

    @abstractmethod
    def run_snippet(
        self,
        name: str,
        python: str | None,
        timeout: float,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
    ) -> CommandResult:
        """Run snippet `name` in interpreter `python` (None: a child of whynogpu's own Python)."""

    @abstractmethod
    def start_snippet(
        self,
        name: str,
        python: str | None,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
    ) -> RunningSnippet:
        """Start snippet `name` like run_snippet, without waiting for it."""

    @abstractmethod
    def end_children(self) -> None:
        """Kill every child process still running: whynogpu was interrupted."""

    @abstractmethod
    def own_python(self) -> str:
        """Path of the interpreter whynogpu itself runs in."""

    @abstractmethod
    def make_scratch_dir(self, prefix: str) -> str:
        """A new empty private folder for a child process to write into (e.g. Keras' first-run keras.json)."""

    @abstractmethod
    def remove_scratch_dir(self, path: str) -> None:
        """Delete a folder made by make_scratch_dir, and everything in it."""

    def readlink(self, path: str) -> str | None:
        """Target of `path` as stored in the link (not resolved), or None when it is not a symbolic link.
        Only `whynogpu capture` asks: it keeps the links it passes so that a replay resolves paths alike."""
        return None

    def cpu_count(self) -> int:
        """CPUs this process may run on (its affinity, which a container's cpuset limits): how many probe
        children can usefully run side by side."""
        import os

        try:
            return len(os.sched_getaffinity(0)) or 1
        except (AttributeError, OSError):
            return os.cpu_count() or 1

    # Conveniences built on the primitives above, shared by every host.

    def exists(self, path: str) -> bool:
        return self.stat(path) is not None

    def is_dir(self, path: str) -> bool:
        import stat as _stat

        st = self.stat(path)
        return st is not None and _stat.S_ISDIR(st.mode)

    def which(self, name: str, path: str | None = None) -> str | None:
        import stat as _stat

        if self.uname().system == "Windows":  # PATH split on ';', PATHEXT, no exec bits
            from whynogpu.host.windows import which

            return which(self, name, path)

        search = self.env().get("PATH", "") if path is None else path
        for d in search.split(":"):
            if not d:
                continue
            cand = posixpath.join(d, name)
            st = self.stat(cand)
            if st is not None and _stat.S_ISREG(st.mode) and st.mode & 0o111:
                return cand
        return None
