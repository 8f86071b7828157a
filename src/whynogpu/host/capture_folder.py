"""A recording (host/recording.py) written as a FakeHost folder, redacted, and such a folder read back.

    host.json       what FakeHost answers (fake.py's docstring has the format)
    root/           the files read, filed under their resolved paths; the symbolic links passed on the way
    outputs/        stdout and stderr of each command and snippet, named in host.json by *_file
    manifest.json   tool version, date, options, the verdict and finding codes, what each file is

Every string goes through one redaction (the project's Redactor, plus the home folder mapped to
/home/<user>), paths and contents alike, so a path a probe builds from a redacted answer in a replay
is the path its answer was filed under. Writing never passes through a symbolic link: links are
only created, last, and a folder on the way that is a link stops the capture.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
from typing import Any

from whynogpu.host.base import CommandResult, FileStat, UserInfo
from whynogpu.host.recording import RecordingHost
from whynogpu.redact import Redactor

MAX_TEXT = 1 << 20  # characters kept of one file or output; a longer one is cut and the manifest says so
WRITTEN = ("host.json", "manifest.json", "root", "outputs")  # what a capture puts in its folder


class CaptureError(Exception):
    """A folder that cannot be written to or read back as a capture: one line for the user."""


class CaptureRedactor:
    """The project's redaction, with the user's home folder (wherever it is) shown as /home/<user>, so
    that a redacted path is still an absolute path a replay can look up."""

    def __init__(self, user: UserInfo, node: str) -> None:
        self.user = user
        self.base = Redactor(None, user.name, node)
        home = (user.home or "").rstrip("/")
        self.home = home if home not in ("", "/root") and not home.startswith(("/home/", "/Users/")) else None

    def text(self, s: str) -> str:
        if self.home:
            s = re.sub(re.escape(self.home) + r"(?=/|\b|$)", "/home/<user>", s)
        return self.base.text(s)

    def env(self, name: str, value: str) -> str:
        # redacted as NAME=VALUE, so that a variable whose name says token or password loses its value
        out = self.text(f"{name}={value}")
        return out.split("=", 1)[1] if "=" in out else self.text(value)


def _stat_json(st: FileStat) -> dict[str, Any]:
    out: dict[str, Any] = {"mode": oct(st.mode), "uid": st.uid, "gid": st.gid}
    if st.rdev:
        out["rdev"] = list(st.rdev)
    return out


def _cut(text: str, keep_end: bool) -> tuple[str, bool]:
    if len(text) <= MAX_TEXT:
        return text, False
    if not keep_end:
        return text[:MAX_TEXT], True
    # an output's end is where a probe prints its JSON and a framework its error
    half = MAX_TEXT // 2
    return text[:half] + f"\n[… whynogpu capture dropped {len(text) - 2 * half} characters …]\n" + text[-half:], True


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", posixpath.basename(text)).strip("-")[:40] or "command"


class _Writer:
    def __init__(self, folder: str) -> None:
        self.folder = os.path.abspath(folder)
        self.described: dict[str, str] = {}

    def _dir(self, rel: str) -> str:
        """The folder `rel` inside the capture, made one level at a time; a link or a file on the way stops it."""
        path = self.folder
        for part in [p for p in rel.split("/") if p]:
            if part in (".", ".."):
                raise CaptureError(f"refusing the path {rel!r}")
            path = os.path.join(path, part)
            if os.path.islink(path) or (os.path.lexists(path) and not os.path.isdir(path)):
                raise CaptureError(f"{path} is in the way (a link or a file); nothing is written through it")
            if not os.path.lexists(path):
                os.mkdir(path)
        return path

    def file(self, rel: str, text: str, what: str) -> None:
        full = os.path.join(self._dir(posixpath.dirname(rel)), posixpath.basename(rel))
        fd = os.open(full, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape", newline="") as fh:
            fh.write(text)
        self.described[rel] = what

    def link(self, rel: str, target: str, what: str) -> None:
        full = os.path.join(self._dir(posixpath.dirname(rel)), posixpath.basename(rel))
        os.symlink(target, full)  # made, never followed: only FakeHost interprets it
        self.described[rel] = what


def check_target(folder: str, force: bool) -> None:
    """Refuse DIR before anything is probed: it must be missing or empty, unless --force."""
    if os.path.lexists(folder) and not os.path.isdir(folder):
        raise CaptureError(f"{folder} exists and is not a folder")
    if os.path.isdir(folder) and os.listdir(folder) and not force:
        raise CaptureError(f"{folder} is not empty; choose a new folder, or add --force to replace a capture in it")


def prepare(folder: str) -> None:
    """Make DIR ready: a previous capture's parts are removed (links unlinked, never followed);
    anything else in it is left alone."""
    if os.path.isdir(folder):
        for name in WRITTEN:
            path = os.path.join(folder, name)
            if os.path.islink(path) or os.path.isfile(path):
                os.unlink(path)
            elif os.path.isdir(path):
                shutil.rmtree(path)
    os.makedirs(folder, exist_ok=True)


def _virtual_paths(rec: RecordingHost, red: CaptureRedactor):
    """Redacted, absolute, non-conflicting: links, then files (a path under a link or that is a folder of
    another file cannot be both in a real folder tree)."""
    links = {red.text(p): red.text(t) for p, t in sorted(rec.symlinks.items()) if p.startswith("/") and p != "/"}
    files = {red.text(p): t for p, t in sorted(rec.files.items()) if p.startswith("/") and p != "/"}

    def under_link(p: str) -> bool:
        d = p
        while d not in ("/", ""):
            if d in links:
                return True
            d = posixpath.dirname(d)
        return False

    files = {p: t for p, t in files.items() if not under_link(p)}
    dirs = set()
    for p in files:
        p = posixpath.dirname(p)
        while p not in ("/", "") and p not in dirs:
            dirs.add(p)
            p = posixpath.dirname(p)
    files = {p: t for p, t in files.items() if p not in dirs}
    links = {p: t for p, t in links.items() if p not in dirs and not under_link(posixpath.dirname(p))}
    return links, files


def _result_json(w: _Writer, res: CommandResult, name: str, shown: str, red: CaptureRedactor,
                 notes: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"returncode": res.returncode, "duration_s": round(res.duration_s, 3)}
    if res.timed_out:
        out["timed_out"] = True
    if res.not_found:
        out["not_found"] = True
    for key in ("stdout", "stderr"):
        text = red.text(getattr(res, key))
        if not text:
            continue
        text, cut = _cut(text, keep_end=True)
        rel = f"outputs/{name}.{key}.txt"
        w.file(rel, text, f"{key} of {shown}" + (" (its middle cut: longer than the capture keeps)" if cut else ""))
        if cut:
            notes.append(f"{rel} was cut to {MAX_TEXT} characters")
        out[f"{key}_file"] = rel
    return out


def _shown(argv: tuple[str, ...], name: str | None, red: CaptureRedactor) -> list[str]:
    # a snippet's argv holds its whole source (python -c SOURCE): name it instead
    return [red.text(a) if len(a) < 200 else f"<snippet {name}>" if name else "<snippet>" for a in argv]


def _redacted(obj: Any, red: CaptureRedactor) -> Any:
    if isinstance(obj, str):
        return red.text(obj)
    if isinstance(obj, dict):
        return {k: _redacted(v, red) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_redacted(v, red) for v in obj]
    return obj


def write(folder: str, rec: RecordingHost, manifest: dict[str, Any]) -> dict[str, Any]:
    """Write the recording into `folder` (made ready by prepare()) and return the manifest written;
    the manifest given (options, verdict) is redacted like the rest."""
    user, uname = rec.inner.user(), rec.inner.uname()
    red = CaptureRedactor(user, uname.node)
    manifest = _redacted(manifest, red)
    w = _Writer(folder)
    notes: list[str] = []
    links, files = _virtual_paths(rec, red)
    for path, text in files.items():
        text, cut = _cut(red.text(text), keep_end=False)
        w.file("root" + path, text, f"{path} as whynogpu read it" + (" (cut: longer than the capture keeps)" if cut else ""))
        if cut:
            notes.append(f"root{path} was cut to its first {MAX_TEXT} characters")

    commands = []
    for i, (argv, res) in enumerate(sorted(rec.commands.items(), key=lambda kv: kv[0])):
        shown = _shown(argv, None, red)
        entry = {"argv": shown, **_result_json(w, res, f"{i + 1:03d}-{_slug(argv[0])}", f"`{' '.join(shown)}`", red, notes)}
        commands.append(entry)
    snippets = {}
    for i, (key, res) in enumerate(sorted(rec.snippets.items())):
        name = key.split("@", 1)[0]
        shown = _shown(res.argv, name, red)
        label = f"{name} snippet run as `{' '.join(shown)}`"
        snippets[red.text(key)] = {"argv": shown, **_result_json(w, res, f"s{i + 1:02d}-{_slug(name)}", label, red, notes)}

    is_root = user.uid == 0 or user.name == "root"
    host_json = {
        "env": {k: red.env(k, v) for k, v in rec.recorded_env().items()},
        "uname": {"system": uname.system, "release": uname.release, "version": uname.version,
                  "machine": uname.machine, "node": "<host>"},
        "user": {"uid": user.uid, "gid": user.gid, "groups": list(user.groups),
                 "name": user.name if is_root else "<user>", "home": red.text(user.home)},
        "own_python": red.text(rec.inner.own_python()),
        "commands": commands,
        "snippets": snippets,
        "stats": {red.text(p): _stat_json(st) for p, st in sorted(rec.stats.items()) if p.startswith("/")},
        "listings": {red.text(p): sorted(red.text(posixpath.join(p, n)).rsplit("/", 1)[-1] for n in names)
                     for p, names in sorted(rec.listings.items()) if p.startswith("/")},
    }
    for path, target in links.items():
        w.link("root" + path, target, f"{path}: a symbolic link to {target} on the machine")
    w.file("host.json", json.dumps(host_json, indent=1, ensure_ascii=False) + "\n",
           "what FakeHost answers: the environment variables whynogpu asked for, uname, user, the commands and "
           "snippets run (exit codes, times; outputs in outputs/), stats, and directory listings")
    files_described = dict(sorted(w.described.items()))
    manifest = {**manifest, "redacted": "user names, home folders, host name, GPU UUIDs, secrets (tokens, "
                "passwords, URLs with credentials); environment variables whynogpu did not ask for are not kept",
                "notes": notes, "files": {"manifest.json": "this file", **files_described}}
    w.file("manifest.json", json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", "this file")
    return manifest


# -- reading a capture back (`whynogpu check --replay DIR`) -------------------------------------------

def _check_refs(folder: str, spec: dict[str, Any]) -> None:
    entries = list(spec.get("commands") or [])
    snippets = spec.get("snippets") or {}
    if not isinstance(entries, list) or not isinstance(snippets, dict):
        raise CaptureError("host.json: 'commands' must be a list and 'snippets' an object")
    entries += list(snippets.values())
    for entry in entries:
        if not isinstance(entry, dict):
            raise CaptureError("host.json: a command or snippet entry is not an object")
        if "argv" in entry and not isinstance(entry["argv"], list):
            raise CaptureError("host.json: a command's argv is not a list")
        for key in ("stdout_file", "stderr_file"):
            rel = entry.get(key)
            if rel is None:
                continue
            # an output file must be inside the folder: a capture from elsewhere must not make whynogpu read this machine
            norm = posixpath.normpath(str(rel))
            full = os.path.join(folder, norm)
            if norm.startswith(("/", "..")) or os.path.islink(full) or not os.path.isfile(full):
                raise CaptureError(f"host.json names {rel!r} as an output file, which is not a file inside the folder")


def load(folder: str):
    """(FakeHost, manifest) of a capture folder or host fixture; CaptureError when it is not one."""
    from whynogpu.host.fake import FakeHost

    if not os.path.isdir(folder):
        raise CaptureError(f"{folder}: " + ("not a folder" if os.path.lexists(folder) else "no such folder"))
    host_json = os.path.join(folder, "host.json")
    if not os.path.isfile(host_json):
        raise CaptureError(f"{folder} has no host.json: not a folder made by `whynogpu capture`")
    root = os.path.join(folder, "root")
    if os.path.islink(root):
        raise CaptureError(f"{root} is a symbolic link; a capture's root/ is a real folder")
    try:
        with open(host_json, encoding="utf-8") as fh:
            spec = json.load(fh)
        manifest = {}
        if os.path.isfile(os.path.join(folder, "manifest.json")):
            with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as fh:
                manifest = json.load(fh)
    except (OSError, UnicodeDecodeError) as exc:
        raise CaptureError(f"cannot read {folder}: {exc}") from None
    except ValueError as exc:
        raise CaptureError(f"{folder}: a JSON file is malformed: {exc}") from None
    if not isinstance(spec, dict) or not isinstance(manifest, dict):
        raise CaptureError(f"{folder}: host.json and manifest.json must hold JSON objects")
    _check_refs(folder, spec)
    try:
        host = FakeHost.from_folder(folder)
    except (KeyError, TypeError, ValueError, AttributeError, OSError) as exc:
        raise CaptureError(f"{folder}/host.json is not in the capture format: {type(exc).__name__}: {exc}") from None
    return host, manifest
