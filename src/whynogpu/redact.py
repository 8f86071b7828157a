"""Make a report safe to paste into a public issue.

Environment values off the allow-list are never collected at all (probes/environment.py);
this removes what the collected facts can still reveal: home paths and user names, the host
name, GPU UUIDs and board serial numbers.
"""

from __future__ import annotations

import re
from typing import Any

UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
PATTERNS = [
    (re.compile(rf"\b(GPU|MIG)-{UUID}"), r"\1-<redacted>"),
    (re.compile(rf"\bMIG-GPU-{UUID}(/\d+/\d+)?"), "MIG-GPU-<redacted>"),
]
# Secrets a framework's stderr or a pasted report can carry (a token printed by a library, a proxy URL).
SECRETS = [
    # scheme://user:password@host
    (re.compile(r"\b([a-z][a-z0-9+.-]*://)[^/\s:@'\"]+:[^@/\s'\"]+@", re.I), r"\1<redacted>@"),
    # NAME_TOKEN=…, api_key: …, "password": "…" (the name stays, the value goes)
    (re.compile(r"""(\b[\w.-]*(?:token|api[_-]?key|access[_-]?key|secret|passw(?:or)?d|passwd|credentials?)[\w.-]*['"]?"""
                r"""\s*[=:]\s*['"]?)[^\s'",;]{4,}""", re.I), r"\1<redacted>"),
    (re.compile(r"\b(bearer|token)\s+[A-Za-z0-9._~+/-]{12,}=*", re.I), r"\1 <redacted>"),
    # well-known token shapes: Hugging Face, GitHub, AWS, OpenAI-style, Slack, GitLab, Google
    (re.compile(r"\b(?:hf_[A-Za-z0-9]{20,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_\w{20,}|(?:AKIA|ASIA)[0-9A-Z]{16}|"
                r"sk-[A-Za-z0-9_-]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|glpat-[A-Za-z0-9_-]{20,}|AIza[0-9A-Za-z_-]{30,})"),
     "<redacted>"),
]
# Any user's home folder, not only the invoking user's (a snapshot can name other users' folders).
HOMES = (re.compile(r"(/home/|/Users/|[A-Za-z]:\\+Users\\+)(?!<user>)([^/\\\s'\"<>]+)"), r"\1<user>")
SECRET_KEYS = {"hostname", "serial", "uuid", "board_serial", "node", "user"}


class Redactor:
    def __init__(self, home: str | None, user: str | None, hostname: str | None,
                 more_users: tuple[str, ...] = (), more_hosts: tuple[str, ...] = ()) -> None:
        subs: list[tuple[re.Pattern[str], str]] = []
        if home and home not in ("/", "/root") and len(home) > 1:
            subs.append((re.compile(re.escape(home.rstrip("/")) + r"(?=/|\b|$)"), "~"))
        for u in dict.fromkeys(x for x in (user, *more_users) if x and x != "root"):
            eu = re.escape(u)
            subs.append((re.compile(rf"(/home/|/Users/|[A-Za-z]:\\+Users\\+){eu}(?=[/\\]|\b|$)"), r"\1<user>"))
            subs.append((re.compile(rf"\b{eu}@"), "<user>@"))
        for h in dict.fromkeys(x for x in (hostname, *more_hosts) if x and len(x) >= 3):
            subs.append((re.compile(rf"\b{re.escape(h)}\b"), "<host>"))
        self.subs = subs + PATTERNS + SECRETS + [HOMES]

    def text(self, s: str) -> str:
        for pat, repl in self.subs:
            s = pat.sub(repl, s)
        return s

    def data(self, obj: Any, key: str | None = None) -> Any:
        if isinstance(obj, str):
            if key in SECRET_KEYS and obj:
                return "<redacted>"
            return self.text(obj)
        if isinstance(obj, dict):
            return {self.text(k): self.data(v, k) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self.data(v, key) for v in obj]
        return obj


def for_host(host) -> Redactor:
    try:
        user = host.user()
        name, home = user.name, user.home
    except Exception:
        name, home = None, None
    try:
        node = host.uname().node
    except Exception:
        node = None
    return Redactor(home, name, node)


# Who and where a pasted text or a saved snapshot comes from: home folders, shell prompts (user@host),
# and the host and user fields a snapshot records. A shared report redacts these, not this machine's.
_HOME = re.compile(r"(?:/home/|/Users/|[A-Za-z]:\\+Users\\+)([A-Za-z0-9_.-]{2,32})(?=[/\\\s'\"]|$)")
_PROMPT = re.compile(r"\b([a-z_][a-z0-9_.-]{1,31})@([A-Za-z0-9][A-Za-z0-9.-]{2,62})(?=[:\s~$#])")
_NOT_NAMES = {"root", "user", "<user>", "public", "shared", "default", "runner", "jovyan", "ubuntu", "github"}


def identity(text: str) -> tuple[set[str], set[str]]:
    """(user names, host names) a text reveals: home folders and shell prompts."""
    users = {m.group(1) for m in _HOME.finditer(text)}
    hosts = set()
    for m in _PROMPT.finditer(text):
        users.add(m.group(1))
        hosts.add(m.group(2))
    return users - _NOT_NAMES, hosts


def for_text(text) -> Redactor:
    """The identity a pasted report reveals; `text` is a string or anything with `lines()` (a report read
    line by line, triage/source.py)."""
    users: set[str] = set()
    hosts: set[str] = set()
    for line in (text.lines() if hasattr(text, "lines") else (text,)):
        u, h = identity(line)
        users |= u
        hosts |= h
    return Redactor(None, None, None, tuple(sorted(users)), tuple(sorted(hosts)))


def for_snapshot(snapshot, text: str | None = None) -> Redactor:
    """The identity a saved snapshot carries: its host name and user, and those its paths and texts show.
    `text`: the snapshot's facts already as JSON text (a report of it), to search instead of converting again."""
    import json

    from whynogpu import serde

    users, hosts = identity(text if text is not None else json.dumps(serde.to_data(snapshot)))
    for r in snapshot.probes:
        if isinstance(getattr(r.facts, "hostname", None), str) and r.facts.hostname:
            hosts.add(r.facts.hostname)
        if isinstance(getattr(r.facts, "user", None), str) and r.facts.user not in _NOT_NAMES | {""}:
            users.add(r.facts.user)
    return Redactor(None, None, None, tuple(sorted(users)), tuple(sorted(hosts)))
