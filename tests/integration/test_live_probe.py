"""The live probe against real installs on this GPU-less machine, and against tiny fake frameworks
that crash or hang, so containment is tested with real child processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest

from helpers import processes_with as _processes_with
from whynogpu.host.real import RealHost
from whynogpu.model import ProbeResult, ProbeStatus
from whynogpu.probes import Context, Options
from whynogpu.probes.frameworks import FrameworkBuildFacts, JaxBuild, TorchBuild
from whynogpu.probes.frameworks_live import LiveFacts, _last_json, gather_live
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


@pytest.mark.integration
def test_a_gated_child_imports_then_waits_for_its_line(tmp_path):
    fake_framework(str(tmp_path), "torch", "__version__ = '2.13.0+cpu'\nclass version:\n    cuda = None\n    hip = None\n")
    host = HostWithPath(str(tmp_path))
    child = host.start_snippet("probe_torch", sys.executable, ("--gate",), host.env())
    time.sleep(1.5)
    assert child.proc.poll() is None  # imported, and waiting for whynogpu's decision
    child.send("--skip")
    res = child.result(10)
    assert res.returncode == 0 and "{" not in res.stdout  # told it is not needed: leaves without a word
    child = host.start_snippet("probe_torch", sys.executable, ("--gate",), host.env())
    child.send("--no-device-scan")
    data = _last_json(child.result(10).stdout)
    assert data["device_scan_skipped"] is True and "--no-device-scan" in data["argv"]


@pytest.mark.integration
def test_head_start_through_gather_leaves_no_child_behind(tmp_path, monkeypatch):
    """Real processes end to end: the imports start before the inspection, a chatty framework
    (300 kB on stderr before the gate line is read) does not stall, and the children for
    frameworks that turn out not to be installed are killed, not left waiting."""
    from whynogpu.probes import gather

    fake_framework(str(tmp_path), "tensorflow", "import sys, time\nsys.stderr.write('x' * 300000)\ntime.sleep(1)\n"
                                               "__version__ = '2.21.0'\n")
    mark = f"whynogpu-test-{os.getpid()}-{time.monotonic_ns()}"
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))  # the inspection sees the fakes too
    monkeypatch.setenv("WHYNOGPU_TEST_MARK", mark)
    host = RealHost()
    python = tmp_path / "python"  # not whynogpu's own path, so the inspection runs as a child
    python.symlink_to(os.path.realpath(sys.executable))
    start = time.monotonic()
    snap = gather(host, Options(python=str(python), timeout=20.0))
    assert time.monotonic() - start < 15
    live = snap.get(LiveFacts)
    tf = live.run("tensorflow")
    assert tf is not None and tf.status == "error" and tf.version == "2.21.0"  # the fake has no tf.test
    assert "--gate" not in tf.command
    assert {r.framework for r in live.runs} == {"tensorflow"}  # torch and jax are not installed here
    assert not _processes_with(mark)


@pytest.mark.integration
def test_ctrl_c_during_the_live_probe_ends_whynogpu_and_its_children(tmp_path):
    import signal

    flag = tmp_path / "probing"
    # imports at once, then hangs in the first call the probe makes after whynogpu's gate line
    fake_framework(str(tmp_path), "tensorflow", f"""
        import time
        class test:
            @staticmethod
            def is_built_with_cuda():
                open({str(flag)!r}, "w").close()
                time.sleep(600)
        """)
    python = tmp_path / "python"
    python.symlink_to(os.path.realpath(sys.executable))
    mark = f"whynogpu-test-{os.getpid()}-{time.monotonic_ns()}"
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "WHYNOGPU_TEST_MARK": mark}
    proc = subprocess.Popen([sys.executable, "-c", "from whynogpu.cli import run; run()", "--python", str(python)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not flag.exists():  # whynogpu now waits on its TF child
        time.sleep(0.1)
    assert flag.exists()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 130 and b"interrupted" in err and b"Traceback" not in err
    time.sleep(0.5)
    assert not _processes_with(mark)  # the child, in a session of its own, was ended too
