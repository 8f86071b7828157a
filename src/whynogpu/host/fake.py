"""A host made of data, for tests and for reproducing a machine from a fixture folder.

Folder layout (every part optional):

    host.json   {"env": {...}, "uname": {...}, "user": {...}, "python": "/usr/bin/python3",
                 "commands": [{"argv": [...], "returncode": 0, "stdout": "..." | "stdout_file": "f",
                               "stderr": "..." | "stderr_file": "f", "timed_out": false}],
                 "snippets": {"NAME": {...same fields as a command...}},
                 "stats": {"/dev/nvidiactl": {"mode": "0o20666", "uid": 0, "gid": 0, "rdev": [195, 255]}},
                 "listings": {"/dev": ["null", "nvidia0", ...]}, "own_python": "/opt/venv/bin/python"}
    root/       files of the fake machine: root/proc/version is /proc/version; a symbolic link
                there is a link of the fake machine (only FakeHost resolves it, never the OS)

A command or snippet entry may say "not_found": true (the executable does not exist) and give the
"duration_s" it took. A directory in "listings" lists exactly those names, whatever else is known
under it (`whynogpu capture` records listings this way, host/recording.py).

A snippet entry may also be keyed "NAME@/path/to/python" to answer only for that interpreter.
Output files named in `*_file` are read relative to the fixture folder, so captured real
outputs can be used as they are.
"""

from __future__ import annotations

import json
import os
import posixpath
import stat as _stat
from collections.abc import Mapping, Sequence
from typing import Any

from whynogpu.host.base import CommandResult, FileStat, Host, RunningSnippet, Uname, UserInfo

_DIR = FileStat(mode=_stat.S_IFDIR | 0o755, uid=0, gid=0)
_FILE = FileStat(mode=_stat.S_IFREG | 0o644, uid=0, gid=0)
_EXE = FileStat(mode=_stat.S_IFREG | 0o755, uid=0, gid=0)


class FakeHost(Host):
    def __init__(
        self,
        files: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
        uname: Uname | None = None,
        user: UserInfo | None = None,
        commands: Sequence[Mapping[str, Any]] = (),
        snippets: Mapping[str, Mapping[str, Any]] | None = None,
        stats: Mapping[str, FileStat] | None = None,
        symlinks: Mapping[str, str] | None = None,
        python: str = "/usr/bin/python3",
        base_dir: str | None = None,
        listings: Mapping[str, Sequence[str]] | None = None,
        own_python: str = "/opt/whynogpu/bin/python",
        cpus: int = 2,
    ) -> None:
        self.cpus = cpus  # this project's own machines have 2
        self.files = dict(files or {})
        self._env = dict(env or {})
        self._uname = uname or Uname("Linux", "6.1.0", "#1 SMP", "x86_64", "testhost")
        self._user = user or UserInfo(1000, 1000, (1000,), "user", "/home/user")
        self.commands = [dict(c) for c in commands]
        self.snippets = {k: dict(v) for k, v in (snippets or {}).items()}
        self.started: list[RunningSnippet] = []  # every start_snippet, in order
        self.children_ended = False
        self.stats = dict(stats or {})
        self.symlinks = dict(symlinks or {})
        self.python = python
        self.base_dir = base_dir
        self.listings = {posixpath.normpath(k): sorted(v) for k, v in (listings or {}).items()}
        self._own_python = own_python
        self.calls: list[tuple[str, ...]] = []  # what was run, for tests that check side effects
        self.scratch_dirs: list[str] = []  # made and not yet removed
        self._dirs = set()
        for p in list(self.files) + list(self.stats) + list(self.symlinks) + [f"{k}/" for k in self.listings]:
            d = posixpath.dirname(p)
            while d and d not in self._dirs:
                self._dirs.add(d)
                d = posixpath.dirname(d) if d != "/" else ""

    # -- construction from a fixture folder ---------------------------------------------------

    @classmethod
    def from_folder(cls, folder: str, **overrides: Any) -> FakeHost:
        spec: dict[str, Any] = {}
        host_json = os.path.join(folder, "host.json")
        if os.path.exists(host_json):
            with open(host_json, encoding="utf-8") as fh:
                spec = json.load(fh)
        files: dict[str, str] = {}
        symlinks: dict[str, str] = {}
        root = os.path.join(folder, "root")
        for dirpath, dirnames, filenames in os.walk(root):
            for name in filenames + dirnames:
                full = os.path.join(dirpath, name)
                virt = "/" + os.path.relpath(full, root).replace(os.sep, "/")
                if os.path.islink(full):
                    symlinks[virt] = os.readlink(full)
                elif os.path.isfile(full):
                    with open(full, "rb") as fh:
                        files[virt] = fh.read().decode("utf-8", "replace")
        stats = {p: _stat_from_json(v) for p, v in spec.get("stats", {}).items()}
        kwargs: dict[str, Any] = dict(
            files=files,
            symlinks=symlinks,
            env=spec.get("env", {}),
            uname=Uname(**spec["uname"]) if "uname" in spec else None,
            user=_user_from_json(spec["user"]) if "user" in spec else None,
            commands=spec.get("commands", []),
            snippets=spec.get("snippets", {}),
            stats=stats,
            python=spec.get("python", "/usr/bin/python3"),
            base_dir=folder,
            listings=spec.get("listings", {}),
        )
        if "own_python" in spec:
            kwargs["own_python"] = spec["own_python"]
        kwargs.update(overrides)
        if cls is FakeHost and spec.get("uname", {}).get("system") == "Windows":
            from whynogpu.host.windows import WindowsFakeHost  # drive letters, no case, ';' lists

            return WindowsFakeHost(**kwargs)
        return cls(**kwargs)

    # -- files ---------------------------------------------------------------------------------

    def _resolve(self, path: str, depth: int = 0) -> str:
        path = posixpath.normpath(path)
        if depth > 20:
            return path
        # resolve the longest symlinked prefix first
        parts = path.split("/")
        for i in range(len(parts), 1, -1):
            prefix = "/".join(parts[:i])
            if prefix in self.symlinks:
                target = self.symlinks[prefix]
                if not target.startswith("/"):
                    target = posixpath.join(posixpath.dirname(prefix), target)
                rest = "/".join(parts[i:])
                return self._resolve(posixpath.join(target, rest) if rest else target, depth + 1)
        return path

    def read_text(self, path: str, limit: int = 1 << 20) -> str | None:
        text = self.files.get(self._resolve(path))
        return None if text is None else text[:limit]

    def listdir(self, path: str) -> list[str] | None:
        path = self._resolve(path).rstrip("/") or "/"
        if path not in self._dirs and path != "/":
            return None
        if path in self.listings:
            return list(self.listings[path])
        prefix = path if path.endswith("/") else path + "/"
        names = set()
        for p in list(self.files) + list(self.stats) + list(self.symlinks) + list(self._dirs):
            if p.startswith(prefix) and p != path:
                names.add(p[len(prefix):].split("/", 1)[0])
        return sorted(names)

    def stat(self, path: str) -> FileStat | None:
        path = self._resolve(path)
        if path in self.stats:
            return self.stats[path]
        if path in self.files:
            return _EXE if self._is_command(path) else _FILE
        if path in self._dirs or path == "/":
            return _DIR
        if self._is_command(path):
            return _EXE
        return None

    def _is_command(self, path: str) -> bool:
        return any(c.get("argv") and c["argv"][0] == path and not c.get("not_found") for c in self.commands)

    def realpath(self, path: str) -> str:
        return self._resolve(path)

    def readlink(self, path: str) -> str | None:
        return self.symlinks.get(posixpath.normpath(path))

    # -- process facts -------------------------------------------------------------------------

    def env(self) -> Mapping[str, str]:
        return dict(self._env)

    def uname(self) -> Uname:
        return self._uname

    def user(self) -> UserInfo:
        return self._user

    def own_python(self) -> str:
        return self._own_python

    def cpu_count(self) -> int:
        return self.cpus

    def make_scratch_dir(self, prefix: str) -> str:
        path = f"/tmp/{prefix}{len(self.scratch_dirs)}"
        self.scratch_dirs.append(path)
        return path

    def remove_scratch_dir(self, path: str) -> None:
        self.scratch_dirs.remove(path)

    # -- commands and snippets -----------------------------------------------------------------

    def _result(self, argv: tuple[str, ...], spec: Mapping[str, Any]) -> CommandResult:
        def text(key: str) -> str:
            if f"{key}_file" in spec:
                assert self.base_dir is not None, "output files need a fixture folder"
                with open(os.path.join(self.base_dir, spec[f"{key}_file"]), "rb") as fh:
                    return fh.read().decode("utf-8", "replace")
            return spec.get(key, "")

        timed_out = bool(spec.get("timed_out", False))
        return CommandResult(
            argv=argv,
            returncode=None if timed_out else spec.get("returncode", 0),
            stdout=text("stdout"),
            stderr=text("stderr"),
            duration_s=float(spec.get("duration_s", 0.01)),
            timed_out=timed_out,
            not_found=bool(spec.get("not_found", False)),
        )

    def run(self, argv: Sequence[str], timeout: float, env: Mapping[str, str] | None = None) -> CommandResult:
        argv = tuple(argv)
        self.calls.append(argv)
        for spec in self.commands:
            if tuple(spec["argv"]) == argv:
                return self._result(argv, spec)
        return CommandResult(argv, None, "", f"{argv[0]}: not found", not_found=True)

    def run_snippet(
        self,
        name: str,
        python: str | None,
        timeout: float,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
    ) -> CommandResult:
        exe = python or self.own_python()
        argv = (exe, "-c", f"<snippet {name}>", *args)
        self.calls.append(argv)
        spec = self.snippets.get(f"{name}@{exe}") or self.snippets.get(name)
        if spec is None:
            return CommandResult(argv, None, "", f"{exe}: no answer for snippet {name!r}", not_found=True)
        return self._result(argv, spec)

    def end_children(self) -> None:
        self.children_ended = True  # nothing runs for real: tests check that it was asked

    def start_snippet(
        self,
        name: str,
        python: str | None,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
    ) -> RunningSnippet:
        running = _FakeRunning(self, name, python, tuple(args), env)
        self.started.append(running)
        return running


class _FakeRunning(RunningSnippet):
    """A started snippet on a FakeHost: it answers at `result()`, through run_snippet, with the flags
    that `send` gave it appended to its arguments (as the real child adds them to its own)."""

    def __init__(self, host: FakeHost, name: str, python: str | None, args: tuple[str, ...],
                 env: Mapping[str, str] | None) -> None:
        self.host, self.name, self.python, self.args, self.env = host, name, python, args, env
        self.argv = (python or host.own_python(), "-c", f"<snippet {name}>", *args)
        self.sent: list[str] = []
        self.cancelled = False

    def send(self, line: str) -> None:
        self.sent.append(line)

    def result(self, timeout: float) -> CommandResult:
        flags = tuple(w for line in self.sent for w in line.split())
        return self.host.run_snippet(self.name, self.python, timeout, (*self.args, *flags), self.env)

    def cancel(self) -> None:
        self.cancelled = True


def _stat_from_json(v: Mapping[str, Any]) -> FileStat:
    mode = v["mode"]
    if isinstance(mode, str):
        mode = int(mode, 8) if not mode.startswith("0o") else int(mode, 0)
    rdev = tuple(v["rdev"]) if v.get("rdev") else None
    return FileStat(mode=mode, uid=v.get("uid", 0), gid=v.get("gid", 0), rdev=rdev)  # type: ignore[arg-type]


def _user_from_json(v: Mapping[str, Any]) -> UserInfo:
    return UserInfo(
        uid=v.get("uid", 1000),
        gid=v.get("gid", 1000),
        groups=tuple(v.get("groups", [])),
        name=v.get("name", "user"),
        home=v.get("home", "/home/user"),
    )
