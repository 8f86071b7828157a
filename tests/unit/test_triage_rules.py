"""Each WG8xx triage rule fires on a report of its cause (corpus cases, or a message from the reference)."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "triage"))

from corpus_cases import cases  # noqa: E402

from whynogpu.rules.triage import SPECS  # noqa: E402
from whynogpu.triage.engine import triage  # noqa: E402

CODES = {"WG801": "driver_not_loaded", "WG802": "driver_library_mismatch", "WG803": "driver_too_old",
         "WG804": "nvidia_uvm_unavailable", "WG805": "cuda_libs_missing", "WG806": "cudnn_missing",
         "WG807": "cudnn_version_mismatch", "WG808": "cuda_version_mismatch", "WG809": "libs_not_on_path",
         "WG810": "pip_cuda_libs_not_found", "WG811": "system_libs_shadow_pip_libs", "WG812": "cpu_only_package",
         "WG813": "package_conflict", "WG814": "python_version_unsupported", "WG815": "compute_capability_unsupported",
         "WG816": "windows_native_unsupported", "WG817": "macos_no_cuda", "WG818": "wsl_gpu_not_enabled",
         "WG819": "container_no_gpu", "WG820": "cuda_visible_devices_hidden", "WG821": "keras_backend_other",
         "WG822": "gpu_memory_exhausted", "WG823": "gpu_hardware_fault", "WG824": "no_nvidia_gpu",
         "WG825": "fabric_manager_not_running", "WG826": "no_problem"}

SYNTHETIC = {  # categories the corpus has no case for: one reference message each
    "fabric_manager_not_running": "E external/local_xla/xla/stream_executor/cuda/cuda_platform.cc:51] failed call to "
                                  "cuInit: CUDA_ERROR_SYSTEM_NOT_READY: system not yet initialized\n",
    "no_nvidia_gpu": "RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
                     "installed a driver from http://www.nvidia.com/Download/index.aspx\n",
}


def test_codes_match_specs():
    assert {s[0]: s[1] for s in SPECS} == CODES


@pytest.mark.parametrize("code, category", sorted(CODES.items()))
def test_rule_fires_on_a_report_of_its_cause(code, category):
    bodies = [c[3] for c in cases() if c[1] == category] or [SYNTHETIC[category]]
    assert any(code in {f.code for f in triage(b).findings} for b in bodies), code


def test_rules_do_not_fire_on_a_working_gpu():
    text = ("I tensorflow/core/common_runtime/gpu/gpu_device.cc:1525] Created device "
            "/job:localhost/replica:0/task:0/device:GPU:0 with 9621 MB memory:  -> device: 0, name: NVIDIA GeForce "
            "RTX 3080, pci bus id: 0000:01:00.0, compute capability: 8.6\n")
    codes = {f.code for f in triage(text).findings}
    assert codes == {"WG826"}
