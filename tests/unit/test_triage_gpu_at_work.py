"""Reports whose GPU in fact works: the reporter finds it slower than the CPU (a small model: kernel launches and
copies cost more than they save), or sees its memory full while utilisation stays low. And the failing counterparts."""

from __future__ import annotations

import pytest

from helpers import triage_on_evidence as triage  # the readings alone (WG836: test_similar_reports.py)
from whynogpu.triage.extract import extract


def test_a_gpu_run_slower_than_the_cpu_is_the_gpu_at_work():
    for said in ("every time training is much slower when it runs on the GPU than on the CPU.",
                 "The GPU is slower than the CPU for my small DQN.",
                 "My model trains faster on the CPU than on the GPU."):
        r = triage("Keras DQN example on the TensorFlow backend. " + said)
        assert r.verdict.root_cause == "no_problem", said
    # a GPU that is not used at all is not this
    not_used = triage("Training is slow and nvidia-smi shows no process on the GPU; TensorFlow lists no GPU device.")
    assert not_used.verdict.root_cause != "no_problem"


def test_memory_usage_nearly_full_with_low_utilisation_is_the_framework_holding_it():
    r = triage("While it trains, nvidia-smi shows Memory-Usage is almost full, but Volatile GPU-Util stays at 0%. Is the "
               "GPU doing anything?")
    assert r.verdict.root_cause == "no_problem"
    failing = triage("Memory-Usage is almost full and then training fails with RuntimeError: CUDA out of memory.")
    assert failing.verdict.root_cause == "gpu_memory_exhausted"


def test_a_gpu_busy_in_bursts_waits_for_its_input():
    text = ("Very low GPU utilisation while training a ResNet on a V100 with num_workers=2. Three or four batches go "
            "through quickly, then there is a long pause, and so on for the whole epoch.")
    assert triage(text).verdict.root_cause == "no_problem"


def test_low_utilisation_alone_is_not_the_gpu_at_work():
    text = "Very low GPU utilisation while training a ResNet, the whole run seems to be on the CPU."
    assert triage(text).verdict.root_cause != "no_problem"


def test_utilisation_that_stays_at_zero_is_work_not_on_the_gpu():
    # nvidia-smi's GPU-Util is the share of time a kernel ran: at 0 % none ran, whatever device the code names
    text = ("I pass device='cuda' and torch.cuda.is_available() returns True, but GPU utilisation stays at 0% and "
            "training takes 12 hours. Is there a way to make it use the GPU?")
    assert triage(text).verdict.root_cause == "code_forces_cpu"
    # low but not zero: the GPU does the work and waits for its input
    assert triage(text.replace("stays at 0%", "stays at 5%")).verdict.root_cause == "no_problem"
    # at zero with the process holding GPU memory, the model is there: still not the CPU's doing
    held = text.replace("but GPU", "nvidia-smi shows my python process using 900MiB, but GPU")
    assert triage(held).verdict.root_cause == "no_problem"


def test_a_gpu_named_by_its_model_slower_than_the_cpu():
    text = "Training a tiny MLP on MNIST is slower on my RTX 4090 than on the CPU. torch.cuda.is_available() is True."
    assert triage(text).verdict.root_cause == "no_problem"


def test_a_slow_first_call_then_fast_ones_is_compiling():
    text = "With JAX the first call of my jitted function takes 40 seconds; later calls are fast. Is it on the CPU first?"
    assert triage(text).verdict.root_cause == "no_problem"
    slow = "With JAX every call of my jitted function takes 40 seconds. Is it on the CPU?"
    assert triage(slow).verdict.root_cause != "no_problem"


def test_a_process_holding_memory_with_low_gpu_util_waits_for_its_input():
    text = ("nvidia-smi shows python.exe using 7800MiB on my RTX 3070 while training, but GPU-Util hovers between 5% and "
            "30%. Data is loaded from an HDD with num_workers=0.")
    assert triage(text).verdict.root_cause == "no_problem"


def test_gpu_memory_that_never_grows_while_training_is_work_left_on_the_cpu():
    text = ("torch.cuda.is_available() prints True, but GPU memory stays at 512MiB while training:\n```python\n"
            "model = Net()\nfor x, y in loader:\n    loss = loss_fn(model(x), y)\n```\n")
    assert triage(text).verdict.root_cause == "code_forces_cpu"
    assert triage(text.replace("GPU memory stays at 512MiB while training", "training runs")).verdict.root_cause \
        != "code_forces_cpu"


def test_a_message_a_sentence_introduces_as_printed_is_output():
    text = ("TensorFlow prints: I tensorflow/core/common_runtime/gpu/gpu_device.cc:1616] Created device "
            "/job:localhost/replica:0/task:0/device:GPU:0 with 9615 MB memory -> device: 0, name: NVIDIA GeForce RTX "
            "3080. Is my GPU broken?")
    assert triage(text).verdict.root_cause == "no_problem"
    retold = text.replace("TensorFlow prints: ", "The docs say you should see ")
    assert triage(retold).verdict.root_cause != "no_problem"  # a line quoted from elsewhere shows nothing ran


def test_a_diagnostic_scripts_marked_fields_are_read():
    # an app's check script prints its own marks before each field ("🔧 Torch CUDA Available: True")
    for text in ("🔧 Torch CUDA Available: True\n  • Device name: NVIDIA GeForce RTX 4060 Ti\n", "✅ CUDA available: True\n"):
        assert [s.value for s in extract(text).all("torch_cuda_available")] == ["True"]


def test_a_failure_no_message_names_is_not_a_working_gpu():
    # the framework sees the GPU, but the reporter's run dies with an error of its own: not "nothing is wrong"
    env = "```\nsys.platform: linux\nCUDA available: True\nGPU 0: NVIDIA GeForce RTX 4090\nPyTorch: 1.13.0+cu117\n```\n"
    dies = "Training dies with RuntimeError: ms_deform_attn_impl_forward: implementation for device cuda:0 not found.\n"
    assert triage(env).verdict.root_cause == "no_problem"
    assert triage(dies + env).verdict.root_cause != "no_problem"


def test_a_cuda_status_code_the_reporter_names_is_a_failure_benign_lines_do_not_undo():
    # TensorFlow's oneDNN notice is printed on every start; beside a run that fails with a CUDA driver status it says
    # nothing about the GPU working (tensorflow/tensorflow#90291: an RTX 5070 Ti under TF 2.18)
    notice = ("```\n2025-03-31 14:23:13.091967: I tensorflow/core/util/port.cc:153] oneDNN custom operations are on. "
              "You may see slightly different numerical results due to floating-point round-off errors from different "
              "computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.\n```\n")
    assert triage("Is this message a problem?\n" + notice).verdict.root_cause == "no_problem"
    for failure in ("The run then fails with CUDA_ERROR_INVALID_HANDLE while the model is being built.",
                    "Training crashes with CUBLAS_STATUS_EXECUTION_FAILED after the first batch.",
                    "It fails: cudaErrorNoKernelImageForDevice."):
        assert triage(notice + failure).verdict.root_cause != "no_problem", failure
    # a Python exception printed inside a library's warning is no such sign (xFormers prints one when Triton is absent)
    warning = ("```\nWARNING  A matching Triton is not available, some optimizations will not be enabled\n"
               "Traceback (most recent call last):\nModuleNotFoundError: No module named 'triton'\n```\n"
               "Is something broken? I'm worried the training isn't getting the GPU optimizations it should.")
    assert triage(warning).verdict.root_cause == "no_problem"


def test_gpu_numbers_that_differ_from_nvidia_smi_are_the_device_order():
    # CUDA numbers GPUs fastest first (CUDA_DEVICE_ORDER), nvidia-smi by PCI bus: another index, the same GPU
    said = "I picked GPU 2 and 3 in the job form, but the GPU numbering doesn't match nvidia-smi: the load shows on 0 and 1."
    assert triage(said).verdict.root_cause == "no_problem"
    assert triage("I picked GPU 2 and 3 in the job form, but nothing runs on any GPU.").verdict.root_cause != "no_problem"


@pytest.mark.parametrize("text, want", [
    (">>> torch.cuda.device_count()\n0\n", "False"),
    ("pytorch finds my card, `torch.cuda.device_count()` gives 1 which is right.", "True"),
    ("print(torch.cuda.device_count()) -> 2", "True"),
])
def test_a_device_count_is_pytorchs_answer_whether_cuda_is_available(text, want):
    # is_available() is device_count() > 0 in torch/cuda/__init__.py
    assert [s.value for s in extract(text).all("torch_cuda_available")] == [want]
