"""Top-1 accuracy of `whynogpu triage` on the corpus of real (rewritten) reports must stay >= 90 %."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from corpus_cases import cases  # noqa: E402

from whynogpu.triage.engine import triage  # noqa: E402


def test_corpus_top1_accuracy():
    all_cases = cases()
    assert len(all_cases) >= 40
    wrong = []
    for name, want, also, body in all_cases:
        got = triage(body).verdict.root_cause
        if got != want and got not in also:
            wrong.append((name, want, got))
    accuracy = 1 - len(wrong) / len(all_cases)
    assert accuracy >= 0.9, wrong
