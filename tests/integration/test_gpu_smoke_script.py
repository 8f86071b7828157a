"""tools/gpu-smoke.sh, run on this machine (no GPU): it must leave a folder that a later session can turn into
fixtures — a capture that `check --replay` reads to check's own verdict, and check's JSON beside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "tools", "gpu-smoke.sh")


def test_smoke_script_writes_a_replayable_capture_and_checks(tmp_path):
    launcher = tmp_path / "whynogpu"
    launcher.write_text(f"#!/bin/sh\nexec {sys.executable} -m whynogpu \"$@\"\n")
    launcher.chmod(0o755)
    out = tmp_path / "out"
    res = subprocess.run(["bash", SCRIPT, str(out), sys.executable], capture_output=True, text=True, timeout=600,
                         env={**os.environ, "WHYNOGPU": str(launcher)}, stdin=subprocess.DEVNULL)
    assert res.returncode == 0, res.stderr
    env0 = out / "env0"
    checked = json.loads((env0 / "check.json").read_text())
    replay = subprocess.run([sys.executable, "-m", "whynogpu", "check", "--json", "--replay", str(env0 / "capture")],
                            capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert replay.returncode in (0, 1), replay.stderr
    replayed = json.loads(replay.stdout)
    assert replayed["verdict"]["root_cause"] == checked["verdict"]["root_cause"]
    assert (out / "whynogpu-version.txt").read_text().startswith("whynogpu")
