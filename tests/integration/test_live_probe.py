"""The live probe against real installs on this GPU-less machine, and against tiny fake frameworks
that crash or hang, so containment is tested with real child processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

from whynogpu.host.real import RealHost
from whynogpu.model import ProbeResult, ProbeStatus
from whynogpu.probes import Context, Options
from whynogpu.probes.frameworks import FrameworkBuildFacts, JaxBuild, TorchBuild, gather_live
from whynogpu.probes.target import facts_from_inspector

CACHE = os.path.join(os.path.expanduser("~"), ".cache", "whynogpu-it")
ALL_CPU = os.path.join(CACHE, "all-cpu")
ALL_CPU_PACKAGES = ("tensorflow-cpu==2.21.0", "torch==2.13.0", "jax==0.10.2", "jaxlib==0.10.2")


def all_cpu_python() -> str:
    """One venv with tensorflow-cpu, the local torch CPU wheel and jax, made once and reused."""
    python = os.path.join(ALL_CPU, "bin", "python")
    marker = os.path.join(ALL_CPU, ".whynogpu-complete")
    if not os.path.exists(marker):
        subprocess.run([sys.executable, "-m", "venv", ALL_CPU], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", *ALL_CPU_PACKAGES], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        open(marker, "w").close()
    return python


@pytest.mark.integration
def test_real_cpu_installs_are_confirmed_cpu_builds_by_the_live_probe():
    from whynogpu.pipeline import check

    python = all_cpu_python()
    report = check(RealHost(), Options(python=python))
    live = report.facts["frameworks_live"]
    runs = {r["framework"]: r for r in live["runs"]}
    assert set(runs) == {"tensorflow", "torch", "jax"}
    assert all(r["status"] == "ok" and r["gpus"] == [] for r in runs.values())
    assert runs["tensorflow"]["keras"]["backend"] == "tensorflow"  # keras rode along, no extra process
    assert runs["tensorflow"]["matmul"]["device"].endswith("device:CPU:0")
    confirmed = [f for f in report.findings if f.code == "WG501"]
    assert len(confirmed) == 3
    assert not [f for f in report.findings if f.code in ("WG401", "WG402", "WG403")]  # the live probe wins
    assert report.verdict.gpu_usable is False
    # the probes overlapped: the whole live probe took less than the three runs added up
    assert live["wall_s"] < sum(r["duration_s"] for r in runs.values())


def fake_framework(root: str, name: str, body: str) -> None:
    os.makedirs(os.path.join(root, name), exist_ok=True)
    with open(os.path.join(root, name, "__init__.py"), "w") as fh:
        fh.write(textwrap.dedent(body))


class HostWithPath(RealHost):
    def __init__(self, pythonpath: str) -> None:
        super().__init__()
        self.pythonpath = pythonpath

    def env(self):
        return {**super().env(), "PYTHONPATH": self.pythonpath}


@pytest.mark.integration
def test_a_framework_killed_by_a_signal_and_one_that_hangs_are_contained(tmp_path):
    fake_framework(str(tmp_path), "torch", "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n")
    fake_framework(str(tmp_path), "tensorflow", "import time\ntime.sleep(600)\n")
    fake_framework(str(tmp_path), "jax", "raise ImportError('libcudart.so.12: cannot open shared object file')\n")
    host = HostWithPath(str(tmp_path))
    data = {"executable": sys.executable, "version": "3.11", "distributions": [
        {"name": "torch", "version": "2.13.0"}, {"name": "jax", "version": "0.10.2"}],
        "packages": {"tensorflow": {"origin": str(tmp_path / "tensorflow" / "__init__.py"), "locations": []}}}
    ctx = Context(host, Options(python=sys.executable, timeout=3.0))
    ctx.results.append(ProbeResult("target", ProbeStatus.OK, 0, facts=facts_from_inspector(data, "test")))
    ctx.results.append(ProbeResult("frameworks", ProbeStatus.OK, 0, facts=FrameworkBuildFacts(
        None, TorchBuild("2.13.0", None, None, ""), JaxBuild("0.10.2", None, (), None), None)))
    start = time.monotonic()
    facts = gather_live(ctx)
    took = time.monotonic() - start
    runs = {r.framework: r for r in facts.runs}
    assert runs["torch"].status == "crashed" and runs["torch"].signal == 11
    assert runs["tensorflow"].status == "timed_out"
    assert runs["jax"].status == "error" and "libcudart.so.12" in runs["jax"].error
    assert took < 8  # concurrent: bounded by the one time limit, not by the sum
