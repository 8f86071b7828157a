"""Reading the triage corpus: header lines, `---`, then the report text.

Two splits: `corpus/` is the dev split (read and tuned on), `frozen/` the test split (committed before the
one-engine rewrite and never read while tuning; see frozen/README.md).
"""

from __future__ import annotations

import glob
import os

HERE = os.path.dirname(__file__)
CORPUS = os.path.join(HERE, "corpus")
FROZEN = os.path.join(HERE, "frozen")


def cases(folder: str = CORPUS) -> list[tuple[str, str, tuple[str, ...], str]]:
    """(file name, root cause, also acceptable, report text) for every case file of a split."""
    out = []
    for path in sorted(glob.glob(os.path.join(folder, "[0-9]*.txt"))):
        with open(path, encoding="utf-8") as fh:
            head, _, body = fh.read().partition("\n---\n")
        meta = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
        also = tuple(x.strip() for x in meta.get("also_acceptable", "").split(",") if x.strip())
        out.append((os.path.basename(path), meta["root_cause"].strip(), also, body))
    return out


def meta(folder: str = CORPUS) -> dict[str, dict[str, str]]:
    """File name → its header fields (framework, platform, evidence …)."""
    out = {}
    for path in sorted(glob.glob(os.path.join(folder, "[0-9]*.txt"))):
        with open(path, encoding="utf-8") as fh:
            head = fh.read().partition("\n---\n")[0]
        out[os.path.basename(path)] = {k.strip(): v.strip() for k, v in
                                       (line.split(":", 1) for line in head.splitlines() if ":" in line)}
    return out
