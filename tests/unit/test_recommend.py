"""`whynogpu recommend` against the knowledge tables: fake machines across drivers (450-580), Pythons 3.8-3.13,
Linux / WSL2 / native Windows / macOS and compute capabilities 3.5-12.0, and the real GPU captures in
tests/fixtures/hosts/*-public. Every expected number below is read back from the tables, not written here."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from whynogpu.commands.recommend import recommend
from whynogpu.fix import choose
from whynogpu.host.fake import FakeHost
from whynogpu.knowledge import table, version_key
from whynogpu.model import ProbeResult, ProbeStatus, Snapshot
from whynogpu.probes import Options, gather
from whynogpu.probes.target import facts_from_inspector
from whynogpu.recommend import advise as adv
from whynogpu.recommend import candidates as cands
from whynogpu.recommend import render
from whynogpu.recommend.machine import Gpu, Machine

HOSTS = os.path.join(os.path.dirname(__file__), "..", "fixtures", "hosts")
PY = "/home/user/venv/bin/python"
DRIVERS = ("450.80.02", "470.256.02", "525.147.05", "535.183.01", "550.54.14", "570.133.20", "580.95.05")
PYTHONS = ("3.8.18", "3.9.19", "3.10.14", "3.11.7", "3.12.3", "3.13.1")
CCS = ("3.5", "5.0", "6.1", "7.0", "7.5", "8.0", "8.6", "8.9", "9.0", "10.0", "12.0")


def machine(driver="550.54.14", python="3.11.7", cc="8.6", platform="linux", gpu=True) -> Machine:
    return Machine(platform, platform, "x86_64", python, PY, driver if gpu else None, gpu,
                   (Gpu("NVIDIA GPU", cc, "test"),) if gpu and cc else ())


def tf_rows():
    return sorted(table("tensorflow_releases"), key=lambda r: version_key(r["tensorflow"]), reverse=True)


def expected_tensorflow(driver, python, cc, windows=False):
    """The newest TensorFlow release the tables say runs: Python range, driver by minor-version compatibility,
    kernels for the GPU, the release's wheels finding their CUDA libraries, the platform's GPU support."""
    from whynogpu.rules.frameworks import kernel_support

    for r in tf_rows():
        pip_cuda = next((p for p in table("tensorflow_pip_cuda") if p["tensorflow"] == r["tensorflow"]), None)
        if pip_cuda and pip_cuda["and_cuda"] and pip_cuda["finds_pip_wheels"] != "yes":
            continue
        if windows and version_key(r["tensorflow"]) > (2, 10):
            continue
        py = version_key(python)[:2]
        if not version_key(r["python_min"]) <= py <= version_key(r["python_max"]):
            continue
        need = choose.major_min_driver(r["cuda"], windows)
        if version_key(driver) < version_key(need):
            continue
        archs = tuple(r["compute_capabilities"].split())
        if archs and kernel_support(cc, archs) == "none":
            continue
        if not archs and cands.cuda_floor(r["cuda"]) and version_key(cc) < version_key(cands.cuda_floor(r["cuda"])):
            continue
        return r["tensorflow"]
    return None


# -- the matrix: drivers x Pythons x compute capabilities on Linux ---------------------------------------------


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("cc", CCS)
def test_tensorflow_is_the_newest_release_the_tables_allow(driver, python, cc):
    m = machine(driver, python, cc)
    a = adv.advise("tensorflow", m)
    want = expected_tensorflow(driver, python, cc)
    if want is None:
        assert a.status in ("driver_upgrade", "no_build") and a.works is None
    else:
        assert a.status == "works" and a.works.release == want
        extra = "[and-cuda]" if any(p["tensorflow"] == want and p["and_cuda"] for p in table("tensorflow_pip_cuda")) else ""
        assert a.works.specs == (f"tensorflow{extra}=={want}.*",)
        assert a.works.commands[-1].startswith(f"{PY} -m pip install ")
    if a.upgrade is not None:  # newer than what works, and only the driver stands in its way
        assert version_key(a.upgrade.release) > version_key(want or "0")
        assert version_key(a.upgrade_driver) > version_key(driver)
        assert a.upgrade_driver == choose.major_min_driver(next(r["cuda"] for r in tf_rows()
                                                                if r["tensorflow"] == a.upgrade.release))
    json.dumps(render.data(m, [a], _report()))  # the JSON form serialises


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("cc", CCS)
def test_torch_variant_is_one_the_driver_runs_with_kernels_for_the_gpu(driver, cc):
    from whynogpu.rules.frameworks import kernel_support

    a = adv.advise("torch", machine(driver, "3.11.7", cc))
    variants = {r["variant"]: r for r in table("torch_cuda_variants")}
    if a.works is not None:
        variant = a.works.index.rsplit("/", 1)[1]
        assert a.works.index == f"https://download.pytorch.org/whl/{variant}"
        assert version_key(driver) >= version_key(variants[variant]["linux_min_driver"])
        archs = next((tuple(r["arch_list"].split()) for r in table("torch_arch_lists")
                      if r["torch"] == a.works.release and r["variant"] == variant), None)
        if archs:
            assert kernel_support(cc, archs) != "none"
        else:
            assert version_key(cc) >= version_key(cands.cuda_floor(variants[variant]["cuda"]))
    else:
        assert a.status in ("driver_upgrade", "no_build")


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("python", PYTHONS)
def test_jax_plugin_follows_the_driver_and_python(driver, python):
    a = adv.advise("jax", machine(driver, python, "8.6"))
    plugins = sorted(table("jax_cuda_plugins"), key=lambda r: int(r["cuda"]), reverse=True)
    floors = [r["python_min"] for r in table("jax_python")]
    if version_key(python)[:2] < min(version_key(f) for f in floors):
        assert a.works is None and a.status == "no_build"
        assert any("Python" in b for b in a.blocked)
        return
    runnable = [p for p in plugins if version_key(driver) >= version_key(p["linux_min_driver"])]
    if not runnable:
        assert a.works is None
        return
    newest_line = max(table("jax_python"), key=lambda r: version_key(r["first"]))
    if version_key(python)[:2] >= version_key(newest_line["python_min"]):
        assert a.works.specs == (f"jax[cuda{runnable[0]['cuda']}]",)
    else:  # an older JAX line: the CUDA 12 plugin, capped below the line that dropped this Python
        assert a.works.specs[0].startswith("jax[cuda12]<")


# -- platforms --------------------------------------------------------------------------------------------------


def test_native_windows_tensorflow_stops_at_2_10_and_names_wsl2():
    last = next(r["last"] for r in table("tensorflow_platforms") if r["platform"] == "windows" and r["gpu"] == "cuda")
    a = adv.advise("tensorflow", machine("551.61", "3.10.11", "8.6", "windows"))
    assert a.status == "works" and a.works.release == last == expected_tensorflow("551.61", "3.10.11", "8.6", True)
    assert "[and-cuda]" not in a.works.specs[0] and any("CUDA 11.2" in n for n in a.works.notes)
    newer = adv.advise("tensorflow", machine("551.61", "3.11.7", "8.6", "windows"))  # 2.10 ends at Python 3.10
    assert newer.status == "no_build" and newer.works is None
    assert any(w.startswith("WSL2:") for w in newer.ways_out)
    assert any(w.startswith("a different Python:") for w in newer.ways_out)


def test_wsl2_uses_the_linux_wheels_with_the_windows_driver_minimums():
    m = machine("527.41", "3.11.7", "8.6", "wsl")
    a = adv.advise("tensorflow", m)
    assert a.status == "works" and a.works.specs == ("tensorflow[and-cuda]==2.21.*",)
    assert a.works.min_driver == next(r["windows_min"] for r in table("cuda_minor_compat") if r["cuda_major"] == "12")
    # 527.41 is below the Linux minimum of CUDA 12 (525.60.13 < 527.41 < ... ) but numbered as a Windows driver
    assert adv.advise("tensorflow", machine("512.15", "3.11.7", "8.6", "wsl")).works.release == "2.14"


def test_jax_on_native_windows_and_every_framework_on_macos_have_no_gpu_build():
    a = adv.advise("jax", machine("551.61", "3.12.3", "8.6", "windows"))
    assert a.status == "no_build" and any(w.startswith("WSL2:") for w in a.ways_out)
    for fw in ("tensorflow", "torch", "jax"):
        m = Machine("macos", "macOS 14", "arm64", "3.12.3", PY, None, None, ())
        a = adv.advise(fw, m)
        assert a.status == "no_build" and a.works is None
        assert any("macOS" in b for b in a.blocked)
        assert any("Linux machine" in w for w in a.ways_out)


def test_torch_on_native_windows_uses_the_same_index_with_windows_driver_minimums():
    a = adv.advise("torch", machine("581.15", "3.12.3", "8.9", "windows"))
    assert a.status == "works" and a.works.index.startswith("https://download.pytorch.org/whl/cu")


# -- old and new GPUs -------------------------------------------------------------------------------------------


def test_kepler_gets_the_newest_release_with_its_kernels_and_never_a_driver_past_470():
    a = adv.advise("tensorflow", machine("470.256.02", "3.11.7", "3.5"))
    assert a.works.release == "2.14" == expected_tensorflow("470.256.02", "3.11.7", "3.5")
    assert any("no kernels for compute capability 3.5" in n or "last driver for Kepler" in n for n in a.notes)
    assert a.upgrade is None  # nothing newer runs on Kepler, whatever the driver
    t = adv.advise("torch", machine("470.256.02", "3.11.7", "3.5"))
    assert t.status == "no_build" and any(w.startswith("a newer GPU") for w in t.ways_out)


def test_blackwell_gets_ptx_jit_warned_for_tensorflow_and_native_kernels_for_torch():
    a = adv.advise("tensorflow", machine("580.95.05", "3.12.3", "12.0"))
    assert a.works.release == "2.21" and any("only PTX" in n for n in a.notes)
    t = adv.advise("torch", machine("570.133.20", "3.12.3", "12.0"))
    assert t.works.index.endswith("/cu128")  # the newest CUDA 12 wheel with sm_120; cu130 needs 580
    assert t.upgrade_driver == next(r["linux_min_driver"] for r in table("torch_cuda_variants") if r["variant"] == "cu130")


def test_asked_for_version_that_needs_a_newer_driver_says_which():
    a = adv.advise("tensorflow", machine("470.256.02", "3.11.7", "8.6"), version="2.15")
    assert a.status == "driver_upgrade" and a.upgrade.release == "2.15"
    assert a.upgrade_driver == choose.major_min_driver("12.2")
    assert adv.advise("tensorflow", machine("550.54.14", "3.11.7", "8.6"), version="2.15.1").works.specs == (
        "tensorflow[and-cuda]==2.15.1",)


def test_keras_is_tensorflows_build_with_a_note():
    a = adv.advise("keras", machine())
    assert a.works.specs[0].startswith("tensorflow[and-cuda]") and "Keras 3" in a.notes[0]


# -- no NVIDIA GPU: check's root cause first, then what the wanted release needs ------------------------------


def _report(findings=()):
    from whynogpu.model import Report, Target, Verdict

    return Report(1, {}, "check", Target(None, None, None), Verdict(False, "no_nvidia_gpu", "x"), tuple(findings), ())


def test_no_gpu_names_the_hardware_and_a_cpu_install():
    a = adv.advise("tensorflow", machine(gpu=False, python="3.11.7"))
    newest = tf_rows()[0]
    assert a.status == "no_gpu" and a.works is None
    assert f"compute capability {cands.tensorflow('linux')[0].min_compute_capability}" in a.hardware
    assert choose.major_min_driver(newest["cuda"]) in a.hardware
    assert a.wanted.specs == (f"tensorflow[and-cuda]=={newest['tensorflow']}.*",)
    assert a.cpu.specs == (f"tensorflow=={newest['tensorflow']}.*",)  # fix's choice without the and-cuda extra
    old = adv.advise("tensorflow", machine(gpu=False, python="3.8.18"))
    assert old.cpu.specs == ("tensorflow==2.13.*",) and "TensorFlow 2.13" in old.hardware


# -- fixture hosts: real public GPU captures --------------------------------------------------------------------


def fixture(folder, python="3.11.7"):
    host = FakeHost.from_folder(os.path.join(HOSTS, folder))
    snap = gather(host, Options(live=False))
    t = {"executable": PY, "version": python, "implementation": "CPython", "prefix": "/home/user/venv",
         "base_prefix": "/usr", "env_kind": "venv", "platform": "linux", "machine": "x86_64", "distributions": [],
         "packages": {}, "owners": {}, "files": {}}
    probes = [r for r in snap.probes if r.name != "target"]
    probes.append(ProbeResult("target", ProbeStatus.OK, 0.1, facts=facts_from_inspector(t, "named with --python")))
    return host, Snapshot(1, "test", "check", tuple(probes))


PUBLIC = {  # folder -> (driver, compute capability) as tests/unit/test_public_gpu_captures.py reads them
    "t4-public": ("418.67", "7.5"), "a10g-public": ("535.247.01", "8.6"), "a100-80gb-public": ("515.105.01", "8.0"),
    "l4-public": ("570.133.20", "8.9"), "rtx3060-public": ("580.95.05", "8.6"), "h100-public": ("590.48.01", "9.0"),
    "rtx5090-public": ("595.71.05", "12.0"), "k20m-too-old-public": ("450.51.06", "3.5"),
    "laptop-optimus-gtx1650-public": ("440.82", "7.5"), "v100-public": ("418.67", "7.0"),
}


@pytest.mark.parametrize("folder", sorted(PUBLIC))
@pytest.mark.parametrize("python", ("3.8.18", "3.11.7", "3.13.1"))
def test_public_captures(folder, python):
    driver, cc = PUBLIC[folder]
    host, snap = fixture(folder, python)
    m, [a], report = recommend(snap, host, ("tensorflow",))
    assert m.driver == driver and cc in m.capabilities and m.nvidia_gpu is True
    want = expected_tensorflow(driver, python, cc)
    assert (a.works.release if a.works else None) == want
    data = render.data(m, [a], report)
    assert data["verdict"] == {"gpu_usable": report.verdict.gpu_usable, "root_cause": report.verdict.root_cause,
                               "summary": report.verdict.summary}


def test_t4_on_a_418_driver_needs_an_upgrade_or_python_3_8():
    host, snap = fixture("t4-public")
    _, [a], _ = recommend(snap, host, ("tensorflow",))
    assert a.status == "driver_upgrade" and a.upgrade.release == tf_rows()[0]["tensorflow"]
    assert any("TensorFlow 2.3" in w and "Python 3.5–3.8" in w for w in a.ways_out)  # CUDA 10.1 runs on 418


def test_no_gpu_fixture_gives_checks_root_cause_first(tmp_path):
    host, snap = fixture("kvm-vm-no-gpu-with-dockerenv")
    m, advices, report = recommend(snap, host)
    assert report.verdict.root_cause == "no_nvidia_gpu" and m.no_gpu_finding.code == "WG201"
    assert [a.status for a in advices] == ["no_gpu"] * 3
    out = render.text(m, advices)
    assert out.index("[WG201 no_nvidia_gpu]") < out.index("Hardware:")


def test_cli_json_carries_checks_verdict_for_a_snapshot(tmp_path):
    from whynogpu.cli import main
    from whynogpu.snapshot_io import to_data

    _, snap = fixture("l4-public")
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(to_data(snap)))
    res = CliRunner().invoke(main, ["recommend", "torch", "--from", str(path), "--json"])
    data = json.loads(res.output)
    assert res.exit_code == 0, res.output
    assert data["mode"] == "recommend" and set(data["verdict"]) == {"gpu_usable", "root_cause", "summary"}
    [r] = data["recommendations"]
    assert r["status"] == "works" and r["works"]["index"].endswith("/cu128")
    text = CliRunner().invoke(main, ["recommend", "jax", "--from", str(path)])
    assert "jax[cuda12]" in text.output and text.exit_code == 0
    assert CliRunner().invoke(main, ["recommend", "--version", "2.15", "--from", str(path)]).exit_code == 2
