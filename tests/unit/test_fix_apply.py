"""`whynogpu fix --apply` and `--rollback` without changing any real environment: the rollback point is
written before the first change, a failed step stops the run, bad input is one line and exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from whynogpu.fix import apply, rollback
from whynogpu.fix.installer import Installer
from whynogpu.fix.model import Action, Plan, Step


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "whynogpu" / "rollback"


def plan(*argvs, python=sys.executable):
    inst = Installer("pip", python, sys.prefix, because="test")
    steps = tuple(Step(i, True, f"step {i}", ("WG501",), "cpu_only_package", "", (" ".join(a),), (Action(argv=tuple(a)),))
                  for i, a in enumerate(argvs, 1))
    return Plan(python, inst, "cpu_only_package", "test", steps)


def test_the_rollback_point_is_on_disk_before_the_first_command(cache):
    seen = []

    def run(argv, cwd):
        points = list(cache.iterdir())
        seen.append((argv, [p.name for p in points], (points[0] / "freeze.txt").read_text() if points else ""))
        return 0

    ident = apply.apply(plan(["x", "1"], ["x", "2"]), echo=lambda s: None, run=run)
    assert [a for a, _, _ in seen] == [("x", "1"), ("x", "2")]
    assert seen[0][1] == [ident] and "pytest==" in seen[0][2]  # the exact freeze of the env, already written
    point = json.loads((cache / ident / "point.json").read_text())
    assert point["installer"]["python"] == sys.executable and point["plan"]["steps"][0]["title"] == "step 1"


def test_a_failed_step_stops_the_run(cache):
    ran = []

    def run(argv, cwd):
        ran.append(argv)
        return 1

    with pytest.raises(apply.StepFailed) as err:
        apply.apply(plan(["bad"], ["never"]), echo=lambda s: None, run=run)
    assert ran == [("bad",)] and err.value.step.number == 1
    assert rollback.history()  # the point to roll back to exists


def test_no_rollback_point_means_nothing_runs(cache, tmp_path):
    ran = []
    with pytest.raises(rollback.RollbackError):
        apply.apply(plan(["x"], python=str(tmp_path / "missing-python")), echo=lambda s: None,
                    run=lambda a, c: ran.append(a) or 0)
    assert ran == []


def test_restore_removes_what_changed_first_then_installs_the_recorded_lines():
    inst = Installer("pip", "py", "/p")
    recorded = "keras==3.15.1\ntensorflow-cpu==2.21.0\nsix==1.17.0\n"
    current = "keras==3.15.1\ntensorflow==2.21.0\nsix==1.16.0\n"
    remove, install = rollback.restore_steps(inst, recorded, current)
    assert remove == ["six", "tensorflow"]
    assert install == ["tensorflow-cpu==2.21.0", "six==1.17.0"]
    assert rollback.names("-e git+https://x/y.git@abc#egg=my_pkg\nfoo @ file:///w/foo.whl\n") == {
        "my-pkg": "-e git+https://x/y.git@abc#egg=my_pkg", "foo": "foo @ file:///w/foo.whl"}


def test_uv_restores_with_uv():
    inst = Installer("uv", "/v/bin/python", "/v", exe="/bin/uv")
    assert inst.freeze() == ["/bin/uv", "pip", "freeze", "--python", "/v/bin/python"]
    assert inst.restore_install("r.txt") == ["/bin/uv", "pip", "install", "--python", "/v/bin/python", "--no-deps",
                                             "-r", "r.txt"]


def whynogpu(*args, env=None):
    return subprocess.run([sys.executable, "-m", "whynogpu", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    res = whynogpu("fix", "--python", str(tmp_path / "nope" / "python"))
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "no such file" in res.stderr
    res = whynogpu("fix", "--rollback", "20990101-000000", env={"XDG_CACHE_HOME": str(tmp_path)})
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "rollback point" in res.stderr
    res = whynogpu("fix", "--apply", "--rollback", env={"XDG_CACHE_HOME": str(tmp_path)})
    assert res.returncode == 2 and "cannot be used together" in res.stderr


def test_apply_without_a_terminal_and_without_yes_changes_nothing(monkeypatch):
    from whynogpu.cli import UserError
    from whynogpu.commands.fix import _confirm

    monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
    with pytest.raises(UserError, match="--yes"):
        _confirm("Run?", yes=False)
    _confirm("Run?", yes=True)  # --yes asks nothing
