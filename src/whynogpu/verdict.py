"""From findings to one verdict: the one ranking every mode uses.

A finding's place is decided by, in this order:
  1. its severity class: an error, then a working GPU (no_problem), then a warning, then the rest;
  2. whether its facts were seen (printed by a program or stated by a reporter) or only inferred
     (a probed machine's facts are all program output, so in `check` this step ties);
  3. for errors, its category's layer, lowest broken layer first (categories.py): a dead driver explains
     missing CUDA libraries above it, not the other way round; then program output before the reporter's
     words. For warnings (hints, not failures) the other way round: the strongest evidence first.
The root cause is the first finding. Triage's candidates are the best finding of each category in
that order, with a confidence that restates the same key as a number for people to read.
"""

from __future__ import annotations

from collections.abc import Sequence

from whynogpu.categories import RANK
from whynogpu.model import Candidate, Finding, Severity, Verdict

ORIGINS = ("program", "stated", "inferred", "similar", "usual")  # strongest first; None (a probed machine) counts as program
# "similar": nothing in a report shows it, it is the cause confirmed in the reports that read most like it
# "usual": nothing in a report shows it, it is what most often causes the symptom on the setup the report describes
# The confidence shown for a candidate: the ranking key as a number (not a tuned weight).
SHOWN = 3  # triage's candidates
ORIGIN_CONFIDENCE = {"program": 0.9, "stated": 0.6, "inferred": 0.35, "similar": 0.25, "usual": 0.2}
CLASS_CONFIDENCE = (1.0, 1.0, 0.6, 0.3)


def _class(f: Finding) -> int:
    if f.severity is Severity.ERROR:
        return 0
    if f.category == "no_problem" and f.origin in (None, "program"):
        return 1  # a working GPU is shown by a program; the reporter's impression of it counts as a warning
    return 2 if f.severity is Severity.WARNING else 3


def _origin_rank(f: Finding) -> int:
    return ORIGINS.index(f.origin) if f.origin in ORIGINS else 0


def key(f: Finding) -> tuple:
    inferred = _origin_rank(f) >= 2
    layer, origin = RANK.get(f.category, 999), _origin_rank(f)
    # Errors: the lowest broken layer explains the ones above it. Warnings are hints, not failures: the
    # strongest evidence comes first, then the layer.
    first, second = (layer, origin) if _class(f) == 0 else (origin, layer)
    return (_class(f), inferred, first, second, f.severity.rank, f.code, f.title)


def confidence(f: Finding) -> float:
    return round(ORIGIN_CONFIDENCE[ORIGINS[_origin_rank(f)]] * CLASS_CONFIDENCE[_class(f)], 2)


def _unless_decided(findings: list[Finding]) -> list[Finding]:
    """Reports that read alike (origin "similar", WG836) speak only where the report's own facts, words and
    inferences name no cause: they are a memory of other threads, not evidence about this one."""
    if any(f.origin not in ("similar", "usual") and f.category != "unknown" and _class(f) <= 2 for f in findings):
        return [f for f in findings if f.origin != "similar"]
    return findings


def rank(findings: list[Finding], alternatives: Sequence[tuple[str, float]] = ()) -> \
        tuple[list[Finding], Verdict, tuple[Candidate, ...]]:
    """Order findings root cause first, name the verdict, and list the candidate categories.

    `alternatives` (triage): categories with the share of the vote of the reports that read most like this one
    (rules/similar.py), most first. They never lead and never add a finding; where the findings name fewer than
    SHOWN candidates they fill the list, after every category a finding names, as a differential diagnosis does."""
    ordered = sorted(_unless_decided(findings), key=key)
    candidates: list[Candidate] = []
    for f in ordered:
        if _class(f) <= 2 and f.category not in ("unknown",) and f.category not in {c.category for c in candidates}:
            # shown in rank order, so a later candidate never reads as surer than an earlier one
            shown = confidence(f) if not candidates else min(confidence(f), candidates[-1].confidence)
            candidates.append(Candidate(f.category, shown))
    for category, share in alternatives:
        if len(candidates) >= SHOWN or not candidates:
            break  # (with no finding there is no verdict for them to follow: the report stays unknown)
        if category not in {c.category for c in candidates}:
            said = round(ORIGIN_CONFIDENCE["similar"] * CLASS_CONFIDENCE[2] * share, 2)
            candidates.append(Candidate(category, min(said, candidates[-1].confidence)))
    # A finding that names no cause ("TensorFlow sees no GPU", category unknown) is a symptom: another finding that
    # names one is the root cause, and leads the list.
    top = next((f for f in ordered if _class(f) <= 2 and f.category != "unknown"), None) or \
        next((f for f in ordered if _class(f) <= 2), None)
    if top is not None and top is not ordered[0] and ordered[0].category == "unknown" and _class(top) == 0:
        ordered.remove(top)
        ordered.insert(0, top)
    if top is None:
        return ordered, Verdict(None, "unknown", "Nothing found that stops the GPU, but nothing proved it works either."), ()
    errors = [f for f in ordered if f.severity is Severity.ERROR and f is not top]
    if top.category == "no_problem" and _class(top) == 1:
        ordered.remove(top)
        return [top, *ordered], Verdict(True, "no_problem", top.title), tuple(candidates)
    tail = f" ({len(errors)} more problem{'s' if len(errors) != 1 else ''} below)" if errors and _class(top) == 0 else ""
    usable = False if _class(top) == 0 else None
    return ordered, Verdict(usable, top.category, top.title + tail), tuple(candidates)


def decide(findings: list[Finding]) -> tuple[list[Finding], Verdict]:
    """Order findings root cause first and name the verdict (check and scan: no candidates shown)."""
    ordered, verdict, _ = rank(findings)
    return ordered, verdict
