"""`whynogpu fix --apply` goes back by itself: a failed step or a worse check afterwards restores the rollback
point (`--no-rollback` keeps the changed environment), an unreachable index lists the commands to run later,
and a conda env gets its conda packages back (its recorded revision, else the recorded explicit list).

No real environment is changed: the freeze and conda listings come from a fake environment that the fake
commands change, the kernel.json a step edits is a real file under tmp_path.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from types import SimpleNamespace

import pytest

from whynogpu.commands import fix as fix_cmd
from whynogpu.fix import apply, rollback
from whynogpu.fix.installer import Installer
from whynogpu.fix.model import Action, Plan, Step

PY = "/envs/gpu/bin/python"
PIP_OFFLINE = ("WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after "
               "connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at "
               "0x7f>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')': "
               "/simple/tensorflow/\nERROR: Could not find a version that satisfies the requirement "
               "tensorflow==2.21.0 (from versions: none)\nERROR: No matching distribution found for tensorflow==2.21.0\n")
NOT_FOUND = ("ERROR: Could not find a version that satisfies the requirement tensorflow==2.21.0 (from versions: none)\n"
             "ERROR: No matching distribution found for tensorflow==2.21.0\n")


class FakeEnv:
    """An environment's distributions (and conda packages) that fake pip/conda commands change."""

    def __init__(self, dists, conda=None, fail=(), offline=False):
        self.dists = dict(dists)  # name -> version
        self.conda = dict(conda or {})  # name -> URL
        self.fail, self.offline, self.ran = fail, offline, []
        self.revisions = {}

    def freeze(self):
        return "".join(f"{n}=={v}\n" for n, v in sorted(self.dists.items()))

    def capture(self, argv, what, cwd=None):
        if "freeze" in argv:
            return self.freeze()
        if "--revisions" in argv:
            return "2026-01-01 10:00:00  (rev 0)\n    +python-3.11\n\n2026-01-02 11:00:00  (rev 4)\n    +numpy-1.26\n"
        if "--explicit" in argv:
            return "# platform: linux-64\n@EXPLICIT\n" + "".join(u + "\n" for _, u in sorted(self.conda.items()))
        raise AssertionError(argv)

    def run(self, argv, cwd=None):
        argv = list(argv)
        self.ran.append(argv)
        if "--dry-run" in argv:
            return (1, PIP_OFFLINE) if self.offline else (0, "")
        if any(f in " ".join(argv) for f in self.fail):
            return 1, NOT_FOUND
        if argv[1:4] == ["-m", "pip", "uninstall"]:
            for n in argv[5:]:
                self.dists.pop(n, None)
        elif argv[1:4] == ["-m", "pip", "install"]:
            if "-r" in argv:
                with open(argv[argv.index("-r") + 1], encoding="utf-8") as fh:
                    lines = fh.read().split()
            else:
                lines = [a for a in argv[4:] if "==" in a]
            for line in lines:
                n, v = line.split("==")
                self.dists[n] = v
        elif "--revision" in argv:
            self.conda = dict(self.revisions[int(argv[argv.index("--revision") + 1])])
        elif argv[1] == "remove":
            for n in argv[argv.index("--force") + 1:]:
                self.conda.pop(n, None)
        elif argv[1] == "install" and "--file" in argv:
            with open(argv[argv.index("--file") + 1], encoding="utf-8") as fh:
                urls = [u for u in fh.read().split() if not u.startswith("@")]
            self.conda.update(rollback.conda_packages("\n".join(urls)))
        return 0, ""


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    fake = FakeEnv({"keras": "3.15.1", "tensorflow-cpu": "2.21.0"})
    monkeypatch.setattr(rollback, "_capture", fake.capture)
    monkeypatch.setattr(apply, "run_command", fake.run)
    return fake


def tf_plan(kernel):
    inst = Installer("pip", PY, "/envs/gpu", because="test")
    env_step = Step(1, True, "CUDA_VISIBLE_DEVICES=0 in the kernel", ("WG640",), "cuda_visible_devices_hidden", "",
                    (f"# in {kernel}: CUDA_VISIBLE_DEVICES=0",),
                    (Action(where="kernel", path=str(kernel), name="CUDA_VISIBLE_DEVICES", value="0"),))
    argvs = ([PY, "-m", "pip", "uninstall", "-y", "tensorflow-cpu"], [PY, "-m", "pip", "install", "tensorflow==2.21.0"])
    tf_step = Step(2, True, "Replace tensorflow-cpu", ("WG501",), "cpu_only_package", "",
                   tuple(" ".join(a) for a in argvs), tuple(Action(argv=tuple(a)) for a in argvs))
    return Plan(PY, inst, "cpu_only_package", "test", (env_step, tf_step))


@pytest.fixture
def kernel(tmp_path):
    path = tmp_path / "kernel.json"
    path.write_text('{"argv": ["python"], "env": {"CUDA_VISIBLE_DEVICES": ""}}\n')
    return path


def finding(code, category="cpu_only_package", severity="error"):
    return SimpleNamespace(code=code, category=category, severity=SimpleNamespace(value=severity))


def report(*findings, usable=False):
    return SimpleNamespace(findings=findings, verdict=SimpleNamespace(gpu_usable=usable, root_cause="x", summary="y"))


def run_apply(plan, before, after, monkeypatch, auto=True):
    monkeypatch.setattr(fix_cmd, "_diagnose", lambda options: (None, None, after))
    with pytest.raises(SystemExit) as stop:
        fix_cmd._apply(plan, None, before, True, lambda s: print(s), False, auto)
    return stop.value.code


def point_id(out):
    return re.search(r"rollback point (\d{8}-\d{6}(?:-\d+)?)", out).group(1)


def test_a_failed_install_is_rolled_back_automatically(env, kernel, monkeypatch, capsys):
    env.fail = ("install tensorflow==",)
    original = kernel.read_bytes()
    code = run_apply(tf_plan(kernel), report(finding("WG501")), None, monkeypatch)
    out, err = capsys.readouterr()
    ident = point_id(out)
    assert code == 1
    assert f"rolling back automatically to rollback point {ident}" in err
    assert f"rolled back automatically: the environment is back at rollback point {ident}" in err
    assert env.freeze() == "keras==3.15.1\ntensorflow-cpu==2.21.0\n"  # the uninstalled variant is back
    assert kernel.read_bytes() == original  # and the kernel.json step 1 had changed
    assert "installed tensorflow-cpu==2.21.0" in out and f"restored {kernel}" in out
    # the order: dry run, uninstall, the failing install, then the rollback's reinstall of the recorded line
    assert [a[3] for a in env.ran] == ["install", "uninstall", "install", "install"]
    assert env.ran[-1][-3:-1] == ["--no-deps", "-r"]


def test_no_rollback_keeps_the_changed_environment_and_says_how_to_go_back(env, kernel, monkeypatch, capsys):
    env.fail = ("install tensorflow==",)
    code = run_apply(tf_plan(kernel), report(finding("WG501")), None, monkeypatch, auto=False)
    out, err = capsys.readouterr()
    ident = point_id(out)
    assert code == 1 and "rolled back" not in err
    assert f"--no-rollback); `whynogpu fix --rollback {ident}` restores it" in err
    assert "tensorflow-cpu" not in env.freeze()
    assert json.loads(kernel.read_text())["env"]["CUDA_VISIBLE_DEVICES"] == "0"
    # and the recorded point still restores it by hand
    point, folder = rollback.load(ident)
    rollback.restore(point, folder, lambda argv: env.run(argv)[0])
    assert env.freeze() == "keras==3.15.1\ntensorflow-cpu==2.21.0\n"


@pytest.mark.parametrize("after", [
    report(finding("WG201", "no_nvidia_gpu"), finding("WG999", "driver_missing")),
    report(usable=False),
])
def test_a_worse_check_afterwards_is_rolled_back(env, kernel, monkeypatch, capsys, after):
    before = report(finding("WG201", "no_nvidia_gpu"), finding("WG501"), usable=after.findings == ())
    code = run_apply(tf_plan(kernel), before, after, monkeypatch)
    out, err = capsys.readouterr()
    assert code == 1
    assert "the result is worse than before: " + ("new error finding: WG999" if after.findings
                                                  else "the GPU was usable before and is not any more") in err
    assert f"back at rollback point {point_id(out)}" in err
    assert env.freeze() == "keras==3.15.1\ntensorflow-cpu==2.21.0\n"


def test_a_better_or_foreseen_result_is_kept(env, kernel, monkeypatch, capsys):
    before = report(finding("WG201", "no_nvidia_gpu"), finding("WG501"))
    # no GPU: the GPU build was installed without its CUDA libraries on purpose
    after = report(finding("WG201", "no_nvidia_gpu"), finding("WG301", "cuda_libs_missing"))
    monkeypatch.setattr(fix_cmd, "_diagnose", lambda options: (None, None, after))
    fix_cmd._apply(tf_plan(kernel), None, before, True, lambda s: print(s), False, True)
    out, _ = capsys.readouterr()
    assert "resolved: WG501" in out and "expected: WG301" in out and "undoes these changes" in out
    assert env.freeze() == "keras==3.15.1\ntensorflow==2.21.0\n"


def test_an_unreachable_index_changes_nothing_lists_the_commands_and_rolls_back(env, kernel, monkeypatch, capsys):
    env.offline = True
    original = kernel.read_bytes()
    code = run_apply(tf_plan(kernel), report(finding("WG501")), None, monkeypatch)
    out, err = capsys.readouterr()
    assert code == 1
    assert "the package index cannot be reached" in err and "can be run later" in err
    for line in (f"{PY} -m pip uninstall -y tensorflow-cpu", f"{PY} -m pip install tensorflow==2.21.0",
                 f"# in {kernel}: CUDA_VISIBLE_DEVICES=0"):
        assert f"    {line}\n" in err
    assert not any("uninstall" in a for a in env.ran)  # the dry run failed before anything was removed
    assert env.ran[0][-2:] == ["--dry-run", "--quiet"]
    assert kernel.read_bytes() == original  # step 1's edit is undone by the rollback
    assert f"back at rollback point {point_id(out)}" in err


def test_unreachable_tells_network_errors_from_other_failures():
    assert apply.unreachable(PIP_OFFLINE)
    assert apply.unreachable("error: Failed to fetch: `https://pypi.org/simple/tensorflow/`\n  Caused by: error "
                             "sending request for url (https://pypi.org/simple/tensorflow/)")
    assert apply.unreachable("CondaHTTPError: HTTP 000 CONNECTION FAILED for url <https://conda.anaconda.org/...>")
    assert not apply.unreachable(NOT_FOUND)
    assert not apply.unreachable("ERROR: Failed building wheel for flash-attn")


def test_dry_run_is_only_for_pip_and_uv_installs():
    assert apply.dry_run([PY, "-m", "pip", "install", "x==1"]) == [PY, "-m", "pip", "install", "x==1", "--dry-run",
                                                                     "--quiet"]
    assert apply.dry_run(["/u/bin/uv", "pip", "install", "--python", PY, "x"])[-2:] == ["--dry-run", "--quiet"]
    assert apply.dry_run([PY, "-m", "pip", "uninstall", "-y", "x"]) is None
    assert apply.dry_run(["conda", "install", "-y", "-n", "gpu", "x"]) is None
    assert apply.dry_run(["poetry", "add", "x"]) is None


def test_worse():
    assert apply.worse(report(finding("WG501")), report(finding("WG501"))) == []
    assert apply.worse(report(finding("WG501")), report()) == []
    assert apply.worse(report(finding("WG501")), report(finding("WG301", "cuda_libs_missing"))) == [
        "new error finding: WG301"]  # a GPU here: missing CUDA libraries are a regression
    assert apply.worse(report(usable=True), report(finding("WG640", "x", "warning"), usable=None)) == [
        "the GPU was usable before and is not any more"]


# -- conda -------------------------------------------------------------------------------------------

CF = "https://conda.anaconda.org/conda-forge/linux-64/"
CONDA_BEFORE = {"python": CF + "python-3.11.9-hb806964_0_cpython.conda", "numpy": CF + "numpy-1.26.4-py311h64a7726_0.conda",
                "tensorflow-base": CF + "tensorflow-base-2.17.0-cpu_py311h_0.conda"}
CONDA_AFTER = {"python": CONDA_BEFORE["python"], "numpy": CF + "numpy-2.1.3-py311h71ddf71_0.conda",
               "tensorflow-base": CF + "tensorflow-base-2.17.0-cuda120py311h_201.conda",
               "cudnn": CF + "cudnn-9.3.0.75-h93bb076_0.conda", "cuda-nvrtc": CF + "cuda-nvrtc-12.6.77-hbd13f7d_0.conda"}


def explicit(pkgs):
    return "# platform: linux-64\n@EXPLICIT\n" + "".join(u + "\n" for u in pkgs.values())


def test_conda_restore_with_a_recorded_revision_is_conda_install_revision():
    inst = Installer("conda", PY, "/opt/conda/envs/gpu", exe="/opt/conda/bin/conda", conda_name="gpu")
    cmds, lines = rollback.conda_restore(inst, explicit(CONDA_BEFORE), explicit(CONDA_AFTER), 4, "/p/explicit.txt")
    assert cmds == [["/opt/conda/bin/conda", "install", "-y", "-n", "gpu", "--revision", "4"]] and lines == []


def test_conda_restore_without_a_revision_removes_the_added_and_installs_the_explicit_lines():
    inst = Installer("conda", "/w/env/bin/python", "/w/env", exe="/usr/local/bin/micromamba")
    cmds, lines = rollback.conda_restore(inst, explicit(CONDA_BEFORE), explicit(CONDA_AFTER), None, "/p/explicit.txt")
    assert cmds == [["/usr/local/bin/micromamba", "remove", "-y", "-p", "/w/env", "--force", "cuda-nvrtc", "cudnn"],
                    ["/usr/local/bin/micromamba", "install", "-y", "-p", "/w/env", "--file", "/p/explicit.txt"]]
    assert lines == [CONDA_BEFORE["numpy"], CONDA_BEFORE["tensorflow-base"]]  # the changed ones, exactly as recorded
    assert rollback.conda_restore(inst, explicit(CONDA_BEFORE), explicit(CONDA_BEFORE), 4, "x") == ([], [])
    # only added packages: nothing to install
    assert rollback.conda_restore(inst, explicit(CONDA_BEFORE), explicit({**CONDA_BEFORE, "cudnn": CONDA_AFTER["cudnn"]}),
                                  None, "x") == ([["/usr/local/bin/micromamba", "remove", "-y", "-p", "/w/env", "--force",
                                                   "cudnn"]], [])


def test_conda_packages_reads_explicit_lines():
    text = explicit(CONDA_BEFORE) + CF + "libzlib-1.3.1-hb9d3cd8_2.tar.bz2#41b599ed2b02abcfdd84302bff174b23\n"
    pkgs = rollback.conda_packages(text)
    assert pkgs["libzlib"] == CF + "libzlib-1.3.1-hb9d3cd8_2.tar.bz2" and pkgs["tensorflow-base"].endswith("_0.conda")


@pytest.fixture
def conda_env(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    fake = FakeEnv({"numpy": "1.26.4", "tensorflow": "2.17.0"}, conda=CONDA_BEFORE)
    monkeypatch.setattr(rollback, "_capture", fake.capture)
    return fake


def conda_change(fake):
    fake.conda = dict(CONDA_AFTER)
    fake.dists.update({"numpy": "2.1.3", "nvidia-cudnn-cu12": "9.3.0.75"})  # a pip package too


@pytest.mark.parametrize("exe", ["/opt/conda/bin/conda", "/opt/bin/micromamba"])
def test_conda_rollback_restores_conda_packages_then_pip(conda_env, exe):
    inst = Installer("conda", "/opt/conda/envs/gpu/bin/python", "/opt/conda/envs/gpu", exe=exe, conda_name="gpu")
    ident = rollback.record(inst, [], {"steps": []})
    point, folder = rollback.load(ident)
    assert (point.get("conda_revision") == 4) == exe.endswith("conda")  # micromamba keeps no revisions
    assert rollback.conda_packages(open(os.path.join(folder, "conda.txt")).read()) == CONDA_BEFORE
    conda_env.revisions[4] = CONDA_BEFORE
    conda_change(conda_env)
    done = rollback.restore(point, folder, lambda argv: conda_env.run(argv)[0])
    conda_cmds = [a for a in conda_env.ran if a[0] == exe]
    if exe.endswith("conda"):
        assert conda_cmds == [[exe, "install", "-y", "-n", "gpu", "--revision", "4"]]
        assert done[0].startswith("conda packages restored from conda revision 4: ")
    else:
        assert conda_cmds == [[exe, "remove", "-y", "-n", "gpu", "--force", "cuda-nvrtc", "cudnn"],
                              [exe, "install", "-y", "-n", "gpu", "--file", os.path.join(folder, "explicit.txt")]]
        assert open(os.path.join(folder, "explicit.txt")).read() == "@EXPLICIT\n" + "\n".join(
            [CONDA_BEFORE["numpy"], CONDA_BEFORE["tensorflow-base"]]) + "\n"
        assert done[0].startswith("conda packages restored from the recorded conda.txt: ")
    assert conda_env.conda == CONDA_BEFORE
    assert "nvidia-cudnn-cu12" not in conda_env.dists and conda_env.dists["numpy"] == "1.26.4"


def test_a_revision_that_does_not_restore_exactly_falls_back_to_the_explicit_file(conda_env):
    inst = Installer("conda", "/opt/conda/envs/gpu/bin/python", "/opt/conda/envs/gpu", exe="conda", conda_name="gpu")
    point, folder = rollback.load(rollback.record(inst, [], {"steps": []}))
    conda_env.revisions[4] = {**CONDA_BEFORE, "numpy": CF + "numpy-1.26.4-py311h_rebuilt_1.conda"}
    conda_change(conda_env)
    done = rollback.restore(point, folder, lambda argv: conda_env.run(argv)[0])
    assert [a[1] for a in conda_env.ran if a[0] == "conda"] == ["install", "install"]
    assert "--file" in conda_env.ran[1] and conda_env.conda == CONDA_BEFORE
    assert done[0].startswith("conda packages restored from the recorded conda.txt")


def test_a_conda_rollback_that_cannot_finish_says_what_differs(conda_env):
    inst = Installer("conda", "/opt/conda/envs/gpu/bin/python", "/opt/conda/envs/gpu", exe="conda", conda_name="gpu")
    point, folder = rollback.load(rollback.record(inst, [], {"steps": []}))
    conda_change(conda_env)
    with pytest.raises(rollback.RollbackError, match="conda packages still differ from point .*cudnn"):
        rollback.restore(point, folder, lambda argv: 1)


def test_no_rollback_without_apply_is_a_usage_error():
    res = subprocess.run([sys.executable, "-m", "whynogpu", "fix", "--no-rollback"], capture_output=True, text=True,
                         timeout=120, stdin=subprocess.DEVNULL)
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "--no-rollback only goes with --apply" in res.stderr
