"""Ctrl-C, SIGTERM and SIGHUP (a closed terminal, `timeout`, a CI cancel) end whynogpu alike: its probe
children, which run in sessions of their own, end with it, and it says so in one line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from helpers import processes_with as _processes_with


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc to find the children")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_termination_signal_ends_whynogpu_and_its_children(tmp_path, sig):
    python = tmp_path / "python"  # an interpreter that never answers the inspection
    python.write_text("#!/bin/sh\nsleep 60\n")
    python.chmod(0o755)
    mark = f"whynogpu-signal-test-{os.getpid()}-{time.monotonic_ns()}"
    env = {**os.environ, "WHYNOGPU_TEST_MARK": mark}
    proc = subprocess.Popen([sys.executable, "-c", "from whynogpu.cli import run; run()", "--python", str(python)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(_processes_with(mark)) < 2:
        time.sleep(0.1)
    time.sleep(0.3)
    start = time.monotonic()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and b"interrupted" in err and b"Traceback" not in err
    assert time.monotonic() - start < 5
    time.sleep(0.5)
    assert not _processes_with(mark)
