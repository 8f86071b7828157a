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
SECRET_KEYS = {"hostname", "serial", "uuid", "board_serial", "node"}


class Redactor:
    def __init__(self, home: str | None, user: str | None, hostname: str | None) -> None:
        subs: list[tuple[re.Pattern[str], str]] = []
        if home and home not in ("/", "/root") and len(home) > 1:
            subs.append((re.compile(re.escape(home.rstrip("/")) + r"(?=/|\b|$)"), "~"))
        if user:
            u = re.escape(user)
            subs.append((re.compile(rf"(/home/|/Users/|[A-Za-z]:\\+Users\\+){u}(?=[/\\]|\b|$)"), r"\1<user>"))
        if hostname and len(hostname) >= 3:
            subs.append((re.compile(rf"\b{re.escape(hostname)}\b"), "<host>"))
        self.subs = subs + PATTERNS

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
