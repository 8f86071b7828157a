"""Reading the triage corpus: header lines, `---`, then the report text."""

from __future__ import annotations

import glob
import os

CORPUS = os.path.join(os.path.dirname(__file__), "corpus")


def cases() -> list[tuple[str, str, tuple[str, ...], str]]:
    """(file name, root cause, also acceptable, report text) for every corpus file."""
    out = []
    for path in sorted(glob.glob(os.path.join(CORPUS, "[0-9]*.txt"))):
        with open(path, encoding="utf-8") as fh:
            head, _, body = fh.read().partition("\n---\n")
        meta = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
        also = tuple(x.strip() for x in meta.get("also_acceptable", "").split(",") if x.strip())
        out.append((os.path.basename(path), meta["root_cause"].strip(), also, body))
    return out
