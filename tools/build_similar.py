"""Write src/whynogpu/knowledge/similar_reports.csv from the dev split of the triage corpus (tests/triage/corpus).

Run: .venv/bin/python tools/build_similar.py   (tests/unit/test_similar_reports.py fails while the table is stale)

Only the dev split goes in: the frozen split (tests/triage/frozen) measures triage, so none of its reports may be
remembered. A word used by a single report matches no other report, so it is left out of the table.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "triage"))

from corpus_cases import CORPUS, cases, meta  # noqa: E402

from whynogpu.triage.similar import words  # noqa: E402

OUT = os.path.join(HERE, "..", "src", "whynogpu", "knowledge", "similar_reports.csv")
HEADER = ("# One row per case of whynogpu's triage corpus (dev split): the public thread it was rewritten from (source),\n"
          "# the cause confirmed there (category, and also: others a careful reader could defend), and the words of the\n"
          "# rewrite with their counts (terms). Written by tools/build_similar.py; read by triage/similar.py.\n")


def rows() -> list[tuple[str, str, str, str]]:
    info = meta(CORPUS)
    found = [(info[file]["source"], want, " ".join(also), words(body)) for file, want, also, body in cases(CORPUS)]
    df: Counter = Counter()
    for *_, counts in found:
        df.update(counts.keys())
    out = []
    for source, want, also, counts in found:
        kept = sorted((w, c) for w, c in counts.items() if df[w] > 1)
        out.append((source, want, also, " ".join(f"{w}:{c}" for w, c in kept)))
    return out


def render() -> str:
    buf = io.StringIO()
    buf.write(HEADER)
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(("source", "category", "also", "terms"))
    writer.writerows(rows())
    return buf.getvalue()


if __name__ == "__main__":
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write(render())
    print(f"{OUT}: {len(rows())} reports")
