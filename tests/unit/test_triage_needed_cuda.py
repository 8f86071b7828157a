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


def test_keras_3s_own_answer_about_its_backend_is_read():
    r = triage("I installed torch with CUDA and keras 3, but training is on the CPU. keras.config.backend() prints "
               "'tensorflow' and my tensorflow is the CPU build.")
    assert r.verdict.root_cause == "keras_backend_other"


def test_a_symptom_without_a_cause_does_not_hide_a_finding_that_names_one():
    from whynogpu.model import Evidence, Finding, Severity
    from whynogpu.verdict import rank

    symptom = Finding("WG502", "framework_sees_no_gpu", Severity.ERROR, "unknown", "TensorFlow sees no GPU",
                      (Evidence("no GPU registered", "log"),), "", None, origin="program")
    cause = Finding("WG305", "libs_off_path", Severity.ERROR, "libs_not_on_path", "Libraries off the path",
                    (Evidence("libcudart.so.12 in /usr/local/cuda-12.3/lib64", "disk"),), "", None, origin="inferred")
    ordered, verdict, _ = rank([symptom, cause])
    assert verdict.root_cause == "libs_not_on_path" and ordered[0] is cause
    alone, verdict_alone, _ = rank([symptom])
    assert verdict_alone.root_cause == "unknown"
