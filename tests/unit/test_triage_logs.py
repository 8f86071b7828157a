"""The log interpreter against real captured stderr and the message shapes of the reference."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import triage_on_evidence
from whynogpu.categories import CATEGORY_IDS
from whynogpu.knowledge import table
from whynogpu.parsers.logs import clean, decode, interpret, rows
from whynogpu.triage.engine import triage
from whynogpu.triage.extract import extract


def ids(text: str) -> list[str]:
    return [m.id for m in interpret(text)]


def test_every_row_has_a_source_a_valid_regex_and_known_categories():
    for r in table("log_messages"):
        assert r["source"].startswith("http"), r["id"]
        re.compile(r["pattern"])
        assert r["kind"] in ("error", "warning", "info", "success", "benign"), r["id"]
        assert (r.get("scope") or "") in ("", "build"), r["id"]
        for c in filter(None, r["categories"].split("|")):
            assert c in CATEGORY_IDS, (r["id"], c)
    assert len({r.id for r in rows()}) == len(rows())


def test_real_tf_cpu_machine_stderr(real_fixtures):
    text = open(os.path.join(real_fixtures, "tf-cpu-machine", "stderr.vmodule.txt"), encoding="utf-8").read()
    found = interpret(text)
    by_id = {m.id: m for m in found}
    assert by_id["tf_cudart_stub_no_drivers"].emitter == "cudart_stub.cc"
    assert by_id["tf_dlopen_libcuda"].groups["soname"] == "libcuda.so.1"
    cuinit = by_id["cuinit_303"]
    assert cuinit.level == "E" and cuinit.emitter == "cuda_platform.cc"
    assert by_id["diag_driver_not_running"].groups["host"] == "vm"
    # line numbers point at the real lines of the file
    lines = text.splitlines()
    for m in found:
        assert lines[m.line - 1].strip() == m.text


def test_real_no_device_with_userspace_driver(real_fixtures):
    path = os.path.join(real_fixtures, "cuda-visible-devices", "with-debian-libcuda1", "stderr.cvd-minus1.vmodule.txt")
    assert "cuinit_no_device" in ids(open(path, encoding="utf-8").read())
    assert "cuinit_303" not in ids(open(path, encoding="utf-8").read())


def test_real_torch_cpu_build_and_jax_warning(real_fixtures):
    kb = os.path.join(real_fixtures, "keras3-backends", "stderr.torch_cuda_call.txt")
    assert "torch_not_compiled" in ids(open(kb, encoding="utf-8").read())
    jax = os.path.join(real_fixtures, "nvidia-userspace-no-kernel", "keras3-backends", "stderr.jax.with-dev-nvidiactl.txt")
    assert "jax_jaxlib_no_cuda" in ids(open(jax, encoding="utf-8").read())


def test_real_cpu_package_has_no_gpu_errors(real_fixtures):
    path = os.path.join(real_fixtures, "tf-cpu-package", "1-tensorflow-cpu-only", "stderr.txt")
    assert {m.kind for m in interpret(open(path, encoding="utf-8").read())} <= {"benign", "info"}


@pytest.mark.parametrize("line, row_id, group, value", [
    # tensorflow/tensorflow#6729 (macOS 10.12, an eGPU)
    ("ImportError: dlopen(/Library/Frameworks/Python.framework/Versions/3.5/lib/python3.5/site-packages/tensorflow/"
     "python/_pywrap_tensorflow.so, 10): Library not loaded: @rpath/libcudart.8.0.dylib", "macos_cuda_dylib", "framework",
     "tensorflow"),
    ("!! ERROR: nvidia-smi not found", "smi_not_found", None, None),  # an image's start script (comfyui-nvidia-docker)
    ("failed to create cublas handle: CUBLAS_STATUS_ALLOC_FAILED",
     "cublas_alloc_failed", None, None),
    ("No devices were found", "smi_no_devices", None, None),  # nvidia-smi, NVIDIA/open-gpu-kernel-modules#862
    ("0 -> [GpuDevice(id=0, process_index=0)]", "jax_gpu_device", None, None),  # jax 0.3 (jax-ml/jax issues)
    ("Devices: [CudaDevice(id=0)]", "jax_gpu_device", None, None),  # jax 0.4.3x and later
    # pytorch/pytorch#85773 (WSL2)
    ("Could not load library libcudnn_cnn_infer.so.8. Error: libcuda.so: cannot open shared object file: No such file "
     "or directory", "cudnn_sublib_no_libcuda", "dependency", "libcuda.so"),
    # infiniflow/ragflow#4466 (the user's home folder shortened)
    ("ImportError: /home/u/.venv/lib/python3.12/site-packages/torch/lib/../../nvidia/cusparse/lib/libcusparse.so.12: "
     "undefined symbol: __nvJitLinkAddData_12_1, version libnvJitLink.so.12", "nvjitlink_symbol_clash", "symbol",
     "__nvJitLinkAddData_12_1"),
    # pip's resolver warning (pip/_internal/commands/install.py), as it printed it for torch beside jax[cuda12]
    ("torch 2.1.1 requires nvidia-cudnn-cu12==8.9.2.26; platform_system == \"Linux\" and platform_machine == "
     "\"x86_64\", but you have nvidia-cudnn-cu12 9.5.1.17 which is incompatible.", "pip_cudnn_wheel_conflict", "have",
     "9.5.1.17"),
    ("torch 2.3.0 requires nvidia-cublas-cu12==12.1.3.1; platform_system == \"Linux\" and platform_machine == "
     "\"x86_64\", but you have nvidia-cublas-cu12 12.4.5.8 which is incompatible.", "pip_cuda_wheel_conflict", "wheel",
     "nvidia-cublas-cu12"),
    # rusty1s/pytorch_scatter#223: a torch-scatter wheel made for another torch CUDA variant
    ("OSError: libtorch_cuda_cu.so: cannot open shared object file: No such file or directory",
     "torch_extension_lib_missing", "soname", "libtorch_cuda_cu.so"),
    # pytorch/pytorch#119072 (a user's home folder shortened)
    ("ImportError: /home/u/.local/lib/python3.10/site-packages/torch/lib/libtorch_cuda.so: undefined symbol: "
     "ncclCommRegister", "nccl_symbol_missing", "symbol", "ncclCommRegister"),
    # shadygm/Lichtfeld-Densification-Plugin#22: a cu128 torch meeting an older libcudart.so.12 first
    ("undefined symbol: cudaGetDriverEntryPointByVersion, version libcudart.so.12", "cuda_symbol_version_missing",
     "soname", "libcudart.so.12"),
    ("2020-09-03 14:02:11.349412: W tensorflow/stream_executor/platform/default/dso_loader.cc:59] Could not load "
     "dynamic library 'libcublas.so.10'; dlerror: libcublas.so.10: cannot open shared object file: No such file or "
     "directory; LD_LIBRARY_PATH: :/usr/local/cuda/extras/CUPTI/lib64", "tf_dlopen_cuda_lib", "soname", "libcublas.so.10"),
    ("2019-11-02 10:00:00.000000: W tensorflow/stream_executor/platform/default/dso_loader.cc:55] Could not load "
     "dynamic library 'libcudnn.so.7'; dlerror: libcudnn.so.7: cannot open shared object file", "tf_dlopen_cudnn",
     "soname", "libcudnn.so.7"),
    ("W tensorflow/stream_executor/platform/default/dso_loader.cc:59] Could not load dynamic library 'cudart64_101.dll'; "
     "dlerror: cudart64_101.dll not found", "tf_dlopen_cuda_lib", "soname", "cudart64_101.dll"),
    ("E tensorflow/stream_executor/cuda/cuda_dnn.cc:318] Loaded runtime CuDNN library: 8.0.5 but source was compiled "
     "with: 8.1.0.  CuDNN library needs to have matching major version and equal or higher minor version.",
     "tf_cudnn_mismatch", "compiled", "8.1.0"),
    ("E tensorflow/stream_executor/cuda/cuda_diagnostics.cc:313] kernel version 470.63.1 does not match DSO version "
     "470.74.0 -- cannot find working devices in this configuration", "diag_kernel_dso_mismatch", "dso", "470.74.0"),
    ("I tensorflow/core/common_runtime/gpu/gpu_device.cc:1700] Ignoring visible gpu device (device: 0, name: Quadro "
     "K2000M, pci bus id: 0000:01:00.0, compute capability: 3.0) with Cuda compute capability 3.0. The minimum required "
     "Cuda capability is 3.5.", "tf_cc_ignored", "cc", "3.0"),
    ("I tensorflow/core/common_runtime/gpu/gpu_device.cc:1525] Created device /job:localhost/replica:0/task:0/device:GPU:0"
     " with 9621 MB memory:  -> device: 0, name: NVIDIA GeForce RTX 3080, pci bus id: 0000:01:00.0, compute capability: 8.6",
     "tf_device_created", "name", "NVIDIA GeForce RTX 3080"),
    ("UserWarning: CUDA initialization: The NVIDIA driver on your system is too old (found version 11040). Please update "
     "your GPU driver", "torch_driver_too_old", "found", "11040"),
    ("Failed to initialize NVML: Driver/library version mismatch", "nvml_mismatch", None, None),
    ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA "
     "driver is installed and running.", "smi_no_driver", None, None),
    ("docker: Error response from daemon: could not select device driver \"\" with capabilities: [[gpu]].",
     "docker_no_gpu_driver", "driver", ""),
    ("Can't initialize NVML", "torch_nvml", None, None),
])
def test_message_shapes(line, row_id, group, value):
    (m,) = interpret(line)
    assert m.id == row_id
    if group:
        assert m.groups.get(group, "") == value


def test_tensorrt_is_benign_not_a_missing_cuda_lib():
    line = ("W tensorflow/stream_executor/platform/default/dso_loader.cc:60] Could not load dynamic library "
            "'libnvinfer.so.6'; dlerror: libnvinfer.so.6: cannot open shared object file")
    assert ids(line) == ["tf_dlopen_tensorrt"]


def test_look_alikes_do_not_match():
    assert ids("I successfully opened the file and could not load my dataset") == []
    assert ids("my GPU has 8 GB") == []


def test_ansi_crlf_and_encodings():
    text = "\x1b[31mNo CUDA GPUs are available\x1b[0m\r\nok\r\nTorch not compiled with CUDA enabled\r"
    assert [(m.id, m.line) for m in interpret(text)] == [("torch_no_gpus", 1), ("torch_not_compiled", 3)]
    assert clean("a\rb") == "a\nb"
    assert decode("héllo".encode("utf-16")) == "héllo"
    assert decode(b"\xef\xbb\xbfx\xff") == "x\ufffd"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_interpret_never_fails_and_lines_are_in_range(text):
    n = len(clean(text).split("\n"))
    for m in interpret(text):
        assert 1 <= m.line <= n


@settings(max_examples=100, deadline=None)
@given(st.binary())
def test_decode_any_bytes(data):
    assert isinstance(decode(data), str)


@pytest.mark.parametrize("line, row", [
    ("ImportError: DLL load failed: The specified module could not be found.", "tf_win_dll_not_found"),
    ("ImportError: DLL load failed while importing _pywrap_tensorflow_internal: The specified module could not be found.",
     "tf_win_dll_not_found"),
    ("ImportError: DLL load failed: 找不到指定的模块。", "tf_win_dll_not_found"),
    ("ImportError: DLL load failed while importing _pywrap_tf2: A dynamic link library (DLL) initialization routine failed.",
     "tf_win_dll_init_failed"),
    ("ImportError: DLL load failed with error code -1073741795", "tf_win_dll_init_failed"),
])
def test_windows_dll_load_failures_tell_a_missing_dll_from_a_failed_start(line, row):
    assert [m.id for m in extract(line + "\n").log] == [row]


def test_a_dll_that_failed_to_start_names_no_gpu_cause():
    # STATUS_ILLEGAL_INSTRUCTION (a CPU without AVX) or an old C++ runtime: nothing a GPU fix would change
    r = triage("Windows 10, tensorflow-gpu 1.12\nImportError: DLL load failed with error code -1073741795\n",
               resemble=False)  # the reading alone: reports that read alike may still add their causes as alternatives
    assert not {c.category for c in r.candidates} & {"cuda_libs_missing", "cudnn_missing", "libs_not_on_path"}
    top = r.findings[0]
    assert top.code == "WG508" and "AVX" in top.explanation  # the import failed: said so, with what it means
    # TensorFlow's own "see the error above" line says nothing of why: the DLL's message is the one explained
    r = triage("Windows 10, tensorflow-gpu 1.12\nFailed to load the native TensorFlow runtime.\n"
               "ImportError: DLL load failed: A dynamic link library (DLL) initialization routine failed.\n")
    assert "AVX" in r.findings[0].explanation


def test_a_missing_dll_with_the_installed_cuda_stated_is_the_cuda_release():
    # TensorFlow 1.4's Windows build links cudart64_80.dll; CUDA 9.0 installs cudart64_90.dll
    text = ("tensorflow-gpu 1.4, Windows 10, Python 3.6. I installed CUDA 9.0 and cuDNN 7.0.\n"
            "ImportError: DLL load failed: The specified module could not be found.\n")
    assert triage(text).verdict.root_cause == "cuda_version_mismatch"


def test_pytorchs_too_old_driver_message_quoted_without_its_version():
    # an app's screenshot or title often keeps only the sentence; it still names the cause
    r = triage("ComfyUI on CentOS 7.9 with two A100s stops at start:\nRuntimeError: The NVIDIA driver on your system is too old\n")
    assert r.verdict.root_cause == "driver_too_old"


@pytest.mark.parametrize("line, row", [
    ("RuntimeError: CUDA out of memory", "torch_oom"),
    ("NVML says Driver/library version mismatch", "nvml_mismatch"),
    ("kernel driver does not appear to be running on this host", "diag_driver_not_running"),
    ("deviceQuery: no CUDA-capable device is detected", "cuda_runtime_100"),
])
def test_messages_quoted_without_their_variable_tail(line, row):
    # reporters quote a message's sentence in a title or in prose, without the sizes, hosts and codes around it
    assert [m.id for m in extract(line + "\n").log] == [row]


def test_no_cuda_device_inside_wsl_is_the_wsl_passage_unless_a_variable_hides_it():
    base = "Ubuntu 22.04 in WSL2 on Windows 10.\nRuntimeError: No CUDA GPUs are available\n"
    assert triage(base).verdict.root_cause == "wsl_gpu_not_enabled"
    hidden = base + "I run it with CUDA_VISIBLE_DEVICES=1 python train.py on my single-GPU laptop\n"
    assert triage(hidden).verdict.root_cause == "cuda_visible_devices_hidden"


@pytest.mark.parametrize("line, cause", [
    # xla/pjrt/c/pjrt_c_api_helpers.cc: the CUDA plugin and jaxlib disagree on the PJRT C API
    ("RuntimeError: Unable to initialize backend 'cuda': INVALID_ARGUMENT: Unexpected PJRT_Client_Create_Args size: "
     "expected 88, got 72. The plugin is likely built with a later version than the framework. This plugin is built "
     "with PJRT API version 0.64.", "package_conflict"),
    # torch/__init__.py _preload_cuda_deps: the nvidia-* wheels' folders searched on sys.path, none found
    ("ValueError: libcublas.so.*[0-9] not found in the system path ['/app', '/usr/lib/python311.zip']",
     "pip_cuda_libs_not_found"),
    ("UnboundLocalError: local variable 'cublas_path' referenced before assignment", "pip_cuda_libs_not_found"),
])
def test_loader_messages_of_plugins_and_wheels(line, cause):
    assert triage(line + "\n").verdict.root_cause == cause


def test_colab_reads_a_library_it_cannot_find_as_another_version():
    # Colab's image ships cuDNN (that of its own TensorFlow): "not found" there is a version the build does not take
    text = "Training in Colab was fine, then out of nowhere:\nDNN library is not found.\n"
    assert triage(text).verdict.root_cause == "cudnn_version_mismatch"
    assert triage(text.replace("in Colab", "on my workstation")).verdict.root_cause == "cudnn_missing"


def test_a_dependency_that_installs_the_cpu_tensorflow_beside_the_gpu_one():
    text = ("When I install autokeras 0.2.11 it also installs tensorflow 1.10.1 (the CPU one) automatically. "
            "I have tensorflow-gpu 1.10.1 installed as well, but the script does not run on the GPU.\n")
    assert triage(text).verdict.root_cause in ("package_conflict", "cpu_only_package")


def test_messages_that_show_the_gpu_taken_or_only_other_platforms_missing():
    # Lightning's CUDA accelerator logs the GPU ids it sets up; JAX logs, at INFO, each platform it lacks
    lightning = ("torch.cuda.device_count() gives 1, but training prints\n```\nLOCAL_RANK: 0 - CUDA_VISIBLE_DEVICES: [0]\n"
                 "```\nIs the GPU used?\n")
    assert triage(lightning).verdict.root_cause == "no_problem"
    jax_info = ("I0718 14:02:57.560675 139800994285376 xla_bridge.py:231] Unable to initialize backend 'tpu_driver': "
                "Not found: Unable to find driver in registry given worker: local://\n"
                "I0718 14:02:57.776700 139800994285376 xla_bridge.py:231] Unable to initialize backend 'tpu': "
                "Invalid argument: TpuPlatform is not available.\nDo these mean my A100 is not used?\n")
    assert triage(jax_info).verdict.root_cause == "no_problem"
    cuda_failed = jax_info.replace("'tpu'", "'cuda'")
    assert triage(cuda_failed).verdict.root_cause != "no_problem"


def test_output_pasted_in_a_fence_is_not_the_reporters_words():
    # collect_env's "ROCM used to build PyTorch: N/A" names ROCm; it says nothing about an AMD GPU
    text = ("Installing lightning changes my pytorch version from cuda118 to cpu\n```\nCollecting environment "
            "information...\nPyTorch version: 2.0.0+cu118\nROCM used to build PyTorch: N/A\n```\n")
    r = triage(text)
    assert "no_nvidia_gpu" not in [c.category for c in r.candidates]
    assert r.verdict.root_cause == "cpu_only_package"


def test_a_visible_devices_index_past_a_single_gpu():
    text = "Only one card in this machine.\n```\nCUDA_VISIBLE_DEVICES=1 python train.py --gpu-ids 0\n```\ncuda=False\n"
    assert "cuda_visible_devices_hidden" in [c.category for c in triage(text).candidates]


def test_several_visible_devices_indices_with_no_gpu_count_shown_are_the_writers_own_count():
    # CUDA_VISIBLE_DEVICES=3,4,5,6 on a command line: whoever wrote it counts at least seven GPUs; one GPU is assumed
    # only for a single index (a command copied from another machine), and said so
    many = "Training runs on the CPU.\n```\nCUDA_VISIBLE_DEVICES=3,4,5,6 python main.py -n gpu_test\n```\n"
    assert "WG820" not in [f.code for f in triage_on_evidence(many).findings]
    one = many.replace("3,4,5,6", "3")
    [f] = [f for f in triage_on_evidence(one).findings if f.code == "WG820"]
    assert "names no other GPU than one" in f.evidence[0].fact or "names no other GPU than one" in f.message
    # with nvidia-smi's table showing one GPU, the list names GPUs that are not there
    smi = ("|   0  NVIDIA GeForce RTX 3090        Off | 00000000:01:00.0 Off |                  N/A |\n")
    assert "WG820" in [f.code for f in triage_on_evidence(many + "```\n" + smi + "```\n").findings]


def test_an_old_ptxas_found_before_the_pip_wheels_is_a_system_cuda_shadowing_them():
    text = ('pip install -U "jax[cuda12]"\n>>> jax.numpy.zeros(3)\n'
            "E0103 16:41:38.489316 2217885 ptx_compiler_helpers.cc:87] *** WARNING *** Invoking ptxas with version "
            "12.1.66, which corresponds to a CUDA version <=12.6.2. CUDA versions 12.x.y up to and including 12.6.2 "
            "miscompile certain edge cases around clamping.\n")
    r = triage(text)
    assert r.verdict.root_cause == "system_libs_shadow_pip_libs"
    # the jax[cuda12] install and a message from XLA's GPU compiler say nothing of a CPU-only jaxlib
    assert "cpu_only_package" not in [f.category for f in r.findings if f.severity.value == "error"]


@pytest.mark.parametrize("before, root_cause", [
    ("", "cpu_only_package"),  # nothing tried CUDA: the jaxlib has no CUDA backend
    # a CUDA backend that tried and failed says why: then the fallback is no sign of a CPU build
    ("CUDA backend failed to initialize: Found CUDA version 11080, but JAX was built against version 12020, which is "
     "newer. The copy of CUDA that is installed must be at least as new as the version against which JAX was "
     "built. (Set TF_CPP_MIN_LOG_LEVEL=0 and rerun for more info.)\n", None),
])
def test_jax_falling_back_to_the_cpu_with_no_cuda_backend_tried_is_the_cpu_jaxlib(before, root_cause):
    text = before + "No GPU/TPU found, falling back to CPU. (Set TF_CPP_MIN_LOG_LEVEL=0 and rerun for more info.)\n"
    got = triage(text).verdict.root_cause
    assert got == root_cause if root_cause else got != "cpu_only_package"


@pytest.mark.parametrize("line", [
    "F0528 22:26:23.117558 13844 syncedmem.hpp:18] Check failed: error == cudaSuccess (30 vs. 0)  unknown error",
    "THCudaCheck FAIL file=/opt/conda/conda-bld/pytorch_1512378422383/work/torch/lib/THC/THCGeneral.c line=70 error=30 : "
    "unknown error",
    "pycuda._driver.Error: cuInit failed: unknown",
    "modprobe: FATAL: Module nvidia-uvm not found.",
    "Error response from daemon: linux runtime spec devices: error gathering device information while adding custom "
    'device "/dev/nvidia-uvm-tools": lstat /dev/nvidia-uvm-tools: no such file or directory',
])
def test_cuda_that_cannot_start_for_want_of_nvidia_uvm(line):
    assert triage(line + "\n").verdict.root_cause == "nvidia_uvm_unavailable"


def test_a_no_device_error_on_a_mig_partitioned_gpu_is_restricted_access():
    text = ("We run it on our partitioned A100 cards (MIG enabled) and the server fails:\n"
            "[guppy/error] <>::run_server: CUDA error at cuda_common.cpp:234:\nCUDA_ERROR_NO_DEVICE. Aborting.\n"
            "The basecall server has shut down successfully.\n")
    r = triage(text)
    assert r.verdict.root_cause == "gpu_access_restricted"
    assert "gpu_hardware_fault" not in [c.category for c in r.candidates]  # a server shutting down is no fault
    # without the words about the GPU's partitions, the message keeps its own first reading
    plain = text.replace(" (MIG enabled)", "").replace("partitioned ", "")
    assert triage(plain).verdict.root_cause != "gpu_access_restricted"


def test_an_old_tensorflows_numa_notice_is_benign():
    text = ("cuda_gpu_executor.cc could not open file to read NUMA node: /sys/bus/pci/devices/0000:00:00.0/numa_node\n"
            "Every CUDA sample runs; what does this error mean?\n")
    assert triage(text).verdict.root_cause == "no_problem"


@pytest.mark.parametrize("line", [
    "InternalError: Blas GEMM launch failed",
    "tensorflow.python.framework.errors_impl.InternalError: Blas SGEMM launch failed : a.shape=(10000, 784), "
    "b.shape=(784, 500), m=10000, n=500, k=784",
    "E tensorflow/stream_executor/cuda/cuda_blas.cc:226] failed to create cublas handle: CUBLAS_STATUS_ALLOC_FAILED",
])
def test_cublas_that_cannot_start_has_no_gpu_memory_left(line):
    assert triage(line + "\n").verdict.root_cause == "gpu_memory_exhausted"


def test_a_cuda_9_library_asked_for_beside_another_cuda_9_installed_is_the_wrong_release():
    # up to CUDA 10.0 every library's soname carries major.minor: a 9.2 toolkit has libcublas.so.9.2, never .so.9.0
    text = ("Ubuntu 16.04, CUDA 9.2.88, cuDNN 7.1.4. `pip install tensorflow-gpu==1.8.0`, then import fails:\n"
            "ImportError: libcublas.so.9.0: cannot open shared object file: No such file or directory\n")
    assert triage(text).verdict.root_cause == "cuda_version_mismatch"


@pytest.mark.parametrize("gpu, root_cause", [
    ("GeForce GTX 950", "system_libs_shadow_pip_libs"),  # Maxwell: every cuDNN since 7 supports it
    ("GeForce GTX 680", "compute_capability_unsupported"),  # Kepler 3.0: newer cuDNNs dropped it
])
def test_cudnn_refusing_the_gpus_architecture(gpu, root_cause):
    text = f"The card is a {gpu}.\nRuntimeError: cuDNN error: CUDNN_STATUS_ARCH_MISMATCH\n"
    assert triage(text).verdict.root_cause == root_cause


@pytest.mark.parametrize("listing, root_cause", [
    ("% ls /var/run/opengl-driver/lib/\nlibcuda.so    libcuda.so.1    libcuda.so.430.34    libnvidia-ml.so.1\n",
     "libs_not_on_path"),
    ("", "driver_not_loaded"),  # nothing shows the driver's library anywhere
])
def test_a_libcuda_the_loader_missed_but_the_report_lists_on_disk_is_off_the_path(listing, root_cause):
    text = ("2019-07-28 13:45:18.738233: I tensorflow/stream_executor/platform/default/dso_loader.cc:53] Could not "
            "dlopen library 'libcuda.so.1'; dlerror: libcuda.so.1: cannot open shared object file: No such file or "
            "directory\n" + listing)
    assert triage(text).verdict.root_cause == root_cause


def test_lightnings_tensor_core_note_is_a_gpu_at_work():
    text = ("Trainer output:\n```\n"
            "You are using a CUDA device ('NVIDIA GeForce RTX 4090') that has Tensor Cores. To properly utilize them, "
            "you should set `torch.set_float32_matmul_precision('medium' | 'high')` which will trade-off precision "
            "for performance.\n```\nDoes this mean my GPU is not properly used?\n")
    assert triage(text).verdict.root_cause == "no_problem"


@pytest.mark.parametrize("said, root_cause", [
    ("The CUDA runtime on my system is libcudart.so.9.0, though.", "cuda_version_mismatch"),
    ("", "cuda_libs_missing"),
])
def test_an_executable_the_loader_cannot_start_for_a_cuda_library(said, root_cause):
    text = ("./deepspeech --model models/output_graph.pbmm --audio audio_input.wav\n"
            "error while loading shared libraries: libcudart.so.10.0: cannot open shared object file: No such file\n"
            + said + "\n")
    assert triage(text).verdict.root_cause == root_cause


def test_the_driver_library_an_executable_cannot_load_in_a_container_is_the_container():
    text = ("docker run -it tensorflow/serving:latest-devel-gpu bash, then:\n"
            "tensorflow_model_server: error while loading shared libraries: libcuda.so.1: cannot open shared object "
            "file: No such file or directory\n")
    assert triage(text).verdict.root_cause == "container_no_gpu"


def test_benign_lines_beside_a_gpu_the_reporter_says_is_unused_are_no_verdict():
    line = ("2020-09-22 18:31:24.793280: I tensorflow/stream_executor/cuda/cuda_gpu_executor.cc:983] successful NUMA "
            "node read from SysFS had negative value (-1), but there must be at least one NUMA node, so returning NUMA "
            "node zero\n")
    assert triage(line + "Is this a problem?\n").verdict.root_cause == "no_problem"
    asked = triage(line + "Is this a problem?\n").findings[0]
    r = triage("The GPU is not being used. When my project starts, this is printed:\n" + line)
    said = next(f for f in r.findings if f.category == "no_problem")
    # only a candidate ruling the printed lines out: weaker than the answer to the question about them
    assert (said.severity.value, said.origin) == ("warning", "inferred") and asked.origin in ("program", "stated")


def test_cudnn_that_cannot_create_its_handle_in_pytorch():
    r = triage("RuntimeError: cuDNN error: CUDNN_STATUS_NOT_INITIALIZED\n")
    assert r.verdict.root_cause == "cudnn_version_mismatch"
    assert {"gpu_memory_exhausted", "compute_capability_unsupported"} <= {c.category for c in r.candidates}


def test_an_import_error_carrying_a_worker_address_still_names_its_library():
    # Xinference's actor framework puts the worker's address before the loader's message
    from whynogpu.triage.engine import triage

    r = triage("```\nImportError: [address=0.0.0.0:44627, pid=1165786] libcudart.so.12: cannot open shared object file: "
               "No such file or directory\n```\n")
    assert r.verdict.root_cause == "cuda_libs_missing"
    assert any("libcudart.so.12" in e.fact for e in r.findings[0].evidence)


def test_nodes_windows_binding_that_misses_a_dll_is_a_dll_off_the_path():
    from whynogpu.triage.engine import triage

    r = triage("require('@tensorflow/tfjs-node-gpu') on Windows 10 fails:\n```\ninternal/modules/cjs/loader.js:977\n"
               "  return process.dlopen(module, path.toNamespacedPath(filename));\n\nError: The specified module could "
               "not be found.\n\\\\?\\C:\\app\\node_modules\\@tensorflow\\tfjs-node-gpu\\lib\\napi-v4\\tfjs_binding.node\n```\n")
    assert r.verdict.root_cause == "libs_not_on_path"
    # Python's own wording of the same Windows error stays with its row
    py = triage("ImportError: DLL load failed: The specified module could not be found.")
    assert all("Node.js" not in e.fact for f in py.findings for e in f.evidence)


def test_theanos_own_reasons_for_leaving_the_gpu_are_read():
    # Keras on Theano's CUDA backend (2016-2017 threads); the lines as Theano's logger prints them
    oom = ("Using Theano backend.\nERROR (theano.sandbox.cuda): ERROR: Not using GPU. Initialisation of device gpu "
           "failed:\ninitCnmem: cnmemInit call failed! Reason=CNMEM_STATUS_OUT_OF_MEMORY. numdev=1\n")
    assert ids(oom) == ["theano_cnmem_out_of_memory"]
    # the status alone names it, where a narrow terminal or a retelling wrapped the line before it
    assert ids(oom.replace("cnmemInit call failed!", "cnmemInit call\nfailed!")) == ["theano_cnmem_out_of_memory"]
    assert triage(oom, resemble=False).verdict.root_cause == "gpu_memory_exhausted"
    path = ("$ sudo python kfkd.py fit\nERROR (theano.sandbox.cuda): nvcc compiler not found on $PATH. Check your nvcc "
            "installation and try again.\n")
    assert ids(path) == ["theano_nvcc_not_found"]
    assert triage(path, resemble=False).verdict.root_cause == "libs_not_on_path"
