"""Facts a reporter gives in words, read like the program output they retell."""

from __future__ import annotations

import pytest

from helpers import triage_on_evidence as triage  # the readings alone (WG836's vote: test_similar_reports.py)
from whynogpu.facts.report import TriageFacts
from whynogpu.triage.engine import snapshot as snapshot_of
from whynogpu.triage.extract import extract


def stated(text: str, key: str) -> list[str]:
    return [s.value for s in extract(text).stated if s.key == key]


@pytest.mark.parametrize("text, lib", [
    ("When I import it, TensorFlow says it can't find libcudart.so.11.0 and falls back to CPU.", "libcudart.so.11.0"),
    ("On Windows it could not load cudnn64_8.dll, so no GPU.", "cudnn64_8.dll"),
    ("The log says libcublas.so.12 is missing.", "libcublas.so.12"),
    ("libcudnn.so.8 was not found, according to the warning", "libcudnn.so.8"),
])
def test_a_library_the_reporter_says_failed_to_load(text, lib):
    assert stated(text, "lib_failed") == [lib]


def test_a_library_named_without_a_failure_is_no_failure():
    assert stated("I have libcudart.so.11.0 in /usr/local/cuda/lib64.", "lib_failed") == []


def test_the_retold_failure_is_judged_like_the_loader_message():
    # CUDA 11.1 from conda names its runtime libcudart.so.11.0 (the same soname for every 11.x): the library
    # exists, so a failure to load it is a search-path problem, not a missing or a mismatched CUDA.
    text = ("TensorFlow 2.8 says it cannot find libcudart.so.11.0 and runs on the CPU.\n"
            "I installed cudatoolkit 11.1 with cudnn 8.1 from conda.\n")
    assert triage(text).verdict.root_cause == "libs_not_on_path"
    # with CUDA 10.1 only, the runtime asked for is of another release
    text = ("TensorFlow 2.8 says it cannot find libcudart.so.11.0 and runs on the CPU.\n"
            "The image starts FROM nvidia/cuda:10.1-cudnn7-devel.\n")
    assert stated(text, "cuda") == ["10.1"]
    assert triage(text).verdict.root_cause == "cuda_version_mismatch"


def test_a_quoted_message_about_the_library_is_not_read_twice():
    # The program's own line says more than the retelling (here: another failure than "not found").
    title = 'PyTorch crashes in conv with "Could not load library libcudnn_cnn_train.so.8 ... undefined symbol"\n'
    text = ("```\nCould not load library libcudnn_cnn_train.so.8. Error: /usr/local/cuda-12.3/lib64/"
            "libcudnn_cnn_train.so.8: undefined symbol: _ZN5cudnn3cnn5xyzE, version libcudnn_cnn_infer.so.8\n```\n")
    alone = triage(text)
    with_title = triage(title + text)
    assert [(f.code, f.category) for f in with_title.findings] == [(f.code, f.category) for f in alone.findings]


def test_a_path_set_in_the_shell_profile_is_not_seen_by_a_service():
    # .bashrc is read by interactive shells only: a systemd service, cron or an IDE never sees what it exports,
    # so the library the service cannot load is there, off that process's search path.
    log = ("2023-01-01 10:00:00.000000: W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not "
           "load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file: No such "
           "file or directory\n")
    said = "I exported LD_LIBRARY_PATH in .bashrc but the systemd service running my model fails:\n"
    assert triage(said + log).verdict.root_cause == "libs_not_on_path"
    assert triage(log).verdict.root_cause == "cudnn_missing"


def test_a_repl_expression_that_prints_nothing_is_none():
    # The REPL prints nothing for None: torch.version.cuda is None on a CPU build.
    text = ">>> import torch\n>>> torch.version.cuda\n>>> torch.cuda.is_available()\nFalse\n"
    assert stated(text, "torch_version_cuda") == ["None"]
    assert triage("conda install pytorch==1.9.0 cudatoolkit=11.1 -c pytorch\n" + text).verdict.root_cause == \
        "cpu_only_package"
    # an assignment prints nothing either, whatever its value
    assert stated(">>> v = torch.version.cuda\n>>> print(v)\n", "torch_version_cuda") == []


@pytest.mark.parametrize("text, root_cause", [
    ("I have an intel graphics card and lspci | grep -i nvidia prints nothing. Can I still train with PyTorch?",
     "no_nvidia_gpu"),
    ("Running on a 2016 MBP with Intel Iris Graphics 550.\nAssertionError: Torch not compiled with CUDA enabled",
     "macos_no_cuda"),
    ("Inside the training process CUDA_VISIBLE_DEVICES is set to -1 although my shell does not set it.",
     "cuda_visible_devices_hidden"),
    ("I had tensorflow-gpu and installed the optimized wheel; now I have two tensorflow versions installed and "
     "training no longer uses the GPU.", "package_conflict"),
    ("Upgrading the project pulled in the plain tensorflow although tensorflow-gpu 1.12 was already installed.",
     "package_conflict"),
    ("With tensorflow-gpu 1.0 the GPU worked. After `pip3 install keras` TensorFlow only sees the CPU.",
     "cpu_only_package"),
    ("- tensorflow-gpu: 1.4\nWhen I install keras_vggface with pip, it takes away my tensorflow-gpu and puts the plain "
     "`tensorflow` package in its place.", "cpu_only_package"),
    ("I followed the installation section of the README exactly. Training runs, but nvidia-smi shows no process on "
     "the GPU.", "cpu_only_package"),
])
def test_what_the_reporter_states(text, root_cause):
    assert triage(text).verdict.root_cause == root_cause


def test_memory_taken_at_start_is_the_framework_reserving_it():
    # TensorFlow and JAX reserve most of the GPU memory when they start: the GPU is in use. With failures beside
    # it, too little is left for the rest.
    quiet = "I installed jax with CUDA, no errors. Right after I import it nvidia-smi shows 18 GB of memory used."
    assert triage(quiet).verdict.root_cause == "no_problem"
    failing = ("jax.devices() lists my 2 GB GPU, but every convolution fails with cuDNN errors. nvidia-smi shows "
               "almost the whole 2 GB taken by python.")
    assert triage(failing).verdict.root_cause == "gpu_memory_exhausted"


def test_ld_library_path_beside_the_frameworks_own_pip_cuda_is_shadowing():
    # LD_LIBRARY_PATH is searched before a library's RUNPATH: with pip CUDA wheels, a system CUDA on it wins.
    said = ("torch 2.2 from pip crashes in a conv inside libcudnn_cnn_infer.so.8 from site-packages/nvidia/cudnn/lib.\n"
            "I installed the CUDA 12 toolkit and set LD_LIBRARY_PATH in my .bashrc as NVIDIA's guide says.\n")
    assert triage(said).verdict.root_cause == "system_libs_shadow_pip_libs"
    # without the framework's own pip libraries in the report, the variable is only a search-path matter
    alone = "TensorFlow 2.4 can't load its CUDA libraries; I set LD_LIBRARY_PATH in my .bashrc.\n"
    assert triage(alone).verdict.root_cause != "system_libs_shadow_pip_libs"


def test_windows_named_beside_wsl_is_the_host():
    # Under WSL the framework runs in Linux: TensorFlow's native-Windows limit does not apply there.
    from whynogpu.facts.platform import PlatformFacts

    snap = snapshot_of("Windows 11 + WSL2 Ubuntu, tensorflow 2.16 with the and-cuda extra: no GPU listed.")
    plat = snap.get(PlatformFacts)
    assert (plat.os, plat.wsl) == ("linux", 2)
    assert "WG101" not in [f.code for f in triage("Windows 11 + WSL2 Ubuntu, tensorflow 2.16 with the and-cuda "
                                                  "extra: no GPU listed.").findings]


def test_a_container_started_with_gpus_is_not_suspected_from_words():
    text = ("WSL2 on an Insider build: `sudo docker run --gpus all nvcr.io/nvidia/k8s/cuda-sample:nbody nbody -gpu` "
            "says\nError: only 0 Devices available, 1 requested.  Exiting.\n")
    assert "container_no_gpu" not in [c.category for c in triage(text).candidates]


@pytest.mark.parametrize("text, root_cause", [
    ("TensorFlow segfaults when creating a session on our shared box; the admins put the cards in exclusive mode.",
     "gpu_access_restricted"),
    ("From an R shell on the server tensorflow finds the GPU, from the RStudio web GUI it fails:\n"
     "ImportError: libcudart.so.7.5: cannot open shared object file: No such file or directory\n", "libs_not_on_path"),
])
def test_setups_said_in_words(text, root_cause):
    assert triage(text).verdict.root_cause == root_cause


def test_a_library_the_reporter_found_absent_is_missing_not_off_the_path():
    log = ("2020-09-03 14:02:11.349412: W tensorflow/stream_executor/platform/default/dso_loader.cc:59] Could not load "
           "dynamic library 'libcublas.so.10'; dlerror: libcublas.so.10: cannot open shared object file: No such file "
           "or directory\n")
    said = "TensorFlow 2.3.0, CUDA 10.1 from apt.\n"
    # CUDA 10.1 names its cuBLAS libcublas.so.10: by itself the release says a copy exists somewhere
    assert triage(said + log).verdict.root_cause == "libs_not_on_path"
    looked = said + log + "Only cuBLAS fails, and there is indeed no libcublas in /usr/local/cuda-10.1.\n"
    assert stated(looked, "lib_absent") == ["cublas"]
    assert triage(looked).verdict.root_cause == "cuda_libs_missing"


def test_a_wheel_folder_the_reporter_sees_makes_a_failure_to_load_from_it_a_lookup_problem():
    text = ("poetry add torch (2.2.2), then python -c 'import torch' ends with\n"
            "ImportError: libcudnn.so.8: cannot open shared object file: No such file or directory\n")
    assert triage(text).verdict.root_cause == "cudnn_missing"
    seen = text + "I can see the cuDNN files in the virtualenv under site-packages/nvidia/cudnn/lib.\n"
    assert triage(seen).verdict.root_cause == "pip_cuda_libs_not_found"


def test_the_loaded_cudnn_beside_a_pip_cudnn_on_a_system_path_is_shadowing():
    # The pip cuDNN is the version TF was built with; the one loaded is older, from a folder earlier on the path.
    text = ("TF 2.12 in a conda env, nvidia-cudnn-cu11==8.6.0.163 and tensorflow==2.12.* from pip, then\n"
            "export LD_LIBRARY_PATH=$LD_LIBRARY_PATH:$CONDA_PREFIX/lib/:$CUDNN_PATH/lib\n"
            "2023-06-01 15:58:54.130390: E tensorflow/compiler/xla/stream_executor/cuda/cuda_dnn.cc:417] Loaded runtime "
            "CuDNN library: 8.1.1 but source was compiled with: 8.6.0.  CuDNN library needs to have matching major "
            "version and equal or higher minor version.\n")
    report = triage(text)
    assert report.verdict.root_cause == "system_libs_shadow_pip_libs"
    # without the pip cuDNN in the report it is the cuDNN release that is wrong
    alone = text.replace("nvidia-cudnn-cu11==8.6.0.163 and ", "")
    assert triage(alone).verdict.root_cause == "cudnn_version_mismatch"


@pytest.mark.parametrize("text, folder", [
    ("Ubuntu 20.04, TensorFlow 2.4, CUDA 11.0 installed from NVIDIA's runfile.\n", "/usr/local/cuda-11.0/lib64"),
    ("The file is there, I checked. TensorFlow 2.4:\n", "<the folder that holds libcudart.so.11.0>"),
])
def test_the_path_fix_names_a_real_folder_or_a_placeholder_never_a_note(text, folder):
    # the copy the report implies lives in the release's default folder, or in one the reporter must fill in
    log = ("2021-01-05 10:00:00.000000: W tensorflow/stream_executor/platform/default/dso_loader.cc:60] Could not load "
           "dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file: No such "
           "file or directory\n")
    report = triage(text + log)
    top = report.findings[0]
    assert top.code == "WG305"
    assert all("line " not in c and "(CUDA" not in c for c in top.fix.commands), top.fix.commands
    assert any(folder in c for c in top.fix.commands)


@pytest.mark.parametrize("where, root_cause", [
    ("Ubuntu 22.04 on bare metal, an RTX 3090.", "driver_not_loaded"),  # with no NVIDIA GPU named: test_triage_message_readings
    ("WSL2 Ubuntu on Windows 11.", "wsl_gpu_not_enabled"),  # the driver is Windows', passed in through WSL
    ("Inside our docker container (docker compose up).", "container_no_gpu"),  # the host's, passed in or not
])
def test_no_driver_found_means_the_host_driver_was_not_passed_in_under_wsl_or_a_container(where, root_cause):
    text = (where + " torch 2.3.0 fails at start:\n"
            "RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed "
            "a driver from http://www.nvidia.com/Download/index.aspx\n")
    assert triage(text).verdict.root_cause == root_cause


def test_a_gpu_the_framework_sees_but_the_work_never_reaches_is_the_code():
    text = ("torch.cuda.is_available() returns True in this env and other projects use the GPU, but training with "
            "this library is painfully slow and nvidia-smi shows no python process on the GPU.")
    assert triage(text).verdict.root_cause == "code_forces_cpu"
    # Task Manager's graphs do not show CUDA work: there the GPU is in use after all
    tm = text.replace("nvidia-smi shows no python process on the GPU", "Task Manager shows the GPU at 0%")
    assert triage(tm).verdict.root_cause != "code_forces_cpu"


@pytest.mark.parametrize("placed", [
    "the model is on cuda:0 and nvidia-smi shows 2GB used",
    "next(model.parameters()).device prints device(type='cuda', index=0)",
])
def test_slow_work_that_sits_on_the_gpu_is_fed_too_slowly_not_kept_on_the_cpu(placed):
    text = ("PyTorch 2.1, training is very slow and GPU utilization stays around 5%. torch.cuda.is_available() is "
            f"True and {placed}. The dataloader reads images from a network drive with num_workers=0.")
    r = triage(text)
    assert r.verdict.root_cause == "no_problem"
    assert "code_forces_cpu" not in [c.category for c in r.candidates]
    # without the statement that the work is on the GPU, the code is still the suspect
    bare = text.replace(f" and {placed}", "")
    assert triage(bare).verdict.root_cause == "code_forces_cpu"


def test_a_question_about_informational_messages_is_answered_no_problem():
    log = ("2020-11-08 14:02:11.480172: I tensorflow/stream_executor/platform/default/dso_loader.cc:49] Successfully "
           "opened dynamic library libcudart.so.11.0\n"
           "2020-11-08 14:02:13.207404: I tensorflow/compiler/jit/xla_gpu_device.cc:99] Not creating XLA devices, "
           "tf_xla_enable_xla_devices not set\n")
    asked = "Since TensorFlow 2.4 I see this at every start. Does this mean the GPU is disabled now?\n"
    assert triage(asked + log).verdict.root_cause == "no_problem"
    failing = log + ("2020-11-08 14:02:13.300000: W tensorflow/stream_executor/platform/default/dso_loader.cc:60] "
                     "Could not load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object "
                     "file: No such file or directory\n")
    assert triage(asked + failing).verdict.root_cause != "no_problem"


@pytest.mark.parametrize("text, key, version", [
    ("The TensorFlow in the image is 2.13. Any idea?", "tf_version", "2.13"),
    ("my tensorflow-gpu version was 1.15.0", "tf_version", "1.15.0"),
    ("The PyTorch in that env is 2.1.0+cu118, installed by the script.", "torch_version", "2.1.0+cu118"),
    ("`pip show tensorflow` says 2.10.1.", "tf_version", "2.10.1"),
    ("In Python, `tf.config.list_physical_devices('GPU')` returns `[]`.", "tf_gpus", "[]"),
    ("`torch.cuda.is_available()` still returns False", "torch_cuda_available", "False"),
])
def test_a_release_said_a_few_words_after_the_framework(text, key, version):
    assert stated(text, key) == [version]


def test_a_framework_release_named_beside_the_images_cuda_decides_the_mismatch():
    # TF 2.13 is built for CUDA 11.8; an image whose CUDA banner says 12.1.1 loads none of its libraries
    text = ("==========\n== CUDA ==\n==========\n\nCUDA Version 12.1.1\n\n"
            "2023-07-13 09:12:44.218305: I tensorflow/tsl/cuda/cudart_stub.cc:28] Could not find cuda drivers on "
            "your machine, GPU will not be used.\nThe TensorFlow in the image is 2.13, started with --gpus all.\n")
    assert triage(text).verdict.root_cause == "cuda_version_mismatch"


@pytest.mark.parametrize("text, key, value", [
    ("I'm using tf 2.10 with cuda 11.2 and cudnn 8.1 on windows 10", "cudnn", "8.1"),
    ("CUDA 11.8 and cuDNN v8.6.0 are installed", "cudnn", "8.6.0"),
    ("My RTX 3090 is not used by pytorch 1.7.0+cu101", "torch_version", "1.7.0+cu101"),
    ("tf.config.list_physical_devices('GPU') returns an empty list", "tf_gpus", "[]"),
    ("I installed pytorch with cuda 11.3 via conda", "torch_build_cuda", "11.3"),
    ("conda install pytorch torchvision cudatoolkit=10.2 -c pytorch", "torch_build_cuda", "10.2"),
    ("on Ubuntu 18.04. Any idea?", "os", "Ubuntu 18.04"),
])
def test_versions_in_everyday_sentences(text, key, value):
    assert stated(text, key)[:1] == [value]


def test_a_form_field_that_goes_on_as_a_sentence_is_read_as_one():
    text = "Tensorflow version: 2.4.1, CUDA 10.1, cuDNN 7.6 on Ubuntu 18.04"
    assert (stated(text, "tf_version"), stated(text, "cuda"), stated(text, "cudnn")) == (["2.4.1"], ["10.1"], ["7.6"])
    # TensorFlow 2.4 is built for CUDA 11.0: the release and the toolkit the reporter names decide it
    assert triage(text + "\nThe GPU list is empty.").verdict.root_cause == "cuda_version_mismatch"


def test_the_cuda_a_pytorch_was_built_for_is_not_an_installed_toolkit():
    text = "nvidia driver version 440.33, I installed pytorch with cuda 11.3 via conda and cuda is not available."
    assert stated(text, "cuda") == []
    assert triage(text).verdict.root_cause == "driver_too_old"  # CUDA 11.x needs a 450 driver or newer


@pytest.mark.parametrize("text, root_cause", [
    # tensorflow-gpu 1.13 was built against CUDA 10.0, 1.5-1.12 against 9.0 (tested build configurations table)
    ("Ubuntu, pip install tensorflow-gpu gave me tensorflow-gpu 1.13.1; I have CUDA 9.0 as the install page said. No GPU.",
     "cuda_version_mismatch"),
    ("tensorflow-gpu 1.8 with CUDA 10.0 and cuDNN 7.4 on Ubuntu 16.04: the GPU is not used.", "cuda_version_mismatch"),
])
def test_tensorflow_1x_releases_are_known_with_their_cuda(text, root_cause):
    assert triage(text).verdict.root_cause == root_cause


def test_an_install_of_the_driver_or_cuda_is_not_a_package_that_replaced_the_framework():
    for text in ("After installing cuda 11.8 torch no longer finds the GPU.",
                 "After `sudo apt install nvidia-driver-535` torch can't see the GPU."):
        assert "install_broke_it" not in {c.id for c in extract(text).cues}, text


def test_every_install_a_sentence_retells_is_read():
    text = "In a venv I did `pip install tensorflow` -> []. In a second I used `pip install tensorflow[and-cuda]` -> []."
    assert stated(text, "pip_install") == ["tensorflow", "tensorflow[and-cuda]"]


def test_a_form_key_is_matched_whole_not_by_its_first_word():
    # collect_env's "CUDA used to build PyTorch" is the build's CUDA, not an installed CUDA; "Python platform" is no
    # Python version; GitHub templates add a hint in parentheses after the key
    dump = ("Collecting environment information...\nPyTorch version: 1.8.1\nCUDA used to build PyTorch: Could not collect\n"
            "GCC version: (Ubuntu 7.5.0-3ubuntu1~18.04) 7.5.0\nPython platform: Linux-5.4.0-150-generic-x86_64-with-glibc2.17\n"
            "Is CUDA available: False\nGPU models and configuration: \nGPU 0: NVIDIA GeForce RTX 3090\n")
    assert stated(dump, "torch_build_cuda") == ["Could not collect"]
    assert stated(dump, "cuda") == [] and stated(dump, "python") == []
    assert "Ubuntu 7.5.0" not in stated(dump, "os")
    assert stated(dump, "gpu") == ["NVIDIA GeForce RTX 3090"]
    assert triage(dump).verdict.root_cause == "cpu_only_package"
    form = "TensorFlow version (use command below): v2.4.0-rc4-71-g582c8d236cb 2.4.0\n"
    assert stated(form, "tf_version") == ["2.4.0"]


@pytest.mark.parametrize("text, value", [
    ("os.environ[\"CUDA_VISIBLE_DEVICES\"] = f'{rank}'", None),  # an f-string: set per process, unknown here
    ("os.environ[\"CUDA_VISIBLE_DEVICES\"] = gpu_id", None),
    ("export CUDA_VISIBLE_DEVICES=$SLURM_LOCALID", None),
    ("CUDA_ID=1\nCUDA_VISIBLE_DEVICES=${CUDA_ID} python train.py", "1"),  # the script assigns it
    ("CUDA_VISIBLE_DEVICES=$0 ./tools/demo.py", "$0"),  # the shell's own name: never a GPU index
])
def test_a_variable_set_from_an_expression(text, value):
    assert stated(text, "env:CUDA_VISIBLE_DEVICES")[:1] == ([value] if value else [])


def test_a_per_rank_visible_device_with_jax_listing_its_gpu_is_no_problem():
    text = ("Every MPI rank lands on device 0?\n```python\nos.environ[\"CUDA_VISIBLE_DEVICES\"] = f'{rank}'\nimport jax\n"
            "print(f\"{rank} -> {jax.devices()}\")\n```\n```\n0 -> [GpuDevice(id=0, process_index=0)]\n"
            "1 -> [GpuDevice(id=0, process_index=0)]\n```\n")
    assert triage(text).verdict.root_cause == "no_problem"


def test_a_script_index_beyond_a_single_gpu_desktop_hides_it():
    text = ("RuntimeError: cuda runtime error (38) : no CUDA-capable device is detected at "
            "/pytorch/torch/lib/THC/THCGeneral.c:70\nSingle GPU desktop, nvidia-smi works.\n```\nCUDA_ID=1\n"
            "CUDA_VISIBLE_DEVICES=${CUDA_ID} python train.py\n```\n")
    assert stated(text, "gpu_count") == ["1"]
    assert triage(text).verdict.root_cause == "cuda_visible_devices_hidden"


def test_a_fermi_gpu_is_beyond_every_framework_build_whatever_the_release():
    # CUDA 9.0 removed Fermi (2.x); no TensorFlow, PyTorch or JAX release the report could run has kernels for it
    text = ("TensorFlow in the tensorflow/tensorflow:latest-gpu image fails with failed call to cuDevicePrimaryCtxRetain: "
            "CUDA_ERROR_INVALID_DEVICE. The machine has a GeForce GTX 580 and a GTX 780 Ti.")
    assert triage(text).verdict.root_cause == "compute_capability_unsupported"
    assert triage("My GTX 780 Ti is not used by TensorFlow.").verdict.root_cause != "compute_capability_unsupported"


def test_an_nvidia_smi_header_from_before_r410_names_the_driver():
    header = "| NVIDIA-SMI 367.57                 Driver Version: 367.57                    |"
    facts = extract(header).stated
    assert [(s.key, s.value, s.stated_by_user) for s in facts] == [("driver", "367.57", False)]


def test_tensorflow_gpu_replaced_by_a_2x_tensorflow_is_not_a_cpu_build():
    # from 2.1 the plain tensorflow wheel carries the GPU build: replacing tensorflow-gpu with it loses nothing
    text = "TensorFlow 2.4: installing the project replaced tensorflow-gpu with tensorflow and the GPU is not used."
    assert "cpu_only_package" not in {s.category for s in snapshot_of(text).get(TriageFacts).signals}


def test_an_empty_gpu_list_is_no_working_gpu_even_beside_benign_messages():
    text = ("WSL2: TensorFlow lists no GPU\n```\n$ python3 -c \"import tensorflow as tf; print(tf.config.list_physical_devices('GPU'))\"\n"
            "2023-03-31 11:30:32.107966: W tensorflow/compiler/tf2tensorrt/utils/py_utils.cc:38] TF-TRT Warning: Could not "
            "find TensorRT\n[]\n```\n")
    assert triage(text).verdict.root_cause != "no_problem"


def test_a_project_named_alone_says_which_framework():
    # fastai is built on PyTorch: on Colab's default runtime there is no GPU at all
    text = "I opened the fastbook lesson 1 notebook in Google Colab and the first training cell has run for an hour."
    assert triage(text).verdict.root_cause == "no_nvidia_gpu"


def test_pinning_work_to_the_gpu_is_not_code_that_forces_the_cpu():
    def phrases(text):
        return {c.id for c in extract(text).cues if c.id.startswith("phrase:")}
    assert "phrase:code_forces_cpu" not in phrases("The cell uses `with tf.device('/gpu:0'):` and shows no speedup.")
    assert "phrase:code_forces_cpu" in phrases("The cell uses `with tf.device('/cpu:0'):` and is slow.")


@pytest.mark.parametrize("text", ["但是训练的时候用的还是 CPU，GPU 根本没有加速", "推理走的是 CPU，很慢", "GPU 几乎没有负荷"])
def test_the_gpu_left_idle_said_in_chinese(text):
    assert "gpu_unused" in {c.id for c in extract(text).cues}


def test_pips_progress_lines_are_not_the_reporters_words():
    text = ("!pip install keras-nlp==0.6.3\nCollecting keras-core (from keras-nlp==0.6.3)\n"
            "  Downloading keras_core-0.1.7-py3-none-any.whl (950 kB)\n")
    assert "phrase:keras_backend_other" not in {c.id for c in extract(text).cues}
    assert "phrase:keras_backend_other" in {c.id for c in extract("I set KERAS_BACKEND before importing.").cues}


def test_an_ls_listing_of_bare_names_shows_which_release_is_on_disk():
    # TF asks for libcusolver.so.11; `ls` shows only the .so.10 of an older CUDA 11 (renku image thread)
    text = ("2022-01-25 09:41:14.066011: W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load "
            "dynamic library 'libcusolver.so.11'; dlerror: libcusolver.so.11: cannot open shared object file: No such "
            "file or directory; LD_LIBRARY_PATH: /usr/local/cuda/extras/CUPTI/lib64:/usr/local/cuda/lib64\n"
            "```\n$ ls /usr/local/cuda/lib64/ | grep cusolver\nlibcusolver.so\nlibcusolver.so.10\nlibcusolver.so.10.6.0.245\n```\n"
            "So the library is there, just not under the name it wants?\n")
    on_disk = [s for s in extract(text).stated if s.key == "lib_on_disk"]
    assert [s.value for s in on_disk] == ["libcusolver.so", "libcusolver.so.10", "libcusolver.so.10.6.0.245"]
    assert on_disk[1].text == "/usr/local/cuda/lib64/libcusolver.so.10"
    assert triage(text).verdict.root_cause == "cuda_version_mismatch"


def test_a_cudnn_archive_name_gives_the_cudnn_release_not_its_cuda():
    text = ("- Windows 7 x64, GTX 1080\n- Python 3.5 64-bit, `pip install tensorflow-gpu` (1.1.0)\n"
            "- CUDA 8.0 installed with the NVIDIA installer\n"
            "- cuDNN: downloaded the current archive `cudnn-8.0-windows7-x64-v6.0` and copied it into the CUDA folder\n"
            "ImportError: DLL load failed: The specified module could not be found.\n")
    assert stated(text, "cudnn") == ["6.0"] and stated(text, "tf_version") == ["1.1.0"]
    # tensorflow-gpu 1.1 was built with cuDNN 5.1; on Windows the libraries are named as DLLs
    report = triage(text)
    assert report.verdict.root_cause == "cudnn_version_mismatch"
    said = " ".join(e.fact for e in report.findings[0].evidence)
    assert "cudnn64_5.dll" in said and "cudnn64_6.dll" in said and ".so" not in said


def test_a_cuda_build_on_macos_is_about_its_cuda_libraries_not_about_macos():
    text = ("TF GPU on a Mac with an eGPU, macOS 10.12.2\n```\n>>> import tensorflow as tf\nImportError: dlopen(/Library/"
            "Frameworks/Python.framework/Versions/3.5/lib/python3.5/site-packages/tensorflow/python/_pywrap_tensorflow.so, "
            "10): Library not loaded: @rpath/libcudart.8.0.dylib\n```\n")
    assert triage(text).verdict.root_cause in ("libs_not_on_path", "cuda_libs_missing")
    assert triage("macOS 14 on an M2: TensorFlow does not use the GPU.").verdict.root_cause == "macos_no_cuda"


def test_a_tensorflow_with_a_local_build_label_is_not_judged_by_the_tested_build_table():
    # a community wheel tensorflow_gpu-1.13.1+nv was built for CUDA 10.1; tensorflow.org's 1.13.1 for CUDA 10.0
    text = "CUDA Toolkit 10.1. I installed tensorflow_gpu-1.13.1+nv-cp37-cp37m-win_amd64 from a prebuilt wheel."
    assert stated(text, "tf_version")[0] == "1.13.1+nv"
    assert "WG302" not in {f.code for f in triage(text).findings}
    assert "WG302" in {f.code for f in triage("CUDA Toolkit 10.1 with tensorflow-gpu 1.13.1 on Ubuntu.").findings}


@pytest.mark.parametrize("text, branch", [
    ("The nodes run NVIDIA driver 470; drivers are managed centrally.", "470"),
    ("I am stuck on the 535 driver because of the cluster.", "535"),
    ("sudo apt install nvidia-driver-550 went fine", "550"),
    ("Our driver is R470 on all nodes.", "470"),
])
def test_a_driver_named_by_its_branch_only(text, branch):
    assert stated(text, "driver") == [branch]


@pytest.mark.parametrize("text", ["The driver 470.82.01 is installed", "I used 100 drivers", "driver 3.2 of the SDK"])
def test_a_full_driver_release_or_a_number_that_is_no_branch_is_no_branch(text):
    assert stated(text, "driver") in ([], ["470.82.01"])


def test_a_bare_branch_runs_the_newest_cuda_whose_minimum_is_on_an_older_or_the_same_branch():
    from whynogpu.facts.driver import DriverFacts

    snap = snapshot_of("The GPU nodes run driver 470 and JAX fails.\n")
    # 470.42.01 is CUDA 11.4's minimum (knowledge/cuda_drivers.csv), 495 the next release's: 470 runs up to 11.4
    assert snap.get(DriverFacts).cuda_driver_version == "11.4"
    assert snap.get(DriverFacts).driver_version is None  # no release within the branch is known


def test_no_kernel_image_with_a_driver_behind_the_cuda_in_use_is_the_driver():
    # The message means no SASS for the GPU and no PTX the driver can compile; an older driver cannot JIT a newer
    # CUDA's PTX (minor-version compatibility excludes it). With no GPU named, the driver is what the report shows.
    text = ("jax.numpy.ones(3) fails: RuntimeError: Unknown: no kernel image is available for execution on the device\n"
            "We use the CUDA 11.6 toolkit of the cluster, and the nodes have NVIDIA driver 470.\n")
    assert triage(text).verdict.root_cause == "driver_too_old"
    # the same driver with the CUDA it runs: the message keeps its usual reading
    same = text.replace("CUDA 11.6", "CUDA 11.4")
    assert triage(same).verdict.root_cause == "compute_capability_unsupported"
    # a GPU whose architecture is known is judged by its compute capability, not by the driver
    kepler = text + "The GPU is a GeForce GTX 680.\n"
    assert triage(kepler).verdict.root_cause == "compute_capability_unsupported"


@pytest.mark.parametrize("text, want", [
    ("Keras 3.3 model.fit is slow and the GPU is idle. torch.cuda.is_available() is True.\n", "keras_backend_other"),
    # the backend is chosen: Keras runs where the reporter says
    ("Keras 3.3 model.fit is slow and the GPU is idle. torch.cuda.is_available() is True.\n"
     "I run it with KERAS_BACKEND=torch python train.py\n", None),
    # Keras 2 is TensorFlow's own: there is no other backend to be on
    ("keras 2.15 model.fit is slow and the GPU is idle. torch.cuda.is_available() is True.\n", None),
])
def test_keras_3_with_no_backend_chosen_runs_on_tensorflow_while_the_gpu_is_set_up_in_torch(text, want):
    report = triage(text)
    if want:
        assert report.verdict.root_cause == want
        fix = next(f.fix for f in report.findings if f.category == want)
        assert fix.commands[0].startswith("export KERAS_BACKEND=torch")  # the framework that has the GPU
    else:
        assert "keras_backend_other" not in {c.category for c in report.candidates[:1]}


def test_the_driver_library_said_missing_in_a_container_is_a_container_without_the_gpu():
    text = ("TensorFlow 1.1.0 fails to import inside my docker container: libcuda.so.1 cannot be found.\n"
            "The image is based on nvidia/cuda:8.0-cudnn5-devel-ubuntu16.04.\n")
    assert stated(text, "libcuda_failed") == ["libcuda.so.1"]
    assert triage(text).verdict.root_cause == "container_no_gpu"


def test_a_tracebacks_frames_and_source_lines_are_not_the_reporters_words():
    text = ("Sampling fails in the notebook:\n```\n"
            "Traceback (most recent call last):\n"
            '  File "/usr/local/lib/python2.7/dist-packages/model.py", line 3, in <module>\n'
            "     25     events, rng, start_step, num_steps, temperature, top_p)\n"
            "XlaRuntimeError: INTERNAL: Failed to load in-memory CUBIN: CUDA_ERROR_OUT_OF_MEMORY: out of memory\n```\n")
    cues = {c.id for c in extract(text).cues}
    assert "hardware" not in cues  # a sampling temperature is no heat
    assert "phrase:python_version_unsupported" not in cues  # a path holding python2.7 is no statement of the Python
    assert triage(text).verdict.root_cause == "gpu_memory_exhausted"
    # said in words, the same things count
    assert "hardware" in {c.id for c in extract("The GPU temperature goes above 90 C and the machine reboots.").cues}


def test_a_version_mismatch_line_with_the_numbers_elided_is_still_the_mismatch():
    # reporters shorten the releases they do not remember ("470..."); the message's meaning does not change
    text = ("kernel version 470... does not match DSO version 515... -- cannot find working devices in this "
            "configuration\n")
    assert triage(text).verdict.root_cause == "driver_library_mismatch"


def test_a_bare_version_with_the_cpu_label_is_pytorchs_cpu_wheel():
    text = "Image generation runs on the CPU. The System Info tab shows\n```\n2.0.0+cpu Autocast half\n```\n"
    assert stated(text, "torch_version") == ["2.0.0+cpu"]
    assert triage(text).verdict.root_cause == "cpu_only_package"
    assert stated("torchvision 0.15.1+cpu is installed", "torch_version") == []  # torchvision's 0.x is not torch's


def test_no_cudnn_engine_points_at_the_cudnn_that_loaded():
    text = ("Training crashes in the first convolution with RuntimeError: GET was unable to find an engine to execute "
            "this computation. It only happens inside tmux.\n")
    report = triage(text)
    assert report.verdict.root_cause == "system_libs_shadow_pip_libs"
    assert {"cudnn_version_mismatch", "gpu_memory_exhausted"} <= {c.category for c in report.candidates}


def test_a_program_saying_it_runs_on_the_cpu_outweighs_task_manager():
    base = "Generation is stuck on Windows with PyTorch. Task manager shows no load on the GPU.\n"
    assert triage(base).verdict.root_cause == "no_problem"  # Task Manager's graphs hide CUDA work
    shown = base + "```\n06:25:13-168581 INFO     Torch generator: device=cpu\n```\n"
    assert triage(shown).verdict.root_cause == "cpu_only_package"  # the usual cause of torch on Windows


def test_a_quoted_messages_other_readings_stay_behind_its_first():
    # "No CUDA GPUs are available" names CUDA_VISIBLE_DEVICES first; no GPU at all is only consistent with it
    text = 'The demo script stops with "No CUDA GPUs are available". It sets CUDA_VISIBLE_DEVICES=7 before it starts.\n'
    report = triage(text)
    assert report.verdict.root_cause == "cuda_visible_devices_hidden"
    assert [c.category for c in report.candidates][1:] and report.candidates[1].confidence < report.candidates[0].confidence


def test_a_driver_release_and_a_shortened_insufficient_driver_message_in_words():
    text = ('The NVIDIA driver on my machine is version 381.22. With CUDA 9 I get the "CUDA driver version is '
            'insufficient" error from PyTorch.\n')
    assert stated(text, "driver") == ["381.22"]
    assert triage(text).verdict.root_cause == "driver_too_old"


def test_asking_how_to_use_the_gpu_weighs_no_more_than_the_setups_usual_cause():
    text = "My card is an NVIDIA GTX 1060 on Windows. The PyTorch app runs on the CPU. How do I switch it to the GPU?\n"
    report = triage(text)
    assert report.verdict.root_cause == "cpu_only_package"  # PyPI's torch on Windows is the CPU build
    assert "code_forces_cpu" in {c.category for c in report.candidates}


def test_a_conda_cuda_shadows_nothing_where_no_pip_wheels_brought_libraries():
    text = ("conda create -n tut vak -c conda-forge, then torch.cuda.is_available() is False.\n"
            "I added the toolkit, nothing changed:\n    conda install cudatoolkit=10.2 -c pytorch\n")
    assert "system_libs_shadow_pip_libs" not in {c.category for c in triage(text).candidates}
    wheels = text + "pip list shows nvidia-cudnn-cu12 9.1.0.70 beside torch 2.4.0+cu121\n"
    assert "system_libs_shadow_pip_libs" in {c.category for c in triage(wheels).candidates}


def test_a_driver_branch_inside_minor_version_compatibility_is_not_too_old():
    # 470 runs CUDA up to 11.4, and every 11.x build under minor-version compatibility (>= 450.80.02)
    text = "torch 2.0.1+cu117 on our nodes, driver 470. torch.cuda.is_available() is False.\n"
    cats = {c.category for c in triage(text).candidates}
    assert "driver_too_old" not in cats
    assert "cpu_only_package" not in cats  # the +cu117 build is no CPU wheel: the usual guess does not apply
    older = text.replace("driver 470", "driver 440")  # 440 runs CUDA 10.2: no 11.x build at all
    assert triage(older).verdict.root_cause == "driver_too_old"


def test_keras_3_on_a_tensorflow_that_lists_no_gpu_is_still_on_the_wrong_backend():
    text = ("Keras 3.3 model.fit is slow and the GPU is idle. torch.cuda.is_available() is True.\n"
            ">>> tf.config.list_physical_devices('GPU')\n[]\n")
    assert triage(text).verdict.root_cause == "keras_backend_other"


@pytest.mark.parametrize("line, python", [
    ('  File "C:\\Program Files\\Python35\\lib\\site-packages\\tensorflow\\python\\pywrap_tensorflow.py", line 41', "3.5"),
    ('  File "C:\\Users\\user\\AppData\\Local\\Programs\\Python\\Python310\\lib\\site-packages\\torch\\__init__.py"', "3.10"),
    ('  File "/home/user/.local/lib/python3.8/site-packages/tensorflow/__init__.py", line 24, in <module>', "3.8"),
    ("Requirement already satisfied: torch in /opt/conda/lib/python3.11/site-packages (2.1.0)", "3.11"),
    ('"C:\\Python36\\python.exe" train.py', "3.6"),
])
def test_the_interpreter_is_read_from_its_own_folders(line, python):
    facts = [s for s in extract(line + "\n").stated if s.key == "python"]
    assert [s.value for s in facts] == [python]
    assert not facts[0].stated_by_user  # a path the program printed, not the reporter's words


def test_folders_without_the_interpreters_release_give_no_python():
    for line in ('  File "/usr/lib/python3/dist-packages/apt/__init__.py"', "C:\\Users\\user\\anaconda3\\envs\\tf\\lib\\site-packages",
                 "see docs/python3.8/site_notes.md"):
        assert stated(line + "\n", "python") == []


def test_the_python_of_a_windows_traceback_bounds_the_tensorflow_release():
    # No TensorFlow release is named, but Python 3.5 had none after 2.3: native Windows still had CUDA builds,
    # so the usual cause is the DLLs of the release, not the end of Windows GPU support (2.11).
    text = ("import tensorflow fails on my Windows PC\n"
            '  File "C:\\Program Files\\Python35\\lib\\site-packages\\tensorflow\\python\\pywrap_tensorflow.py", line 41\n'
            "What is wrong with my installation?\n")
    r = triage(text)
    assert r.verdict.root_cause != "windows_native_unsupported"
    assert "at most 2.3" in " ".join(f.title for f in r.findings)


def test_the_windows_dll_fix_names_the_releases_own_cudnn():
    # TensorFlow 2.5's tested build: CUDA 11.2, cuDNN 8.1 (tensorflow.org/install/source_windows)
    text = ("Windows 10, tensorflow 2.5.0, python 3.8, RTX 2060\n"
            "W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library "
            "'cudart64_110.dll'; dlerror: cudart64_110.dll not found\n")
    top = triage(text).findings[0]
    assert top.code == "WG301"
    assert "cudnn=8.1" in " ".join(top.fix.commands)


@pytest.mark.parametrize("said", ["The file does exist, at `/opt/app/venv/lib/python3.11/site-packages/torch/lib/libcudnn_ops_infer.so.8`.",
                                  "libcudnn_ops_infer.so.8 really exists in torch/lib."])
def test_a_library_said_to_exist_is_off_the_path_not_missing(said):
    text = ("Could not load library libcudnn_ops_infer.so.8. Error: libcudnn_ops_infer.so.8: cannot open shared object "
            "file: No such file or directory\n" + said + "\n")
    assert triage(text).verdict.root_cause == "libs_not_on_path"


def test_a_slurm_job_that_shows_nothing_else_is_first_asked_for_its_gpu_request():
    text = ("Our training runs as a Slurm batch job on the GPU nodes.\n"
            "srun python -c \"import torch; print(torch.cuda.is_available())\"  prints False\n")
    r = triage(text)
    assert r.verdict.root_cause == "gpu_access_restricted"
    assert r.findings[0].origin == "usual"  # Slurm is a place: it says where to look, not what was seen
    # what Slurm sets when a step got no GPU decides over the place
    shown = text + "echo $CUDA_VISIBLE_DEVICES gives NoDevFiles\n"
    assert triage(shown).verdict.root_cause == "cuda_visible_devices_hidden"


def test_the_framework_answering_no_gpu_outweighs_a_task_manager_reading():
    # Task Manager's graphs alone would be read as "probably working"; the framework's own empty list is not
    text = ("Windows 11 laptop, TensorFlow 2.10.1 from pip. Task Manager shows 0% on the GPU while training.\n"
            "`tf.config.list_physical_devices('GPU')` returns `[]`.\n")
    assert triage(text).verdict.root_cause != "no_problem"
    assert triage(text.replace("returns `[]`", "returns a GPU")).verdict.root_cause == "no_problem"


def test_a_framework_answering_both_ways_is_not_a_working_gpu():
    text = ("In main, `torch.cuda.is_available()` is True.\n"
            "Inside the worker function `torch.cuda.is_available()` is False.\n")
    assert triage(text).verdict.root_cause != "no_problem"
    assert triage(text.splitlines()[0]).verdict.root_cause == "no_problem"


def test_no_kernel_image_quoted_with_driver_for_device():
    # the error is often retold as "... for execution on the driver" (after a widely copied issue title)
    text = "RuntimeError: CUDA error: no kernel image is available for execution on the driver\n"
    assert triage(text).verdict.root_cause == "compute_capability_unsupported"


def test_an_env_value_said_in_a_sentence_loses_the_sentences_comma():
    assert stated("I tried launching it with CUDA_VISIBLE_DEVICES=0, no difference.", "env:CUDA_VISIBLE_DEVICES") == ["0"]


@pytest.mark.parametrize("said", ["`pip list` in the env shows both packages: `tensorflow` and `tensorflow-gpu`.",
                                  "I have both tensorflow and tensorflow-gpu installed."])
def test_two_tensorflow_distributions_said_in_words(said):
    from whynogpu.triage import cues
    assert "both_tf" in cues.find(said.lower())
    assert "both_tf" not in cues.find("i uninstalled both tensorflow and tensorflow-gpu, then reinstalled the gpu one")


def test_an_install_that_took_the_gpu_away_said_after_the_fact():
    from whynogpu.triage import cues
    said = "then i installed keras with `pip3 install keras`, and since then tensorflow only lists the cpu"
    assert "install_broke_it" in cues.find(said)
    assert "install_broke_it" not in cues.find("i installed the nvidia driver, and since then tensorflow only lists the cpu")


def test_xla_driver_older_than_ptxas_is_a_slower_compile_not_a_missing_gpu():
    # XLA's nvptx_compiler.cc logs this and goes on compiling for the GPU without parallel compilation
    text = ("CUDA/PTX version mismatch - how to adjust the Dockerfile?\n"
            "2025-03-04 12:55:32.285132: W external/xla/xla/service/gpu/nvptx_compiler.cc:930] The NVIDIA driver's "
            "CUDA version is 12.4 which is older than the PTX compiler version 12.6.77. Because the driver is older "
            "than the PTX compiler version, XLA is disabling parallel compilation, which may slow down compilation.\n")
    r = triage(text)
    assert r.verdict.root_cause == "no_problem"
    assert "driver_library_mismatch" not in [c.category for c in r.candidates]


def test_a_project_named_after_tensorflow_is_not_its_release():
    text = "I'm on OpenNMT-tf 2.8.1 with TensorFlow 2.1.0, and the CUDA installed on the machine is 10.2."
    assert stated(text, "tf_version") == ["2.1.0"]
    assert stated(text, "cuda") == ["10.2"]  # the release said a few words after the name


def test_nvcc_output_in_the_cuda_cudnn_field_names_no_cudnn():
    text = "CUDA/cuDNN version: release 10.1, V10.1.243\n"
    assert stated(text, "cuda") == ["10.1"] and stated(text, "cudnn") == []
    assert stated("CUDA/cuDNN version: 11.2 / 8.1\n", "cudnn") == ["8.1"]


def test_a_gpu_seen_in_the_terminal_but_not_in_the_notebook_is_the_kernels_environment():
    text = ("In the terminal `python -c \"import tensorflow as tf; print(tf.config.list_physical_devices('GPU'))\"` shows "
            "my GPU. In a Jupyter notebook the same line gives []. conda env with tensorflow 2.10, cudatoolkit 11.2.")
    r = triage(text)
    assert r.verdict.root_cause == "libs_not_on_path"
    assert "WG835" in [f.code for f in r.findings]
    # two scripts, one shell: nothing about a kernel's environment
    scripts = "torch sees the GPU in the python console, but training with train.py runs on the CPU."
    assert triage(scripts).verdict.root_cause != "libs_not_on_path"


@pytest.mark.parametrize("machine, root_cause", [
    ("My server has 4 V100s.", "cuda_visible_devices_hidden"),
    ("My desktop has one GPU.", None),  # index 0 of one GPU hides nothing
])
def test_a_visible_devices_list_shorter_than_the_machine_hides_the_rest(machine, root_cause):
    text = (f"{machine} CUDA_VISIBLE_DEVICES=0 is in my .bashrc from an old project. "
            "torch.cuda.device_count() returns 1, so training only uses one.")
    got = triage(text).verdict.root_cause
    assert got == root_cause if root_cause else got != "cuda_visible_devices_hidden"


def test_keras_3_beside_a_cuda_torch_build_runs_on_tensorflow_unless_told():
    text = ("Keras 3.3 trains on the CPU. I installed torch with CUDA 12.1 and torch works on the GPU. "
            "I did `pip install keras tensorflow`. Ubuntu 22.04.")
    assert triage(text).verdict.root_cause == "keras_backend_other"
    # a CPU build of torch sets up no GPU Keras could have missed
    cpu = text.replace("torch with CUDA 12.1 and torch works on the GPU", "torch 2.3.0+cpu")
    assert triage(cpu).verdict.root_cause != "keras_backend_other"


def test_the_release_an_upgrade_gave_is_the_one_to_judge():
    text = ("It worked with tf 2.10 on Windows 10 natively. After pip install --upgrade tensorflow I got 2.12 and now "
            "list_physical_devices('GPU') is empty. No errors.")
    assert extract(text).first("tf_version").value == "2.12"
    assert triage(text).verdict.root_cause == "windows_native_unsupported"


@pytest.mark.parametrize("said, key, value", [
    ("mamba installs pytorch with build string py3.9_cpu_0, not the CUDA one", "torch_version_cuda", "None"),
    ("conda picked pytorch py3.10_cuda11.8_cudnn8.7.0_0 as I asked", "torch_version_cuda", "11.8"),
    ("conda-forge gave me tensorflow cpu_py39h1c5d3fa_0 even on the GPU node", "tf_built_with_cuda", "False"),
    ("pixi list shows pytorch 2.4.1 cpu_generic_py312h2ed9cbb_1.", "torch_version_cuda", "None"),
    ("conda-forge gave pytorch cuda126_generic_py312h1234567_200 here", "torch_version_cuda", "12.6"),
])
def test_a_conda_build_string_in_a_sentence_says_which_build_it_is(said, key, value):
    assert extract(said).first(key).value == value


def test_the_plain_tensorflow_up_to_2_0_is_the_cpu_build():
    text = ("My Colab notebook's runtime is set to use the GPU, yet TensorFlow 2.0.0-beta1 does not see any GPU. "
            "Why can't it use the GPU?")
    assert triage(text).verdict.root_cause == "cpu_only_package"
    assert triage(text.replace("2.0.0-beta1", "2.1.0")).verdict.root_cause != "cpu_only_package"


def test_an_integrated_gpu_beside_a_named_nvidia_one_is_no_sign_of_a_machine_without_one():
    text = ("Task Manager shows the Intel UHD integrated graphics doing the work instead of my NVIDIA RTX 2060, while "
            "the RTX card's memory fills up. tensorflow = 2.7.0. How do I make TensorFlow use the NVIDIA card?")
    assert {s.value for s in extract(text).all("gpu")} >= {"NVIDIA RTX 2060"}
    assert triage(text).verdict.root_cause != "no_nvidia_gpu"
    alone = "Task Manager shows only the Intel UHD integrated graphics. tensorflow = 2.7.0. How do I use the GPU?"
    assert "no_nvidia_gpu" in [c.category for c in triage(alone).candidates]


def test_a_raspberry_pi_has_no_nvidia_gpu_to_use():
    # its GPU is Broadcom's VideoCore: a TensorFlow wheel for the Pi can only compute on its CPU
    text = "Does your TensorFlow wheel use the GPU of the Raspberry Pi when I run TensorFlow on the Pi?"
    assert triage(text).verdict.root_cause == "no_nvidia_gpu"
    assert "no_nvidia_gpu" not in [c.category for c in triage(text.replace("Raspberry Pi", "Jetson Nano").replace(
        "the Pi", "the Nano")).candidates]

def test_condas_transaction_plan_lists_the_builds_it_will_install():
    text = ("conda install pytorch torchvision -c pytorch\nThe following NEW packages will be INSTALLED:\n\n"
            "  pytorch            pytorch/linux-64::pytorch-1.8.1-py3.9_cpu_0\n"
            "  torchvision        pytorch/linux-64::torchvision-0.9.1-py39_cpu\n\n"
            "torch.cuda.is_available() is False afterwards on my RTX 3090 box (Ubuntu 20.04).\n")
    f = extract(text)
    assert ("pytorch", "1.8.1", "py3.9_cpu_0") in [(p.name, p.version, p.build) for p in f.packages]
    assert triage(text).verdict.root_cause == "cpu_only_package"
    downloaded = "        pytorch-0.4.1              |py36_cuda9.0.176_cudnn7.1.2_1       463.8 MB  pytorch\n"
    assert [(p.name, p.build) for p in extract(downloaded).packages] == [("pytorch", "py36_cuda9.0.176_cudnn7.1.2_1")]


def test_a_shared_machine_does_not_explain_a_framework_that_sees_no_gpu():
    text = ("After updating PyTorch from 1.0 to 1.2, torch.cuda.is_available() returns False; the message says my "
            "NVIDIA driver version is too old. The machine is shared and other people's jobs run on it.")
    r = triage(text)
    assert r.verdict.root_cause == "driver_too_old"
    # with memory failing, the others' jobs are the answer
    oom = ("RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB. The machine is shared and other "
           "people's jobs run on it.")
    assert triage(oom).verdict.root_cause == "gpu_memory_exhausted"


def test_a_printed_value_retold_at_the_end_of_a_sentence_keeps_its_value():
    f = extract("print(torch.__version__) -> 2.1.0+cpu. Windows 11, RTX 4060.")
    assert f.first("torch_version").value == "2.1.0+cpu"
    top = triage("print(torch.__version__) -> 2.1.0+cpu. Windows 11, RTX 4060.").findings[0]
    assert (top.category, top.origin) == ("cpu_only_package", "program")  # what Python printed, not a usual cause


def test_tensorflow_1_15_was_built_for_cuda_10_0():
    text = ("conda create -n tf tensorflow-gpu=1.15. When importing, device list shows only CPU. "
            "nvidia-smi says driver 384.130, CUDA 9.0.")
    assert "driver_too_old" in [c.category for c in triage(text).candidates][:2]


def test_a_dependency_that_replaced_a_cuda_torch_from_pytorchs_index():
    text = ("pip install transformers[torch] replaced my torch 2.0.1+cu118 with torch 2.1.0 and now cuda is not "
            "available. Windows 10.")
    f = extract(text)
    assert f.first("torch_version").value == "2.1.0"  # what the install left, not what it replaced
    assert "install_broke_it" in [c.id for c in f.cues]
    assert triage(text).verdict.root_cause == "cpu_only_package"


@pytest.mark.parametrize("said, fires", [
    ("I never call .cuda() or .to(device) on the model.", True),
    ("I forgot to call .to('cuda') on the batches.", True),
    ("TensorFlow never puts anything on the GPU.", False),  # the symptom, not the code
])
def test_the_reporter_saying_the_code_never_moves_the_work(said, fires):
    text = f"My model trains slowly. torch.cuda.is_available() is True. {said}"
    assert (triage(text).verdict.root_cause == "code_forces_cpu") is fires


def test_a_title_saying_which_backend_keras_runs_is_not_a_framework_set_up():
    text = ("keras uses tensorflow backend and I want torch\n"
            "import keras; keras.backend.backend() returns 'tensorflow'. I installed torch with cuda and want keras "
            "to use it.\n")
    assert triage(text).verdict.root_cause == "keras_backend_other"


@pytest.mark.parametrize("where, root_cause", [
    ("Windows 11", "cpu_only_package"),  # JAX has no CUDA build for native Windows, for any Python
    ("Ubuntu 22.04", "python_version_unsupported"),
])
def test_pip_finding_no_cuda_plugin_where_none_exists_is_the_platform(where, root_cause):
    text = (f"pip install jax[cuda12] on {where} with Python 3.11 fails:\n"
            "ERROR: No matching distribution found for jax-cuda12-plugin\n")
    r = triage(text)
    assert r.verdict.root_cause == root_cause
    if root_cause == "cpu_only_package":  # the fix is another platform, not a torch reinstall
        commands = " ".join(r.findings[0].fix.commands)
        assert "wsl" in commands and "torch" not in commands


def test_a_gpu_device_retold_in_a_sentence_never_reads_as_a_framework_seeing_none():
    text = ("jax.devices() shows [CudaDevice(id=0)], nvidia-smi shows my python process using 18GB, but training is "
            "slow and GPU utilization is 20%. Is JAX using the GPU?")
    r = triage(text)
    assert "WG502" not in [f.code for f in r.findings]  # "JAX sees no GPU" would contradict the sentence
    assert r.verdict.root_cause == "no_problem"


def test_the_word_cpu_in_a_sentence_is_no_build_string():
    assert extract("My gpu is AMD and tensorflow only runs on the cpu. OS is linux.").first("tf_built_with_cuda") is None


def test_jax_finding_the_cuda_its_driver_runs_older_than_its_build_is_the_driver():
    text = ('pip install -U "jax[cuda13]"; driver 550.90. jax.devices() -> cpu and warning:\n'
            "CUDA backend failed to initialize: Found CUDA version 12040, but JAX was built against version 13000, "
            "which is newer. The copy of CUDA that is installed must be at least as new as the version against which "
            "JAX was built.\n")
    assert triage(text).verdict.root_cause == "driver_too_old"
    # the same message with no driver in the report (or one that runs a newer CUDA) keeps its own reading
    assert triage(text.replace("driver 550.90. ", "")).verdict.root_cause != "driver_too_old"


@pytest.mark.parametrize("where, root_cause", [
    ("", "driver_too_old"),  # jax[cuda12] brings the CUDA 12 plugin; driver 470 runs CUDA 11.4
    ("Windows 10. ", "cpu_only_package"),  # no JAX CUDA wheel exists there: the extra installs the CPU jaxlib
])
def test_the_cuda_plugin_jax_cuda12_installs(where, root_cause):
    text = (f'{where}pip install -U "jax[cuda12]"\njax.devices (1 total, 1 local): [CpuDevice(id=0)]\n'
            "NVIDIA-SMI 470.182.03   Driver Version: 470.182.03   CUDA Version: 11.4\n")
    r = triage(text)
    assert r.verdict.root_cause == root_cause
    assert "WG403" not in [f.code for f in r.findings] or where  # the plugin is no missing package on Linux


def test_a_gpu_seen_in_one_process_only_claims_no_root_account_and_no_cpu_build():
    r = triage("In the terminal torch.cuda.is_available() is True; in a Jupyter notebook of the same env it is False.")
    codes = [f.code for f in r.findings]
    assert r.verdict.root_cause == "libs_not_on_path"
    assert "WG829" not in codes  # "works for root but not for the user": the report says nothing of root
    assert "cpu_only_package" not in [f.category for f in r.findings]  # a torch that answered True is a CUDA build


def test_an_mx_series_geforce_is_an_nvidia_gpu_beside_the_laptops_intel_one():
    text = ("Lenovo laptop with GeForce MX450 and Intel Iris Xe. pip install torch torchvision --index-url "
            "https://download.pytorch.org/whl/cu121. is_available() returns False. nvidia-smi works.")
    assert "GeForce MX450" in {s.value for s in extract(text).all("gpu")}
    assert triage(text).verdict.root_cause != "no_nvidia_gpu"


def test_memory_the_reporters_own_process_holds_with_nothing_failing_is_the_gpu_in_use():
    text = ("I'm training with TensorFlow 2.9 and nvidia-smi shows 10.8GB / 11GB used by python and 40% utilization. "
            "Is something wrong? It seems my GPU memory is full.")
    assert triage(text).verdict.root_cause == "no_problem"
    failing = text + "\nResourceExhaustedError: OOM when allocating tensor with shape[256,1024]\n"
    assert triage(failing).verdict.root_cause == "gpu_memory_exhausted"


def test_a_phrase_is_explained_by_the_row_whose_words_the_report_used():
    from whynogpu.triage.signals import signals
    f = extract("Is something wrong with CUDA_VISIBLE_DEVICES on this box? torch.cuda.device_count() returns 0.")
    why = [s.why for s in signals(f) if s.category == "cuda_visible_devices_hidden"]
    assert why and all("Ray" not in w for w in why)
    ray = extract("Submitted as a Ray Job, torch.cuda.is_available() fails.")
    assert any("Ray" in s.why for s in signals(ray) if s.category == "cuda_visible_devices_hidden")


def test_wheels_uv_removed_are_not_installed_ones():
    removed = "Uninstalled 2 packages in 120ms\n - nvidia-cudnn-cu12==9.5.1.17\n - nvidia-cublas-cu12==12.6.4.1\n"
    assert extract(removed).first("nvidia_wheel") is None
    listed = "- nvidia-cudnn-cu11==8.6.0.163 and tensorflow==2.12.* from pip\n"  # a bullet of what is installed
    assert extract(listed).first("nvidia_wheel").value == "nvidia-cudnn-cu11"


def test_a_cudnn_the_reporter_installed_of_another_major_is_the_wrong_release_not_a_path_problem():
    text = ("Ubuntu 18.04, TF 2.4.0, CUDA 11.0 installed, cuDNN 7.6.5 installed. Could not load dynamic library "
            "'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file: No such file or directory")
    assert triage(text).verdict.root_cause == "cudnn_version_mismatch"


def test_condas_pytorch_and_pips_torch_in_one_listing_are_two_builds_over_one_package():
    text = ("torch.cuda.is_available() is False.\n$ conda list | grep torch\n"
            "pytorch                   2.0.1           py3.10_cuda11.8_cudnn8.7.0_0    pytorch\n"
            "torch                     2.1.0                    pypi_0    pypi\n")
    r = triage(text)
    assert r.verdict.root_cause == "package_conflict"
    top = r.findings[0]
    assert "conda remove -y --force pytorch" in top.fix.commands
    assert all("RECORD" not in e.source for e in top.evidence)  # a report shows a list, not installed-file records
    one = text.replace("torch                     2.1.0                    pypi_0    pypi\n", "")
    assert triage(one).verdict.root_cause != "package_conflict"


@pytest.mark.parametrize("text, framework_word, other_word", [
    ("New computer, tensorflow-gpu 1.0.1. Before installing Keras, TensorFlow found my GPU. After `pip3 install keras` "
     "TensorFlow only lists the CPU.", "tensorflow", "torch"),
    ("I created the conda env with pytorch on the login node (no GPU there); on the GPU node "
     "torch.cuda.is_available() is False.", "torch", "tensorflow"),
])
def test_a_cpu_build_from_the_setup_is_fixed_for_the_framework_the_report_sets_up(text, framework_word, other_word):
    top = next(f for f in triage(text).findings if f.code == "WG833")
    commands = " ".join(top.fix.commands)
    assert framework_word in commands and other_word not in commands


def test_two_torch_installs_are_fixed_with_torch_commands():
    text = ("I installed pytorch with conda and later pip install torch also ran from a requirements file. "
            "torch.cuda.is_available() is now False.")
    top = triage(text).findings[0]
    assert top.category == "package_conflict"
    commands = " ".join(top.fix.commands)
    assert "pip uninstall -y torch" in commands and "tensorflow" not in commands


def test_a_markdown_table_of_the_environment_is_read_like_a_form():
    from whynogpu.facts.report import TriageFacts
    from whynogpu.triage.engine import snapshot

    text = ("| | |\n|---|---|\n| Driver | 580.142 |\n| CUDA toolkit | 13.0 |\n| torch | 2.9.1 |\n| Python | 3.12 |\n")
    f = snapshot(text).get(TriageFacts)
    assert (f.first("driver").value, f.first("cuda").value, f.first("torch_version").value, f.first("python").value) == \
        ("580.142", "13.0", "2.9.1", "3.12")


def test_an_answer_retold_on_the_line_after_the_call_is_read():
    from whynogpu.facts.report import TriageFacts
    from whynogpu.triage.engine import snapshot

    text = "import torch\nprint(torch.__version__)\nprint(torch.cuda.is_available())\n\nshows True. I also checked PATH.\n"
    assert snapshot(text).get(TriageFacts).first("torch_cuda_available").value == "True"


def test_a_bare_cuda_major_is_a_release_but_cudnns_version_is_not_cudas():
    facts = extract("My machine has CUDA 9 and cuDNN 7 installed, TensorFlow stays on the CPU.")
    assert [s.value for s in facts.all("cuda")] == ["9"]
    said = extract("CUDA and cuDNN (7.6.5) are set up properly.")
    assert said.all("cuda") == ()  # the version is cuDNN's
    counts = extract("The card has 1024 CUDA cores and CUDA 12 GB of memory.")
    assert counts.all("cuda") == ()


def test_the_release_that_names_its_libraries_is_the_one_modelled():
    # "cuda 9 or 10?" in the title, then "CUDA 9.0" in the text: 9.0 names the libraries TensorFlow 1.13.1 lacks
    text = ("cuda 9 or 10?\n\nI installed CUDA 9.0 as the install page says, then pip3 install tensorflow-gpu, which "
            "gave tensorflow-gpu 1.13.1, and the GPU does not work.\n")
    assert triage(text).verdict.root_cause == "cuda_version_mismatch"


def test_a_setting_quoted_in_backticks_and_wsl_denied():
    f = extract("I'm on Keras 3.3 with `KERAS_BACKEND=jax` set in my .bashrc from an earlier project.")
    assert [s.value for s in f.all("env:KERAS_BACKEND")] == ["jax"]
    for words in ("I'm not using WSL, just plain Windows.", "native Windows instead of WSL2"):
        assert not extract(words).has_cue("wsl"), words
    assert extract("I'm using WSL2 with Ubuntu 22.04").has_cue("wsl")


def test_both_tensorflow_variants_named_in_a_sentence_are_checks_variants_rule():
    text = ("`pip list` shows both tensorflow 2.15.0 and tensorflow-cpu 2.15.0 (a dependency pulled the cpu one). "
            "The GPU is not found anymore.")
    report = triage(text)
    assert report.verdict.root_cause == "package_conflict"
    assert "WG404" in [f.code for f in report.findings]
    assert "WG401" not in [f.code for f in report.findings]  # the CPU-only finding defers to the variants


def test_collect_envs_none_build_cuda_is_a_cpu_build():
    text = ("```\nCollecting environment information...\nPyTorch version: 2.0.1\nIs debug build: False\n"
            "CUDA used to build PyTorch: None\nOS: Microsoft Windows 10 Home\nIs CUDA available: False\n"
            "GPU models and configuration: GPU 0: NVIDIA GeForce GTX 1650\n```\n")
    report = triage(text)
    assert report.verdict.root_cause == "cpu_only_package"
    assert report.findings[0].origin != "usual"  # collect_env's own answer, not the setup's usual cause


def test_a_variable_printed_by_echo_or_printenv():
    for shown in ("$ echo $CUDA_VISIBLE_DEVICES\n-1", "user@node:~$ printenv CUDA_VISIBLE_DEVICES\n-1"):
        f = extract(f"```\n{shown}\n```\n")
        assert [s.value for s in f.all("env:CUDA_VISIBLE_DEVICES")] == ["-1"], shown
    assert extract("```\n$ echo $HOME\n/home/me\n```\n").all("env:HOME") == ()


def test_a_pasted_keras_json_names_the_backend_keras_loads():
    text = ('Keras 3.0.5 with jax[cuda12] 0.4.25 (jax.devices() shows the GPU), but training is slow. '
            'tensorflow is installed as tensorflow-cpu 2.16.1.\n```\n{\n    "floatx": "float32",\n'
            '    "backend": "tensorflow",\n    "image_data_format": "channels_last"\n}\n```\n')
    assert [s.value for s in extract(text).all("keras_backend")] == ["tensorflow"]
    assert triage(text).verdict.root_cause == "keras_backend_other"
    # the same pair quoted in a sentence is the same setting
    said = ("After upgrading to Keras 3 my model trains on the CPU. I have torch with CUDA installed and "
            'tensorflow-cpu. My ~/.keras/keras.json still says "backend": "tensorflow".\n')
    assert [s.value for s in extract(said).all("keras_backend")] == ["tensorflow"]
    assert triage(said).verdict.root_cause == "keras_backend_other"


def test_keras_on_a_cpu_only_jax_while_tensorflow_sees_the_gpu():
    text = ("I'm on Keras 3.3 with `KERAS_BACKEND=jax` set in my .bashrc. I installed tensorflow[and-cuda] 2.16 and "
            "TensorFlow lists the GPU, but my Keras model trains slowly. jax is installed as plain `pip install jax`.")
    assert triage(text).verdict.root_cause == "keras_backend_other"


def test_a_cudnn_archive_name_says_the_cuda_release_it_was_built_for():
    # NVIDIA's cuDNN archives are named cudnn-<CUDA>-<os>-<arch>-v<cuDNN>
    facts = extract("Windows 10, CUDA 9 with cudnn-9.0-windows10-x64-v7.5.0.56, tensorflow-gpu 1.13.1.")
    assert ("cuda", "9.0") in {(s.key, s.value) for s in facts.stated}
    assert ("cudnn", "7.5.0.56") in {(s.key, s.value) for s in facts.stated}


def test_the_same_environment_in_two_processes_keeps_the_loader_path_reading():
    one = "In the terminal torch.cuda.is_available() is True; in a Jupyter notebook of the same env it is False."
    two = "In the terminal torch.cuda.is_available() is True; in a Jupyter notebook it is False."
    assert triage(one).verdict.root_cause == "libs_not_on_path"
    assert triage(two).verdict.root_cause == "package_conflict"  # PyTorch carries its libraries: another Python


def test_pytorch_answering_false_in_the_program_and_true_at_the_prompt_is_two_processes():
    # torch.load's own words when is_available() is False (torch/serialization.py), beside the reporter's check
    text = ("The evaluation script dies loading the checkpoint:\n```\nRuntimeError: Attempting to deserialize object on "
            "a CUDA device but torch.cuda.is_available() is False. If you are running on a CPU-only machine, please use "
            "torch.load with map_location=torch.device('cpu') to map your storages to the CPU.\n```\n"
            "When I check in the same environment, `torch.cuda.is_available()` gives `True`.\n")
    assert triage(text).verdict.root_cause == "cuda_visible_devices_hidden"
    # the same two answers told as before and after an update are two times, not two processes
    later = text.replace("When I check in the same environment", "Until yesterday")
    assert triage(later).verdict.root_cause != "cuda_visible_devices_hidden"


def test_a_project_install_after_which_the_gpu_is_no_longer_used_is_the_cpu_build_it_brought():
    text = ("GPU stops being used after `pip install -r requirements.txt`\n\nWindows 10, Anaconda env with tensorflow-gpu; "
            "GPU training worked. After installing this project's dependencies with\n```\npip install -r "
            "requirements.txt\n```\nTensorFlow in that environment no longer uses the GPU.\n")
    report = triage(text)
    assert report.verdict.root_cause == "cpu_only_package"
    # "in that environment ... no longer uses" is the same framework failing, not another one working there
    assert "other_framework_works" not in {c.id for c in snapshot_of(text).get(TriageFacts).cues}


@pytest.mark.parametrize("text, gpu", [
    ("I run it on Windows 10 with a Radeon card and it says it cannot use CUDA.", "Radeon"),
    ("My AMD Radeon RX 6800 XT is not used by PyTorch.", "Radeon RX 6800 XT"),
    ("Training is slow, the Radeon 780M of this laptop is not used.", "Radeon 780M"),
])
def test_a_radeon_is_named_by_its_model_words_not_the_rest_of_the_sentence(text, gpu):
    assert extract(text).first("gpu").value == gpu


@pytest.mark.parametrize("said", ["lists only `tensorflow==1.12.0`, not `tensorflow-gpu==1.12.0`",
                                  "pins tensorflow==1.12.0 instead of tensorflow-gpu==1.12.0"])
def test_a_pin_said_not_to_be_there_is_not_installed(said):
    # the package named as missing is no second install beside the CPU build (no package_conflict), and plain
    # tensorflow before 2.1 is the CPU build
    text = f"The GPU is not used. I installed from the project's requirements.txt, which {said}.\n"
    pins = [s.value for s in extract(text).all("pip_install")]
    assert pins == ["tensorflow==1.12.0"]
    assert triage(text).verdict.root_cause == "cpu_only_package"


def test_a_dll_the_reporter_says_the_machine_has_is_a_copy_of_another_cuda():
    # Windows names the runtime by its release (cudart64_101.dll is CUDA 10.1's, cudart64_110.dll 11.x's): the one
    # the machine has is not the one TensorFlow 2.3 asks for
    asked = "Windows 10, TensorFlow 2.3 with a GTX 1060. The log says Could not load dynamic library cudart64_101.dll"
    assert triage(asked + ".").verdict.root_cause == "cuda_libs_missing"
    report = triage(asked + ", but my machine only has cudart64_110.dll.")
    assert (report.verdict.root_cause, report.findings[0].code) == ("cuda_version_mismatch", "WG302")


@pytest.mark.parametrize("line, answer", [("Torch CUDA Available: True, device count 1, current device 0", "True"),
                                          ("Is CUDA available: No", "False"), ("Is CUDA available: Yes", "True")])
def test_an_is_available_answer_is_read_as_python_prints_it(line, answer):
    # collect_env's Yes/No and a line that goes on after the answer are the same answer
    assert [s.value for s in extract(line + "\n").all("torch_cuda_available")] == [answer]


def test_a_jax_extra_dropped_before_the_release_installed_brings_the_cpu_jaxlib():
    # jax 0.6.0 dropped the cuda12_pip extra (jax-ml/jax 5cf74cc): pip warns and installs jax with the CPU jaxlib alone
    text = ('I followed an old tutorial and ran pip install -U "jax[cuda12_pip]" -f '
            "https://storage.googleapis.com/jax-releases/jax_cuda_releases.html . It installed jax 0.6.2 but "
            "jax.devices() only shows CpuDevice. Ubuntu 22.04, driver 550.\n")
    r = triage(text)
    assert r.verdict.root_cause == "cpu_only_package" and r.findings[0].code == "WG403"
    assert "no longer provides [cuda12_pip]" in r.findings[0].evidence[0].fact
    # the same install at a release that still had the extra brings the CUDA plugin
    assert triage(text.replace("jax 0.6.2", "jax 0.4.30")).verdict.root_cause != "cpu_only_package"
    # with no release known, the install is taken as it was when the report was written
    assert "WG403" not in [f.code for f in triage(text.replace(" It installed jax 0.6.2 but", "")).findings]


def test_a_tensorflow_built_before_the_gpu_that_hangs_is_the_gpus_architecture():
    # alexanderkroner/saliency#25: an RTX 3090 (compute capability 8.6, known to CUDA from 11.1) under TensorFlow 1.x
    # builds (CUDA 10): every kernel is JIT-compiled from PTX, which the reporter sees as a hang
    text = ("Since I upgraded my GPU to an RTX 3090, the model's outputs are bad when I run it with TensorFlow 1.13. "
            "With TensorFlow 1.15 the program just hangs.\n")
    assert triage(text).verdict.root_cause == "compute_capability_unsupported"
    # "in case someone else runs into this" is an idiom, not another user's work on the GPU
    assert "gpu_memory_exhausted" not in [c.category for c in triage("A note in case someone else runs into this. " + text).candidates]


def test_jaxs_cuda_extra_in_the_fix_is_the_one_the_driver_runs():
    # cuda_drivers.csv: CUDA 13.0 needs driver 580; 550 runs CUDA 12.4, 470 runs 11.4
    base = "pip install jax (0.6.2) and jax.devices() only shows CpuDevice. Ubuntu 22.04, driver {d}.\n"
    for driver, extra in (("550", "jax[cuda12]"), ("580", "jax[cuda13]"), ("470", "jax[cuda12]")):
        r = triage(base.format(d=driver))
        top = r.findings[0]
        assert top.code == "WG403" and extra in top.fix.commands[0], (driver, top.fix)
    assert "Upgrade the driver" in triage(base.format(d="470")).findings[0].fix.text
