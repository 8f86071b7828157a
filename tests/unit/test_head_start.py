"""The live probe's head start: framework imports begin before the target inspection has
answered, and gather_live then tells each waiting child how to go on (or that it is not needed).

The children's answers are canned (FakeHost); what is checked is the orchestration: which
children start when, which flags reach them, and that nothing is left running or on disk."""

from __future__ import annotations

import json
import os
import threading

from whynogpu.host.base import UserInfo
from whynogpu.host.fake import FakeHost
from whynogpu.model import ProbeStatus
from whynogpu.probes import Options, gather
from whynogpu.probes.frameworks_live import LiveFacts

HOSTS = os.path.join(os.path.dirname(__file__), "..", "fixtures", "hosts")
PY = "/home/user/venv/bin/python"
SITE = "/home/user/venv/lib/python3.11/site-packages"


def inspector_answer(*dists):
    data = {"executable": PY, "version": "3.11.7", "implementation": "CPython", "prefix": "/home/user/venv",
            "base_prefix": "/usr", "env_kind": "venv", "platform": "linux", "machine": "x86_64",
            "distributions": [{"name": n, "version": v, "location": SITE} for n, v in dists],
            "packages": {n: {"origin": f"{SITE}/{n}/__init__.py", "locations": [f"{SITE}/{n}"]} for n, _ in dists},
            "owners": {}, "files": {}}
    return {"stdout": json.dumps(data)}


def probe_answer(framework):
    return {"stdout": json.dumps({"framework": framework, "version": "1.0", "cuda_build": False, "gpus": [],
                                  "loaded_libs": []})}


def host_with(*dists, cpus=2, **kw):
    snippets = {"inspect_target": inspector_answer(*dists)}
    snippets.update({f"probe_{n}": probe_answer(n) for n in ("tensorflow", "torch", "jax", "keras")})
    files = {f"{SITE}/{n}/__init__.py": "" for n, _ in dists}  # the packages' folders, as in a real venv
    files.update(kw.pop("files", {}))
    return FakeHost(snippets=snippets, python="/usr/bin/python3", files=files, cpus=cpus, **kw)


def started(host):
    return {r.name: r for r in host.started}


def live_commands(snap):
    return {r.framework: r.command for r in snap.get(LiveFacts).runs}


def test_named_interpreter_starts_the_installed_imports_at_once_and_gates_them():
    host = host_with(("tensorflow", "2.21.0"), ("keras", "3.15.1"))
    snap = gather(host, Options(python=PY, timeout=30))
    heads = started(host)
    assert set(heads) == {"probe_tensorflow"}  # only what the venv's site-packages holds
    assert all(r.args[0] == "--gate" and r.python == PY and "--nice" not in r.args for r in heads.values())
    # TF is installed and Keras runs on it: TF is told to probe Keras
    assert heads["probe_tensorflow"].sent == ["--keras"] and not heads["probe_tensorflow"].cancelled
    assert [r.framework for r in snap.get(LiveFacts).runs] == ["tensorflow"]
    # the report shows the command as it ran in effect, runnable by hand: flags as arguments, no gate
    cmd = live_commands(snap)["tensorflow"]
    assert "--keras" in cmd and "--gate" not in cmd


def test_lanes_give_the_slowest_imports_a_core_each_and_the_rest_share_one():
    from whynogpu.probes.frameworks_live import lanes

    three = ["tensorflow", "torch", "jax"]
    assert lanes(three, 1) == [three]
    assert lanes(three, 2) == [["tensorflow"], ["torch", "jax"]]
    assert lanes(three, 8) == [["tensorflow"], ["torch"], ["jax"]]
    assert lanes([], 2) == []


def test_on_two_cores_jax_starts_when_torch_is_done_and_nothing_is_niced():
    dists = (("tensorflow", "2.21.0"), ("torch", "2.13.0"), ("jax", "0.10.2"))
    host = host_with(*dists)
    snap = gather(host, Options(python=PY, timeout=30))
    heads = [r for r in host.started if "--gate" in r.args]
    assert [r.name for r in heads] == ["probe_tensorflow", "probe_torch"]
    later = [r for r in host.started if "--gate" not in r.args]
    assert [r.name for r in later] == ["probe_jax"]  # started in torch's lane, once torch had answered
    assert not any("--nice" in r.args for r in host.started)
    assert [r.framework for r in snap.get(LiveFacts).runs] == ["tensorflow", "torch", "jax"]
    # with a core for each, all three start at once
    host = host_with(*dists, cpus=4)
    gather(host, Options(python=PY, timeout=30))
    assert sorted(r.name for r in host.started if "--gate" in r.args) == ["probe_jax", "probe_tensorflow", "probe_torch"]


def test_the_imports_start_before_the_inspection_answers():
    class SlowInspection(FakeHost):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.head_started = threading.Event()
            self.seen_before_answer = None

        def start_snippet(self, name, python, args=(), env=None):
            self.head_started.set()
            return super().start_snippet(name, python, args, env)

        def run_snippet(self, name, python, timeout, args=(), env=None):
            if name == "inspect_target":  # answers only once the imports are under way (or after 5 s)
                self.seen_before_answer = self.head_started.wait(5)
            return super().run_snippet(name, python, timeout, args, env)

    base = host_with(("torch", "2.13.0"))
    host = SlowInspection(snippets=base.snippets, python="/usr/bin/python3")
    snap = gather(host, Options(python=PY, timeout=30))
    assert host.seen_before_answer is True
    assert [r.framework for r in snap.get(LiveFacts).runs] == ["torch"]


def test_an_active_venv_counts_as_named():
    host = host_with(("jax", "0.10.2"), env={"VIRTUAL_ENV": "/home/user/venv", "PATH": "/usr/bin"},
                     stats={PY: _exe()})
    gather(host, Options(timeout=30))
    assert started(host)["probe_jax"].args[0] == "--gate"


def test_without_a_named_interpreter_the_probe_waits_for_the_inspection():
    host = host_with(("torch", "2.13.0"))  # no --python, no venv: the target is chosen by inspecting
    snap = gather(host, Options(timeout=30))
    assert [r.name for r in host.started] == ["probe_torch"]
    assert "--gate" not in host.started[0].args
    assert snap.get(LiveFacts).run("torch").status == "ok"


def test_failed_inspection_cancels_the_head_start_and_removes_its_scratch_folder():
    host = host_with()
    host.snippets["inspect_target"] = {"returncode": 1, "stderr": "Segmentation fault"}
    snap = gather(host, Options(python=PY, timeout=30))
    # nothing in site-packages tells which are installed: the first of each lane was started
    assert len(host.started) == 2 and all(r.cancelled and not r.sent for r in host.started)
    assert host.scratch_dirs == []
    live = next(p for p in snap.probes if p.name == "frameworks_live")
    assert live.status is ProbeStatus.NOT_APPLICABLE


def test_no_probe_starts_nothing():
    host = host_with(("tensorflow", "2.21.0"))
    gather(host, Options(python=PY, live=False, timeout=30))
    assert host.started == [] and host.scratch_dirs == []


def test_head_start_keras_writes_into_a_scratch_folder_only_when_the_user_has_no_config():
    host = host_with(("tensorflow", "2.21.0"), ("keras", "3.15.1"))
    gather(host, Options(python=PY, timeout=30))
    homes = {r.env.get("KERAS_HOME") for r in host.started}
    assert len(homes) == 1 and None not in homes  # one throw-away folder, shared by the children
    assert host.scratch_dirs == []  # and removed again
    host = host_with(("tensorflow", "2.21.0"), ("keras", "3.15.1"),
                     files={"/home/user/.keras/keras.json": '{"backend": "tensorflow"}'})
    gather(host, Options(python=PY, timeout=30))
    assert all("KERAS_HOME" not in r.env for r in host.started)  # the user's own config is used


def test_as_root_without_kernel_driver_the_gate_says_no_device_scan():
    base = FakeHost.from_folder(os.path.join(HOSTS, "vm-debian-nvidia-userspace-no-kernel"),
                                user=UserInfo(0, 0, (0,), "root", "/root"))
    base.snippets.update(host_with(("tensorflow", "2.21.0")).snippets)
    snap = gather(base, Options(python=PY, timeout=30))
    assert "--no-device-scan" in started(base)["probe_tensorflow"].sent[0].split()
    assert "--no-device-scan" in live_commands(snap)["tensorflow"]


def _exe():
    from whynogpu.host.base import FileStat

    return FileStat(mode=0o100755, uid=0, gid=0)


def test_no_head_start_for_a_named_program_that_may_not_be_python():
    host = host_with(("torch", "2.13.0"))
    gather(host, Options(python="/usr/local/bin/my-kernel-launcher", timeout=30))
    assert all("--gate" not in r.args for r in host.started)  # only after the inspection said it is Python


def test_an_interrupt_during_gather_asks_the_host_to_end_its_children():
    import pytest

    class Interrupted(FakeHost):
        def run_snippet(self, name, python, timeout, args=(), env=None):
            raise KeyboardInterrupt  # Ctrl-C while the inspection runs

    base = host_with(("torch", "2.13.0"))
    host = Interrupted(snippets=base.snippets, python="/usr/bin/python3")
    with pytest.raises(KeyboardInterrupt):
        gather(host, Options(python=PY, timeout=30))
    assert host.children_ended and all(r.cancelled for r in host.started)
