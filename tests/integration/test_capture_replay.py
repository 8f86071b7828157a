"""`whynogpu capture` on this real machine (no GPU, a VM, the CUDA 13.0 toolkit in /usr/local/cuda-13.0),
then `whynogpu check --replay` of the folder: the same verdict and finding codes as a live `whynogpu check`.

Static checks are compared for whynogpu's own choice of interpreter; the live probes with the venv
of tensorflow-cpu, torch and jax that test_live_probe.py builds (the frameworks really import, and a
matmul really runs, during the capture only)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration

EXE = [sys.executable, "-m", "whynogpu"]


def whynogpu(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*EXE, *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def outcome(res: subprocess.CompletedProcess) -> tuple[dict, list[str]]:
    assert res.returncode in (0, 1), res.stderr
    report = json.loads(res.stdout)
    return report["verdict"], [f["code"] for f in report["findings"]]


def capture_and_replay(folder, *options: str) -> tuple[tuple[dict, list[str]], dict]:
    cap = whynogpu("capture", str(folder), *options)
    assert cap.returncode == 0, cap.stderr
    assert "Attach the folder to your bug report" in cap.stdout
    with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as fh:
        manifest = json.load(fh)
    return outcome(whynogpu("check", "--replay", str(folder), "--json")), manifest


def test_a_capture_without_live_probes_replays_to_the_live_verdict(tmp_path):
    live = outcome(whynogpu("check", "--no-probe", "--json"))
    replayed, manifest = capture_and_replay(tmp_path / "cap", "--no-probe")
    assert replayed == live
    assert live[0]["root_cause"] == "no_nvidia_gpu"  # this machine: a VM with no GPU
    assert (manifest["verdict"], manifest["findings"]) == live
    assert manifest["options"]["probe"] is False
    # what the probes read is in the folder, in the FakeHost layout
    assert os.path.isfile(tmp_path / "cap" / "root" / "proc" / "version")
    assert os.path.isdir(tmp_path / "cap" / "root" / "usr" / "local" / "cuda-13.0")
    spec = json.loads((tmp_path / "cap" / "host.json").read_text())
    assert any(c["argv"][-1] == "-p" and "ldconfig" in c["argv"][0] for c in spec["commands"])
    assert "/dev" in spec["listings"]
    # the other output formats read the folder too
    md = whynogpu("check", "--replay", str(tmp_path / "cap"), "--markdown")
    assert md.returncode in (0, 1) and "no_nvidia_gpu" in md.stdout


def test_a_capture_with_live_probes_of_real_frameworks_replays_to_the_live_verdict(tmp_path):
    from test_live_probe import all_cpu_python

    python = all_cpu_python()
    live = outcome(whynogpu("check", "--python", python, "--json"))
    replayed, manifest = capture_and_replay(tmp_path / "cap", "--python", python)
    assert replayed == live
    assert live[1].count("WG501") == 3  # the three CPU builds, confirmed by importing them
    spec = json.loads((tmp_path / "cap" / "host.json").read_text())
    probes = {k.split("@")[0]: v for k, v in spec["snippets"].items()}
    assert {"probe_tensorflow", "probe_torch", "probe_jax"} <= set(probes)
    # TensorFlow's own log (TF_CPP_MIN_LOG_LEVEL=0 in the child) is kept raw beside its JSON answer
    tf_err = (tmp_path / "cap" / probes["probe_tensorflow"]["stderr_file"]).read_text()
    assert tf_err.strip()
    # the capture replays without its live probes too, as `check --no-probe` would have said
    static = outcome(whynogpu("check", "--replay", str(tmp_path / "cap"), "--no-probe", "--json"))
    assert static == outcome(whynogpu("check", "--python", python, "--no-probe", "--json"))
