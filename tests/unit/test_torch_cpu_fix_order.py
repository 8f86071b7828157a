"""A CPU-only torch: the fix it gets starts with installing a CUDA torch, never with TensorFlow."""

from __future__ import annotations

import pytest

from whynogpu.facts.frameworks import (
    FrameworkBuildFacts,
    FrameworkRun,
    GpuDevice,
    LiveFacts,
    TensorFlowBuild,
    TorchBuild,
)
from whynogpu.facts.platform import PlatformFacts
from whynogpu.facts.target import Distribution, TargetFacts
from whynogpu.pipeline import report_from_snapshot
from whynogpu.probes import snapshot_of
from whynogpu.triage.engine import triage

PY = "/home/u/venv/bin/python"
SITE = "/home/u/venv/lib/python3.12/site-packages"
LINUX = PlatformFacts("linux", "6.8.0-45-generic", "Ubuntu 24.04.1 LTS", "x86_64", None, None, (), "box")
WINDOWS = PlatformFacts("windows", "10.0.22631", "Windows 11", "AMD64", None, None, (), "box")
TORCH_CPU = TorchBuild("2.5.1+cpu", None, None, "cpu", False)
TF_GPU = TensorFlowBuild("tensorflow", "2.18.0", True, "12.5.1", "9", ("sm_60", "sm_70", "sm_80", "compute_90"))


def target(*dists: tuple[str, str]) -> TargetFacts:
    return TargetFacts(PY, "3.12.3", "cpython", "/home/u/venv", "/usr", "venv", "win32", "x86_64", "test", (),
                       tuple(Distribution(n, v, SITE) for n, v in dists), {}, {}, {})


def assert_torch_fix_first(report):
    top = report.findings[0]
    assert top.category == "cpu_only_package" and top.fix and top.fix.commands
    first = top.fix.commands[0]
    assert "torch" in first and "download.pytorch.org/whl/cu" in first and "install" in first
    assert not any("tensorflow" in c for c in top.fix.commands)


def test_cpu_torch_alone():
    snap = snapshot_of(LINUX, target(("torch", "2.5.1+cpu")), FrameworkBuildFacts(None, TORCH_CPU, None, None))
    assert_torch_fix_first(report_from_snapshot(snap))


def test_cpu_torch_next_to_a_gpu_tensorflow():
    snap = snapshot_of(LINUX, target(("torch", "2.5.1+cpu"), ("tensorflow", "2.18.0")),
                       FrameworkBuildFacts(TF_GPU, TORCH_CPU, None, None))
    assert_torch_fix_first(report_from_snapshot(snap))


def test_cpu_torch_confirmed_live_next_to_a_tensorflow_that_has_the_gpu():
    runs = (FrameworkRun("tensorflow", "ok", 3.1, version="2.18.0", cuda_build=True,
                         gpus=(GpuDevice(0, "NVIDIA GeForce RTX 4090", "8.9"),)),
            FrameworkRun("torch", "ok", 2.0, version="2.5.1+cpu", cuda_build=False))
    snap = snapshot_of(LINUX, target(("torch", "2.5.1+cpu"), ("tensorflow", "2.18.0")),
                       FrameworkBuildFacts(TF_GPU, TORCH_CPU, None, None), LiveFacts(PY, runs, 5.2))
    assert_torch_fix_first(report_from_snapshot(snap))


@pytest.mark.parametrize("tf_version", ["2.15.0", "2.18.0"])
def test_cpu_torch_on_native_windows_next_to_a_tensorflow_without_windows_gpu_support(tf_version):
    # TF >= 2.11 has no GPU on native Windows (WG101), but PyTorch has CUDA wheels there: the torch fix leads.
    tf = TensorFlowBuild("tensorflow", tf_version, False, None, None, ())
    snap = snapshot_of(WINDOWS, target(("torch", "2.5.1+cpu"), ("tensorflow", tf_version)),
                       FrameworkBuildFacts(tf, TORCH_CPU, None, None))
    report = report_from_snapshot(snap)
    assert_torch_fix_first(report)
    assert report.verdict.root_cause == "cpu_only_package"
    assert next(f for f in report.findings if f.code == "WG101").severity.value == "warning"


def test_cpu_torch_from_a_pasted_report():
    report = triage("Windows 11\n$ pip list\ntensorflow 2.15.0\ntorch 2.5.1+cpu\n>>> torch.cuda.is_available()\nFalse\n")
    assert_torch_fix_first(report)
