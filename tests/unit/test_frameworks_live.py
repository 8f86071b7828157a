"""The framework layer: live-probe orchestration, its facts, and the WG5xx rules.

Snippet answers come from fixture folders whose stderr is real captured output
(copies in tests/fixtures/real); GPU-present answers use the snippet's own JSON shape with
values from public logs (each folder's README says which)."""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass

import pytest

from whynogpu import serde
from whynogpu.host.base import CommandResult
from whynogpu.host.fake import FakeHost
from whynogpu.model import ProbeResult, ProbeStatus, Severity, Snapshot
from whynogpu.probes import Context, Options, load_all, run_one
from whynogpu.probes.frameworks import FrameworkBuildFacts
from whynogpu.probes.frameworks_live import LiveFacts, plan, run_from_result
from whynogpu.probes.target import facts_from_inspector
from whynogpu.rules import SUMMARIES, evaluate
from whynogpu.rules import load_all as load_rules
from whynogpu.rules.frameworks import kernel_support

HOSTS = os.path.join(os.path.dirname(__file__), "..", "fixtures", "hosts")
PY = "/home/user/venv/bin/python"


@dataclass(frozen=True)
class DriverCount:
    """Stand-in for the driver layer's facts: only the GPU count matters to these rules."""

    gpu_count: int | None


def dist(name, version):
    return {"name": name, "version": version, "location": "/home/user/venv/lib/python3.11/site-packages"}


def target_data(dists, files=None, packages=()):
    return {"executable": PY, "version": "3.11.7", "implementation": "CPython", "prefix": "/home/user/venv",
            "base_prefix": "/usr", "env_kind": "venv", "platform": "linux", "machine": "x86_64",
            "distributions": [dist(n, v) for n, v in dists],
            "packages": {p: {"origin": f"/x/{p}/__init__.py", "locations": [f"/x/{p}"]} for p in packages},
            "owners": {}, "files": files or {}}


def snapshot(host, tdata, driver=None, env_facts=None, live=True):
    load_rules()
    probes = load_all()
    ctx = Context(host, Options(python=PY, live=live, timeout=30))
    ctx.results.append(ProbeResult("target", ProbeStatus.OK, 0.1, facts=facts_from_inspector(tdata, "named with --python")))
    if driver is not None:
        ctx.results.append(ProbeResult("driver", ProbeStatus.OK, 0.0, facts=DriverCount(driver)))
    if env_facts is not None:
        ctx.results.append(ProbeResult("environment", ProbeStatus.OK, 0.0, facts=env_facts))
    for name in ("frameworks", "frameworks_live"):
        if name == "frameworks_live" and not live:
            continue
        ctx.results.append(run_one(probes[name], ctx))
    return Snapshot(1, "test", "check", tuple(ctx.results))


def codes(snap):
    return {f.code: f for f in evaluate(snap) if f.code.startswith(("WG4", "WG5"))}


def folder_host(name, **kw):
    return FakeHost.from_folder(os.path.join(HOSTS, name), **kw)


def tf_files(folder):
    with open(os.path.join(HOSTS, folder, "build_info.py"), encoding="utf-8") as fh:
        return {"tensorflow/python/platform/build_info.py": fh.read()}


def answer(data, stderr="", **kw):
    return dict(stdout="noise printed by the framework\n" + json.dumps(data), stderr=stderr, **kw)


# -- the probe ---------------------------------------------------------------------------------


def test_tf_cpu_package_is_confirmed_live_and_the_static_rule_steps_back():
    host = folder_host("tf-cpu-package-live")
    snap = snapshot(host, target_data([("tensorflow-cpu", "2.21.0"), ("keras", "3.15.1")], tf_files("tf-cpu-package-live"),
                                      ["tensorflow", "keras"]))
    found = codes(snap)
    assert "WG501" in found and found["WG501"].severity is Severity.ERROR
    assert "WG401" not in found  # the static twin defers to the live answer
    assert any("is_built_with_cuda() = False" in e.fact for e in found["WG501"].evidence)
    assert any("uninstall -y tensorflow-cpu" in c for c in found["WG501"].fix.commands)
    live = snap.get(LiveFacts)
    assert live.run("tensorflow").keras.backend == "tensorflow"  # keras rode along in TF's process
    assert [c for c in host.calls if "--keras" in c]


def test_without_the_live_probe_the_static_rule_still_speaks():
    host = folder_host("tf-cpu-package-live")
    snap = snapshot(host, target_data([("tensorflow-cpu", "2.21.0")], tf_files("tf-cpu-package-live"), ["tensorflow"]),
                    live=False)
    found = codes(snap)
    assert "WG401" in found and "WG501" not in found


def test_tf_and_cuda_without_driver_sees_no_gpu_and_names_the_lower_layer():
    host = folder_host("tf-and-cuda-no-driver-live")
    snap = snapshot(host, target_data([("tensorflow", "2.21.0")], tf_files("tf-and-cuda-no-driver-live"), ["tensorflow"]),
                    driver=0)
    found = codes(snap)
    assert "WG501" not in found  # a CUDA build: not a CPU-only package
    f = found["WG502"]
    assert f.severity is Severity.INFO  # no GPU at all: the GPU layer's finding is the root cause
    assert f.category == "driver_not_loaded"  # from the log interpreter: libcuda.so.1 missing / cuInit 303
    assert any("libcuda.so.1" in e.fact for e in f.evidence)
    run = snap.get(LiveFacts).run("tensorflow")
    assert {ln.id for ln in run.log} >= {"cuinit_303", "diag_driver_not_running"}


def test_driver_sees_a_gpu_but_the_cuda_build_does_not_is_an_error():
    host = folder_host("tf-and-cuda-no-driver-live")
    snap = snapshot(host, target_data([("tensorflow", "2.21.0")], tf_files("tf-and-cuda-no-driver-live"), ["tensorflow"]),
                    driver=1)
    f = codes(snap)["WG502"]
    assert f.severity is Severity.ERROR and "driver sees 1 GPU" in f.title


def test_gpu_that_works_gives_no_problem_with_speedup_and_loaded_libraries():
    host = folder_host("gpu-rtx3090-all-work")
    snap = snapshot(host, target_data([("tensorflow", "2.21.0")], {}, ["tensorflow"]), driver=1)
    found = codes(snap)
    f = found["WG510"]
    assert f.category == "no_problem" and f.severity is Severity.INFO
    assert "RTX 3090" in f.title and "233× faster" in f.title
    assert any("libcudart.so.12" in e.fact for e in f.evidence)
    assert not {"WG501", "WG502", "WG509"} & set(found)
    assert "1 GPU (probe 5.1 s)" in SUMMARIES["frameworks"][0](snap)
    detail = SUMMARIES["frameworks"][1](snap)  # -v: one line per framework
    assert detail == ("TensorFlow 2.21.0: CUDA 12.5.1 build; GPUs: 0 NVIDIA GeForce RTX 3090 (cc 8.6); matmul ran on "
                      "/job:localhost/replica:0/task:0/device:GPU:0; 233× faster than the CPU (19.1 TFLOP/s); "
                      "CUDA libraries loaded: libcudart.so.12, libcuda.so.1 (import 3.4 s of 5.1 s)",)


def test_keras3_whose_default_backend_is_missing():
    host = folder_host("keras3-without-tensorflow")
    snap = snapshot(host, target_data([("keras", "3.15.1"), ("jax", "0.10.2"), ("jaxlib", "0.10.2")], {},
                                      ["keras", "jax"]))
    # jax has no answer in this folder: its run is "not_started", keras ran in a process of its own
    found = codes(snap)
    f = found["WG506"]
    assert f.category == "keras_backend_other"
    assert any("No module named 'tensorflow'" in e.fact for e in f.evidence)
    assert f.fix.commands == ("export KERAS_BACKEND=jax",)
    failed = [g for g in evaluate(snap) if g.code == "WG508"]
    assert not any(e.fact.startswith("Keras") for g in failed for e in g.evidence)  # WG506 explains Keras


def test_keras_backend_without_gpu_while_jax_has_one():
    torch = {"framework": "torch", "version": "2.13.0+cpu", "cuda_build": False, "build": {"cuda_version": None},
             "available": False, "arch_list": [], "gpus": [], "matmul": {"asked": "cpu", "device": "cpu", "correct": True},
             "keras": {"version": "3.15.1", "backend": "torch", "matmul_device": "cpu"}, "loaded_libs": []}
    jax = {"framework": "jax", "version": "0.10.2", "build": {"jaxlib": "0.10.2"}, "cuda_build": True,
           "gpus": [{"index": 0, "name": "NVIDIA GeForce RTX 3090", "compute_capability": "8.6", "memory_mb": 24000}],
           "matmul": {"asked": "cuda:0", "device": "cuda:0", "correct": True}, "loaded_libs": []}
    host = FakeHost(snippets={"probe_torch": answer(torch), "probe_jax": answer(jax)}, env={"KERAS_BACKEND": "torch"})
    snap = snapshot(host, target_data([("keras", "3.15.1"), ("torch", "2.13.0+cpu"), ("jax", "0.10.2"),
                                       ("jaxlib", "0.10.2"), ("jax-cuda12-plugin", "0.10.2")], {}, ["keras"]))
    found = codes(snap)
    assert found["WG507"].fix.commands == ("export KERAS_BACKEND=jax",)
    assert "WG510" in found  # JAX itself works


def test_keras_on_a_backend_with_a_gpu_is_not_flagged():
    jax = {"framework": "jax", "version": "0.10.2", "cuda_build": True,
           "gpus": [{"index": 0, "name": "NVIDIA A100-SXM4-40GB", "compute_capability": "8.0"}],
           "matmul": {"asked": "cuda:0", "device": "cuda:0", "correct": True},
           "keras": {"version": "3.15.1", "backend": "jax", "matmul_device": "cuda:0"}}
    host = FakeHost(snippets={"probe_jax": answer(jax)}, env={"KERAS_BACKEND": "jax"})
    snap = snapshot(host, target_data([("keras", "3.15.1"), ("jax", "0.10.2"), ("jaxlib", "0.10.2"),
                                       ("jax-cuda12-plugin", "0.10.2")], {}, ["keras"]))
    found = codes(snap)
    assert "WG507" not in found and "WG506" not in found and "WG403" not in found


def test_crashed_and_hung_frameworks_become_findings_not_crashes():
    host = FakeHost(snippets={
        "probe_torch": {"returncode": -11, "stdout": "", "stderr": "Segmentation fault", "duration_s": 1.2},
        "probe_tensorflow": {"timed_out": True, "stdout": "", "stderr": "", "duration_s": 30.0},
    })
    snap = snapshot(host, target_data([("torch", "2.13.0"), ("tensorflow", "2.21.0")], {}, ["tensorflow"]))
    live = snap.get(LiveFacts)
    assert live.run("torch").status == "crashed" and live.run("torch").signal == 11
    assert live.run("tensorflow").status == "timed_out"
    found = [f for f in evaluate(snap) if f.code == "WG508"]
    by_text = {f.title: f for f in found}
    assert any("SIGSEGV" in t for t in by_text) and any("time limit" in t for t in by_text)
    assert {f.severity for f in found} == {Severity.ERROR, Severity.WARNING}


def test_import_traceback_is_classified_by_the_log_interpreter():
    err = ("Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\n"
           "ImportError: libcublas.so.10.0: cannot open shared object file: No such file or directory")
    host = FakeHost(snippets={"probe_tensorflow": answer({"framework": "tensorflow", "error": err})})
    snap = snapshot(host, target_data([("tensorflow", "1.13.1")], {}, ["tensorflow"]))
    f = next(f for f in evaluate(snap) if f.code == "WG508")
    assert f.category == "cuda_libs_missing" and "ImportError" in f.title


def test_cuda_visible_devices_hiding_the_gpu_is_confirmed_by_the_probe():
    from whynogpu.probes.environment import EnvironmentFacts

    torch = {"framework": "torch", "version": "2.13.0+cu130", "cuda_build": True, "build": {"cuda_version": "13.0"},
             "available": False, "gpus": [], "matmul": {"asked": "cpu", "device": "cpu", "correct": True}}
    host = FakeHost(snippets={"probe_torch": answer(torch)}, env={"CUDA_VISIBLE_DEVICES": "-1"})
    snap = snapshot(host, target_data([("torch", "2.13.0+cu130")]), driver=1,
                    env_facts=EnvironmentFacts({"CUDA_VISIBLE_DEVICES": "-1"}, ()))
    found = codes(snap)
    # '-1' explains itself: the static rule reports it once, with the fix; no second, vaguer finding
    assert "WG503" not in found and "WG502" not in found
    # the child saw the user's variable, unchanged
    assert host.calls and host.calls[0][0] == PY


def test_cuda_visible_devices_uuid_that_matches_nothing_is_caught_live():
    from whynogpu.probes.environment import EnvironmentFacts

    torch = {"framework": "torch", "version": "2.13.0+cu130", "cuda_build": True, "build": {"cuda_version": "13.0"},
             "available": False, "gpus": [], "matmul": {"asked": "cpu", "device": "cpu", "correct": True}}
    host = FakeHost(snippets={"probe_torch": answer(torch)}, env={"CUDA_VISIBLE_DEVICES": "GPU-0badc0de"})
    snap = snapshot(host, target_data([("torch", "2.13.0+cu130")]), driver=1,
                    env_facts=EnvironmentFacts({"CUDA_VISIBLE_DEVICES": "GPU-0badc0de"}, ()))
    found = codes(snap)
    assert found["WG503"].severity is Severity.ERROR and "0 of 1" in found["WG503"].title
    assert "WG502" not in found


def test_cuda_visible_devices_set_but_all_gpus_seen_is_quiet():
    from whynogpu.probes.environment import EnvironmentFacts

    torch = {"framework": "torch", "version": "2.13.0+cu130", "cuda_build": True,
             "gpus": [{"index": 0, "name": "NVIDIA L4", "compute_capability": "8.9"}],
             "matmul": {"asked": "cuda:0", "device": "cuda:0", "correct": True}}
    host = FakeHost(snippets={"probe_torch": answer(torch)}, env={"CUDA_VISIBLE_DEVICES": "0"})
    snap = snapshot(host, target_data([("torch", "2.13.0+cu130")]), driver=1,
                    env_facts=EnvironmentFacts({"CUDA_VISIBLE_DEVICES": "0"}, ()))
    assert "WG503" not in codes(snap)


def test_compute_capability_too_old_and_too_new():
    old = {"framework": "torch", "version": "2.13.0+cu130", "cuda_build": True,
           "arch_list": ["sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120", "compute_120"],
           "gpus": [{"index": 0, "name": "Tesla M60", "compute_capability": "5.2"}],
           "matmul": {"asked": "cuda:0", "device": None,
                      "error": "RuntimeError: CUDA error: no kernel image is available for execution on the device"}}
    host = FakeHost(snippets={"probe_torch": answer(old)})
    found = codes(snapshot(host, target_data([("torch", "2.13.0+cu130")])))
    assert "WG504" in found and "WG505" not in found and "WG509" in found
    new = {"framework": "tensorflow", "version": "2.21.0", "cuda_build": True,
           "build": {"cuda_compute_capabilities": ["sm_60", "sm_70", "sm_80", "sm_89", "compute_90"]},
           "gpus": [{"index": 0, "name": "NVIDIA GeForce RTX 5090", "compute_capability": "12.0"}],
           "matmul": {"asked": "/GPU:0", "device": "/job:localhost/replica:0/task:0/device:GPU:0", "correct": True}}
    host = FakeHost(snippets={"probe_tensorflow": answer(new)})
    found = codes(snapshot(host, target_data([("tensorflow", "2.21.0")], {}, ["tensorflow"])))
    assert found["WG505"].severity is Severity.WARNING and "WG504" not in found and "WG510" in found


def test_kernel_support_follows_sass_and_ptx_rules():
    archs = ("sm_60", "sm_70", "sm_80", "sm_89", "compute_90")
    assert kernel_support("8.6", archs) == "sass"  # sm_80 runs on 8.6
    assert kernel_support("7.5", archs) == "sass"
    assert kernel_support("12.0", archs) == "ptx"
    assert kernel_support("5.0", archs) == "none"
    assert kernel_support("8.6", ()) is None


def test_static_view_overridden_when_the_import_says_cuda():
    live_tf = {"framework": "tensorflow", "version": "2.21.0", "cuda_build": True, "gpus": [],
               "matmul": {"asked": "/CPU:0", "device": "/job:localhost/replica:0/task:0/device:CPU:0"}}
    host = FakeHost(snippets={"probe_tensorflow": answer(live_tf)})
    snap = snapshot(host, target_data([("tensorflow-cpu", "2.21.0")], tf_files("tf-cpu-package-live"), ["tensorflow"]))
    found = codes(snap)
    assert "WG511" in found and "WG401" not in found and "WG501" not in found


def test_matmul_on_listed_gpu_that_runs_out_of_memory():
    torch = {"framework": "torch", "version": "2.13.0+cu130", "cuda_build": True,
             "gpus": [{"index": 0, "name": "NVIDIA A100", "compute_capability": "8.0"}],
             "matmul": {"asked": "cuda:0", "device": None, "error": "failed to allocate 16 bytes from device: "
                        "CUDA_ERROR_OUT_OF_MEMORY: out of memory"}}
    host = FakeHost(snippets={"probe_torch": answer(torch)})
    f = codes(snapshot(host, target_data([("torch", "2.13.0+cu130")])))["WG509"]
    assert f.category == "gpu_memory_exhausted"


def test_live_facts_round_trip_through_json():
    host = folder_host("gpu-rtx3090-all-work")
    snap = snapshot(host, target_data([("tensorflow", "2.21.0")], {}, ["tensorflow"]))
    live = snap.get(LiveFacts)
    assert serde.from_data(LiveFacts, json.loads(json.dumps(serde.to_data(live)))) == live
    builds = snap.get(FrameworkBuildFacts)
    assert serde.from_data(FrameworkBuildFacts, serde.to_data(builds)) == builds


def test_no_probe_skips_the_live_probe():
    from whynogpu.probes import gather

    host = FakeHost(snippets={})
    snap = gather(host, Options(live=False), only={"frameworks_live"})
    assert snap.probes[0].status is ProbeStatus.NOT_APPLICABLE and not host.calls


def test_odd_child_output_never_raises():
    argv = (PY, "-c", "x" * 500)
    assert run_from_result("jax", CommandResult(argv, 0, "not json", "")).status == "no_answer"
    assert run_from_result("jax", CommandResult(argv, 1, "{broken", "boom")).status == "crashed"
    assert run_from_result("jax", CommandResult(argv, 0, "[1, 2]", "")).status == "no_answer"
    assert run_from_result("jax", CommandResult(argv, None, "", "", not_found=True)).status == "not_started"
    assert run_from_result("jax", CommandResult(argv, 0, "{}", "")).command[2] == "<snippet>"


@pytest.mark.parametrize("cpus, peak, lasts", [(4, 3, 0.3), (2, 2, 0.6), (1, 1, 0.9)])
def test_frameworks_are_probed_in_lanes_with_the_child_environment(cpus, peak, lasts):
    # as many side by side as there are CPUs; the quickest share the last lane (probes/frameworks_live.lanes)
    class SlowHost(FakeHost):
        def __init__(self):
            super().__init__(python=PY, cpus=cpus)
            self.active = 0
            self.peak = 0
            self.envs = []
            self.lock = threading.Lock()

        def run_snippet(self, name, python, timeout, args=(), env=None):
            with self.lock:
                self.active += 1
                self.peak = max(self.peak, self.active)
                self.envs.append(env)
            time.sleep(0.3)
            with self.lock:
                self.active -= 1
            return CommandResult((python, "-c", name), 0, json.dumps({"framework": name[6:]}), "", 0.3)

    host = SlowHost()
    start = time.monotonic()
    snapshot(host, target_data([("tensorflow", "2.21.0"), ("torch", "2.13.0"), ("jax", "0.10.2")], {}, ["tensorflow"]))
    took = time.monotonic() - start
    assert host.peak == peak and took > lasts - 0.05  # a lane runs its children one after the other
    env = host.envs[0]
    assert env["TF_CPP_MIN_LOG_LEVEL"] == "0" and env["XLA_PYTHON_CLIENT_PREALLOCATE"] == "false"
    assert env["TF_FORCE_GPU_ALLOW_GROWTH"] == "true"


def test_plan_puts_keras_in_its_backends_process_or_its_own():
    b = FrameworkBuildFacts(None, None, None, None)
    t = facts_from_inspector(target_data([("tensorflow", "2.21.0")], {}, ["tensorflow"]), "x")
    assert plan(b, t) == [("tensorflow", ())]
    from whynogpu.probes.frameworks import KerasSetup

    ks = KerasSetup("3.15.1", 3, "tensorflow", "default", "/h/.keras/keras.json", False, None, False)
    assert plan(FrameworkBuildFacts(None, None, None, ks), t) == [("tensorflow", ("--keras",))]
    t2 = facts_from_inspector(target_data([("keras", "3.15.1")]), "x")
    assert plan(FrameworkBuildFacts(None, None, None, ks), t2) == [("keras", ())]


def test_fraction_of_peak_uses_the_sourced_table_and_stays_quiet_for_unknown_gpus():
    from whynogpu.rules.frameworks import peak_tflops

    assert peak_tflops("NVIDIA A100-SXM4-80GB")[0] == 19.5
    assert peak_tflops("NVIDIA H100 PCIe")[:2] == (51.0, 378.0)
    assert peak_tflops("NVIDIA GeForce RTX 3090") is None
    a100 = {"framework": "torch", "version": "2.9.1+cu128", "cuda_build": True, "build": {"cuda_version": "12.8"},
            "gpus": [{"index": 0, "name": "NVIDIA A100-SXM4-80GB", "compute_capability": "8.0", "memory_mb": 81038}],
            "matmul": {"asked": "cuda:0", "device": "cuda:0", "correct": True},
            "timing": {"n": 2048, "dtype": "float32", "gpu_s": 0.00125, "cpu_s": 0.35}}
    found = codes(snapshot(FakeHost(snippets={"probe_torch": answer(a100)}), target_data([("torch", "2.9.1")])))
    facts = [e.fact for e in found["WG510"].evidence]
    assert any(f.startswith("at least 70% of the GPU's FP32 peak (19.5 TFLOP/s)") and "lower bound" in f for f in facts), facts
    rtx = codes(snapshot(folder_host("gpu-rtx3090-all-work"), target_data([("tensorflow", "2.21.0")], {}, ["tensorflow"]),
                         driver=1))
    assert not any("peak" in e.fact for e in rtx["WG510"].evidence)


def _live_calls_on_a_host_without_kernel_driver(uid, folder="vm-debian-nvidia-userspace-no-kernel"):
    """A host with no NVIDIA kernel module and no /dev/nvidia* answering a TF probe (Debian's libcuda1 present
    in the default folder; none on the kvm one)."""
    from whynogpu.host.base import UserInfo

    tf = {"framework": "tensorflow", "version": "2.21.0", "cuda_build": True, "build": {"cuda_version": "12.5.1"},
          "device_scan_skipped": True}
    host = folder_host(folder, user=UserInfo(uid, uid, (uid,), "u", "/home/u"))
    host.snippets["probe_tensorflow"] = answer(tf)
    probes = load_all()
    ctx = Context(host, Options(python=PY, live=True, timeout=30))
    ctx.results.append(ProbeResult("target", ProbeStatus.OK, 0.1, facts=facts_from_inspector(
        target_data([("tensorflow", "2.21.0")], {}, ["tensorflow"]), "named with --python")))
    for name in ("gpu", "driver", "frameworks", "frameworks_live"):
        ctx.results.append(run_one(probes[name], ctx))
    return host.calls, Snapshot(1, "test", "check", tuple(ctx.results))


def test_as_root_without_kernel_driver_frameworks_are_imported_but_devices_not_listed():
    calls, snap = _live_calls_on_a_host_without_kernel_driver(0)
    argv = next(c for c in calls if "<snippet probe_tensorflow>" in c)
    assert "--no-device-scan" in argv  # cuInit would create /dev/nvidiactl as root
    run = snap.get(LiveFacts).run("tensorflow")
    assert run.device_scan_skipped and "WG502" not in codes(snap)
    assert "devices not listed" in SUMMARIES["frameworks"][0](snap)
    calls, _ = _live_calls_on_a_host_without_kernel_driver(1000)
    argv = next(c for c in calls if "<snippet probe_tensorflow>" in c)
    assert "--no-device-scan" not in argv  # as a user nothing can be created: list devices as usual
    calls, _ = _live_calls_on_a_host_without_kernel_driver(0, "kvm-vm-no-gpu-with-dockerenv")
    argv = next(c for c in calls if "<snippet probe_tensorflow>" in c)
    assert "--no-device-scan" not in argv  # no libcuda anywhere: nothing would call cuInit


def test_keras_without_a_config_writes_into_a_scratch_folder_that_is_removed_again():
    from whynogpu.probes.frameworks_live import child_env

    host = FakeHost()
    ctx = Context(host, Options(python=PY, live=True, timeout=30))
    scratch = host.make_scratch_dir("whynogpu-keras-")
    assert child_env(ctx, scratch)["KERAS_HOME"] == scratch  # never the user's ~/.keras
    host.remove_scratch_dir(scratch)
    # the probe itself: the keras3 fixture has no keras.json, so a scratch folder is made and removed
    host = folder_host("keras3-without-tensorflow")
    made = []
    real_make = host.make_scratch_dir
    host.make_scratch_dir = lambda prefix: made.append(real_make(prefix)) or made[-1]
    snap = snapshot(host, target_data([("keras", "3.15.1"), ("jax", "0.10.2"), ("jaxlib", "0.10.2")], {},
                                      ["keras", "jax"]))
    assert snap.get(LiveFacts) is not None
    assert len(made) == 1 and host.scratch_dirs == []  # made through the host seam, and removed
