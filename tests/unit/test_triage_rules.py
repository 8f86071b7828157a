"""The report-only rules (WG8xx): each fires on a report of its cause, written in real message formats or
in the words people use; none fires on a working GPU; retired codes stay retired."""

from __future__ import annotations

import pytest

from whynogpu.rules import REGISTRY, RETIRED, load_all
from whynogpu.rules.triage import SPECS
from whynogpu.triage.engine import triage

REPORTS = {  # code: a report that only its rule can read
    "WG802": "Since the driver was installed inside our Docker image, nvidia-smi in the container fails.",
    "WG804": "After waking from suspend, torch.cuda.is_available() returns False until I reboot.\n"
             ">>> torch.cuda.is_available()\nFalse\n",
    "WG810": "TensorFlow 2.16.1 on Ubuntu, installed with `pip install tensorflow[and-cuda]`, lists no GPU.",
    "WG811": "export LD_LIBRARY_PATH=/usr/local/cuda-11.8/lib64\npip list shows jax-cuda12-plugin 0.4.30\n"
             "Outdated cuDNN installation found.\n",
    "WG813": "I have both tensorflow and tensorflow-gpu installed in this env.",
    "WG814": "ERROR: Could not find a version that satisfies the requirement tensorflow (from versions: none)\n"
             "ERROR: No matching distribution found for tensorflow\nPython 3.13.0\n",
    "WG815": "GPU: Tesla K80\ntorch 2.3.0+cu121 trains on the CPU only.",
    "WG820": "The python console sees the GPU but when I run the training script of the repo it uses the CPU.",
    "WG836": "My training is slow and the GPU is not used. I use the TensorFlow object detection API on Windows in a "
             "notebook, with cuDNN 7.1.2 and CUDA 9.0.",
    "WG835": "In the terminal torch.cuda.is_available() is True; in a Jupyter notebook of the same env it is False.",
    "WG822": "A second notebook fails with an error while the first one is still running on the same GPU.",
    "WG823": "The whole machine reboots as soon as training starts; the power supply is 550 W.",
    "WG824": "GPU: AMD Radeon RX 6800 XT\nPyTorch says torch.cuda.is_available() is False.",
    "WG826": "I tensorflow/core/common_runtime/gpu/gpu_device.cc:1525] Created device "
             "/job:localhost/replica:0/task:0/device:GPU:0 with 9621 MB memory:  -> device: 0, name: NVIDIA GeForce "
             "RTX 3080, pci bus id: 0000:01:00.0, compute capability: 8.6\n",
    "WG827": "RuntimeError: CUDA error: uncorrectable ECC error encountered\n",
    "WG828": "Our driver came with unattended-upgrades last night; nothing GPU related works now.",
    "WG829": "torch.cuda.is_available() is False for my user, but it works fine with sudo (sudo python train.py).",
    "WG834": "torch.cuda.is_available() returns True in this env, but training is painfully slow and nvidia-smi shows "
             "no python process on the GPU.",
    "WG833": "I created the conda env with pytorch on the login node (no GPU there); on the GPU node "
             "torch.cuda.is_available() is False.",
    "WG832": "jax.devices() on my Ubuntu workstation lists only a CpuDevice. What did I miss?",
    "WG831": "Ubuntu 20.04, CUDA 10.0 from NVIDIA's runfile; I never installed cuDNN. TensorFlow 1.13 uses the CPU.",
    "WG830": "Using Theano backend.\nI set up tensorflow-gpu 1.4 and CUDA 8 but Keras still trains on the CPU.\n"
             "pip install tensorflow-gpu==1.4.0",
}


def test_every_report_only_rule_has_a_report():
    load_all()
    report_rules = {code for code, r in REGISTRY.items() if r.info.modes == ("triage",)}
    assert report_rules == set(REPORTS)
    assert {s[0] for s in SPECS} <= report_rules


@pytest.mark.parametrize("code", sorted(REPORTS))
def test_rule_fires_on_a_report_of_its_cause(code):
    report = triage(REPORTS[code])
    found = [f for f in report.findings if f.code == code]
    assert found, [f.code for f in report.findings]
    assert all(f.origin in ("program", "stated", "inferred", "similar", "usual") for f in found)
    assert all(f.location is not None and f.location.line >= 1 for f in found)


def test_rules_do_not_fire_on_a_working_gpu():
    report = triage(REPORTS["WG826"])
    assert {f.code for f in report.findings if f.severity.value in ("error", "warning")} == set()
    assert report.verdict.root_cause == "no_problem"


def test_retired_codes_are_not_registered():
    load_all()
    assert RETIRED and not set(RETIRED) & set(REGISTRY)
    assert all(text.startswith("replaced by WG") for text in RETIRED.values())


def test_a_cause_read_from_words_is_titled_without_naming_another_framework():
    report = triage("torch.cuda.is_available() returns False after conda env create. Did it install a CPU-only "
                    "PyTorch?")
    worded = [f for f in report.findings if f.code == "WG828"]
    assert worded and all("TensorFlow" not in f.title for f in worded), [f.title for f in worded]
