"""When a report's facts decide nothing: the cause confirmed in the reports that read most like it.

The vote of the nearest reports (triage/similar.py) is the weakest evidence there is after the setup's usual cause:
it is shown only when no fact, statement or inference of the report names a cause (pipeline.py drops it
otherwise), and it names the threads it rests on so that a person can read them.
"""

from __future__ import annotations

from collections import Counter

from whynogpu.categories import IN_WORDS
from whynogpu.facts.report import TriageFacts
from whynogpu.model import Evidence, Fix, Location, Severity
from whynogpu.rules import rule
from whynogpu.rules.possible import ruled_out
from whynogpu.rules.usual import setup, usual_row
from whynogpu.triage.similar import vote

SHOWN = 3  # threads named as evidence
# The setup's usual cause (WG832) stands when the threads give it at least this part of the leading cause's share. On
# blind cases, keeping it then cost one case of 436; overruling it where the threads lean clearly elsewhere won ten.
AGREES = 0.5


# A cause carrying less of the vote than this is no alternative worth naming.
ALTERNATIVE_SHARE = 0.1


def alternatives(snap) -> list[tuple[str, float]]:
    """The causes of the reports that read most like this one, with their share of the vote, most first: the
    alternatives triage's candidates list after the causes the report's own findings name (verdict.rank). A cause
    the report's setup rules out is not one."""
    f = snap.get(TriageFacts)
    if f is None or not f.resembles:
        return []
    tally = Counter()
    for r in f.resembles:
        tally[r.category] += r.similarity
    total = sum(tally.values())
    out_ = {"unknown", *ruled_out(setup(snap), f)}
    return [(c, s / total) for c, s in tally.most_common() if c not in out_ and total and s / total >= ALTERNATIVE_SHARE]


def _share(near, category: str) -> float:
    total = sum(r.similarity for r in near)
    return sum(r.similarity for r in near if r.category == category) / total if total else 0.0


@rule(
    "WG836", "report_reads_like_confirmed_reports", "unknown",
    "Reads like confirmed reports", category_from="the cause confirmed in the nearest reports of the corpus",
    detects="Nothing in the report decides the cause, but it reads like reports of whynogpu's corpus whose cause "
            "was confirmed in their threads (knowledge/similar_reports.csv): the cause most of the nearest ones share.",
    why="An expert who has read many threads recognises one that reads the same way and checks its cause first. "
        "On blind reports this vote was right more often than the setup's usual cause (WG832) and than no answer.",
    example="A report in words only, whose wording matches threads that ended in a cuDNN version mismatch",
    fix="Read the threads named as evidence, then paste the outputs whynogpu asks for: they confirm or rule it out.",
    modes=("triage",),
)
def report_reads_like_confirmed_reports(info, snap):
    f = snap.get(TriageFacts)
    if f is None or not f.resembles:
        return
    # A working GPU is never concluded from wording: that needs a program's output showing it at work.
    # nor a cause the report's own setup rules out (rules/possible.py)
    found = vote(f.resembles, exclude=("no_problem", "unknown", *ruled_out(setup(snap), f)))
    if found is None:
        return
    category, share = found
    usual = usual_row(snap)
    if usual is not None and _share(f.resembles, usual[0]["category"]) >= share * AGREES:
        return  # the threads lean to the setup's usual cause as well: WG832 names it, with the command that decides
    alike = [r for r in f.resembles if category in (r.category, *r.also)][:SHOWN]
    yield info.finding(
        Severity.WARNING,
        [Evidence(f"reads like {r.source} (similarity {r.similarity:.2f}; confirmed there: {r.category})",
                  "knowledge/similar_reports.csv") for r in alike],
        f"Nothing in the report decides the cause. Of the {len(f.resembles)} confirmed reports that read most like "
        f"it, those ending in {category} carry {share:.0%} of the resemblance.",
        # (the outputs listed under "What would settle it" decide from the report; on the machine, whynogpu checks itself)
        Fix("Read the threads above, then confirm the cause or rule it out: paste the outputs listed below, or run on "
            "the machine itself:", ("whynogpu",)),
        title=f"Reads like reports whose cause was: {IN_WORDS.get(category, category)}",
        location=Location("<report>", 1), category=category, origin="similar",
    )
