"""`whynogpu recommend tensorflow` for real: the command it prints for a fresh venv of this machine is run as printed
and the TensorFlow it installs imports. On this CI machine (no NVIDIA GPU) that is the CPU-test install of the
recommended release (the GPU build without its and-cuda extra); on a machine with a GPU it is the GPU build.

The wheels are downloaded from PyPI once into ~/.cache/whynogpu-recommend/wheels (by the package names the command
names); later runs install from there without network, through PIP_FIND_LINKS and PIP_NO_INDEX, which reach the
pip that the printed command runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CACHE = Path.home() / ".cache" / "whynogpu-recommend"


def run(argv, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=1800, **kw)


def test_the_recommended_tensorflow_installs_and_imports(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "CONDA_PREFIX", "PIP_INDEX_URL",
                                                            "PIP_EXTRA_INDEX_URL")}
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "env")], check=True)
    python = tmp_path / "env" / "bin" / "python"
    res = run([sys.executable, "-m", "whynogpu", "recommend", "tensorflow", "--python", str(python), "--json",
               "--no-redact"], env=env)
    assert res.returncode in (0, 1), res.stderr
    data = json.loads(res.stdout)
    [advice] = data["recommendations"]
    gpu = data["verdict"]["root_cause"] != "no_nvidia_gpu"
    if not gpu:  # check's root cause comes first, as `whynogpu check` says it
        assert advice["status"] == "no_gpu" and data["root_cause_finding"]["code"] == "WG201"
        assert "[and-cuda]" in advice["wanted"]["specs"][0] and "[and-cuda]" not in advice["cpu"]["specs"][0]
    chosen = advice["cpu"] if not gpu else (advice["works"] or advice["upgrade"])
    [argv] = chosen["argv"]
    assert argv[:4] == [str(python), "-m", "pip", "install"]
    wheels = CACHE / "wheels" / f"py{sys.version_info[0]}{sys.version_info[1]}"
    marker = wheels / ("ok-" + "-".join(chosen["specs"]).replace("/", "_").replace("*", "x"))
    if not marker.exists():  # once per machine and release: the same specs from PyPI, by name
        wheels.mkdir(parents=True, exist_ok=True)
        got = run([sys.executable, "-m", "pip", "download", "-q", "-d", str(wheels), *chosen["specs"]], env=env)
        assert got.returncode == 0, got.stderr[-2000:]
        marker.touch()
    done = run(argv, env={**env, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels),
                          "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    imported = run([str(python), "-c", "import tensorflow as tf; print(tf.__version__)"],
                   env={**env, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert imported.returncode == 0, imported.stderr[-2000:]
    assert imported.stdout.strip().startswith(chosen["release"] + "."), imported.stdout
    again = run([sys.executable, "-m", "whynogpu", "recommend", "tensorflow", "--python", str(python), "--json"],
                env=env)  # the installed release is now seen in the target
    installed = dict(json.loads(again.stdout)["machine"]["installed"])
    assert installed["tensorflow"] == imported.stdout.strip()
