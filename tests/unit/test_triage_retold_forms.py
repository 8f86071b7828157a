"""Forms the same facts take when another person retells a report (tests/triage/paraphrase5 and terse1 found them):
each is read as the form it retells."""

from __future__ import annotations

from whynogpu.facts.report import TriageFacts
from whynogpu.triage import cues
from whynogpu.triage.engine import snapshot, triage
from whynogpu.triage.extract import extract


def _facts(text: str) -> set[tuple[str, str]]:
    return {(s.key, s.value) for s in extract(text).stated}


def test_an_answer_marked_with_an_arrow_or_given_bare_is_read():
    text = 'python -c "import torch; print(torch.cuda.is_available())"\n# -> False\n'
    assert ("torch_cuda_available", "False") in _facts(text)
    assert ("torch_cuda_available", "False") in _facts("torch.cuda.is_available() False")
    assert ("torch_cuda_available", "False") in _facts("CUDA 10.0 + torch 1.5.0, is_available() gives False.")
    assert not _facts("torch.backends.mps.is_available() returns True")  # not CUDA's answer


def test_a_library_the_systems_cuda_runtime_is():
    assert ("lib_on_disk", "libcudart.so.9.0") in _facts("My system's CUDA runtime is libcudart.so.9.0, not 10.0.")


def test_a_machine_that_cuts_out_under_load_is_hardware():
    said = "right after the last step the entire PC cuts out, like the plug got pulled, and boots back up again"
    assert "hardware" in cues.find(said)


def test_a_runtime_said_to_be_gpu_is_a_gpu_runtime():
    assert "gpu_runtime" in cues.find("Runtime is GPU but TensorFlow 2.0.0-beta1 sees no GPU in Colab.")


def test_nvidia_smi_inside_the_container_means_the_gpu_was_handed_in():
    text = ("Rootless podman: `podman run -it --rm docker.io/pytorch/pytorch:1.6.0-cuda10.1-cudnn7-devel /bin/bash`, "
            "`torch.cuda.is_available()` is False, nvidia-smi in the container works. After running the check on the "
            "host (True), the container gives True too.\n")
    report = triage(text)
    assert report.verdict.root_cause == "nvidia_uvm_unavailable"
    assert "container_no_gpu" not in [c.category for c in report.candidates]


def test_a_gpu_list_without_the_nvidia_gpu_is_no_missing_gpu_when_torch_finds_one():
    text = ('GUI device list has only "CPU", no NVIDIA GPU. From Python in a command prompt, '
            "torch.cuda.is_available() is True. GUI started with the provided .bat.\n")
    assert "no_nvidia_gpu" not in [c.category for c in triage(text).candidates]


def test_fabric_manager_of_another_release_than_the_driver():
    # NVIDIA/gpu-driver-container#735: the driver container's log after installing 580.126.09 on an HGX H200
    line = ("fabric manager NVIDIA GPU driver interface version 590.48.01 don't match with driver version 580.126.09. "
            "Please update with matching NVIDIA driver package.")
    report = triage(f"The validator pod fails on our HGX nodes after the driver update:\n```\n{line}\n```\n")
    assert report.verdict.root_cause == "fabric_manager_not_running"


def test_the_old_driver_image_is_the_previous_one_not_an_outdated_one():
    said = "On the old driver image, 580.105.08, validation passed; with 580.126.09 it fails."
    assert "phrase:driver_too_old" not in cues.phrases(said)
    assert "phrase:driver_too_old" in cues.phrases("I think I have an old driver, 418.")


def test_torchs_preload_error_retold_in_words():
    text = "`import torch` dies with UnboundLocalError on 'cublas_path' (local variable referenced before assignment)\n"
    assert triage(text).verdict.root_cause == "pip_cuda_libs_not_found"


def test_a_cuda_release_older_than_the_one_the_torch_wheel_carries_points_at_the_driver():
    # torch 1.5.0's PyPI wheel carries CUDA 10.2 (knowledge/torch_pypi_default_cuda.csv)
    report = triage("torch.cuda.is_available() False\n\nCUDA 10.0 + torch 1.5.0, is_available() gives False. Why?\n")
    assert report.verdict.root_cause == "driver_too_old"
    # a CUDA as new as the wheel's says nothing of the driver
    newer = triage("CUDA 10.2 + torch 1.5.0, is_available() gives False. Why?\n")
    assert "driver_too_old" not in [c.category for c in newer.candidates]


def test_a_framework_that_also_answers_no_gpu_is_not_quiet():
    text = ("is True in the batch script but False under srun\n```\n"
            'python -c "import torch; print(torch.cuda.is_available())"\n# -> True\n'
            'srun python -c "import torch; print(torch.cuda.is_available())"\n# -> False\n```\n'
            "Training falls back to CPU.\n")
    facts = snapshot(text).get(TriageFacts)
    assert {("torch_cuda_available", "True"), ("torch_cuda_available", "False")} <= {(s.key, s.value) for s in facts.stated}
    assert triage(text).verdict.root_cause != "code_forces_cpu"
