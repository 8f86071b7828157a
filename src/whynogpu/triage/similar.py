"""Confirmed reports that read like this one: the nearest cases of whynogpu's own report corpus, by shared words.

Why: when nothing in a report decides the cause, an expert still remembers threads that read the same way and how
they ended. This module is that memory. knowledge/similar_reports.csv holds, for every case of the corpus's dev
split (tests/triage/corpus; never the frozen split, which measures it), the thread it was rewritten from, the
cause confirmed there, and the words of the rewrite with their counts. A report is compared with each by cosine
similarity of tf-idf weights (the weight of a word falls with the number of reports that use it, so "gpu" says
little and "cudnn_status_internal_error" much), and the k nearest vote for their causes, each by its similarity.

Measured (session 18) on 436 blind cases of earlier sessions, each compared only with the cases written before
it: where triage named no cause, the vote was right on 16 of 53; where triage fell back to its setup's usual
cause (WG832), the vote was right on 36 of 103 against 27 for the usual cause. Where a report's facts decided,
the facts were right more often than the vote, so the vote ranks below every fact (verdict.ORIGINS).

tools/build_similar.py writes the table from the corpus; tests check that it is current.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import cache

from whynogpu.facts.report import Resemblance
from whynogpu.knowledge import table

# A word: letters first, then letters, digits and the joiners names and versions use ("libcudnn.so.8",
# "tensorflow-gpu", "cuda_error_unknown"); or a version number alone. Words of one or two characters say nothing.
_WORD = re.compile(r"[a-z][a-z0-9_+.-]*[a-z0-9]|\d+(?:\.\d+)*")
HEAD = 20_000  # characters of a report compared: the reporter's account and the first output, as a person reads it
K = 10  # reports that vote
MIN_SIMILARITY = 0.1  # below this, the nearest report shares only common words: no resemblance to speak of
MIN_SHARED = 3  # words two reports must share: one rare word in common ("sit" of a lorem ipsum) is no resemblance
# The share of the vote a cause needs. On the blind cases above, a cause with less than a quarter of it was right on
# 9 of 42 reports, less often than the setup's usual cause (9); with a quarter or more, on 51 of 110 (usual: 18).
MIN_SHARE = 0.25


def words(text: str) -> Counter:
    """The words of a text and how often each occurs."""
    return Counter(w for w in _WORD.findall(text[:HEAD].lower()) if len(w) > 2)


def parse_terms(field: str) -> dict[str, int]:
    """A table row's `terms` field, "word:count word:count", as a dict."""
    out = {}
    for pair in field.split():
        word, _, count = pair.rpartition(":")
        out[word] = int(count)
    return out


@cache
def _index() -> tuple[dict[str, float], tuple[dict[str, str], ...], dict[str, list[tuple[int, float]]]]:
    """(idf of each word, the rows, and for each word the (row, normalised weight) of the reports that use it). Read
    once per process: it is a table of the knowledge base, like every other, and never changes while whynogpu runs."""
    rows = table("similar_reports")
    counts = [parse_terms(r["terms"]) for r in rows]
    df: Counter = Counter()
    for c in counts:
        df.update(c.keys())
    n = len(rows)
    idf = {w: math.log(n / d) for w, d in df.items()}
    postings: dict[str, list[tuple[int, float]]] = {}
    for i, c in enumerate(counts):
        for w, x in _weights(c, idf).items():
            postings.setdefault(w, []).append((i, x))
    return idf, tuple(rows), postings


def _weights(counts: dict[str, int] | Counter, idf: dict[str, float]) -> dict[str, float]:
    v = {w: (1 + math.log(c)) * idf[w] for w, c in counts.items() if w in idf}
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {w: x / norm for w, x in v.items()}


def resemblances(text: str, leave_out: frozenset[str] = frozenset(), k: int = K) -> tuple[Resemblance, ...]:
    """The k reports of the table most like `text`, nearest first, each at least MIN_SIMILARITY alike.
    `leave_out`: sources not to compare with (a case of the table measured against the others)."""
    idf, rows, postings = _index()
    query = _weights(words(text), idf)
    sims: Counter = Counter()
    shared: Counter = Counter()
    for w, x in query.items():  # only the reports that share a word are visited
        for i, y in postings[w]:
            sims[i] += x * y
            shared[i] += 1
    scored = [(sim, rows[i]) for i, sim in sims.items()
              if sim >= MIN_SIMILARITY and shared[i] >= MIN_SHARED and rows[i]["source"] not in leave_out]
    scored.sort(key=lambda s: (-s[0], s[1]["source"]))
    return tuple(Resemblance(row["source"], row["category"], tuple(a for a in row["also"].split() if a), round(sim, 3))
                 for sim, row in scored[:k])


def vote(near: tuple[Resemblance, ...], exclude: tuple[str, ...] = ()) -> tuple[str, float] | None:
    """The cause the nearest reports share most, weighed by similarity, and its share of the whole vote; None when
    no cause has MIN_SHARE of it."""
    tally: Counter = Counter()
    for r in near:
        tally[r.category] += r.similarity
    total = sum(tally.values())
    ranked = [(c, s) for c, s in tally.most_common() if c not in exclude]
    if not ranked or total <= 0 or ranked[0][1] / total < MIN_SHARE:
        return None
    return ranked[0][0], ranked[0][1] / total
