"""Test helpers: real-format installed distributions, and the real inspector run on them."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys

from whynogpu.host.base import snippet_source
from whynogpu.host.fake import FakeHost

# Real captured outputs, copied into the repository (tests/fixtures/real/SOURCE.md says from where).
SHARED_REAL = os.path.join(os.path.dirname(__file__), "fixtures", "real")


def _hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def make_dist(site: str, name: str, version: str, files: dict[str, str | bytes], top_level=None,
              write_files: bool = True, requires=()) -> None:
    """Install a distribution the way pip leaves it: files, METADATA, INSTALLER, RECORD with hashes."""
    info = os.path.join(site, f"{name.replace('-', '_')}-{version}.dist-info")
    os.makedirs(info, exist_ok=True)
    rows = []
    for rel, content in files.items():
        data = content.encode() if isinstance(content, str) else content
        if write_files:
            path = os.path.join(site, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as fh:
                fh.write(data)
        rows.append(f"{rel},{_hash(data)},{len(data)}")
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    with open(os.path.join(info, "METADATA"), "w") as fh:
        fh.write(meta + "\nlong description\n")
    with open(os.path.join(info, "INSTALLER"), "w") as fh:
        fh.write("pip\n")
    if top_level:
        with open(os.path.join(info, "top_level.txt"), "w") as fh:
            fh.write("\n".join(top_level) + "\n")
    rel_info = os.path.basename(info)
    rows += [f"{rel_info}/METADATA,,", f"{rel_info}/INSTALLER,,", f"{rel_info}/RECORD,,"]
    with open(os.path.join(info, "RECORD"), "w") as fh:
        fh.write("\n".join(rows) + "\n")


def run_inspector(site: str) -> str:
    """Run the real in-target inspector with `site` on sys.path; returns its stdout."""
    env = dict(os.environ, PYTHONPATH=site, PYTHONNOUSERSITE="1")
    out = subprocess.run([sys.executable, "-S", "-c", snippet_source("inspect_target")],
                         capture_output=True, text=True, env=env, timeout=60, check=True)
    data = json.loads(out.stdout)
    return json.dumps(data)


def host_with_site(site: str, **kwargs) -> FakeHost:
    """A fake Linux host whose python3 answers the inspector with the real inspection of `site`."""
    snippets = dict(kwargs.pop("snippets", {}))
    snippets.setdefault("inspect_target", {"stdout": run_inspector(site)})
    env = kwargs.pop("env", {"PATH": "/usr/bin"})
    return FakeHost(snippets=snippets, env=env, **kwargs)


def real(*parts: str) -> str:
    return os.path.join(SHARED_REAL, *parts)


def read_real(*parts: str) -> str:
    with open(real(*parts), encoding="utf-8") as fh:
        return fh.read()


def processes_with(mark: str) -> list[str]:
    """Pids of the processes whose environment holds `mark` (children whynogpu started carry the test's)."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                if mark.encode() in fh.read():
                    found.append(pid)
        except OSError:
            pass
    return found


def triage_on_evidence(text: str):
    """`whynogpu triage` on the report's own evidence alone. The tests of a reading are about that reading; the vote of
    similar reports (WG836), which speaks where no reading does, is tested in tests/unit/test_similar_reports.py."""
    from whynogpu.triage.engine import triage

    return triage(text, resemble=False)
