"""Which variant owns tensorflow/ is decided from sizes and small files; a large binary is never read."""

from __future__ import annotations

import os

from helpers import make_dist
from whynogpu.host.base import snippet_source


def _inspector() -> dict:
    ns: dict = {"__name__": "inspect_target_under_test"}
    exec(compile(snippet_source("inspect_target"), "inspect_target.py", "exec"), ns)
    return ns


def _claimer(ns: dict, site: str, name: str, version: str) -> dict:
    info = os.path.join(site, f"{name.replace('-', '_')}-{version}.dist-info")
    with open(os.path.join(info, "RECORD"), encoding="utf-8") as fh:
        rows = ns["parse_record"](fh.read())
    return {"name": name, "location": site, "record_rows": rows, "top_level": ["tensorflow"]}


def _two_variants(site: str, big: int, same_size_small: bool) -> None:
    """tensorflow first, tensorflow-cpu over it: the files on disk are tensorflow-cpu's."""
    small = ("gpu = 1\n", "gpu = 0\n") if same_size_small else ("gpu = True\n", "gpu = False  \n")
    for name, marker, fill in (("tensorflow", small[0], b"g"), ("tensorflow-cpu", small[1], b"c")):
        make_dist(site, name, "2.21.0", {"tensorflow/__init__.py": "import sys\n",
                                         "tensorflow/python/platform/build_info.py": marker,
                                         "tensorflow/libtensorflow_cc.so.2": fill * big},
                  top_level=["tensorflow"])


def test_owner_found_without_reading_the_large_library(tmp_path, monkeypatch):
    ns = _inspector()
    site = str(tmp_path)
    big = ns["HASH_LIMIT"] + 1
    _two_variants(site, big, same_size_small=True)
    read = []
    real_hash = ns["file_hash"]
    ns["file_hash"] = lambda path: read.append(path) or real_hash(path)
    claimers = [_claimer(ns, site, "tensorflow", "2.21.0"), _claimer(ns, site, "tensorflow-cpu", "2.21.0")]
    owners = ns["owners_and_integrity"](claimers)
    assert owners["tensorflow"]["owner"] == "tensorflow-cpu"
    assert read and all(os.path.getsize(p) <= ns["HASH_LIMIT"] for p in read)
    assert not any(p.endswith("libtensorflow_cc.so.2") for p in read)


def test_sizes_alone_decide_when_they_differ(tmp_path):
    ns = _inspector()
    site = str(tmp_path)
    _two_variants(site, 10, same_size_small=False)
    ns["file_hash"] = lambda path: (_ for _ in ()).throw(AssertionError(f"read {path}"))
    claimers = [_claimer(ns, site, "tensorflow", "2.21.0"), _claimer(ns, site, "tensorflow-cpu", "2.21.0")]
    # Leave out the library (same size in both records, so only its hash could tell): build_info.py's
    # sizes differ, and that alone must decide, with nothing read.
    for c in claimers:
        c["record_rows"] = [r for r in c["record_rows"] if not r[0].endswith(".so.2")]
    owners = ns["owners_and_integrity"](claimers)
    assert owners["tensorflow"]["owner"] == "tensorflow-cpu"
    assert owners["tensorflow"]["matches"]["tensorflow-cpu"][0] == 1
