"""The CUDA library layer on fixture hosts built from the real tensorflow[and-cuda] wheel layout
(tests/fixtures/real/tf-and-cuda-no-driver/nvidia_libs.txt), the capture machine's CUDA 13.0
toolkit (ldconfig -p and nvcc --version copied from it) and TF's own build_info.py."""

from __future__ import annotations

import dataclasses
import os

import pytest

from whynogpu.host.fake import FakeHost
from whynogpu.model import ProbeResult, ProbeStatus, Severity, Snapshot
from whynogpu.parsers.cuda_files import cudnn_header_version, parse_lib_name
from whynogpu.parsers.ldconfig import parse_ldconfig_p
from whynogpu.pipeline import report_from_snapshot
from whynogpu.probes import Options, gather
from whynogpu.probes.cuda_libs import CudaLibFacts

HOSTS = os.path.join(os.path.dirname(__file__), "..", "fixtures", "hosts")
PROBES = {"platform", "environment", "target", "frameworks", "cuda_libs"}
SITE = "/home/user/venv-tfcuda/lib/python3.11/site-packages"


def host(situation: str, **env) -> FakeHost:
    h = FakeHost.from_folder(os.path.join(HOSTS, situation))
    h._env.update(env)
    return h


def snap(h: FakeHost) -> Snapshot:
    return gather(h, Options(), only=PROBES)


def codes(s: Snapshot) -> dict[str, object]:
    return {f.code: f for f in report_from_snapshot(s).findings}


def test_inventory_finds_every_wheel_library_with_its_wheel_version():
    facts = snap(host("tf221-and-cuda-with-cuda13-toolkit")).get(CudaLibFacts)
    pip = {c.soname: c for c in facts.copies if c.origin == "pip"}
    assert pip["libcudart.so.12"].version == "12.9.79"
    assert pip["libcudart.so.12"].path == f"{SITE}/nvidia/cuda_runtime/lib/libcudart.so.12"
    assert pip["libcudnn.so.9"].version == "9.28.0.42"
    assert pip["libcudnn_ops.so.9"].lib == "cudnn_ops"
    assert pip["libcufft.so.11"].detail == "nvidia-cufft-cu12 11.4.1.4"
    # the image's toolkit is seen too, with its version from the header, as a system copy
    cuda13 = facts.copies_of("libcudart.so.13")[0]
    assert cuda13.origin == "toolkit" and cuda13.version == "13.0"
    assert facts.nvcc.version == "13.0.88"


def test_tf221_loads_its_pip_wheels_not_the_cuda13_toolkit():
    s = snap(host("tf221-and-cuda-with-cuda13-toolkit"))
    tf = s.get(CudaLibFacts).framework("tensorflow")
    by = {r.lib: r for r in tf.libs}
    assert tf.cuda == "12.5.1" and tf.cudnn_major == "9" and tf.finds_pip_wheels
    assert by["cudart"].path == f"{SITE}/nvidia/cuda_runtime/lib/libcudart.so.12"
    assert by["cudart"].via == "pip wheels (RPATH)"
    assert by["cudnn"].version == "9.28.0.42"
    found = codes(s)
    assert not {"WG301", "WG302", "WG303", "WG304", "WG305", "WG306", "WG307"} & set(found)
    hint = found["WG309"]  # nvcc 13.0 is not what TF uses
    assert hint.severity is Severity.HINT and "13.0.88" in hint.evidence[0].fact


def test_plain_tensorflow_with_only_a_cuda13_runtime_is_missing_cuda12_and_cudnn():
    found = codes(snap(host("tf221-without-and-cuda-cuda13-toolkit-only")))
    assert "libcublas.so.12" in found["WG301"].evidence[0].fact
    assert "/usr/local/cuda-13.0/lib/libcudart.so.13" in found["WG302"].evidence[1].fact
    assert "libcudnn.so.9" in found["WG303"].evidence[0].fact
    assert "'tensorflow[and-cuda]==2.21.0'" in found["WG301"].fix.commands[0]
    assert found["WG301"].fix.commands[0].startswith("/home/user/venv-tfcuda/bin/python -m pip")


def test_tf2161_does_not_find_its_own_wheels():
    found = codes(snap(host("tf2161-and-cuda-wheels-not-found")))
    f = found["WG306"]
    assert "libcudart.so.12" in f.evidence[0].fact and "libcudnn.so.8" in f.evidence[0].fact
    assert any(f"{SITE}/nvidia/cudnn/lib" in c for c in f.fix.commands)
    assert "WG301" not in found and "WG303" not in found


def test_tf2161_with_the_wheel_dirs_on_ld_library_path_is_fine():
    dirs = ":".join(f"{SITE}/nvidia/{c}/lib" for c in ("cuda_runtime", "cublas", "cufft", "cusolver", "cusparse", "cudnn"))
    found = codes(snap(host("tf2161-and-cuda-wheels-not-found", LD_LIBRARY_PATH=dirs)))
    assert not {"WG301", "WG302", "WG303", "WG305", "WG306", "WG307"} & set(found)


def test_conda_libs_without_activation_hook_are_not_on_the_path():
    found = codes(snap(host("conda-tf211-cudatoolkit-without-activation-hook")))
    f = found["WG305"]
    assert "libcudart.so.11.0" in f.evidence[0].fact and "libcudnn.so.8" in f.evidence[0].fact
    assert "/home/user/miniconda3/envs/tf/etc/conda/activate.d" in f.fix.commands[0]
    assert "WG301" not in found and "WG303" not in found


def test_conda_libs_with_the_hook_applied_are_found():
    found = codes(snap(host("conda-tf211-cudatoolkit-without-activation-hook",
                            LD_LIBRARY_PATH="/home/user/miniconda3/envs/tf/lib")))
    assert "WG305" not in found


def _with_system_cudnn(version: str) -> FakeHost:
    h = host("tf221-and-cuda-with-cuda13-toolkit", LD_LIBRARY_PATH="/usr/local/cuda-12.2/lib64")
    h.files[f"/usr/local/cuda-12.2/lib64/libcudnn.so.{version}"] = ""
    h.symlinks["/usr/local/cuda-12.2/lib64/libcudnn.so.9"] = f"libcudnn.so.{version}"
    h._dirs.update({"/usr/local/cuda-12.2", "/usr/local/cuda-12.2/lib64"})
    return h


def test_old_system_cudnn_on_ld_library_path_shadows_the_wheel():
    found = codes(snap(_with_system_cudnn("9.1.0")))
    f = found["WG307"]
    assert f.severity is Severity.ERROR
    assert "/usr/local/cuda-12.2/lib64/libcudnn.so.9 (9.1.0)" in f.evidence[0].fact
    assert f.fix.commands == ("unset LD_LIBRARY_PATH",)
    assert "WG304" not in found  # the shadowing is the cause, reported once


def test_same_version_on_ld_library_path_is_not_a_shadow():
    assert "WG307" not in codes(snap(_with_system_cudnn("9.28.0")))


def test_jupyter_kernel_without_ld_library_path_would_not_see_the_libs():
    h = host("conda-tf211-cudatoolkit-without-activation-hook", LD_LIBRARY_PATH="/home/user/miniconda3/envs/tf/lib")
    h.files["/home/user/.local/share/jupyter/kernels/tf/kernel.json"] = (
        '{"argv": ["/home/user/miniconda3/envs/tf/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],'
        ' "display_name": "tf", "language": "python"}')
    h._dirs.update({"/home/user/.local/share/jupyter/kernels", "/home/user/.local/share/jupyter/kernels/tf"})
    f = codes(snap(h))["WG305"]
    assert f.severity is Severity.WARNING and "kernel.json" in f.fix.commands[0]
    # a kernel that sets the variable is fine
    h.files["/home/user/.local/share/jupyter/kernels/tf/kernel.json"] = (
        '{"argv": ["/home/user/miniconda3/envs/tf/bin/python"], "env": {"LD_LIBRARY_PATH": "/home/user/miniconda3/envs/tf/lib"}}')
    assert "WG305" not in codes(snap(h))


def _with_driver(s: Snapshot, driver: str, cuda: str) -> Snapshot:
    from whynogpu.probes.driver import DriverFacts

    facts = DriverFacts(driver_version=driver, cuda_driver_version=cuda, gpu_count=1, gpu_count_source="NVML",
                        libraries=(), cuda=None, nvml=None, smi=None, skipped=None)
    return dataclasses.replace(s, probes=s.probes + (ProbeResult("driver", ProbeStatus.OK, 0.0, facts=facts),))


def test_driver_for_cuda_11_is_too_old_for_a_cuda_12_build():
    base = snap(host("tf221-and-cuda-with-cuda13-toolkit"))
    f = codes(_with_driver(base, "470.199.02", "11.4"))["WG308"]
    assert "470.199.02" in f.evidence[0].fact and "555.42.02" in f.fix.text


def test_minor_version_compatibility_lets_an_older_12x_driver_run_a_12_5_build():
    base = snap(host("tf221-and-cuda-with-cuda13-toolkit"))
    assert "WG308" not in codes(_with_driver(base, "535.104.05", "12.2"))
    assert "WG308" in codes(_with_driver(base, "520.61.05", "11.8"))


def test_newer_tensorflow_than_the_knowledge_base_falls_back_to_the_newest_row():
    h = host("tf221-and-cuda-with-cuda13-toolkit")
    h.snippets["inspect_target"] = {"stdout": open(os.path.join(HOSTS, "tf221-and-cuda-with-cuda13-toolkit",
                                                                "inspect_target.json")).read().replace('"2.21.0"', '"2.23.0"')}
    tf = snap(h).get(CudaLibFacts).framework("tensorflow")
    assert tf.notes == ("TensorFlow 2.23 is newer than this knowledge base; assuming the 2.21 row",)
    assert tf.finds_pip_wheels


def test_summary_names_pip_and_other_copies_and_what_tf_wants():
    report = report_from_snapshot(snap(host("tf221-and-cuda-with-cuda13-toolkit")))
    line = next(ln for ln in report.layers if ln.layer == "cuda")
    assert line.status == ("in pip wheels: CUDA runtime 12.9, cuDNN 9.28; installed system-wide: CUDA runtime 13.0 "
                           "(TF 2.21 wants CUDA 12.5, cuDNN 9)")
    assert any(d.startswith("TensorFlow 2.21.0 would load: libcudart.so.12 ← ") for d in line.details)


@pytest.mark.parametrize("name,expected", [
    ("libcudart.so.11.8.89", ("cudart", "libcudart.so.11.0", "11.8.89")),
    ("libcudnn.so.8.9.7", ("cudnn", "libcudnn.so.8", "8.9.7")),
    ("libcudart-9335f6a2.so.12", ("cudart", "libcudart.so.12", None)),
    ("cudnn64_8.dll", ("cudnn", "cudnn64_8.dll", None)),
    ("libnvrtc-builtins.so.12.9", None),
    ("libcudart.so", None),
])
def test_library_file_names(name, expected):
    got = parse_lib_name(name)
    assert (got and (got.lib, got.soname, got.version)) == expected or (got is None and expected is None)


def test_real_ldconfig_and_cudnn_header_formats():
    text = open(os.path.join(HOSTS, "tf221-and-cuda-with-cuda13-toolkit", "ldconfig-p.txt")).read()
    entry = next(e for e in parse_ldconfig_p(text) if e.soname == "libcudart.so.13")
    assert entry.path == "/usr/local/cuda-13.0/lib/libcudart.so.13" and entry.flags == "libc6,x86-64"
    # the defines as in nvidia-cudnn-cu13 9.24.0.43's include/cudnn_version.h
    assert cudnn_header_version("#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 24\n#define CUDNN_PATCHLEVEL 0\n") == "9.24.0"
