"""`whynogpu fix --apply` on real throw-away environments of this machine: a tensorflow-cpu venv made with
pip, and one made with uv (no pip in it). The fix replaces the CPU-only variant with `tensorflow` as planned,
the live probe confirms the change, and `fix --rollback` restores the recorded freeze exactly. A failed
install stops the run and is rolled back by itself (the RECORDs of the env byte-identical), or kept with
--no-rollback; an unreachable index (a refused index URL) changes nothing and lists the commands to run later;
tensorflow and tensorflow-cpu side by side are left as one variant, and rolled back to both.

Everything installs offline from a folder of wheels kept under ~/.cache (the scenario tier's when it has
them, else one of our own, filled once with `pip download`): pip is sent there by PIP_NO_INDEX and
PIP_FIND_LINKS, uv by UV_OFFLINE and UV_FIND_LINKS, which is how a user's own index settings reach the
installer that whynogpu runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CACHE = Path.home() / ".cache" / "whynogpu-fix"
SCENARIO_WHEELS = Path.home() / ".cache" / "whynogpu-scenarios" / "wheels"
WANTED = ("tensorflow_cpu-2.21.0-cp311", "tensorflow-2.21.0-cp311")
PACKAGES = ("tensorflow-cpu==2.21.0", "tensorflow==2.21.0")


def _has(folder: Path) -> bool:
    names = [p.name for p in folder.glob("*.whl")] if folder.is_dir() else []
    return all(any(n.startswith(w) for n in names) for w in WANTED)


@pytest.fixture(scope="module")
def wheels() -> Path:
    if sys.version_info[:2] != (3, 11):
        pytest.skip("the cached wheels are for Python 3.11")
    if _has(SCENARIO_WHEELS):
        return SCENARIO_WHEELS
    own = CACHE / "wheels"
    if not _has(own):
        own.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "-d", str(own), *PACKAGES], check=True)
    return own


@pytest.fixture(scope="module")
def uv() -> str:
    found = shutil.which("uv")
    if found:
        return found
    tool = CACHE / "uv-tool"
    exe = tool / "bin" / "uv"
    if not exe.exists():  # uv from PyPI into a tool venv of its own, once per machine
        subprocess.run([sys.executable, "-m", "venv", str(tool)], check=True)
        subprocess.run([str(tool / "bin" / "python"), "-m", "pip", "install", "-q", "uv"], check=True)
    return str(exe)


def offline(wheels: Path, tmp: Path, **more) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX", "PIP_INDEX_URL",
                                                            "PIP_EXTRA_INDEX_URL")}
    return {**env, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels), "UV_OFFLINE": "1", "UV_FIND_LINKS": str(wheels),
            "XDG_CACHE_HOME": str(tmp / "cache"), **more}


def whynogpu(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "whynogpu", *args], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=1200)


def freeze(python: Path, uv: str | None = None) -> str:
    argv = [uv, "pip", "freeze", "--python", str(python)] if uv else [str(python), "-m", "pip", "freeze", "--all"]
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout


def pip_venv(tmp: Path, wheels: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(tmp / "env")], check=True)
    python = tmp / "env" / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-index", "--find-links", str(wheels),
                    "tensorflow-cpu==2.21.0"], check=True, stdout=subprocess.DEVNULL)
    return python


def built_with_cuda(python: Path) -> str:
    code = "import tensorflow as tf; print(tf.__version__, tf.test.is_built_with_cuda())"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([str(python), "-c", code], capture_output=True, text=True, env=env, timeout=300).stdout.strip()


def test_pip_venv_tensorflow_cpu_is_replaced_verified_and_rolled_back_exactly(tmp_path, wheels):
    python = pip_venv(tmp_path, wheels)
    env = offline(wheels, tmp_path)
    before = freeze(python)
    dry = whynogpu("fix", "--python", str(python), env=env)
    assert dry.returncode == 0, dry.stderr
    assert "[automatic] Replace tensorflow" in dry.stdout and "dry run" in dry.stdout
    assert freeze(python) == before  # the dry run changed nothing

    res = whynogpu("fix", "--apply", "--yes", "--python", str(python), env=env)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    after = freeze(python)
    assert "tensorflow==2.21.0" in after.splitlines() and not any(ln.startswith("tensorflow-cpu") or
                                                                 ln.startswith("tensorflow_cpu") for ln in after.splitlines())
    assert built_with_cuda(python) == "2.21.0 True"
    assert "resolved: WG501" in res.stdout  # the live probe, run again, no longer sees a CPU-only build
    points = list((tmp_path / "cache" / "whynogpu" / "rollback").iterdir())
    assert len(points) == 1 and (points[0] / "freeze.txt").read_text() == before

    back = whynogpu("fix", "--rollback", "--yes", env=env)
    assert back.returncode == 0, back.stderr
    assert freeze(python) == before
    assert built_with_cuda(python) == "2.21.0 False"


@pytest.fixture(scope="module")
def no_tensorflow(wheels, tmp_path_factory) -> Path:
    """The cached wheels less `tensorflow` itself: the fix's install fails, the rollback's reinstall of
    tensorflow-cpu still finds its wheel."""
    folder = tmp_path_factory.mktemp("wheels-without-tensorflow")
    for whl in wheels.glob("*.whl"):
        if not whl.name.startswith("tensorflow-"):
            (folder / whl.name).symlink_to(whl)
    return folder


def records(python: Path) -> dict[str, bytes]:
    """Every installed distribution's RECORD, byte for byte."""
    site = next((python.parent.parent / "lib").glob("python3*/site-packages"))
    return {p.parent.name: p.read_bytes() for p in site.glob("*.dist-info/RECORD")}


def point_ids(tmp: Path) -> list[str]:
    return sorted(p.name for p in (tmp / "cache" / "whynogpu" / "rollback").iterdir())


def test_a_failed_install_is_rolled_back_automatically_and_the_records_are_identical(tmp_path, wheels, no_tensorflow):
    python = pip_venv(tmp_path, wheels)
    before, before_records = freeze(python), records(python)
    res = whynogpu("fix", "--apply", "--yes", "--python", str(python), env=offline(no_tensorflow, tmp_path))
    assert res.returncode == 1, res.stdout[-3000:] + res.stderr[-3000:]
    (ident,) = point_ids(tmp_path)
    assert "-m pip uninstall -y tensorflow_cpu" in res.stdout  # the step had removed the CPU variant
    assert "step 2 failed" in res.stderr and f"rolling back automatically to rollback point {ident}" in res.stderr
    assert f"rolled back automatically: the environment is back at rollback point {ident}" in res.stderr
    assert "installed tensorflow_cpu==2.21.0" in res.stdout
    assert "can be run later" not in res.stderr  # a missing wheel is no network failure
    assert freeze(python) == before and records(python) == before_records
    assert built_with_cuda(python) == "2.21.0 False"


def test_no_rollback_keeps_the_failed_state_and_the_point_restores_it_later(tmp_path, wheels, no_tensorflow):
    python = pip_venv(tmp_path, wheels)
    before = freeze(python)
    res = whynogpu("fix", "--apply", "--yes", "--no-rollback", "--python", str(python),
                   env=offline(no_tensorflow, tmp_path))
    assert res.returncode == 1
    (ident,) = point_ids(tmp_path)
    assert f"(--no-rollback); `whynogpu fix --rollback {ident}` restores it" in res.stderr
    assert "rolled back" not in res.stderr
    assert "tensorflow-cpu" not in freeze(python).lower().replace("_", "-")  # left as the failed step left it
    back = whynogpu("fix", "--rollback", ident, "--yes", env=offline(wheels, tmp_path))
    assert back.returncode == 0, back.stderr
    assert freeze(python) == before


def test_an_unreachable_index_changes_nothing_and_lists_the_commands_to_run_later(tmp_path, wheels, no_tensorflow):
    python = pip_venv(tmp_path, wheels)
    before = freeze(python)
    env = offline(no_tensorflow, tmp_path, PIP_INDEX_URL="http://127.0.0.1:9/simple", PIP_RETRIES="1",
                  PIP_TIMEOUT="3", PIP_CONFIG_FILE=os.devnull)
    del env["PIP_NO_INDEX"]  # pip asks the (refused) index: its network errors, as offline
    res = whynogpu("fix", "--apply", "--yes", "--python", str(python), env=env)
    assert res.returncode == 1, res.stdout[-3000:] + res.stderr[-3000:]
    (ident,) = point_ids(tmp_path)
    assert "Connection refused" in res.stderr  # pip's own words, shown as they came
    assert "the package index cannot be reached from here. The plan's commands can be run later" in res.stderr
    assert f"    {python} -m pip uninstall -y tensorflow_cpu\n    {python} -m pip install tensorflow==2.21.0\n" \
        in res.stderr
    assert "it changed nothing" in res.stderr and f"$ {python} -m pip uninstall" not in res.stdout
    assert f"back at rollback point {ident}" in res.stderr
    assert freeze(python) == before


def check_json(python: Path, env) -> dict:
    res = subprocess.run([sys.executable, "-m", "whynogpu", "--python", str(python), "--json"], capture_output=True,
                         text=True, env=env, stdin=subprocess.DEVNULL, timeout=600)
    return json.loads(res.stdout)


def test_tensorflow_and_tensorflow_cpu_side_by_side_leave_one_variant_and_roll_back_to_both(tmp_path, wheels):
    python = pip_venv(tmp_path, wheels)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-index", "--find-links", str(wheels),
                    "tensorflow==2.21.0"], check=True, stdout=subprocess.DEVNULL)
    env = offline(wheels, tmp_path)
    before = freeze(python)
    assert {"tensorflow==2.21.0", "tensorflow_cpu==2.21.0"} <= set(before.splitlines())
    assert "package_conflict" in {f["category"] for f in check_json(python, env)["findings"]}

    res = whynogpu("fix", "--apply", "--yes", "--python", str(python), env=env)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert "Replace tensorflow 2.21.0, tensorflow_cpu 2.21.0" in res.stdout
    variants = [ln for ln in freeze(python).splitlines() if ln.split("==")[0].replace("_", "-") in
                ("tensorflow", "tensorflow-cpu", "tensorflow-intel", "tensorflow-gpu")]
    assert variants == ["tensorflow==2.21.0"]  # exactly one variant, the GPU build
    assert built_with_cuda(python) == "2.21.0 True"
    after = check_json(python, env)
    assert "package_conflict" not in {f["category"] for f in after["findings"]}

    back = whynogpu("fix", "--rollback", "--yes", env=env)
    assert back.returncode == 0, back.stderr
    assert freeze(python) == before  # both variants again, at their versions


def test_uv_venv_without_pip_is_fixed_with_uv_and_rolled_back(tmp_path, wheels, uv):
    subprocess.run([uv, "venv", "-q", str(tmp_path / "env"), "--python", sys.executable], check=True)
    python = tmp_path / "env" / "bin" / "python"
    env = offline(wheels, tmp_path, PATH=os.path.dirname(uv) + os.pathsep + os.environ.get("PATH", ""))
    subprocess.run([uv, "pip", "install", "-q", "--python", str(python), "tensorflow-cpu==2.21.0"], check=True, env=env)
    assert subprocess.run([str(python), "-m", "pip", "--version"], capture_output=True).returncode != 0  # no pip here
    before = freeze(python, uv)

    plan = whynogpu("fix", "--python", str(python), env=env)
    assert "installer: uv" in plan.stdout and f"uv pip install --python {python}" in plan.stdout

    res = whynogpu("fix", "--apply", "--yes", "--python", str(python), env=env)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert "tensorflow==2.21.0" in freeze(python, uv).splitlines()
    assert built_with_cuda(python) == "2.21.0 True"

    back = whynogpu("fix", "--rollback", "--yes", env=env)
    assert back.returncode == 0, back.stderr
    assert freeze(python, uv) == before
