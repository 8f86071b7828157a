"""Rules: small pure functions of the snapshot, each named for the problem it detects.

A rule module registers its rules with `@rule(...)`; every module in this package is
imported by `load_all()`. The decorator carries the rule's catalog entry (what it
detects, why that stops the GPU, an example of its evidence, the fix, references), so
`whynogpu rules`, `whynogpu explain CODE` and docs/findings.md all come from one place.

Codes are stable and never reused: a retired code goes into RETIRED below.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from whynogpu.categories import CATEGORY_IDS
from whynogpu.model import Evidence, Finding, Fix, Location, Severity, Snapshot

RETIRED: dict[str, str] = {}  # code -> why it was retired


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    category: str
    title: str
    detects: str
    why: str
    example: str
    fix: str
    references: tuple[str, ...] = ()
    modes: tuple[str, ...] = ("check", "triage")  # where the rule runs ("scan" for code rules)
    # Set when a finding may carry another category than `category`, saying where that one comes
    # from (e.g. the framework's own log message); the catalog shows it.
    category_from: str = ""

    def finding(
        self,
        severity: Severity,
        evidence: Iterable[Evidence],
        explanation: str,
        fix: Fix | None = None,
        title: str | None = None,
        location: Location | None = None,
        category: str | None = None,
        origin: str | None = None,
    ) -> Finding:
        if category and category != self.category and not (self.category_from and category in CATEGORY_IDS):
            raise ValueError(f"{self.code}: category {category!r} needs category_from and a vocabulary id")
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity,
            category=category or self.category,
            title=title or self.title,
            evidence=tuple(evidence),
            explanation=explanation,
            fix=fix,
            location=location,
            origin=origin,
        )


@dataclass(frozen=True)
class Rule:
    info: RuleInfo
    func: Callable[[Snapshot], Iterable[Finding]]


REGISTRY: dict[str, Rule] = {}


def rule(code: str, name: str, category: str, title: str, *, detects: str, why: str, example: str, fix: str,
         references: tuple[str, ...] = (), modes: tuple[str, ...] = ("check", "triage"), category_from: str = ""):
    if category not in CATEGORY_IDS:
        raise ValueError(f"{code}: unknown category {category!r}")
    if code in RETIRED:
        raise ValueError(f"{code} was retired and may not be reused")

    def register(func: Callable[[RuleInfo, Snapshot], Iterable[Finding]]):
        if code in REGISTRY:
            raise ValueError(f"rule code {code} registered twice")
        info = RuleInfo(code, name, category, title, detects, why, example, fix, references, modes, category_from)
        REGISTRY[code] = Rule(info, lambda snap: func(info, snap) or ())
        return func

    return register


_loaded = False


def load_all() -> dict[str, Rule]:
    global _loaded
    if not _loaded:
        for mod in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{mod.name}")
        _loaded = True
    return REGISTRY


def evaluate(snapshot: Snapshot) -> list[Finding]:
    return [f for f, _ in evaluate_read(snapshot)]


@dataclass(frozen=True)
class _Reading(Snapshot):
    """The snapshot as one rule sees it, remembering which probes' facts the rule asked for."""

    read: set = field(default_factory=set, compare=False)

    def get(self, facts_type: type):
        for r in self.probes:
            if isinstance(r.facts, facts_type):
                self.read.add(r.name)
                return r.facts
        return None


def evaluate_read(snapshot: Snapshot) -> list[tuple[Finding, frozenset[str]]]:
    """Every finding with the names of the probes whose facts its rule read (the ranking weighs a
    report's finding by where those facts came from)."""
    out: list[tuple[Finding, frozenset[str]]] = []
    for code in sorted(load_all()):
        r = REGISTRY[code]
        if snapshot.mode not in r.info.modes:
            continue
        view = _Reading(snapshot.schema_version, snapshot.tool_version, snapshot.mode, snapshot.probes)
        found = fold_repeats(r.func(view))
        out.extend((f, frozenset(view.read)) for f in found)
    return out


# One rule finding the same thing on many lines of one file (a generated 100,000-line environment.yml)
# gives the first few in full and folds the rest into the last one's evidence, so the output stays
# readable and bounded; linters such as ruff list each line, but they are not read in a panic.
REPEATS_SHOWN = 10
FOLDED = "and "  # how the folded lines' evidence starts: see folded()
_LINES_NAMED = 20


def folded(f: Finding) -> str:
    """The note saying how many more lines a finding stands for, or ""."""
    last = f.evidence[-1] if len(f.evidence) > 1 else None
    return last.fact if last and last.fact.startswith(FOLDED) and "give the same finding" in last.fact else ""


def fold_repeats(found: Iterable[Finding], shown: int = REPEATS_SHOWN) -> list[Finding]:
    out: list[Finding] = []
    kept: dict[str, int] = {}  # file -> index in out of the last finding shown for it
    count: dict[str, int] = {}
    more: dict[str, list[int]] = {}  # file -> lines folded
    for f in found:
        path = f.location.path if f.location else None
        if path is None:
            out.append(f)
            continue
        count[path] = count.get(path, 0) + 1
        if count[path] <= shown:
            out.append(f)
            kept[path] = len(out) - 1
        else:
            more.setdefault(path, []).append(f.location.line)
    for path, lines in more.items():
        named = ", ".join(str(n) for n in lines[:_LINES_NAMED]) + (", …" if len(lines) > _LINES_NAMED else "")
        last = out[kept[path]]
        note = Evidence(f"{FOLDED}{len(lines)} more line(s) in this file give the same finding (line {named})", path)
        out[kept[path]] = replace(last, evidence=last.evidence + (note,))
    return out


# Layer summaries: one short status per overview line, written from facts only.
# A layer's summaries: each gives its status line when nothing is wrong (a str), or detail lines
# shown under it with -v (a tuple of str).
SUMMARIES: dict[str, list[Callable[[Snapshot], str | tuple[str, ...] | None]]] = {}


def summary(layer: str):
    def register(func: Callable[[Snapshot], str | tuple[str, ...] | None]):
        SUMMARIES.setdefault(layer, []).append(func)
        return func

    return register
