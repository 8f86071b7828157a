"""TensorFlow's GPU lines in a JAX program (AlphaFold and its kin import TensorFlow for data and keep it off the GPU):
JAX's own message decides. And PyTorch's cuDNN check in both of its wordings."""

from __future__ import annotations

from whynogpu.triage.engine import triage

TF_LINE = ("2024-01-05 14:04:57.610604: W tensorflow/core/common_runtime/gpu/gpu_device.cc:2256] Cannot dlopen some GPU "
           "libraries. Please make sure the missing libraries mentioned above are installed properly if you would like "
           "to use GPU.")
JAX_LINE = ("I0105 14:05:05.749943 140453630969664 xla_bridge.py:660] Unable to initialize backend 'cuda': Found cuSOLVER "
            "version 11002, but JAX was built against version 11401, which is newer. The copy of cuSOLVER that is "
            "installed must be at least as new as the version against which JAX was built.")


def test_tensorflow_lines_beside_jax_that_names_its_own_failure_are_not_the_cause():
    r = triage(f"I installed jax==0.4.23 for the structure predictions and inference runs on the CPU:\n```\n{TF_LINE}\n"
               f"{JAX_LINE}\n```\n")
    assert r.verdict.root_cause == "cuda_version_mismatch"
    assert "cuda_libs_missing" not in [c.category for c in r.candidates]


def test_a_report_that_sets_tensorflow_up_keeps_its_lines():
    r = triage(f"I use TensorFlow 2.15 and JAX 0.4.23 in one script; both should use the GPU:\n```\n{TF_LINE}\n"
               f"{JAX_LINE}\n```\n")
    assert "cuda_libs_missing" in [c.category for c in r.candidates]


def test_pytorchs_cudnn_check_in_both_wordings():
    for tail in ("but linked against (8, 0, 3)", "but found runtime version (8, 0, 3)"):
        r = triage("torch.backends.cudnn.version() fails:\n```\nRuntimeError: cuDNN version incompatibility: PyTorch was "
                   f"compiled  against (8, 3, 2) {tail}\n```\nLD_LIBRARY_PATH=/public/apps/cudnn/v8.0.3.33-cuda.11.0/"
                   "cuda/lib64:/usr/local/cuda/lib64\n")
        assert r.verdict.root_cause == "system_libs_shadow_pip_libs", tail
