"""`whynogpu watch` run for real on this machine (a VM without GPU): the command's bytes, stdin and exit code
pass through, signals reach it, it never outlives whynogpu, its workers are counted, and the verdict is
check's (no_nvidia_gpu)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.integration

EXE = [sys.executable, "-m", "whynogpu", "watch"]
PY = sys.executable


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ")[-1][0] != "Z"
    except OSError:
        return False


def wait_for(path, timeout: float = 20.0) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if os.path.exists(path) and open(path).read().strip():
            return open(path).read().strip()
        time.sleep(0.05)
    raise AssertionError(f"{path} never written")


def test_output_stdin_and_exit_code_pass_through_unchanged(tmp_path):
    code = ("import sys; data = sys.stdin.buffer.read(); sys.stdout.buffer.write(b'out:' + data + b'\\xff\\x00\\r\\n'); "
            "sys.stdout.flush(); sys.stderr.buffer.write(b'\\x1b[31merr\\x1b[0m\\r50%\\r100%\\nno newline'); sys.exit(3)")
    res = subprocess.run([*EXE, "--json", str(tmp_path / "r.json"), "--", PY, "-c", code], input=b"in\x01put",
                         capture_output=True, timeout=120)
    assert res.returncode == 3
    assert res.stdout == b"out:in\x01put\xff\x00\r\n"  # stdout is the command's alone, byte for byte
    err = b"\x1b[31merr\x1b[0m\r50%\r100%\nno newline"
    assert res.stderr.startswith(err) and b"whynogpu watch: " in res.stderr[len(err):]
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["facts"]["watch"]["exit_code"] == 3 and report["mode"] == "watch"


def test_a_50_ms_command_gets_checks_verdict_on_this_machine(tmp_path):
    check = subprocess.run([sys.executable, "-m", "whynogpu", "check", "--no-probe", "--json"], capture_output=True,
                           text=True, timeout=120)
    start = time.monotonic()
    res = subprocess.run([*EXE, "--json", str(tmp_path / "r.json"), "--", PY, "-c", "import time; time.sleep(0.05)"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and time.monotonic() - start < 10
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["verdict"]["root_cause"] == json.loads(check.stdout)["verdict"]["root_cause"] == "no_nvidia_gpu"
    codes = [f["code"] for f in report["findings"]]
    assert codes[0] == "WG201" and "WG902" in codes
    assert report["facts"]["watch"]["nvml"] != "ok" and len(report["facts"]["watch"]["samples"]) >= 1
    assert "root cause: no_nvidia_gpu" in res.stderr


def test_workers_the_command_forks_are_its_tree_and_their_cpu_counts(tmp_path):
    code = ("import multiprocessing as mp, time\n"
            "def spin(_):\n    end = time.time() + 2.5\n    while time.time() < end: pass\n"
            "if __name__ == '__main__':\n    with mp.Pool(2) as p: p.map(spin, range(2))\n")
    script = tmp_path / "train.py"
    script.write_text(code)
    res = subprocess.run([*EXE, "--interval", "0.25", "--json", str(tmp_path / "r.json"), "--", PY, str(script)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    samples = json.loads((tmp_path / "r.json").read_text())["facts"]["watch"]["samples"]
    assert max(s["processes"] for s in samples) >= 3  # the command and its two workers
    # The parent only waits in Pool.map: CPU time the tree shows is the workers'. Two workers spinning 2.5 s
    # give up to 5 core-seconds; at least one is counted even on a machine busy with other work.
    ts = [s["t"] for s in samples]
    used = sum((s["cpu"] or 0) * (b - a) for s, a, b in zip(samples[1:], ts[:-1], ts[1:], strict=True))
    assert used > 1.0, [(s["t"], s["cpu"]) for s in samples]


@pytest.mark.parametrize("sig, expected", [(signal.SIGTERM, 7), (signal.SIGINT, 130)])
def test_a_signal_sent_to_whynogpu_reaches_the_command_and_nothing_is_left(tmp_path, sig, expected):
    pidfile = tmp_path / "pid"
    code = ("import os, signal, sys, time\n"
            "signal.signal(signal.SIGTERM, lambda *a: sys.exit(7))\n"
            f"open({str(pidfile)!r}, 'w').write(str(os.getpid()))\n"
            "time.sleep(60)\n")
    proc = subprocess.Popen([*EXE, "--", PY, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    pid = int(wait_for(pidfile))
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == expected, err
    assert not alive(pid)
    assert b"whynogpu watch: " in err


def test_the_command_never_outlives_a_killed_whynogpu(tmp_path):
    pidfile = tmp_path / "pid"
    code = f"import os, time; open({str(pidfile)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    proc = subprocess.Popen([*EXE, "--", PY, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pid = int(wait_for(pidfile))
    proc.kill()
    proc.wait(timeout=10)
    end = time.monotonic() + 5
    while alive(pid) and time.monotonic() < end:
        time.sleep(0.05)
    assert not alive(pid)
