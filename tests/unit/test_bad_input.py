"""Bad input gets one line and exit 2: never a hang, a traceback or unbounded memory (issue 14, items 6 and 7)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from whynogpu.knowledge import version_key

EXE = [sys.executable, "-m", "whynogpu"]


def run(args, timeout=30):
    return subprocess.run(EXE + args, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("command", [["triage"], ["check", "--from"]])
def test_a_fifo_or_a_device_is_refused_at_once(tmp_path, command):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path in (str(fifo), "/dev/zero"):
        res = run(command + [path], timeout=20)
        assert res.returncode == 2, res.stderr
        assert "not a regular file" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("data", [
    {"schema_version": 1, "probes": [1]},
    {"schema_version": 1, "probes": [{"name": False, "status": "ok"}]},
    {"schema_version": 1, "probes": [{"name": "target", "status": "ok", "facts": {"python": ["x"]}}]},
    {"schema_version": 1, "probes": "nope"},
])
def test_a_snapshot_of_wrong_types_is_a_usage_error(tmp_path, data):
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(data))
    res = run(["check", "--from", str(path)])
    assert res.returncode == 2 and "Traceback" not in res.stderr and res.stderr.count("\n") == 1, res.stderr


def test_a_deeply_nested_snapshot_is_a_usage_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100000 + "]" * 100000)
    res = run(["check", "--from", str(path)])
    assert res.returncode == 2 and "Traceback" not in res.stderr


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "0"])
def test_timeout_must_be_finite_and_positive(value):
    res = run(["check", "--no-probe", "--timeout", value])
    assert res.returncode == 2 and "--timeout" in res.stderr


def test_a_version_of_thousands_of_digits_stays_cheap():
    assert version_key("9" * 5000 + ".1")[1] == 1


def test_a_mistyped_command_is_named():
    res = run(["triag", "report.txt"])
    assert res.returncode == 2 and "did you mean `whynogpu triage`" in res.stderr


@pytest.mark.parametrize("args", [["check", "--json", "--markdown", "--no-probe"],
                                  ["triage", "--json", "--format", "markdown", "-"],
                                  ["check", "--from", "x.json", "--python", "python3"]])
def test_conflicting_options_are_usage_errors(args):
    res = run(args)
    assert res.returncode == 2 and res.stderr.startswith("whynogpu: ") and "Traceback" not in res.stderr


def test_a_relative_python_file_without_dot_slash_is_a_path(tmp_path):
    import shutil

    venv = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    shutil.copy(venv / "bin" / "python", tmp_path / "mypython")  # a file named like no command on PATH
    res = subprocess.run(EXE + ["snapshot", "--no-probe", "--no-redact", "--python", "mypython"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    target = next(p for p in json.loads(res.stdout)["probes"] if p["name"] == "target")
    assert target["status"] == "ok"


def test_no_message_pattern_backtracks_without_end_on_a_long_line():
    # Every real message of the triage corpus, then a long tail of plain words (no punctuation), then words, digits and
    # spaces, with no line end: a
    # pattern with a nested quantifier before `$` (as one row had) takes exponential time here. Run in a child with
    # a generous limit: a hang fails the test, the normal time is a few seconds.
    here = os.path.join(os.path.dirname(__file__), "..", "triage")
    code = ("import glob, sys\n"
            "from whynogpu.parsers.logs import match_line\n"
            "tail = ' '.join(['and then the run goes on without a stop'] * 40 + ['12.1 cuda_11 libcudnn.so.8 sm_86'] * 300)\n"
            "for path in glob.glob(sys.argv[1] + '/*/[0-9]*.txt'):\n"
            "    for line in open(path, encoding='utf-8').read().splitlines():\n"
            "        if match_line(line, 1):\n"
            "            match_line(line + ' ' + tail, 1)\n"
            "print('ok')\n")
    res = subprocess.run([sys.executable, "-c", code, here], capture_output=True, text=True, timeout=120)
    assert res.stdout.strip() == "ok", res.stderr[-500:]
