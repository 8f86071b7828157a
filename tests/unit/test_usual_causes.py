"""WG832: a report that decides nothing still gets the setup's usual cause, ranked below every fact."""

from __future__ import annotations

import pytest

from helpers import triage_on_evidence as triage  # the readings alone (WG836's vote: test_similar_reports.py)
from whynogpu.knowledge import table
from whynogpu.rules.usual import usual_cause


@pytest.mark.parametrize("text, want", [
    ("PyTorch on Windows 11: torch.cuda.is_available() returns False. What am I missing?", "cpu_only_package"),
    ("Installed jax with pip on Ubuntu 22.04, jax.devices() only lists the CPU.", "cpu_only_package"),
    ("TensorFlow does not find my RTX 3060 on Windows 10, list_physical_devices('GPU') is empty.",
     "windows_native_unsupported"),
    ("TensorFlow 2.10 on Windows 10 does not find my RTX 3060, list_physical_devices('GPU') is empty.",
     "cuda_libs_missing"),
    ("Inside my docker container TensorFlow 2.15 lists no GPU at all.", "container_no_gpu"),
])
def test_a_report_without_evidence_gets_the_usual_cause_of_its_setup(text, want):
    report = triage(text)
    assert report.verdict.root_cause == want
    top = report.findings[0]
    assert (top.code, top.origin) == ("WG832", "usual")
    assert report.candidates[0].confidence < 0.35  # weaker than anything inferred from the report


def test_a_message_in_the_report_outranks_the_usual_cause():
    text = ("PyTorch on Windows 11, torch.cuda.is_available() is False. Output:\n"
            "AssertionError: Torch not compiled with CUDA enabled\n")
    report = triage(text)
    assert report.findings[0].code != "WG832"
    assert report.findings[0].origin != "usual"


def test_the_framework_answering_that_it_is_a_cuda_build_is_no_cpu_only_package():
    asked = "PyTorch on Windows 11, the model runs on the CPU, very slow.\n```\n>>> import torch\n>>> print(torch.version.cuda)\n{}\n```\n"
    assert triage(asked.format("None")).verdict.root_cause == "cpu_only_package"
    report = triage(asked.format("11.8"))
    assert "cpu_only_package" not in [c.category for c in report.candidates]
    # a version the reporter only names is a build they had once, not one the framework reports
    assert triage("PyTorch on Windows 11, torch.version.cuda should be 11.8, yet the model runs on the CPU."
                  ).verdict.root_cause == "cpu_only_package"


def test_no_framework_named_no_guess():
    report = triage("my GPU is not used, why?")
    assert report.verdict.root_cause == "unknown"
    assert not [f for f in report.findings if f.code == "WG832"]


def test_a_version_outside_every_row_is_no_guess():
    assert usual_cause("tensorflow", "macos", "2.15") is None  # macOS has its own rule, not a usual cause
    assert usual_cause("torch", "linux", "2.3") is None  # PyPI's Linux wheel has CUDA: no default to blame


def test_rows_are_ordered_specific_first_and_name_known_categories():
    from whynogpu.categories import CATEGORY_IDS

    rows = table("usual_causes")
    assert {r["category"] for r in rows} <= set(CATEGORY_IDS)
    assert rows[0]["platform"] == "container"  # a container's GPU access comes before any framework default
    assert all(r["confirm"] for r in rows)


@pytest.mark.parametrize("dist, python, newest", [
    ("tensorflow-gpu", "3.9", "2.10"),  # the name ended at 2.10
    ("tensorflow", "3.5", "2.3"),  # the newest release with a Python 3.5 wheel
    ("tensorflow", "3.12", None),  # today's release supports it: no bound
    ("tensorflow", "", None),
])
def test_newest_tensorflow_pip_can_install(dist, python, newest):
    from whynogpu.knowledge import newest_tensorflow

    assert newest_tensorflow(dist, python) == newest


def test_no_version_on_windows_is_not_always_todays_release():
    # tensorflow-gpu never had a release past 2.10, which still had a native-Windows CUDA build
    report = triage("Windows 10, Python 3.6. pip install tensorflow-gpu, then import fails to find the GPU.")
    assert report.verdict.root_cause != "windows_native_unsupported"
    assert not [f for f in report.findings if f.code == "WG101"]
    assert "at most 2.6" in report.findings[0].title  # Python 3.6 bounds it below the package name's 2.10
    # plain tensorflow on a Python today's release supports: 2.11 and later, no native-Windows GPU build
    assert triage("Windows 11, Python 3.11: pip install tensorflow does not see my RTX 3060.").verdict.root_cause == \
        "windows_native_unsupported"


def test_colab_without_a_gpu_shown_is_the_runtime_type():
    report = triage("In Google Colab my script stops at assert torch.cuda.is_available(). Is the torch version wrong?")
    assert report.verdict.root_cause == "no_nvidia_gpu"
    # once the report shows the runtime's GPU, the runtime type is ruled out
    shown = triage("In Google Colab, !nvidia-smi shows a Tesla T4, but jax.devices() lists only the CPU.")
    assert shown.verdict.root_cause != "no_nvidia_gpu"
    said = triage("I connect to a GPU runtime in Google Colab, but after my install cell TensorFlow 2.4 sees only the CPU.")
    assert said.verdict.root_cause != "no_nvidia_gpu"


def test_a_container_report_that_names_no_framework_still_gets_the_containers_usual_cause():
    r = triage("Our voice service runs in docker and inference is slow: it runs on the CPU. The host has an NVIDIA card.")
    assert r.verdict.root_cause == "container_no_gpu"
    assert r.findings[0].code == "WG832" and "a framework" in r.findings[0].title
    assert triage("Inference is slow and runs on the CPU. The host has an NVIDIA card.").verdict.root_cause != \
        "container_no_gpu"


def test_a_tf1_gpu_build_that_imports_is_not_missing_its_cuda_runtime():
    # Up to 1.13 the GPU build links the CUDA runtime at import: one that imports and lists only the CPU is
    # shadowed by a CPU build beside it; one whose import fails is not read that way.
    quiet = ("Installed tensorflow-gpu 1.8 on Ubuntu 16.04. Keras prints Using TensorFlow backend. but "
             "device_lib.list_local_devices() shows only the CPU device.")
    assert triage(quiet).verdict.root_cause == "package_conflict"
    failed = "Installed tensorflow-gpu 1.8 on Ubuntu 16.04 and `import tensorflow` fails with an ImportError."
    assert triage(failed).verdict.root_cause != "package_conflict"
    # 1.14 and later load the CUDA libraries with dlopen and start without them
    assert usual_cause("tensorflow", "linux", "1.15", cuda_reached=True)["category"] == "cuda_version_mismatch"


def test_the_cuda_a_release_was_built_with_is_neither_missing_nor_mismatched():
    # TensorFlow 2.4 was built with CUDA 11.0 (tensorflow_releases.csv): a report that says it installed exactly that
    # is not guessed to have the wrong CUDA (the usual cause of its setup otherwise)
    told = "TensorFlow {tf} with CUDA {cuda} on Ubuntu 20.04, but training runs on the CPU."
    assert usual_cause("tensorflow", "linux", "2.4")["category"] == "cuda_version_mismatch"
    assert usual_cause("tensorflow", "linux", "2.4", cuda_installed=True) is None  # no other row holds: no guess
    assert triage(told.format(tf="2.4.0", cuda="11.0")).verdict.root_cause != "cuda_version_mismatch"
    assert triage(told.format(tf="2.4.0", cuda="10.1")).verdict.root_cause == "cuda_version_mismatch"


def test_pytorch_answering_true_in_a_container_rules_out_a_container_without_the_gpu():
    # is_available() True is PyTorch opening the GPU where it runs: the container has it (the answer read as Python
    # prints it, whatever follows on the line)
    text = "Inside my Docker container the app runs on the CPU. Its start-up check says:\n- Torch CUDA Available: {answer}\n"
    assert triage(text.format(answer="False")).verdict.root_cause == "container_no_gpu"
    assert triage(text.format(answer="True")).verdict.root_cause != "container_no_gpu"
