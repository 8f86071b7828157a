"""A host that answers like another one and remembers every answer, for `whynogpu capture`.

Everything a probe learns passes through the Host seam, so keeping each answer (file texts,
directory listings, stats, symbolic links, command and snippet results, the environment variables
asked for) is enough for FakeHost to give a check the same answers later: capture_folder.write
turns a recording into the FakeHost folder layout. Answers are kept raw here; redaction happens
when they are written.
"""

from __future__ import annotations

import posixpath
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace

from whynogpu.host.base import CommandResult, FileStat, Host, RunningSnippet, Uname, UserInfo

_MAX_LINKS = 40  # as the kernel's ELOOP limit: a link loop must not hang the capture


class _WatchedEnv(dict):
    """The environment, noting which variables were looked up by name. Copying it whole (dict(env),
    as for a child's environment) goes through dict's own fast path and notes nothing, so a capture
    keeps the variables a probe decided on, not every token in the user's shell."""

    def __init__(self, data: Mapping[str, str], asked: set[str]) -> None:
        super().__init__(data)
        self._asked = asked

    def __getitem__(self, key):
        self._asked.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._asked.add(key)
        return super().get(key, default)

    def __contains__(self, key):
        self._asked.add(key)
        return super().__contains__(key)


class RecordingHost(Host):
    def __init__(self, inner: Host) -> None:
        self.inner = inner
        self.lock = threading.Lock()  # early probes run in threads
        self.files: dict[str, str] = {}  # resolved path -> the longest text read
        self.listings: dict[str, list[str]] = {}
        self.stats: dict[str, FileStat] = {}
        self.symlinks: dict[str, str] = {}  # link path (no link before it) -> target as stored
        self.commands: dict[tuple[str, ...], CommandResult] = {}  # the first answer to each argv
        self.snippets: dict[str, CommandResult] = {}  # "NAME" or "NAME@python", as FakeHost looks them up
        self.asked_env: set[str] = set()
        self._resolved: dict[str, str] = {}

    # -- paths: every link on the way is kept, and answers are filed under the resolved path ------

    def resolve(self, path: str, depth: int = 0) -> str:
        """The path with every symbolic link in it followed, as FakeHost._resolve will follow the links
        kept here (lexically, with normpath). Relative paths are left alone."""
        path = posixpath.normpath(path)
        if not path.startswith("/") or depth > _MAX_LINKS:
            return path
        done = self._resolved.get(path)
        if done is not None:
            return done
        cur = "/"
        for part in path.split("/")[1:]:
            nxt = posixpath.join(cur, part)
            target = self.inner.readlink(nxt)
            if target is None:
                cur = nxt
                continue
            with self.lock:
                self.symlinks[nxt] = target
            cur = self.resolve(target if target.startswith("/") else posixpath.join(cur, target), depth + 1)
        self._resolved[path] = cur
        return cur

    def read_text(self, path: str, limit: int = 1 << 20) -> str | None:
        text = self.inner.read_text(path, limit)
        if text is not None:
            real = self.resolve(path)
            with self.lock:
                if len(text) > len(self.files.get(real, "")):
                    self.files[real] = text
        return text

    def listdir(self, path: str) -> list[str] | None:
        names = self.inner.listdir(path)
        if names is not None:
            real = self.resolve(path)
            with self.lock:
                self.listings[real] = list(names)
        return names

    def stat(self, path: str) -> FileStat | None:
        st = self.inner.stat(path)
        if st is not None:
            real = self.resolve(path)
            with self.lock:
                self.stats[real] = st
        return st

    def realpath(self, path: str) -> str:
        self.resolve(path)
        return self.inner.realpath(path)

    def readlink(self, path: str) -> str | None:
        self.resolve(posixpath.dirname(path))
        target = self.inner.readlink(path)
        if target is not None:
            with self.lock:
                self.symlinks[posixpath.normpath(path)] = target
        return target

    # -- process facts ------------------------------------------------------------------------------

    def env(self) -> Mapping[str, str]:
        return _WatchedEnv(self.inner.env(), self.asked_env)

    def recorded_env(self) -> dict[str, str]:
        env = self.inner.env()
        return {k: env[k] for k in sorted(self.asked_env) if k in env}

    def uname(self) -> Uname:
        return self.inner.uname()

    def user(self) -> UserInfo:
        return self.inner.user()

    def cpu_count(self) -> int:
        return self.inner.cpu_count()

    def own_python(self) -> str:
        return self.inner.own_python()

    def make_scratch_dir(self, prefix: str) -> str:
        return self.inner.make_scratch_dir(prefix)

    def remove_scratch_dir(self, path: str) -> None:
        self.inner.remove_scratch_dir(path)

    def end_children(self) -> None:
        self.inner.end_children()

    # -- commands and snippets ----------------------------------------------------------------------

    def run(self, argv: Sequence[str], timeout: float, env: Mapping[str, str] | None = None) -> CommandResult:
        res = self.inner.run(argv, timeout, env)
        with self.lock:
            self.commands.setdefault(tuple(argv), res)
        return res

    def _keep_snippet(self, name: str, python: str | None, res: CommandResult) -> None:
        with self.lock:
            self.snippets.setdefault(name if python is None else f"{name}@{python}", res)

    def run_snippet(self, name: str, python: str | None, timeout: float, args: Sequence[str] = (),
                    env: Mapping[str, str] | None = None) -> CommandResult:
        res = self.inner.run_snippet(name, python, timeout, args, env)
        self._keep_snippet(name, python, res)
        return res

    def start_snippet(self, name: str, python: str | None, args: Sequence[str] = (),
                      env: Mapping[str, str] | None = None) -> RunningSnippet:
        return _RecordingRunning(self, name, python, self.inner.start_snippet(name, python, args, env))


class _RecordingRunning(RunningSnippet):
    """A started snippet whose answer is kept when it is collected; one cancelled unused is not kept."""

    def __init__(self, host: RecordingHost, name: str, python: str | None, inner: RunningSnippet) -> None:
        self.host, self.name, self.python, self.inner = host, name, python, inner
        self.argv = inner.argv
        self.sent: list[str] = []

    def send(self, line: str) -> None:
        self.sent.append(line)
        self.inner.send(line)

    def result(self, timeout: float) -> CommandResult:
        res = self.inner.result(timeout)
        # kept as it ran in effect: flags a head-started child got on stdin shown as arguments
        flags = [w for line in self.sent for w in line.split() if w != "--go"]
        argv = (*(a for a in res.argv if a != "--gate"), *flags) if self.sent else res.argv
        self.host._keep_snippet(self.name, self.python, replace(res, argv=tuple(argv)))
        return res

    def cancel(self) -> None:
        self.inner.cancel()
