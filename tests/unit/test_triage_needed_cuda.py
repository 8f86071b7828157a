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


# tensorflow/models#4867's shape: a TensorFlow 1.9 that trains (its own INFO lines, its tf.GIT_VERSION) beside an nvcc of
# CUDA 9.1. TensorFlow 1.4-1.13 GPU builds link their CUDA 9.0 libraries, so one that imported had them (or was the CPU
# build): the CUDA 9.1 toolkit cannot be why the GPU is idle (knowledge/tensorflow_cuda_linking.csv).
_TRAINS = ("Every training step takes about 20 seconds on my GTX 950M (Windows 10).\n\n"
           "INFO:tensorflow:global step 1831: loss = 0.2820 (22.984 sec/step)\n"
           "INFO:tensorflow:global step 1832: loss = 0.2418 (20.894 sec/step)\n\n")
_VERSIONS = "TensorFlow version: b'v1.9.0-0-g25c197e023' 1.9.0\nCuda compilation tools, release 9.1, V9.1.85\n"


def test_a_tensorflow_1x_that_imported_had_the_cuda_its_gpu_build_links():
    r = triage(_TRAINS + _VERSIONS, resemble=False)
    assert "WG302" not in [f.code for f in r.findings]
    f = snapshot(_TRAINS + _VERSIONS, resemble=False).get(TriageFacts)
    assert f.first("tf_imported", program_only=True).line == 3


def test_without_a_line_of_its_own_output_the_other_cuda_release_still_counts():
    said = "Every training step takes about 20 seconds.\nTensorFlow version 1.9.0\n" + _VERSIONS.splitlines()[1] + "\n"
    assert "WG302" in [f.code for f in triage(said, resemble=False).findings]
    # a release that dlopens its CUDA libraries proves nothing by importing (tensorflow 1.14 on)
    later = _TRAINS + "TensorFlow version: b'v1.14.0-rc1-22-gaf24dc91b5' 1.14.0\nCuda compilation tools, release 9.1, V9.1.85\n"
    assert "WG302" in [f.code for f in triage(later, resemble=False).findings]
