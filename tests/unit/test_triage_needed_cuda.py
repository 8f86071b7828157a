"""The CUDA a report says its framework looks for belongs to the framework it names: a PyTorch that "complains that
CUDA 12.1 cannot be found" beside a 520 driver (CUDA 11.8 at most) needs a newer driver, and the finding says PyTorch."""

from __future__ import annotations

from whynogpu.triage.engine import triage


def test_a_pytorch_looking_for_a_newer_cuda_than_the_driver_gives_is_the_driver():
    r = triage("PyTorch in the image does not work on the GPU: it complains that CUDA 12.1 cannot be found.\n"
               "Host:\n- Ubuntu 22.04.3\n- CUDA 11.8\n- NVIDIA driver 520.xxx\n")
    top = r.findings[0]
    assert (r.verdict.root_cause, top.code) == ("driver_too_old", "WG308")
    assert any("PyTorch was built for CUDA 12.1" in e.fact for e in top.evidence)
    assert any("driver 520 (its branch)" in e.fact for e in top.evidence)


def test_the_same_words_about_tensorflow_keep_its_libraries():
    r = triage("TensorFlow complains that CUDA 12.1 cannot be found.\nHost: Ubuntu 22.04, CUDA 11.8 installed, "
               "NVIDIA driver 535.\n")
    assert r.verdict.root_cause in ("cuda_version_mismatch", "cuda_libs_missing")
