"""Parsers and snippets of the GPU & driver layer, on real output formats."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

import pytest

from whynogpu.host.base import snippet_source
from whynogpu.parsers.driver_libs import version_from_filename
from whynogpu.parsers.nvidia_smi import classify_failure, parse_header, parse_query_gpu
from whynogpu.parsers.proc_driver import parse_proc_driver_version
from whynogpu.parsers.proc_modules import parse_proc_modules
from whynogpu.probes.driver import cuda_version_text

REAL = os.path.join(os.path.dirname(__file__), "..", "fixtures", "real", "nvidia-userspace-no-kernel")


@pytest.mark.parametrize("text,version,flavor", [
    ("NVRM version: NVIDIA UNIX x86_64 Kernel Module  545.23.08  Mon Nov  6 23:49:37 UTC 2023\n"
     "GCC version:  gcc version 11.4.0 (Ubuntu 11.4.0-1ubuntu1~22.04)\n", "545.23.08", "proprietary"),
    ("NVRM version: NVIDIA UNIX x86_64 Kernel Module  384.130  Wed Mar 21 03:37:26 PDT 2018\n", "384.130", "proprietary"),
    ("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  555.58.02  Release Build  "
     "(dvs-builder@U16-I3-B03-4-3)  Tue Jun 25 01:26:03 UTC 2024\n", "555.58.02", "open"),
])
def test_proc_driver_version(text, version, flavor):
    v = parse_proc_driver_version(text)
    assert (v.version, v.flavor) == (version, flavor)


def test_proc_driver_version_rejects_other_text():
    assert parse_proc_driver_version("hello\n") is None


def test_proc_modules():
    mods = parse_proc_modules("nvidia_uvm 1884160 - - Live 0xffffffffc3f79000 (PO)\n"
                              "nvidia 56500224 3776 nvidia_uvm,nvidia_modeset, Live 0x0000000000000000 (POE)\n")
    assert [m.name for m in mods] == ["nvidia_uvm", "nvidia"]
    assert mods[0].refcount is None and mods[1].used_by == ("nvidia_uvm", "nvidia_modeset")


def test_nvidia_smi_failure_captured_on_this_vm():
    with open(os.path.join(REAL, "stdout.nvidia-smi.txt"), encoding="utf-8") as fh:
        f = classify_failure(fh.read())
    assert f.kind == "driver_not_loaded" and f.message.startswith("NVIDIA-SMI has failed")


@pytest.mark.parametrize("text,kind", [
    ("Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 610.43\n", "lib_rm_version_mismatch"),
    ("Unable to determine the device handle for GPU 0000:05:00.0: GPU is lost.  Reboot the system to recover this GPU\n",
     "gpu_is_lost"),
    ("Unable to determine the device handle for GPU0000:08:00.0: Unknown Error\n", "device_handle_unknown"),
    ("Failed to initialize NVML: Insufficient Permissions\n", "no_permission"),
    ("Failed to initialize NVML: Unknown Error\n", "unknown"),
])
def test_nvidia_smi_failures(text, kind):
    assert classify_failure(text).kind == kind


def test_nvidia_smi_mismatch_names_the_library_version():
    assert classify_failure("Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 610.43\n"
                            ).nvml_library_version == "610.43"


def test_nvidia_smi_header_formats():
    new = parse_header("| NVIDIA-SMI 580.95.05              Driver Version: 580.95.05      CUDA Version: 13.0     |")
    old = parse_header("| NVIDIA-SMI 470.57.02    Driver Version: 470.57.02    CUDA Version: 11.4     |")
    na = parse_header("| NVIDIA-SMI 510.47.03    Driver Version: 510.47.03    CUDA Version: N/A      |")
    assert (new.driver_version, new.cuda_version) == ("580.95.05", "13.0")
    assert (old.driver_version, old.cuda_version) == ("470.57.02", "11.4")
    assert na.cuda_version is None
    assert classify_failure("| NVIDIA-SMI 580.95.05  Driver Version: 580.95.05  CUDA Version: 13.0 |") is None


def test_nvidia_smi_query_rows():
    rows = parse_query_gpu("0, NVIDIA GeForce RTX 3060, 550.54.14, 12288, 5, 8.6\nnot a row\n")
    assert len(rows) == 1 and rows[0].memory_total_mib == 12288 and rows[0].compute_cap == "8.6"


def test_driver_version_from_library_file_name():
    assert version_from_filename("/usr/lib/x86_64-linux-gnu/nvidia/current/libcuda.so.535.309.01", "libcuda") == "535.309.01"
    assert version_from_filename("/usr/lib/x86_64-linux-gnu/libcuda.so.1", "libcuda") is None
    assert version_from_filename("/usr/lib/wsl/lib/libcuda.so.1.1", "libcuda") == "1.1"  # WSL: not a driver version


def test_cuda_version_encoding():
    assert cuda_version_text(12020) == "12.2" and cuda_version_text(13000) == "13.0" and cuda_version_text(0) is None


@pytest.mark.parametrize("name", ["cuda_driver", "nvml_query"])
def test_snippets_parse_as_python37(name):
    ast.parse(snippet_source(name), feature_version=(3, 7))


def test_cuda_snippet_runs_here():
    out = subprocess.run([sys.executable, "-c", snippet_source("cuda_driver")], capture_output=True, text=True, timeout=60)
    data = json.loads(out.stdout)
    if data["loaded"]:
        pytest.skip("libcuda.so.1 is installed on this machine")
    assert "libcuda.so.1" in data["load_error"] and data["init"] is None


FAKE_PYNVML = '''
class NVMLError(Exception):
    def __init__(self, value):
        self.value = value
    def __str__(self):
        return {15: "GPU is lost", 3: "Not Supported"}.get(self.value, "Unknown Error")
NVML_MEMORY_ERROR_TYPE_UNCORRECTED = 1
NVML_VOLATILE_ECC = 0
class _Mem:
    total = 10737418240
    used = 1073741824
def nvmlInit(): pass
def nvmlShutdown(): pass
def nvmlSystemGetDriverVersion(): return "550.54.14"
def nvmlSystemGetNVMLVersion(): return "12.550.54.14"
def nvmlSystemGetCudaDriverVersion(): return 12040
def nvmlDeviceGetCount(): return 1
def nvmlDeviceGetHandleByIndex(i): return i
def nvmlDeviceGetName(h): raise UnicodeDecodeError("utf-8", b"\\xff", 0, 1, "invalid start byte")
def nvmlDeviceGetUUID(h): return b"GPU-\\xff\\xfe"
def nvmlDeviceGetPciInfo(h): raise NVMLError(3)
def nvmlDeviceGetCudaComputeCapability(h): return (8, 6)
def nvmlDeviceGetMemoryInfo(h): return _Mem()
def nvmlDeviceGetComputeRunningProcesses(h): raise NVMLError(15)
def nvmlDeviceGetMigMode(h): raise NVMLError(3)
def nvmlDeviceGetComputeMode(h): return 0
def nvmlDeviceGetPersistenceMode(h): return 1
def nvmlDeviceGetTotalEccErrors(h, a, b): raise NVMLError(3)
def nvmlDeviceGetRetiredPagesPendingStatus(h): raise NVMLError(3)
def nvmlDeviceGetRemappedRows(h): raise NVMLError(3)
'''


def test_one_bad_nvml_field_does_not_lose_the_others(tmp_path):
    (tmp_path / "pynvml.py").write_text(FAKE_PYNVML)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", snippet_source("nvml_query")], capture_output=True, text=True,
                         timeout=60, env=env)
    data = json.loads(out.stdout)
    g = data["gpus"][0]
    assert data["cuda_driver_version"] == 12040 and data["driver_version"] == "550.54.14"
    assert g["name"] is None and "UnicodeDecodeError" in g["errors"]["name"]
    assert g["uuid"] == "GPU-\ufffd\ufffd"  # undecodable bytes kept, replaced
    assert g["compute_capability"] == "8.6" and g["memory_total_mib"] == 10240
    assert g["errors"]["processes"] == "GPU is lost"
