"""From findings to one verdict: the lowest broken layer's error is the root cause."""

from __future__ import annotations

from whynogpu.categories import RANK
from whynogpu.model import Finding, Severity, Verdict


def _key(f: Finding) -> tuple:
    return (f.severity.rank, RANK.get(f.category, 999), f.code, f.title)


def decide(findings: list[Finding]) -> tuple[list[Finding], Verdict]:
    """Order findings root cause first and name the verdict."""
    ordered = sorted(findings, key=_key)
    errors = [f for f in ordered if f.severity is Severity.ERROR]
    works = [f for f in ordered if f.category == "no_problem"]
    if errors:
        root = errors[0]
        others = len(errors) - 1
        tail = f" ({others} more problem{'s' if others != 1 else ''} below)" if others else ""
        return ordered, Verdict(False, root.category, root.title + tail)
    if works:
        root = works[0]
        ordered.remove(root)
        return [root, *ordered], Verdict(True, "no_problem", root.title)
    warnings = [f for f in ordered if f.severity is Severity.WARNING]
    if warnings:
        root = warnings[0]
        return ordered, Verdict(None, root.category, root.title)
    return ordered, Verdict(
        None,
        "unknown",
        "Nothing found that stops the GPU, but nothing proved it works either.",
    )
