"""Strict top-1 accuracy of `whynogpu triage` on the corpus splits must not fall below where it stands.

The floors are regression guards a little under the figures measured, not goals (session 24: dev 86 % of 1154,
frozen 67 % of 961, the nine paraphrase sets 95-100 % of 60 each, the five terse sets 90-98 %, the fourteen retold
sets 77-97 %, retold15/16, the dev split's hardest reports retold, 37 % and 15 %, and retold17 90 % of 20); the goal
is in the issue (frozen >= 90 %).
`benchmarks/bench_triage.py` prints the full per-category table and the confusion table of each split.
"""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from corpus_cases import CORPUS, FROZEN, cases, meta  # noqa: E402

from whynogpu.triage.engine import triage  # noqa: E402


def top1(folder: str) -> tuple[float, list]:
    all_cases = cases(folder)
    source = {name: m.get("source", "") for name, m in meta(folder).items()}
    wrong = []
    for name, want, also, body in all_cases:
        # a case is not compared with its own thread in knowledge/similar_reports.csv (the dev split is in it)
        got = triage(body, leave_out=frozenset([source[name]])).verdict.root_cause
        if got != want and got not in also:
            wrong.append((name, want, got))
    return 1 - len(wrong) / len(all_cases), wrong


def test_dev_split_top1_accuracy():
    assert len(cases(CORPUS)) >= 140
    accuracy, wrong = top1(CORPUS)
    assert accuracy >= 0.85, wrong


def test_frozen_split_top1_accuracy():
    assert len(cases(FROZEN)) >= 60
    accuracy, _ = top1(FROZEN)  # which cases fail is not printed: nobody tunes on this split
    # a floor against regressions, not a target: the split grows each session by blind cases that score ~50 % on
    # first reading, so the floor may have to follow it down (frozen/README.md records each session's figure)
    # (session 13: 72 new cases at 46 % on first reading took it from 66 % to 64 %; the 494 before them held at 328)
    # (session 18: 67 % of 815, after the vote of similar reports, WG836)
    assert accuracy >= 0.65, f"frozen split top-1 {accuracy:.0%}"


@pytest.mark.parametrize("name", ["paraphrase", "paraphrase2", "paraphrase3", "paraphrase4", "paraphrase5", "paraphrase6", "paraphrase7", "paraphrase8", "paraphrase9"])
def test_paraphrase_set_top1_accuracy(name):
    # a second rewrite of 60 dev cases each (paraphrase*/README.md; paraphrase2 retells one output line in words in
    # a third of them): the verdict must not hang on one wording
    folder = os.path.join(os.path.dirname(__file__), name)
    assert len(cases(folder)) >= 60
    accuracy, wrong = top1(folder)
    assert accuracy >= 0.93, wrong


@pytest.mark.parametrize("name", ["terse1", "terse2", "terse3", "terse4", "terse5"])
def test_terse_set_top1_accuracy(name):
    # 60 dev cases each as a hurried person posts them (terse*/README.md): a third of the words, the decisive output
    # kept; some lose what decided them, so the floor is lower than for the paraphrases
    folder = os.path.join(os.path.dirname(__file__), name)
    assert len(cases(folder)) >= 60
    accuracy, wrong = top1(folder)
    # (0.88 since session 18: where a terse report decides nothing, the vote of similar reports, WG836, now overrules
    # the setup's usual cause that some of these rewrites were read right by; terse1 went from 58 to 53 of 60 while
    # the frozen split rose from 63 % to 67 %)
    assert accuracy >= 0.88, wrong


@pytest.mark.parametrize("name, floor", [("retold1", 0.8), ("retold2", 0.8), ("retold3", 0.8), ("retold4", 0.8),
                                         ("retold5", 0.72), ("retold6", 0.83),
                                         ("retold7", 0.6), ("retold8", 0.72), ("retold9", 0.85),
                                         ("retold10", 0.88), ("retold11", 0.83),
                                         ("retold12", 0.82), ("retold13", 0.88), ("retold14", 0.84),
                                         ("retold15", 0.33), ("retold16", 0.15), ("retold17", 0.8)])
def test_retold_set_top1_accuracy(name, floor):
    # 58-60 dev cases each whose program output is told in the reporter's words (retold*/README.md), as many real
    # reports do; floors a little under session 17's figures (88 %, 90 %, 90 %, 92 %, 77 % and 88 %) and, for retold7,
    # session 18's (65 %: harder originals, see its README); retold8 to retold13 a little under
    # session 22's first readings 46/60 (77 %), 54/60 (90 %), 57/60 (95 %), 53/60 (88 %), 52/60 (87 %), 55/60 (92 %) and,
    # for retold14 (51 reports: the dev split had no more of its kind), 45/51 (88 %); retold15 and retold16 (session 23)
    # retell the dev cases no set had taken, mostly the dev split's own misses: floors at their first readings, 21/60
    # and 5/33 (the originals read 16/60 and 5/33), guards that retelling costs no more than it did; retold17 (session
    # 24) retells the 20 of session 24's 31 new dev cases that carry program output: 17/20 at first reading (the
    # originals 18/20)
    folder = os.path.join(os.path.dirname(__file__), name)
    assert len(cases(folder)) >= {"retold14": 51, "retold16": 33, "retold17": 20}.get(name, 58)
    accuracy, wrong = top1(folder)
    assert accuracy >= floor, wrong
