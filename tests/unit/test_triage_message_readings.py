"""What a framework's message means given the rest of the report (triage/readings.py): the same message, two setups,
two readings."""

from __future__ import annotations

import pytest

from helpers import triage_on_evidence as triage  # the readings alone (WG836's vote: test_similar_reports.py)

# PyTorch's own wording (c10/cuda/CUDAFunctions.cpp)
NO_DRIVER = ("RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
             "installed a driver from http://www.nvidia.com/Download/index.aspx")


def test_no_driver_and_no_nvidia_gpu_named_asks_whether_there_is_one():
    text = f"The app stops at start on my laptop, I don't know what hardware it has:\n```\n{NO_DRIVER}\n```\n"
    assert triage(text).verdict.root_cause == "no_nvidia_gpu"


def test_no_driver_beside_a_named_nvidia_gpu_is_the_driver():
    text = f"Ubuntu 22.04 with an RTX 3060. Training stops at start:\n```\n{NO_DRIVER}\n```\n"
    assert triage(text).verdict.root_cause == "driver_not_loaded"
    text = f"My GeForce card is not used, torch prints:\n```\n{NO_DRIVER}\n```\n"
    assert triage(text).verdict.root_cause == "driver_not_loaded"


# PyTorch 0.4-1.x's assertion as it prints (torch/cuda/__init__.py, _check_driver): read alone, a driver not loaded
OLD_NO_DRIVER = ("AssertionError: \nFound no NVIDIA driver on your system. Please check that you\nhave an NVIDIA GPU and "
                 "installed a driver from\nhttp://www.nvidia.com/Download/index.aspx")


@pytest.mark.parametrize("said", [
    "We don't have a GPU.", "Our cluster has no GPUs.", "I'm on a machine that has no GPU.",
    "I'm on a laptop without a GPU.", "Is it possible to run it without NVIDIA GPU hardware?",
])
def test_a_machine_the_reporter_says_has_no_gpu_explains_the_driver_message(said):
    assert triage(f"torch gives:\n```\n{OLD_NO_DRIVER}\n```\n").verdict.root_cause == "driver_not_loaded"
    assert triage(f"{said} torch gives:\n```\n{OLD_NO_DRIVER}\n```\n").verdict.root_cause == "no_nvidia_gpu"


@pytest.mark.parametrize("said", [
    "If you do not have a GPU set up, TensorFlow runs on the CPU.",  # the framework's advice, not the reporter's
    "We don't have a GPU here, so I run it on the lab's server.",  # lacking only locally
    "The log says the server has no GPU, but nvidia-smi lists an RTX 3060.",  # a program's claim
])
def test_words_that_do_not_say_the_machine_has_no_gpu(said):
    assert triage(f"{said} torch gives:\n```\n{OLD_NO_DRIVER}\n```\n").verdict.root_cause == "driver_not_loaded"


# The CUDA runtime's string for error 35, and the header nvidia-smi 550 prints (NVIDIA/nvidia-docker#24: the same
# error inside a container that had the device nodes but not the driver's libraries, on a new enough host driver)
INSUFFICIENT = "RuntimeError: CUDA failed with error CUDA driver version is insufficient for CUDA runtime version"
SMI = " NVIDIA-SMI {driver}             Driver Version: {driver}     CUDA Version: {cuda} "


def test_insufficient_driver_in_a_container_beside_a_current_driver_is_the_container():
    text = (f"I run the GPU image in my Kubernetes cluster and the pod crashes at start:\n```\n{INSUFFICIENT}\n```\n"
            f"Driver on the node:\n```\n{SMI.format(driver='550.144.03', cuda='12.4')}\n```\n")
    report = triage(text)
    assert report.verdict.root_cause == "container_no_gpu"
    assert "driver_too_old" in [c.category for c in report.candidates]


@pytest.mark.parametrize("where, want", [
    ("OS: Unraid 6.12.10, the app from its community template", "container_no_gpu"),  # Unraid's apps are containers
    ("OS: Unraid 6.12.10, the app in an Ubuntu VM on it", "driver_too_old"),  # (not once it runs in a VM there)
])
def test_an_app_on_unraid_runs_in_a_container(where, want):
    text = f"{where}, driver 550.144.03.\n```\n{INSUFFICIENT}\n```\n```\n{SMI.format(driver='550.144.03', cuda='12.4')}\n```\n"
    assert triage(text).verdict.root_cause == want


def test_insufficient_driver_beside_a_driver_older_than_cuda_12_stays_the_driver():
    # pip wheels bring CUDA 12 runtimes of their own, whatever CUDA the image has: a CUDA 11 driver may be too old
    text = (f"My container is built on nvidia/cuda:11.6.2-cudnn8-runtime-ubuntu20.04 and fails:\n```\n{INSUFFICIENT}\n"
            f"```\nHost:\n```\n{SMI.format(driver='510.85.02', cuda='11.6')}\n```\n")
    assert triage(text).verdict.root_cause == "driver_too_old"
    # and outside a container the message means what it says
    bare = f"Ubuntu 22.04:\n```\n{INSUFFICIENT}\n```\n```\n{SMI.format(driver='550.144.03', cuda='12.4')}\n```\n"
    assert triage(bare).verdict.root_cause != "container_no_gpu"


# A line TensorFlow prints while it builds a GPU device's allocator, just before "Created device … GPU:0"
# (format from public training logs of TensorFlow 2.10-2.16)
ALLOCATOR = ("2023-06-27 11:28:24.870769: W tensorflow/core/common_runtime/gpu/gpu_bfc_allocator.cc:42] Overriding "
             "orig_value setting because the TF_FORCE_GPU_ALLOW_GROWTH environment variable is set. Original config "
             "value was 0.")


def test_the_allocator_of_a_gpu_device_shows_tensorflow_on_the_gpu():
    text = ("Windows, RTX A5000. Training runs with no error but I doubt the GPU does the work: nvidia-smi shows "
            f"2174MiB / 24564MiB.\n```\n{ALLOCATOR}\n...\n```\nIs it on the GPU?")
    report = triage(text)
    assert report.verdict.root_cause == "no_problem"
    # the same report with a failure after it is not one that works
    failing = text.replace("...", "2023-06-27 11:28:30.1: E tensorflow/stream_executor/cuda/cuda_dnn.cc:361] Could "
                                  "not create cudnn handle: CUDNN_STATUS_INTERNAL_ERROR")
    assert triage(failing).verdict.root_cause != "no_problem"


def test_a_process_nvidia_smi_lists_is_on_the_gpu():
    text = ("PPO trains on my own environment, but the GPU graph barely moves and training is slow. nvidia-smi lists the "
            "python process with a little memory on the card, nothing more. Do I need to set something?")
    assert triage(text).verdict.root_cause == "no_problem"
    # with the framework saying it has no GPU, the process is not the answer
    assert triage(text + "\n>>> torch.cuda.is_available()\nFalse\n").verdict.root_cause != "no_problem"


def test_gpu_memory_the_run_holds_is_the_gpu_at_work():
    # (yolov4-pytorch#150, rewritten: Task Manager showed no "compute" while the memory rose; nothing was wrong)
    text = ("Title: during training the GPU only seems to hold memory while the computing happens on the CPU\n\n"
            "When Cuda is False the card is not used at all.\n\nWhen Cuda is True, GPU memory usage goes up, "
            "but the graphics card doesn't seem to do any computing. The computation still appears to run on the CPU.\n")
    assert triage(text).verdict.root_cause == "no_problem"
    # memory that fills until it fails is no sign of the work running well
    assert triage(text + " Then it stops with an error.").verdict.root_cause != "no_problem"
    from whynogpu.triage import cues
    assert "gpu_unused" in cues.find("But the graphics card doesn't seem to do any computing.")
    # nvidia-smi's memory column taken beside a GPU-Util of 0 % (PosFormer, rewritten)
    smi = ("During training, does anyone else see nvidia-smi showing memory in use (Memory-Usage is occupied) while "
           "Volatile GPU-Util stays at 0%?")
    assert triage(smi).verdict.root_cause == "no_problem"
    assert triage(smi.replace("memory in use (Memory-Usage is occupied)", "no memory used")).verdict.root_cause \
        != "no_problem"
    # the memory "loaded" with the run's data is the same sign (tf-pose-estimation#406, rewritten)
    loaded = ("Title: GPU Memory Loaded, but 0 Utilization\n\nThe GPUs get fully loaded with data (batch size 96), but "
              "nvidia-smi shows 0% GPU utilization and the CPU sits at 100%.")
    assert triage(loaded).verdict.root_cause == "no_problem"
    assert triage(loaded.replace("Memory Loaded, but 0", "0").replace("get fully loaded with data", "stay empty")) \
        .verdict.root_cause != "no_problem"


def test_a_hosted_gpu_runtime_with_nothing_installed_or_failing_is_the_workload():
    text = ("My tf-agents snippet takes the same wall time in Colab with the GPU runtime as with the CPU-only runtime. "
            "Is the GPU not being used here?")
    assert triage(text).verdict.root_cause == "no_problem"
    kaggle = "In a Kaggle notebook with a GPU accelerator, model.fit looks like only the CPU is working and the GPU is not used."
    assert triage(kaggle).verdict.root_cause == "no_problem"
    # a runtime that was fast before points at its image changing, and an install over it at that install
    before = "A few days ago my notebook trained fine on the Colab GPU. Today, on the GPU runtime, training is very slow."
    assert triage(before).verdict.root_cause != "no_problem"
    assert triage(text + "\n!pip install tensorflow==2.4.0\n").verdict.root_cause != "no_problem"


def test_another_framework_on_the_gpu_in_the_same_container_points_at_the_builds():
    text = ("torch in our GPU image doesn't see the GPU:\n```\ndocker run --gpus all -it ourimage:gpu python -c "
            "\"import torch; print(torch.cuda.is_available())\"\n```\nprints False. TensorFlow inside the very same "
            "container does find and use the GPU.")
    report = triage(text)
    assert report.verdict.root_cause == "cpu_only_package"
    # the same machine is not the same environment: another venv or a Ray worker may differ in more than the build
    other = text.replace("inside the very same container does find", "on the same machine does find")
    assert triage(other).verdict.root_cause != "cpu_only_package"
    # and one that fails there too says nothing of the kind
    neither = text.replace("does find and use the GPU", "doesn't find the GPU either")
    assert triage(neither).verdict.root_cause != "cpu_only_package"


# nvidia-smi's own words when the loader finds no NVML library (NVIDIA/nvidia-docker#854)
NO_NVML = ("NVIDIA-SMI couldn't find libnvidia-ml.so library in your system. Please make sure that the NVIDIA Display "
           "Driver is properly installed and present in your system.\nPlease also try adding directory that contains "
           "libnvidia-ml.so to your system PATH.")


def test_nvml_not_found_in_a_container_given_the_gpu_is_the_loader_path():
    text = f"The new image fails:\n```\n$ docker run --gpus all --rm -ti ourimage:gpu nvidia-smi\n{NO_NVML}\n```\n"
    assert triage(text).verdict.root_cause == "libs_not_on_path"
    # on a host the driver's user-space part is what is missing
    host = f"Ubuntu 22.04, RTX 3060:\n```\n$ nvidia-smi\n{NO_NVML}\n```\n"
    assert triage(host).verdict.root_cause == "driver_not_loaded"


def test_a_generic_aarch64_torch_on_a_jetson_has_no_cuda_for_it():
    text = ("On my Jetson AGX Orin with JetPack, inside the dev container:\n```\n>>> import torch\n>>> "
            "print(torch.__version__)\n1.12.0\n>>> torch.cuda.is_available()\nFalse\n```\n")
    assert triage(text).verdict.root_cause == "cpu_only_package"
    # the fix is NVIDIA's build for Jetson, not a download.pytorch.org wheel
    fix = triage(text).findings[0].fix.commands
    assert any("l4t-pytorch" in c for c in fix) and not any("download.pytorch.org" in c for c in fix)
    # NVIDIA's own Jetson build is another matter
    nv = text.replace("1.12.0\n", "1.12.0a0+2c916ef.nv22.3\n")
    assert not any("Jetson builds" in e.fact for f in triage(nv).findings for e in f.evidence)


def test_a_pypi_tensorflow_on_a_jetson_has_no_cuda_for_it_and_nvidias_build_is_fine():
    text = ("Jetson AGX Orin, Ubuntu 20.04, Python 3.8. TensorFlow 2.13.1 installed with `pip install tensorflow==2.13.1`; "
            "tf.config.list_physical_devices() lists only the CPU.")
    r = triage(text)
    assert r.verdict.root_cause == "cpu_only_package"
    assert any("install-tf-jetson-platform" in c for c in r.findings[0].fix.commands)
    nv = text.replace("TensorFlow 2.13.1 installed with `pip install tensorflow==2.13.1`",
                      "TensorFlow 2.11.0+nv23.01 from NVIDIA's Jetson index")
    assert not any("Jetson builds" in e.fact for f in triage(nv).findings for e in f.evidence)


def test_a_cuda_library_torch_from_pypi_cannot_load_is_one_of_its_pip_wheels():
    # torch's Linux wheels on PyPI bring CUDA as nvidia-* wheels (1.13 and later); the traceback format is torch's own
    text = ("In a fresh AlmaLinux 9 container:\n```\n# python3 -m pip install torch torchvision\n# python3 -c 'import torch'\n"
            "Traceback (most recent call last):\n  File \"/usr/local/lib64/python3.9/site-packages/torch/__init__.py\", "
            "line 367, in <module>\n    _load_global_deps()\nOSError: libcudart.so.12: cannot open shared object file: "
            "No such file or directory\n```\ntorch 2.5.0 was installed.")
    top = triage(text).findings[0]
    assert (top.code, top.category) == ("WG306", "pip_cuda_libs_not_found")
    # a report does not say where the wheels are: the fix finds them with the Python that runs the code
    assert all("(" not in c.split("=", 1)[1][:2] for c in top.fix.commands if c.startswith("export LD_LIBRARY_PATH="))
    assert any("nvidia.__path__" in c for c in top.fix.commands)
    # installed from an index of its own, the wheels are not known to be there
    other = text.replace("install torch torchvision", "install torch torchvision --index-url https://example.org/whl")
    assert triage(other).findings[0].code != "WG306"


def test_benign_notices_beside_a_framework_that_finds_no_gpu_are_no_working_gpu():
    text = ("TensorFlow still won't list my GPU:\n```\n>>> import tensorflow as tf\n2024-12-26 12:50:00.342945: I "
            "tensorflow/core/util/port.cc:113] oneDNN custom operations are on. You may see slightly different numerical "
            "results due to floating-point round-off errors from different computation orders. To turn them off, set the "
            "environment variable `TF_ENABLE_ONEDNN_OPTS=0`.\n>>> print(\"Num GPUs Available: \", "
            "len(tf.config.list_physical_devices('GPU')))\n...\n```\nand the count comes out as zero.")
    report = triage(text)
    assert report.verdict.root_cause != "no_problem"
    assert "no_problem" not in [c.category for c in report.candidates]


def test_pytorch_in_a_hosted_gpu_runtime_that_stays_idle_is_the_code_not_the_workload():
    # PyTorch computes on the GPU only where the code moves the model and tensors; TensorFlow places work by itself
    text = ("The PyTorch text classification tutorial in a Vertex AI Workbench notebook (GPU attached: NVIDIA T4) "
            "trains for hours, and the GPU doesn't seem to be doing any work at all.")
    assert triage(text).verdict.root_cause == "code_forces_cpu"
    tf = text.replace("PyTorch", "TensorFlow")
    assert triage(tf).verdict.root_cause == "no_problem"
    # one that trained fine days ago changed under the reporter
    before = tf + " It trained fine on the GPU two to four days ago."
    assert triage(before).verdict.root_cause != "no_problem"


def test_a_projects_requirements_install_then_an_idle_gpu_points_at_the_build_it_chose():
    text = ("I set up the project the way its README says:\n```\ngit clone https://example.org/proj.git\n"
            "pip install -r requirements.txt\npython setup.py install\n```\nTraining starts but it is extremely slow and "
            "the GPU is hardly doing anything while the CPU is busy.")
    assert triage(text).verdict.root_cause == "cpu_only_package"
    # with a failure in the report, the failure decides
    failing = text + ("\n```\nImportError: libcudnn.so.8: cannot open shared object file: No such file or directory\n```")
    assert triage(failing).verdict.root_cause != "cpu_only_package"


def test_memory_nearly_full_while_training_runs_is_the_framework_at_work():
    text = ("Running inside WSL2 on Windows, my config has device: 'cuda'. Windows Task Manager while training: CPU 73%, "
            "GPU 0%, but on the same GPU page the dedicated GPU memory is almost full. Is it on the GPU or not?")
    assert triage(text).verdict.root_cause == "no_problem"
    oom = text + "\n```\nRuntimeError: CUDA error: out of memory\n```\n"
    assert triage(oom).verdict.root_cause != "no_problem"


def test_vllms_wsl_pin_memory_warning_is_benign():
    # vLLM's own line (vllm/utils.py), as its logger prints it
    text = ("vLLM under WSL Ubuntu feels slower. Every time the engine starts I see this, and I don't know if it means "
            "something is misconfigured:\n```\nWARNING 09-18 10:59:09 cache_engine.py:96] Using 'pin_memory=False' as "
            "WSL is detected. This may slow down the performance.\n```\n")
    assert triage(text).verdict.root_cause == "no_problem"


def test_the_cuda_runtimes_own_error_string_is_not_put_on_tensorflow():
    # cudaGetErrorString(35), printed by CTranslate2 here: no TensorFlow anywhere in the report
    text = (f"faster-whisper in Kubernetes crashes when it loads the model:\n```\n{INSUFFICIENT}\n```\n")
    report = triage(text)
    assert not any("TensorFlow" in f.title for f in report.findings)
    # TensorFlow's own copy of the line still is TensorFlow's
    tf = ("2019-05-01 10:00:00.000000: E tensorflow/stream_executor/cuda/cuda_driver.cc:300] failed call to cuInit: "
          "CUDA_ERROR_INSUFFICIENT_DRIVER\nInternalError: cudaGetDevice() failed. Status: CUDA driver version is "
          "insufficient for CUDA runtime version\nimport tensorflow as tf; tensorflow 1.13.1")
    assert triage(tf).verdict.root_cause == "driver_too_old"


def test_memory_other_jobs_hold_does_not_hide_a_gpu_the_program_says_it_lacks():
    text = ("8 A100 cards; other jobs are using some of the GPUs at the same time, but my job can't find CUDA at all:\n"
            "```\n[INFO|parser.py:242] 2024-04-11 11:16:12,325 >> Process rank: 0, device: cpu, n_gpu: 0, distributed "
            "training: False,\n```\n")
    memory = [f for f in triage(text).findings if f.category == "gpu_memory_exhausted"]
    assert memory and all(f.severity.value != "error" for f in memory)


# PyTorch's "No CUDA GPUs are available" on native Windows beside an NVIDIA GPU: the driver does not run it, unless
# nvidia-smi shows it running the GPU; then something hides the GPU from CUDA in that process's environment
NO_GPUS = "RuntimeError: No CUDA GPUs are available"


def test_no_device_on_windows_is_the_driver_until_nvidia_smi_shows_it_running():
    text = f"Windows 11 laptop with an RTX 4070. torch 2.5.1+cu124 fails at start:\n```\n{NO_GPUS}\n```\n"
    assert triage(text).verdict.root_cause == "driver_not_loaded"
    running = text + "nvidia-smi works normally and shows the RTX 4070 with driver 566.14.\n"
    assert triage(running).verdict.root_cause == "cuda_visible_devices_hidden"


def test_an_invalid_ordinal_where_nvidia_smi_finds_no_device_is_the_driver():
    ordinal = "RuntimeError: cuda runtime error (101) : invalid device ordinal at /pytorch/aten/src/THC/THCGeneral.cpp:47"
    alone = f"Training stops at start:\n```\n{ordinal}\n```\n"
    assert triage(alone).verdict.root_cause == "cuda_visible_devices_hidden"
    with_smi = alone + "```\n$ nvidia-smi\nNo devices were found\n```\n"
    assert triage(with_smi).verdict.root_cause == "driver_not_loaded"


def test_deepmd_built_as_its_cpu_variant():
    # DeePMD-kit's start banner (deepmd-kit 2.x)
    text = ("dp train runs on the CPU of our GPU node:\n```\nDEEPMD INFO    build float prec:     double\n"
            "DEEPMD INFO    build variant:        cpu\nDEEPMD INFO    computing device:     cpu:0\n```\n")
    report = triage(text)
    assert report.verdict.root_cause == "cpu_only_package"
    assert any("deepmd-kit=*=*gpu" in c for c in report.findings[0].fix.commands)
    cuda = text.replace("variant:        cpu", "variant:        cuda")
    assert triage(cuda).verdict.root_cause != "cpu_only_package"


# TensorFlow 2.12's cuDNN version check and the op that then fails (tensorflow/text#1167)
CUDNN_LOADED = ("2023-06-19 17:03:27.840554: E tensorflow/compiler/xla/stream_executor/cuda/cuda_dnn.cc:417] Loaded "
                "runtime CuDNN library: 8.0.5 but source was compiled with: 8.6.0.  CuDNN library needs to have matching "
                "major version and equal or higher minor version.")
DNN_NOT_FOUND = ("2023-06-19 17:03:27.841329: W tensorflow/core/framework/op_kernel.cc:1830] OP_REQUIRES failed at "
                 "conv_ops.cc:1068 : UNIMPLEMENTED: DNN library is not found.")


def test_the_cause_two_messages_share_explains_both():
    # "DNN library is not found" is cuDNN missing or of the wrong version; the version check says which
    text = f"Conv1D fails as soon as fit() starts, TF 2.12 on an RTX 2080:\n```\n{CUDNN_LOADED}\n{DNN_NOT_FOUND}\n```\n"
    assert triage(text).verdict.root_cause == "cudnn_version_mismatch"
    assert triage(text.replace(CUDNN_LOADED, "")).verdict.root_cause == "cudnn_missing"


def test_a_ptxas_older_than_the_gpu_and_jaxlibs_own_source_paths():
    # jaxlib 0.4.1's XLA on an RTX 4080 with a CUDA 11.7 ptxas (jax-ml/jax#13570); the path is TensorFlow's source
    # tree inside jaxlib, not TensorFlow
    lines = ("2022-12-08 11:37:51.345475: W external/org_tensorflow/tensorflow/compiler/xla/stream_executor/gpu/"
             "asm_compiler.cc:231] Falling back to the CUDA driver for PTX compilation; ptxas does not support CC 8.9\n"
             "2022-12-08 11:37:51.352219: E external/org_tensorflow/tensorflow/compiler/xla/stream_executor/cuda/"
             "cuda_driver.cc:628] failed to get PTX kernel \"broadcast\" from module: CUDA_ERROR_NOT_FOUND: named symbol "
             "not found\n")
    report = triage(f"RTX 4080: jax.devices() lists the GPU but jnp.ones(5) fails:\n```\n{lines}```\n")
    assert report.verdict.root_cause in ("compute_capability_unsupported", "cuda_version_mismatch")
    assert "gpu_memory_exhausted" not in [c.category for c in report.candidates]  # no TensorFlow beside JAX


def test_an_app_that_finds_every_gpu_busy_points_at_the_memory_others_hold():
    # bert-as-service's start line when GPUtil finds no GPU under its memory and load limits (clip-as-service#14)
    text = ("The server starts but uses none of the four Tesla M60s:\n```\n"
            "W:[server.py:85]:only 0 GPU(s) is available, but ask for 4\n```\n")
    report = triage(text)
    assert report.verdict.root_cause == "gpu_memory_exhausted"
    assert report.findings[0].fix.commands == ("nvidia-smi",)


def test_a_tensor_printed_on_a_cuda_device_is_the_gpu_at_work():
    # CUDA numbers the GPUs a process sees from 0: with CUDA_VISIBLE_DEVICES=5 the one visible GPU is device 0
    old = ("CUDA_VISIBLE_DEVICES=5 python3 train.py puts the tensor on GPU 0, not 5:\n```\n"
           "[torch.cuda.FloatTensor of size 1x2 (GPU 0)]\n```\n")
    assert triage(old).verdict.root_cause == "no_problem"
    new = old.replace("[torch.cuda.FloatTensor of size 1x2 (GPU 0)]", "tensor([ 2.5000, -13.2386], device='cuda:0')")
    assert triage(new).verdict.root_cause == "no_problem"
    code = old.replace("[torch.cuda.FloatTensor of size 1x2 (GPU 0)]", "x = torch.tensor([1.0], device='cuda:0')")
    assert triage(code).verdict.root_cause != "no_problem"  # code that asks for the device shows nothing ran


def test_an_amd_card_named_in_other_languages():
    for words in ("Что делать, если у меня видеокарта AMD?", "我的显卡是 AMD 的，torch.cuda.is_available() 是 False",
                  "torch.cuda.is_available() が False です。使っているのは AMDのグラボ。"):
        assert "no_nvidia_gpu" in [c.category for c in triage(words).candidates], words


def test_a_half_precision_operation_on_the_cpu_is_work_left_on_the_cpu():
    # PyTorch's CPU kernels keep float16 for moving data, not computing (pytorch/pytorch#52291)
    half = 'RuntimeError: "LayerNormKernelImpl" not implemented for \'Half\''
    report = triage(f"Converting the model with --fp16 dies:\n```\n{half}\n```\n")
    assert report.verdict.root_cause == "cpu_only_package"
    assert "WG502" not in [f.code for f in report.findings]  # no sign of a CUDA build that sees no GPU
    amd = triage(f"The app does not see my AMD graphics card:\n```\n{half}\n```\n")
    assert amd.verdict.root_cause == "no_nvidia_gpu"  # the GPU the reporter has: no CUDA build can use it


def test_a_native_program_that_cannot_find_libtorch_is_its_loader_path():
    # the dynamic loader's start-up message for a binary linked against LibTorch (LaurentMazare/tch-rs#767), unlike
    # Python's ImportError for a compiled extension that asks a CPU torch for libtorch_cuda.so
    native = ("target/release/imgtagger : error while loading shared libraries: libtorch_cuda.so: cannot open shared "
              "object file: No such file or directory")
    report = triage(f"My Rust binary fails at start:\n```\n{native}\n```\n")
    assert report.verdict.root_cause == "libs_not_on_path"
    assert any("libtorch/lib" in c for c in report.findings[0].fix.commands)
    ext = "ImportError: libtorch_cuda.so: cannot open shared object file: No such file or directory"
    assert triage(f"import torch_scatter fails:\n```\n{ext}\n```\n").verdict.root_cause != "libs_not_on_path"


def test_a_cuda_error_named_by_its_number_is_read_through_the_error_table():
    text = "Since the host update torch.cuda.is_available() is False with CUDA error 804 in the container.\n"
    report = triage(text)
    assert report.verdict.root_cause in ("driver_too_old", "driver_library_mismatch")  # knowledge/cuda_errors.csv 804
    assert triage(text.replace("CUDA error 804", "CUDA 11.8")).verdict.root_cause not in ("driver_too_old",)


# The loader's words when libcuda.so.1 is an empty file (Thinklab-SJTU/R3Det_Tensorflow#78: an image started with plain
# `docker run`; the same on a cluster's head node, which has no driver)
EMPTY_LIBCUDA = "ImportError: /usr/lib/x86_64-linux-gnu/libcuda.so.1: file too short"


def test_an_empty_libcuda_is_a_missing_driver_or_a_container_started_without_the_gpu():
    host = f"On our cluster's login machine `import tensorflow` fails:\n```\n{EMPTY_LIBCUDA}\n```\n"
    report = triage(host)
    assert report.verdict.root_cause == "driver_not_loaded"
    assert "no_nvidia_gpu" in [c.category for c in report.candidates]
    container = f"I start it with `docker run -it my-tf-image bash`, then:\n```\n>>> import tensorflow\n{EMPTY_LIBCUDA}\n```\n"
    assert triage(container).verdict.root_cause == "container_no_gpu"


def test_jax_outdated_cuda_library_retold_in_a_sentence_is_read_as_the_message():
    # jax_plugins/cuda/__init__.py prints "Outdated {name} installation found." for CUDA, cuBLAS, cuFFT, cuPTI, cuSPARSE
    text = ('JAX falls back to CPU at the first data load: it complains about an "Outdated cuBLAS installation" and '
            "then runs on the CPU.\nA system CUDA 13 is on LD_LIBRARY_PATH; JAX came with its pip CUDA wheels.\n")
    report = triage(text)
    assert report.verdict.root_cause in ("cuda_version_mismatch", "system_libs_shadow_pip_libs")
    assert {"cuda_version_mismatch", "system_libs_shadow_pip_libs"} <= {c.category for c in report.candidates}


def test_cudnn_internal_error_alone_is_first_the_memory_tensorflow_reserved():
    # tensorflow#24496: the error went away with memory growth (allow_growth / TF_FORCE_GPU_ALLOW_GROWTH)
    text = "Training stops on the first convolution with `CUDNN_STATUS_INTERNAL_ERROR`; other models train fine.\n"
    report = triage(text)
    assert report.verdict.root_cause == "gpu_memory_exhausted"
    assert "cudnn_version_mismatch" in [c.category for c in report.candidates]


def test_cusolver_internal_error_with_jax_cuda_wheels_is_first_a_mismatched_wheel_set():
    # jax-ml/jax#29475: `pip install -U nvidia-cublas-cu12` resolved it (jax 0.6.1's wheels); else memory
    text = ("`uv add jax[cuda]` (jax 0.6.1), then the MJX example dies:\n```\n"
            "jaxlib._jax.XlaRuntimeError: INTERNAL: cuSolver internal error\n```\n")
    report = triage(text)
    assert report.verdict.root_cause == "cuda_version_mismatch"
    assert "gpu_memory_exhausted" in [c.category for c in report.candidates]


def test_libtorch_not_linked_with_cuda_is_a_build_without_its_cuda_part():
    # c10's getDeviceGuardImpl: "PyTorch is not linked with support for <type> devices" (R torch, LibTorch in C++)
    text = ("torch for R on Windows, CUDA 10.1 installed:\n```\n> cuda_is_available()\n[1] FALSE\n"
            "> torch_tensor(1, device = \"cuda\")\nError in cpp_torch_tensor(data, rev(dimension), options, "
            "requires_grad,  : \n  PyTorch is not linked with support for cuda devices\n```\n")
    report = triage(text)
    assert report.verdict.root_cause == "cpu_only_package"
    assert "cuda_libs_missing" in [c.category for c in report.candidates]


# onnxruntime's own words (formats from microsoft/onnxruntime#10685, #4809 and commaai/openpilot#31708)
ORT_NO_CUDA = ("/venv/lib/python3.10/site-packages/onnxruntime/capi/onnxruntime_inference_collection.py:118: UserWarning: "
               "Specified provider 'CUDAExecutionProvider' is not in available provider names.Available providers: "
               "'AzureExecutionProvider, CPUExecutionProvider'\n  warnings.warn(\n")
ORT_FAILED = ("2024-03-05 11:40:14.847815005 [W:onnxruntime:Default, onnxruntime_pybind_state.cc:861 "
              "CreateExecutionProviderInstance] Failed to create CUDAExecutionProvider. Please reference "
              "https://onnxruntime.ai/docs/execution-providers/CUDA-ExecutionProvider.html#requirements to ensure all "
              "dependencies are met.\n")


# mmcv's own message (open-mmlab/mmrotate#395): the extension is a CPU build, torch itself sees the GPU
MMCV_NO_CUDA = ("  File \"site-packages/mmcv/ops/nms.py\", line 28, in forward\n    inds = ext_module.nms(\n"
                "RuntimeError: nms_impl: implementation for device cuda:0 not found.\n"
                "But print(torch.cuda.is_available()) is True.\n")

# the message of a C++/CUDA extension compiled without WITH_CUDA (detectron2's ops; format from meshrcnn#27, DCNv2#82)
EXT_NO_CUDA = ("  File \"detectron2/layers/roi_align.py\", line 95, in forward\n"
               "RuntimeError: Not compiled with GPU support (ROIAlign_forward at "
               "/home/user/detectron2/detectron2/layers/csrc/ROIAlign/ROIAlign.h:73)\n")


@pytest.mark.parametrize("text, want, program", [
    ("Face swapping runs on the CPU:\n" + ORT_NO_CUDA, "cpu_only_package", "onnxruntime"),
    (">>> import onnxruntime as ort\n>>> ort.get_available_providers()\n['AzureExecutionProvider', 'CPUExecutionProvider']\n",
     "cpu_only_package", "onnxruntime"),
    ("I installed onnxruntime-gpu but inference is slow:\n" + ORT_FAILED, "cuda_libs_missing", "onnxruntime"),
    # a program's own check of get_available_providers() (microWakeWord-Trainer-Nvidia-Docker#1's notebook)
    ("Torch sees the card, but step 3 prints:\n```\n⚠️  CUDAExecutionProvider not available — ONNX will fall back to "
     "CPU.\n```\n", "cpu_only_package", "onnxruntime"),
    (MMCV_NO_CUDA, "cpu_only_package", "mmcv"),
    ("train_net fails:\n" + EXT_NO_CUDA, "cpu_only_package", "extension"),
])
def test_a_package_on_the_framework_without_its_cuda_part(text, want, program):
    # the finding names the package whose message it is, not the report's framework
    report = triage(text)
    assert report.verdict.root_cause == want
    assert program in report.findings[0].title and "TensorFlow" not in report.findings[0].title


def test_onnxruntime_listing_its_cuda_provider_is_no_cpu_build():
    text = ">>> ort.get_available_providers()\n['CUDAExecutionProvider', 'CPUExecutionProvider']\n"
    assert triage(text).verdict.root_cause != "cpu_only_package"



# Windows' STATUS_STACK_BUFFER_OVERRUN as PyCharm prints it (format from tensorflow/tensorflow#45611 and #57738)
WIN_CRASH = ("2021-11-22 23:55:07.019016: I tensorflow/stream_executor/platform/default/dso_loader.cc:53] Successfully "
             "opened dynamic library cudart64_110.dll\n...\nProcess finished with exit code -1073740791 (0xC0000409)\n")


def test_a_windows_crash_in_a_native_gpu_library_points_at_cudnn():
    text = "TensorFlow crashes in model.predict on Windows 10, Python 3.8. Console output (run from PyCharm):\n```\n" + \
        WIN_CRASH + "```\n"
    report = triage(text)
    assert report.verdict.root_cause == "cudnn_version_mismatch"
    assert "cuda_version_mismatch" in [c.category for c in report.candidates]
    # "console output (run from PyCharm)" labels the paste: it names no second place the GPU works in (WG835)
    assert "WG835" not in [f.code for f in report.findings]
    two_places = text.replace("Console output (run from PyCharm):",
                              "It works in the console, but not when run from PyCharm:")
    assert "WG835" in [f.code for f in triage(two_places.replace(WIN_CRASH, "no GPU is listed\n")).findings]


# PyTorch's wording of cudaErrorDevicesUnavailable; under WDDM (Windows, and WSL through it) NVML allows only the Default
# compute mode, so no exclusive mode explains it there (nvmlDeviceSetComputeMode)
BUSY = "RuntimeError: CUDA error: all CUDA-capable devices are busy or unavailable"


@pytest.mark.parametrize("where, want", [
    ("Ubuntu 22.04 on WSL2, nothing else runs on the GPU", "wsl_gpu_not_enabled"),
    ("Windows 10 workstation with an RTX A5000", "driver_not_loaded"),
    ("Ubuntu 22.04 server with an RTX A5000", "gpu_access_restricted"),  # Linux: an exclusive compute mode can be set
])
def test_busy_or_unavailable_reads_by_the_driver_model(where, want):
    assert triage(f"{where}. The web UI fails at start:\n```\n{BUSY}\n```\n").verdict.root_cause == want


# TensorFlow's dso_loader warning ends with the loader path it searched ("…; LD_LIBRARY_PATH: …"); TensorRT's
# libnvinfer is optional (log_messages.csv, tf_dlopen_tensorrt). The shapes below are retellings from the rewrite sets.
@pytest.mark.parametrize("sentence", [
    "TensorFlow prints two warnings that it could not load dynamic library 'libnvinfer.so.6' and "
    "'libnvinfer_plugin.so.6' (cannot open shared object file), both showing LD_LIBRARY_PATH as /usr/local/nvidia/lib.",
    "The other is a warning that it could not load the dynamic library libnvinfer.so.7, with LD_LIBRARY_PATH shown as "
    "/usr/local/nvidia/lib:/usr/local/nvidia/lib64.",
])
def test_the_loader_path_in_a_retold_tensorrt_warning_is_no_path_problem(sentence):
    from whynogpu.triage.extract import extract
    assert "phrase:libs_not_on_path" not in {c.id for c in extract(sentence).cues}
    # the same warning for the CUDA runtime keeps the reading: that library is needed
    cudart = sentence.replace("libnvinfer_plugin.so.6", "libcudart.so.10.1").replace("libnvinfer.so.7", "libcudart.so.11.0")
    assert "phrase:libs_not_on_path" in {c.id for c in extract(cudart).cues}


def test_an_unknown_cuda_error_on_native_windows_is_the_windows_driver_not_nvidia_uvm():
    # nvidia_uvm is a module of the Linux driver (CUDA's Linux installation guide): Windows has none
    text = "{} face_recognition worked on the GPU yesterday. Now it dies with CUDA unknown error 999."
    assert triage(text.format("Windows 10.")).verdict.root_cause == "driver_not_loaded"
    assert triage(text.format("Ubuntu 22.04.")).verdict.root_cause == "nvidia_uvm_unavailable"


def test_a_failure_on_some_runs_of_one_setup_is_the_gpus_state_not_its_versions():
    # jax-ml/jax#15361's shape: cuDNN cannot start under JAX on one run in several (another process held the memory)
    from whynogpu.triage.extract import extract
    from whynogpu.triage.readings import readings

    line = ("2023-04-02 16:00:19.964652: E external/xla/xla/stream_executor/cuda/cuda_dnn.cc:429] Could not create "
            "cudnn handle: CUDNN_STATUS_NOT_INITIALIZED\n")
    some = "Most of the time my JAX scripts run without problems. Now and then the same script fails at startup:\n"
    every = "My JAX script fails at startup:\n"
    for text, first in ((some + line, "gpu_memory_exhausted"), (every + line, "cudnn_version_mismatch")):
        f = extract(text)
        m = next(m for m in f.log if m.id == "tf_cudnn_handle")
        order, _ = readings(m, f)
        assert order[0] == first, text
    # and nothing that fails every run stays among the causes of a run that fails only sometimes
    f = extract(some + line)
    assert readings(next(m for m in f.log if m.id == "tf_cudnn_handle"), f)[0] == ["gpu_memory_exhausted"]
    from whynogpu.triage import cues
    assert "intermittent" not in cues.find("Sometimes I see this warning, and the GPU is used.")
