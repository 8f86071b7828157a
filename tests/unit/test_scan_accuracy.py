"""The blind scan corpus (tests/scan_corpus): real project files labelled by a GPU expert. Floors, so that a change to
scan cannot lose what it reads right; the frozen split is scored here and never read while changing scan."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "scan_corpus"))

from scan_cases import DEV, FROZEN, cases, score  # noqa: E402

# first readings (session 20): batch 1 dev 7/14, frozen 6/14; batch 2 dev 10/14, frozen 8/15; batch 3 dev 6/11,
# frozen 4/10; batch 4 dev 3/10, frozen 5/11; (session 21) batch 5 dev 6/11, frozen 5/11; batch 6 dev 7/11, frozen
# 7/11; (session 22) batch 7 dev 2/9, frozen 7/8; batch 8 dev 7/13, frozen 12/14; batch 9 dev 3/6, frozen 5/6; batch 10 dev
# 3/6, frozen 3/6; (session 23) batch 11 dev 5/6, frozen 4/6; batch 12 dev 7/9, frozen 4/9; (session 24) batch 13 dev 0/5,
# frozen 3/5; batch 14 dev 3/7, frozen 5/6. The dev floor is the
# session-20 floor plus the later batches' dev first readings (41 + 6 + 7 + 2 + 7 + 3 + 3 + 5 + 7 + 0 + 3 = 84/132); the frozen
# one the sum of its first readings (23 + 5 + 7 + 7 + 12 + 5 + 3 + 4 + 4 + 3 + 5 = 78/132).
FLOORS = {"dev": 84 / 132, "frozen": 78 / 132}


@pytest.mark.parametrize("split, folder", [("dev", DEV), ("frozen", FROZEN)])
def test_scan_reads_the_blind_corpus_at_least_as_well_as_before(split, folder):
    ok, n, _ = score(folder)
    assert n >= 120
    assert ok / n >= FLOORS[split] - 1e-9, f"{split}: {ok}/{n}"


def test_every_case_is_labelled_with_a_category_or_clean():
    from whynogpu.categories import IN_WORDS

    for split in (DEV, FROZEN):
        for c in cases(split):
            assert c.expected == "clean" or c.expected in IN_WORDS, c.name
            assert c.source.startswith("https://github.com/"), c.name
