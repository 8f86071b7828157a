"""The subset of .gitignore matching a scanner needs: patterns, `!` negation, `dir/` and `**`.

Rules from every .gitignore between the scan root and a file apply, deeper files last, and
the last matching rule wins, as in git. Directories that match are not entered at all, which
is also why (as in git) a file cannot be re-included below an ignored directory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class _Rule:
    base: str  # directory holding the .gitignore, "" for the scan root
    regex: re.Pattern[str]
    negate: bool
    dir_only: bool


_STAR_RUN = re.compile(r"(?<!\\)\*+")


def _stars(m: re.Match[str]) -> str:
    whole_segment = (m.start() == 0 or m.string[m.start() - 1] == "/") and \
        (m.end() == len(m.string) or m.string[m.end()] == "/")
    return "**" if whole_segment and len(m.group()) > 1 else "*"


def _collapse(pat: str) -> str:
    """One wildcard per run of stars, as in git (only a whole `**` segment crosses directories).

    Adjacent wildcards match nothing more, but each one multiplies the backtracking: a pattern
    such as `******************z` would make matching a long name take practically forever.
    """
    pat = _STAR_RUN.sub(_stars, pat)
    prev = None
    while prev != pat:
        prev, pat = pat, pat.replace("**/**/", "**/")
    return pat


def _translate(pat: str) -> str:
    pat = _collapse(pat)
    out, i, n = [], 0, len(pat)
    while i < n:
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("/**", i) and i + 3 == n:
            out.append("/.*")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = pat.find("]", i + 1)
            if j == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = pat[i + 1:j].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = j + 1
        elif c == "\\" and i + 1 < n:
            out.append(re.escape(pat[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def parse(text: str, base: str) -> list[_Rule]:
    rules = []
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        if not line.endswith("\\ "):
            line = line.rstrip()
        negate = line.startswith("!")
        if negate:
            line = line[1:]
        if line.startswith("\\"):
            line = line[1:] if line[1:2] in ("#", "!") else line
        dir_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        anchored = "/" in line
        body = _translate(line.lstrip("/"))
        try:
            regex = re.compile(("" if anchored else "(?:.*/)?") + body + r"\Z")
        except re.error:
            continue  # `[z-a]`, `[]`: git matches nothing with these, so the rule is dropped
        rules.append(_Rule(base, regex, negate, dir_only))
    return rules


class IgnoreRules:
    """The .gitignore rules in force in one directory."""

    def __init__(self, rules: tuple[_Rule, ...] = ()) -> None:
        self.rules = rules

    def extended(self, text: str, base: str) -> IgnoreRules:
        new = parse(text, base)
        return IgnoreRules(self.rules + tuple(new)) if new else self

    def ignored(self, rel: str, is_dir: bool) -> bool:
        """Whether `rel` (a path relative to the scan root, with '/') is ignored."""
        result = False
        for r in self.rules:
            if r.dir_only and not is_dir:
                continue
            if r.base:
                if not rel.startswith(r.base + "/"):
                    continue
                sub = rel[len(r.base) + 1:]
            else:
                sub = rel
            if r.regex.match(sub):
                result = not r.negate
        return result
