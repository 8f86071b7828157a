from __future__ import annotations

import json

import pytest

from helpers import make_dist, run_inspector
from whynogpu.host.base import Uname
from whynogpu.host.fake import FakeHost
from whynogpu.parsers.cuda_visible_devices import parse_visible_devices
from whynogpu.pipeline import check
from whynogpu.probes import Options


def report_for(site, env=None, uname=None, files=None, platform_name=None):
    data = json.loads(run_inspector(str(site)))
    if platform_name:
        data["platform"] = platform_name
    host = FakeHost(env=env or {"PATH": "/usr/bin"}, uname=uname, files=files or {},
                    snippets={"inspect_target": {"stdout": json.dumps(data)}})
    return check(host, Options(live=False))


def codes(report):
    return {f.code for f in report.findings}


@pytest.mark.parametrize("value", ["", "-1", "none", " "])
def test_cuda_visible_devices_that_hide_everything(tmp_path, value):
    make_dist(tmp_path, "torch", "2.9.1", {"torch/__init__.py": ""}, top_level=["torch"])
    report = report_for(tmp_path, env={"PATH": "/usr/bin", "CUDA_VISIBLE_DEVICES": value})
    f = next(f for f in report.findings if f.code == "WG601")
    assert f.category == "cuda_visible_devices_hidden"
    assert "unset CUDA_VISIBLE_DEVICES" in f.fix.commands


@pytest.mark.parametrize("value", ["0", "0,1", "GPU-8a1b2c3d", "MIG-GPU-5c1e"])
def test_cuda_visible_devices_that_keep_gpus(tmp_path, value):
    make_dist(tmp_path, "torch", "2.9.1", {"torch/__init__.py": ""}, top_level=["torch"])
    report = report_for(tmp_path, env={"PATH": "/usr/bin", "CUDA_VISIBLE_DEVICES": value})
    assert not {"WG601", "WG602"} & codes(report)


def test_invalid_entry_drops_the_rest(tmp_path):
    make_dist(tmp_path, "torch", "2.9.1", {"torch/__init__.py": ""}, top_level=["torch"])
    report = report_for(tmp_path, env={"PATH": "/usr/bin", "CUDA_VISIBLE_DEVICES": "0,-1,1"})
    f = next(f for f in report.findings if f.code == "WG602")
    assert "export CUDA_VISIBLE_DEVICES=0" in f.fix.commands


def test_visible_devices_parser_follows_cuda():
    assert parse_visible_devices("1gpu2,2").accepted == ("1gpu2", "2")  # strtoul-like
    vd = parse_visible_devices("0,2,-1,1")
    assert vd.accepted == ("0", "2") and vd.dropped == ("-1", "1")
    vd = parse_visible_devices("0,3", device_count=2)
    assert vd.accepted == ("0",) and "does not exist" in vd.stop_reason
    assert parse_visible_devices("").hides_all


def test_jax_platforms_cpu(tmp_path):
    make_dist(tmp_path, "jax", "0.10.2", {"jax/__init__.py": ""}, top_level=["jax"])
    report = report_for(tmp_path, env={"PATH": "/usr/bin", "JAX_PLATFORMS": "cpu"})
    assert "WG603" in codes(report)
    report = report_for(tmp_path, env={"PATH": "/usr/bin", "JAX_PLATFORMS": "cuda,cpu"})
    assert "WG603" not in codes(report)


def test_tf_log_level_hint(tmp_path):
    report = report_for(tmp_path, env={"PATH": "/usr/bin", "TF_CPP_MIN_LOG_LEVEL": "3"})
    f = next(f for f in report.findings if f.code == "WG604")
    assert f.severity.value == "hint" and "errors" in f.explanation
    assert "WG604" not in codes(report_for(tmp_path, env={"PATH": "/usr/bin", "TF_CPP_MIN_LOG_LEVEL": "0"}))


def test_missing_library_path_entry(tmp_path):
    env = {"PATH": "/usr/bin", "LD_LIBRARY_PATH": "/usr/local/cuda-11.2/lib64:/usr/lib"}
    report = report_for(tmp_path, env=env, files={"/usr/lib/libc.so.6": ""})
    f = next(f for f in report.findings if f.code == "WG605")
    assert [e.fact for e in f.evidence] == ["LD_LIBRARY_PATH entry /usr/local/cuda-11.2/lib64 does not exist"]


WSL2_VERSION = ("Linux version 5.15.153.1-microsoft-standard-WSL2 (root@941d701f84f1) (gcc (GCC) 12.2.0, GNU ld "
                "(GNU Binutils) 2.40) #1 SMP Fri Mar 29 23:14:13 UTC 2024\n")


def test_platform_facts_wsl2_and_docker(tmp_path):
    host = FakeHost(
        uname=Uname("Linux", "5.15.153.1-microsoft-standard-WSL2", "#1 SMP", "x86_64", "box"),
        files={"/proc/version": WSL2_VERSION, "/.dockerenv": "",
               "/etc/os-release": 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\n'},
        snippets={"inspect_target": {"stdout": run_inspector(str(tmp_path))}},
    )
    report = check(host, Options(live=False))
    facts = report.facts["platform"]
    assert facts["wsl"] == 2 and facts["container"] == "docker" and facts["distro"] == "Ubuntu 22.04.4 LTS"


def test_windows_native_tensorflow_after_2_10(tmp_path):
    make_dist(tmp_path, "tensorflow", "2.15.0", {"tensorflow/__init__.py": ""}, top_level=["tensorflow"])
    make_dist(tmp_path, "tensorflow-intel", "2.15.0", {"tensorflow/__init__.py": ""}, top_level=["tensorflow"])
    report = report_for(tmp_path, uname=Uname("Windows", "10", "10.0.22631", "AMD64", "pc"), platform_name="win32")
    assert report.verdict.root_cause == "windows_native_unsupported"
    assert any("wsl --install" in c for c in report.findings[0].fix.commands)


def test_windows_tensorflow_2_10_still_has_gpu(tmp_path):
    make_dist(tmp_path, "tensorflow", "2.10.1", {"tensorflow/__init__.py": ""}, top_level=["tensorflow"])
    report = report_for(tmp_path, uname=Uname("Windows", "10", "10.0.19045", "AMD64", "pc"), platform_name="win32")
    assert "WG101" not in codes(report)


def test_macos(tmp_path):
    make_dist(tmp_path, "torch", "2.9.1", {"torch/__init__.py": ""}, top_level=["torch"])
    report = report_for(tmp_path, uname=Uname("Darwin", "24.1.0", "Darwin Kernel", "arm64", "mac"))
    assert report.verdict.root_cause == "macos_no_cuda"
    assert "WG102" in codes(report)
    linux = report_for(tmp_path)
    assert "WG102" not in codes(linux)
