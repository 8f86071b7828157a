"""Probe children never run the user's code by accident and never write into the inspected environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from whynogpu.host.real import RealHost


def test_a_json_py_in_the_working_folder_is_not_run(tmp_path, monkeypatch):
    marker = tmp_path / "ran.txt"
    (tmp_path / "json.py").write_text(f"open({str(marker)!r}, 'w').write('x')\nraise SystemExit(3)\n")
    (tmp_path / "re.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    monkeypatch.chdir(tmp_path)
    res = RealHost().run_snippet("inspect_target", sys.executable, timeout=60)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout.strip().splitlines()[-1])["version"]
    assert not marker.exists()


def test_no_bytecode_is_written_into_the_inspected_environment(tmp_path):
    venv = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = next(p for p in (venv / "lib").glob("python3*/site-packages"))
    # What setuptools' distutils-precedence.pth does: import a module of site-packages at start-up.
    (site / "pthmod.py").write_text("VALUE = 1\n")
    (site / "zz-test.pth").write_text("import pthmod\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as on most machines
    res = RealHost().run_snippet("inspect_target", str(venv / "bin" / "python"), timeout=60, env=env)
    assert res.returncode == 0, res.stderr
    assert not (site / "__pycache__").exists(), os.listdir(site)


def test_a_relative_interpreter_path_still_means_the_users_folder(tmp_path, monkeypatch):
    venv = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    monkeypatch.chdir(tmp_path)
    res = RealHost().run_snippet("inspect_target", os.path.join("env", "bin", "python"), timeout=60)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout.strip().splitlines()[-1])["prefix"] == str(venv)


def test_a_child_that_prints_without_end_is_bounded_in_time_and_memory():
    import time

    start = time.monotonic()
    res = RealHost().run([sys.executable, "-c", "import sys\nwhile True: sys.stdout.write('x' * 65536)"], timeout=2)
    took = time.monotonic() - start
    assert res.timed_out
    assert took < 6, took
    assert len(res.stdout) < 3 * (1 << 20)  # head and tail kept, the rest counted
    assert "whynogpu dropped" in res.stdout


def test_the_end_of_a_long_output_is_kept():
    res = RealHost().run([sys.executable, "-c", "print('x' * (5 << 20)); print('{\"last\": 1}')"], timeout=30)
    assert res.returncode == 0
    assert res.stdout.strip().splitlines()[-1] == '{"last": 1}'
