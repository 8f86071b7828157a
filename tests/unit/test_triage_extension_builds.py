"""Messages of the packages built on PyTorch (C++/CUDA extensions, DeepSpeed, torchvision, xFormers) and of NVIDIA's
container start script: what each says about the GPU, in the wording the package prints (knowledge/log_messages.csv
names each row's source)."""

from __future__ import annotations

from whynogpu.facts.report import TriageFacts
from whynogpu.triage.engine import snapshot, triage


def _cause(text: str) -> str:
    return triage(text).verdict.root_cause


def _candidates(text: str) -> list[str]:
    return [c.category for c in triage(text).candidates]


# torch/utils/cpp_extension.py: CUDA_MISMATCH_MESSAGE and CUDA_MISMATCH_WARN
EXT_MAJOR = ("      RuntimeError:\n"
             "      The detected CUDA version (11.8) mismatches the version that was used to compile\n"
             "      PyTorch (12.1). Please make sure to use the same CUDA versions.\n")
EXT_MINOR = ("UserWarning: The detected CUDA version (12.2) has a minor version mismatch with the version that was used "
             "to compile PyTorch (12.1). Most likely this shouldn't be a problem.")


def test_an_extension_built_with_another_cuda_major_is_a_version_mismatch():
    text = f"`pip install flash-attn --no-build-isolation` fails while building:\n```\n{EXT_MAJOR}```\n"
    report = triage(text)
    assert report.verdict.root_cause == "cuda_version_mismatch"
    fix = report.findings[0].fix
    assert "nvcc --version" in " ".join(fix.commands)  # the two CUDAs to compare, not a library to install


def test_a_minor_mismatch_warning_is_no_cause():
    text = f"Building my extension prints this and I'm not sure it's fine:\n```\n{EXT_MINOR}\n```\n"
    assert "cuda_version_mismatch" not in _candidates(text)


# DeepSpeed op_builder/builder.py: the exception, and the line it prints when it accepts the pair
DS_MISMATCH = ("deepspeed.ops.op_builder.builder.CUDAMismatchException: >- DeepSpeed Op Builder: Installed CUDA version "
               "11.8 does not match the version torch was compiled with 12.1, unable to compile cuda/cpp extensions "
               "without a matching cuda version.")
DS_ACCEPTED = ("Installed CUDA version 12.6 does not match the version torch was compiled with 12.4 but since the APIs "
               "are compatible, accepting this combination")


def test_deepspeed_refusing_another_cuda_major_is_a_version_mismatch():
    assert _cause(f"ZeRO-3 with CPU offload stops at start:\n```\n{DS_MISMATCH}\n```\n") == "cuda_version_mismatch"


def test_deepspeed_accepting_a_minor_difference_is_no_cause():
    text = f"Training runs, but this line worries me:\n```\n{DS_ACCEPTED}\nninja: no work to do.\n```\n"
    assert "cuda_version_mismatch" not in _candidates(text)


def test_a_companion_package_of_another_cuda_is_a_version_mismatch():
    # torchvision/extension.py's wording
    text = ("Importing torchvision fails after I upgraded torch:\n```\nRuntimeError: Detected that PyTorch and "
            "torchvision were compiled with different CUDA major versions. PyTorch has CUDA Version=12.4 and "
            "torchvision has CUDA Version=11.8. Please reinstall the torchvision that matches your PyTorch install.\n```\n")
    assert _cause(text) == "cuda_version_mismatch"


def test_a_build_without_a_cuda_toolkit_is_missing_cuda():
    home = "OSError: CUDA_HOME environment variable is not set. Please set it to your CUDA install root."
    assert _cause(f"pip install of the repo's ops fails:\n```\n{home}\n```\n") == "cuda_libs_missing"
    nvcc = "FileNotFoundError: [Errno 2] No such file or directory: '/usr/local/cuda/bin/nvcc'"
    assert _cause(f"`pip install deepspeed` in my container ends with\n```\n{nvcc}\n```\n") == "cuda_libs_missing"


# xformers/_cpp_lib.py: "built for: PyTorch <its build> with CUDA <n> (you have <the torch installed>)"
XFORMERS = ("WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. xFormers was built for:\n"
            "    PyTorch 2.1.0+cu121 with CUDA 1201 (you have {have})\n"
            "    Python  3.10.11 (you have 3.10.11)\n"
            "  Please reinstall xformers (see https://github.com/facebookresearch/xformers#installing-xformers)\n")


def test_xformers_names_the_torch_that_is_installed():
    cpu = f"Since the update the images are made on the CPU:\n```\n{XFORMERS.format(have='2.1.0+cpu')}```\n"
    assert _cause(cpu) == "cpu_only_package"
    cuda = f"Since the update the images are made on the CPU:\n```\n{XFORMERS.format(have='2.1.2+cu118')}```\n"
    assert _cause(cuda) != "cpu_only_package"  # 2.1.0+cu121 is what xFormers was built for, not what is installed


def test_xformers_without_triton_is_benign():
    text = ("Every start of the trainer on Windows prints this, is something broken?\n```\n"
            "WARNING  A matching Triton is not available, some optimizations will not be enabled\n"
            "ModuleNotFoundError: No module named 'triton'\n```\n")
    assert _cause(text) == "no_problem"


# NVIDIA's container start script: the driver is there, CUDA would not start, and the CUDA error with its first
# letter capitalised (NVIDIA-NeMo/Speech#9268, NVIDIA/TensorRT-LLM#398, triton-inference-server/server#7262)
NGC = ("ERROR: The NVIDIA Driver is present, but CUDA failed to initialize.  GPU functionality will not be available.\n"
       "   [[ {error} ]]\n")


def test_the_container_start_script_names_the_cuda_error():
    def run(error: str) -> str:
        return _cause(f"The NGC image starts like this:\n```\n{NGC.format(error=error)}```\n")

    assert run("Forward compatibility was attempted on non supported HW (error 804)") == "driver_too_old"
    assert run("System not yet initialized (error 802)") == "fabric_manager_not_running"
    assert run("Unknown error (error 999)") == "nvidia_uvm_unavailable"


def test_running_out_of_gpu_memory_in_words():
    text = ("With two models training side by side the run fails with an out-of-memory error as soon as the second "
            "one loads. One model alone trains fine on the 24 GB card.")
    assert _cause(text) == "gpu_memory_exhausted"


def _cues(text: str) -> set[str]:
    return {c.id for c in snapshot(text).get(TriageFacts).cues}


def test_colab_named_as_where_it_works_is_not_the_place():
    text = ("Training on my RTX 3070 goes to the CPU. In Colab the model picked up the GPU, but locally it always "
            "trains on the CPU. I use PyTorch 2.1 on Ubuntu.")
    assert "colab" not in _cues(text)
    assert "colab" in _cues("In Colab the model never picks up the GPU, even with the T4 runtime.")


def test_a_kernel_image_the_driver_cannot_load_is_an_old_driver():
    # triton-lang/triton#3001 and #2971: Triton's kernels on a 470-series driver
    text = ("The server fails at start on the rented pod:\n```\n...\n"
            "RuntimeError: Triton Error [CUDA]: device kernel image is invalid\n```\n")
    report = triage(text)
    assert report.verdict.root_cause == "driver_too_old"
    assert "nvidia-smi" in report.findings[0].fix.commands


def test_an_extension_asking_for_a_torch_library_is_no_run_of_torch():
    # pytorch_scatter#223's shape: the extension's wheel was made for another torch
    text = ("import torch_scatter fails:\n```\nOSError: libtorch_cuda_cu.so: cannot open shared object file: "
            "No such file or directory\n```\n")
    report = triage(text)
    assert report.verdict.root_cause == "cuda_version_mismatch"
    assert report.findings[0].code == "WG827"  # the message's reading, not "PyTorch sees no GPU" (WG502)


def test_tensorflow_saying_its_allocation_is_no_failure_is_benign():
    # TensorFlow's BFC allocator, in its own words (tensorflow/core/common_runtime/bfc_allocator.cc)
    text = ("Is this a problem?\n```\n2024-01-05 10:12:01.1: I tensorflow/core/common_runtime/gpu/gpu_device.cc:1886] "
            "Created device /job:localhost/replica:0/task:0/device:GPU:0 with 22259 MB memory:  -> device: 0, name: "
            "NVIDIA GeForce RTX 4090, pci bus id: 0000:01:00.0, compute capability: 8.9\n2024-01-05 10:12:04.1: W "
            "tensorflow/core/common_runtime/bfc_allocator.cc:296] Allocator (GPU_0_bfc) ran out of memory trying to "
            "allocate 2.14GiB with freed_by_count=0. The caller indicates that this is not a failure, but may mean "
            "that there could be performance gains if more memory were available.\n```\n")
    assert triage(text).verdict.root_cause == "no_problem"


def test_cudnn_without_its_zlib_on_windows():
    text = ("Windows 10, TF 2.10 with CUDA 11.2 and cuDNN 8.4. Training starts then dies:\n```\n"
            "Could not locate zlibwapi.dll. Please make sure it is in your library path!\n```\n")
    assert triage(text).verdict.root_cause == "cudnn_missing"
