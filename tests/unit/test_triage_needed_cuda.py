"""The CUDA a report says its framework looks for belongs to the framework it names: a PyTorch that "complains that
CUDA 12.1 cannot be found" beside a 520 driver (CUDA 11.8 at most) needs a newer driver, and the finding says PyTorch."""

from __future__ import annotations

from whynogpu.facts.report import TriageFacts
from whynogpu.triage.engine import snapshot, triage


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


def test_a_cuda_release_someone_says_to_install_is_needed_not_installed():
    # TensorFlow's Windows self-check script: "...could not load 'cudart64_80.dll' ... download and install CUDA 8.0"
    text = ("Windows 10, tensorflow-gpu. The self-check script says it could not load 'cudart64_80.dll' and that I "
            "should download and install CUDA 8.0 from https://developer.nvidia.com/cuda-toolkit.")
    f = snapshot(text, resemble=False).get(TriageFacts)
    assert [s.value for s in f.all("cuda_needed")] == ["8.0"] and not f.all("cuda")


def test_a_cuda_major_said_alone_is_another_release_when_the_failed_library_is_of_another_major():
    # the machine has "CUDA 9" (no minor): any 9.x names its runtime cudart64_9x.dll, never cudart64_80.dll
    said = ("Windows 10, Python 3.5. I installed CUDA 9 with cuDNN 7, but importing tensorflow-gpu fails: it could "
            "not load 'cudart64_80.dll', which the GPU version of TensorFlow needs in a directory on %PATH%.")
    assert triage(said, resemble=False).verdict.root_cause == "cuda_version_mismatch"
    # "CUDA 10" alone beside a failed libcudart.so.10.1 may well be 10.1: nothing is concluded from the major
    from whynogpu.triage.to_facts import _other_major
    assert _other_major("10", {"libcudart.so.10.1"}) is None and _other_major("9", {"cudart64_80.dll"}) == "9.0"
    assert _other_major("12", {"libcudart.so.11.0"}) == "12" and _other_major("9.0", {"cudart64_80.dll"}) is None
