"""Forms the same facts take when another person retells a report (tests/triage/paraphrase5 and terse1 found them):
each is read as the form it retells."""

from __future__ import annotations

from helpers import triage_on_evidence as triage  # the readings alone (WG836's vote: test_similar_reports.py)
from whynogpu.facts.report import TriageFacts
from whynogpu.triage import cues
from whynogpu.triage.engine import snapshot
from whynogpu.triage.extract import extract


def _verdict(text: str) -> str:
    return triage(text).verdict.root_cause


def _rows(text: str) -> list[str]:
    return [m.id for m in extract(text).log]


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


def test_cuda_releases_in_lists_and_after_a_colon_and_not_a_considered_one():
    assert ("cuda", "10.0") in _facts("- CUDA/cuDNN 10.0")
    assert ("cuda", "10.2") in _facts("- CUDA on the machine: 10.2")
    assert not _facts("CUDA cores: 1024")
    # a release only considered is not installed ("that would mean dropping to CUDA 9.0")
    assert ("cuda", "9.0") not in _facts("An older TensorFlow would mean dropping to CUDA 9.0, so I did not.")
    assert ("cuda", "11.8") in _facts("I moved to CUDA 11.8 last week.")


def test_keras_backend_retold_and_memory_taken_when_a_module_is_imported():
    assert ("keras_backend", "tensorflow") in _facts("Keras first announces that it is using the TensorFlow backend.")
    said = "as soon as nemos is imported in my script, nvidia-smi shows my python process using 18 GB of GPU memory"
    assert "memory_taken" in cues.find(said)
    assert "memory_taken" in cues.find("Just importing anything from the package grabs a big chunk of my GPU memory.")


def test_tensorflows_short_name_where_only_tensorflow_is_meant():
    for said in ("TF 2.4 on Ubuntu", "tf.config.list_physical_devices('GPU') is empty", "TF startup can't load it"):
        assert "names_tensorflow" in cues.find(said), said
    assert "names_tensorflow" not in cues.find("the TF card reader")


def test_a_library_named_after_another_dotted_name_in_the_same_sentence():
    text = "TF startup can't load a libXXX.so.11.0 (libcudart.so.11.0 I think); the image is FROM nvidia/cuda 10.1."
    assert ("lib_failed", "libcudart.so.11.0") in _facts(text)


def test_a_tensorflow_past_loading_its_libraries_is_not_missing_them():
    # "Blas GEMM launch failed" needs a loaded cuBLAS: the CUDA stated beside it is no missing-library sign
    text = ("TensorFlow 2.0 on Windows 10.\n- CUDA / cuDNN: 10.1 / 7.6.5\n```\nInternalError: Blas GEMM launch failed : "
            "a.shape=(100, 784), b.shape=(784, 10), m=100, n=10, k=784 [Op:MatMul]\n```\n")
    report = triage(text)
    assert report.verdict.root_cause == "gpu_memory_exhausted"
    assert "cuda_version_mismatch" not in [c.category for c in report.candidates]


def test_colab_with_its_own_tensorflow_reads_no_linux_install_default():
    text = "Colab GPU runtime: the example's GPU timing is no faster than the CPU one.\n```python\nwith tf.device('/gpu:0'):\n```\n"
    assert "cuda_libs_missing" not in [c.category for c in triage(text).candidates]


def test_pip_collecting_the_framework_as_a_dependency_is_an_install_of_it():
    line = ("Requirement already satisfied: wheel<1.0,>=0.23.0 in /usr/local/lib/python3.10/dist-packages (from "
            "astunparse>=1.6.0->tensorflow<2.16,>=2.15.0->tensorflow-text->keras-nlp==0.6.3) (0.41.3)")
    assert ("pip_collects", "tensorflow") in _facts(line)
    assert ("pip_collects", "torch") in _facts("Collecting torch==2.1.0")
    assert not {k for k, _ in _facts("Collecting tensorflow-text (from keras-nlp==0.6.3)")} & {"pip_collects"}


def test_colab_notebook_that_was_fine_days_ago_with_its_own_tensorflow_release():
    text = ("GPU runtime connected but training as slow as on CPU. Same notebook was fine 2-4 days ago, no code change. "
            "I install tensorflow 2.12 (deps need it).\n")
    assert "stopped_by_itself" in cues.find(text)
    assert triage(text).verdict.root_cause == "cuda_version_mismatch"  # Colab's image moved on; 2.12 is the report's own


def test_short_questions_whether_the_gpu_is_used_and_a_shell_profile():
    assert "phrase:no_problem" in cues.phrases("Doesn't TF use the GPU automatically? Is the GPU used at all?")
    assert "phrase:libs_not_on_path" in cues.phrases("After `source /home/jovyan/.bashrc` it works in the terminal.")


def test_an_environment_variable_named_in_passing_is_no_loader_path():
    # "environment variable" is said in reports of every cause (in the dev split 2 of 15 such reports were a library
    # off the loader path); the loader path's own names still are
    assert "phrase:libs_not_on_path" not in cues.phrases(
        "I think an environment variable for xformers needs to be set, but I'm not sure how to do that here.")
    assert "phrase:libs_not_on_path" in cues.phrases("I think LD_LIBRARY_PATH needs to be set, but I'm not sure how.")


def test_a_variable_named_in_a_sentence_with_a_comma_sets_nothing():
    assert not _facts("the runtime env does not forward CUDA_VISIBLE_DEVICES, so code inside the actor fails")
    assert ("env:CUDA_VISIBLE_DEVICES", "1") in _facts("os.environ.setdefault('CUDA_VISIBLE_DEVICES', '1')")


def test_ray_sets_the_visible_devices_of_its_actors_over_the_users():
    text = ("ray 2.40.0, jax[cuda12] 0.4.36. GPU code in the actor fails:\n```python\nray.init(num_gpus=1)\n\n@ray.remote\n"
            "class MockActor:\n    async def __call__(self, x):\n        return jnp.asarray(x)\n\nactor = MockActor.options("
            "runtime_env={'CUDA_VISIBLE_DEVICES': \"0\"}).remote()\n```\n")
    assert triage(text).verdict.root_cause == "cuda_visible_devices_hidden"


def test_more_retold_forms():
    assert ("tf_gpus", "[]") in _facts("in Python tf.config.list_physical_devices('GPU') gives back `[]`.")
    assert ("tf_version", "1.1.0") in _facts("`pip install tensorflow-gpu`, which gave me 1.1.0. CUDA 8.0 is installed.")
    assert ("os", "elementary OS 6") in _facts("Laptop with a GeForce 940MX, elementary OS 6 daily build.")
    assert "phrase:cpu_only_package" in cues.phrases("Afterwards PyTorch was a CPU build and torch saw no GPU.")


def test_an_upgrade_to_a_new_os_release_leaves_no_old_kernel_module_running():
    text = ("AlphaFold in Docker on an RTX 4090 used the GPU until I upgraded the machine to Ubuntu 24.04.1; since then "
            "the prediction runs only on the CPU.\n")
    assert "driver_library_mismatch" not in [c.category for c in triage(text).candidates]
    assert "driver_library_mismatch" in [c.category for c in triage(
        "After an apt upgrade yesterday the GPU is gone: torch.cuda.is_available() returns False.\n").candidates]


def test_terse_forms_of_a_mac_a_broken_install_step_and_slowness():
    assert "macos" in cues.find("mac 13.0, Python 3.9.12, pytorch from conda")
    assert "install_broke_it" in cues.find(
        "2. `conda install -c conda-forge opencv` -> `torch.cuda.is_available()` now `False`")
    assert "gpu_unused" in cues.find("torch.cuda.is_available() prints True. Still CPU-bound and unusably slow.")


def test_paraphrase8_forms():
    assert ("gpu", "AMD") in _facts("The GPU inside the node is from AMD. Which driver do I need?")
    assert "second_process" in cues.find("eval.py dies with a GPU memory error while train.py is running")
    assert "gpu_unused" in cues.find("Vertex AI Workbench: the tutorial runs for hours, T4 looks idle")
    assert "gpu_unused" in cues.find("the GPU doesn't seem to do any work at all")
    # a doubt raised by a working message is no observation of the CPU doing the work
    text = ("GPU is found by torch but it is not used?\n\n`torch.cuda.device_count()` returns 1. When training starts "
            "under Lightning this appears, so I think the GPU is not really used:\n```\n"
            "LOCAL_RANK: 0 - CUDA_VISIBLE_DEVICES: [0]\n```\n")
    assert triage(text).verdict.root_cause == "no_problem"


def test_a_python_error_class_named_in_words_is_a_failure():
    assert "failing" in cues.find("a plain `import tensorflow` aborts with an ImportError saying there is no module")
    assert "failing" not in cues.find("it runs without any errors")


def test_terse5_forms():
    assert "phrase:cudnn_version_mismatch" in cues.phrases("My notebooks now crash: API needs cuDNN 8.1, runtime loads 8.0.5.")
    assert "gpu_runtime" in cues.find("Colab GPU: OD API needs cuDNN 8.1")
    assert "followed_install" in cues.find("Installed exactly per README (conda env + its conda install line + pip).")
    assert "gpu_unused" in cues.find("Training ~1 day/epoch, nvidia-smi shows nothing on the 4 GPUs.")
    assert "gpu_unused" in cues.find("更新したら学習開始後CPU 100%でGPUがほぼ動いていない。")


def test_the_python_process_said_to_be_in_nvidia_smi():
    said = "in nvidia-smi the python process is there with small amount of memory on the card, nothing more"
    assert "process_on_gpu" in cues.find(said)


def test_messages_retold_in_a_sentence_are_read_as_those_messages():
    # (retold1/retold2: program output described in words, with its names and numbers)
    assert _verdict("TensorFlow stops with an error that the loaded runtime CuDNN library is 8.0.5 but the source was "
               "compiled with 8.1.0.") == "cudnn_version_mismatch"
    assert _verdict("every run stops with a RuntimeError telling me the NVIDIA driver on my system is too old (it says it "
               "found version 11070).") == "driver_too_old"
    assert _verdict("jnp.arange prints that the CUDA backend failed to initialize: unable to load cuDNN, is it installed?"
               ) == "cudnn_missing"
    assert _verdict("import torch fails: libcusparse.so.12 has an undefined symbol __nvJitLinkComplete_12_4, version "
               "libnvJitLink.so.12.") == "system_libs_shadow_pip_libs"


def test_more_messages_retold():
    assert _verdict("Ubuntu 18.04, CUDA 9.2. Since then importing TensorFlow fails with an ImportError: libcublas.so.9.0, "
               "cannot open shared object file, no such file or directory.") == "cuda_version_mismatch"
    assert _verdict("It aborts with a CUDAMismatchException: the installed CUDA version 11.7 does not match the version "
               "torch was compiled with, 12.1.") == "cuda_version_mismatch"
    assert ("lib_failed", "libcufft.so.10.0") in _facts("the shared object file libcufft.so.10.0 cannot be opened")
    assert "cuda_visible_devices_hidden" in [c.category for c in triage(
        "docker fails: nvidia-container-cli reports a device error: 1: unknown device").candidates]


def test_messages_retold_with_lower_case_or_a_comma():
    assert "tf_cannot_dlopen_gpu_libs" in _rows("TensorFlow warns it cannot dlopen some GPU libraries and that …")
    assert "jax_cuda_older" in _rows("JAX says: found cuSOLVER version 11002, but JAX was built against version 11401")
    assert "cudnn_sublib_symbol" in _rows("it could not load library libcudnn_cnn_train.so.8, and the error is that "
                                         "/usr/local/cuda-12.3/lib64/libcudnn_cnn_train.so.8 has an undefined symbol")


def test_retold3_and_retold4_forms():
    assert "tf_cc_minimum_retold" in _rows("TensorFlow ignores my GTX 1070 (compute capability 6.1), says the minimum "
                                          "required Cuda capability is 7.0")
    assert "jax_cuda_older" in _rows("found CUDA version 12010 but JAX was built against 12020 which is newer")
    assert "pip_cudnn_wheel_conflict" in _rows("torch 2.1.1 requires nvidia-cudnn-cu12==8.9.2.26 (on Linux x86_64), but "
                                              "I have nvidia-cudnn-cu12 9.5.1.17 which is incompatible.")
    assert "gpu_unused" in cues.find("TensorFlow says it is ignoring the visible GPU and no GPU is used.")


def test_both_tensorflow_variants_said_through_their_versions_and_a_retold_requirement_error():
    assert "both_tf" in cues.find("My training script only uses the CPU. I made sure the tf and tf-gpu versions are the same.")
    assert _rows("nvidia-container-cli reports a requirement error, unsatisfied condition: cuda>=12.8") == \
        ["ctk_require_cuda"]


def test_an_ngc_containers_driver_check_retold():
    text = ("Already the container banner complains: an ERROR that this container was built for NVIDIA Driver Release "
            "450.36 or later, but version 440.100 was detected and compatibility mode is UNAVAILABLE.")
    assert triage(text).verdict.root_cause == "driver_too_old"


def test_a_message_retold_in_the_writers_own_case_is_still_that_message():
    # JAX's INFO lines (benign) retold in lower case inside a sentence, then the printed form
    told = ("The run prints three INFO messages: that it is starting the local TPU driver, then that it is unable to "
            "initialize backend 'tpu_driver', then unable to initialize backend 'tpu'. Do they mean my setup is wrong?")
    ids = [m.id for m in extract(told).log]
    assert ids and ids == [m.id for m in extract("Unable to initialize backend 'tpu': Invalid argument").log]
    # program output keeps the program's case: a lower-cased line in a pasted block is no such message
    assert [m.id for m in extract("```\nunable to initialize backend 'tpu'\n```\n").log] == []


def test_a_message_whose_colon_a_person_retells_in_words():
    # "Failed to initialize NVML: Insufficient Permissions" told in a sentence (retold8, NVIDIA/nvidia-container-toolkit#210)
    for said in ("it prints that it failed to initialize NVML because of Insufficient Permissions.",
                 "nvidia-smi says failed to initialize NVML - insufficient permissions",
                 "it failed to initialize NVML due to insufficient permissions"):
        assert _rows(said) == ["nvml_no_permission"], said
    assert _rows("it failed to initialize NVML and I lack the permissions for it") == []  # the words, not the message
    # the pasted form still reads as printed, and a pattern's "(?: …)" group is not a colon to retell
    assert _rows("Failed to initialize NVML: Insufficient Permissions") == ["nvml_no_permission"]
    assert _rows("he says the CUDA driver version is insufficient for CUDA runtime version") == ["tf_insufficient_driver"]


def test_two_tensorflow_distributions_listed_side_by_side_are_both_installed():
    said = "`pip list` now shows tensorflow 1.14.0 and tensorflow-gpu 1.14.0 side by side."
    assert "both_tf" in cues.find(said)
    assert "both_tf" not in cues.find("Is tensorflow 1.14.0 and tensorflow-gpu 1.14.0 the same code?")


def test_the_words_of_a_retold_message_are_the_programs_not_the_reporters():
    # TensorFlow's "Overriding orig_value setting because the TF_FORCE_GPU_ALLOW_GROWTH environment variable is set"
    # told in a sentence (retold9, DeepLabCut): "environment variable" there names no loader-path problem
    said = ("- a warning from gpu_bfc_allocator that it is overriding orig_value setting because the "
            "TF_FORCE_GPU_ALLOW_GROWTH environment variable is set, and the original config value was 0")
    x = extract(said)
    assert [m.id for m in x.log] == ["tf_gpu_allocator_growth"]
    assert "phrase:libs_not_on_path" not in [c.id for c in x.cues]
    # the reporter's own words beside it still count
    x = extract(said + "; I also set the LD_LIBRARY_PATH environment variable myself")
    assert "phrase:libs_not_on_path" in [c.id for c in x.cues]


def test_nvidia_smis_memory_column_retold():
    assert ("gpu_memory", "7879/8114") in _facts("nvidia-smi shows the GTX 1070 with 7879MiB of 8114MiB memory used")
    assert ("gpu_memory", "7879/8114") in _facts("|  7879MiB /  8114MiB |")


def test_another_vendors_card_named_by_its_model_alone():
    for said, model in (("something to do with my graphics card (a Vega 64)", "Vega 64"),
                        ("my RX 6700 XT is not used", "RX 6700 XT"), ("on an Arc A770 laptop", "Arc A770")):
        assert ("gpu", model) in _facts(said), said
        assert _verdict(f"{said}. RuntimeError: No CUDA GPUs are available") == "no_nvidia_gpu", said
    assert ("gpu", "RTX 3060") in _facts("my RTX 3060 is not used")  # (NVIDIA's RTX is not AMD's RX)


def test_jaxs_advice_retold_is_no_setting():
    said = ("It fails with a RuntimeError: unable to initialize backend 'cuda'. The message also suggests I may need to "
            "uninstall the failing plugin package, or set JAX_PLATFORMS=cpu to skip this backend.")
    assert not [f for f in _facts(said) if f[0] == "env:JAX_PLATFORMS"]
    assert ("env:JAX_PLATFORMS", "cpu") in _facts("I set JAX_PLATFORMS=cpu in my job script.")


def test_an_mmcv_op_said_to_have_no_cuda_implementation():
    assert _rows("RuntimeError: ms_deform_attn_impl_forward: implementation for device cuda:0 not found.") == ["mmcv_op_no_cuda"]
    assert _rows("the training dies because ms_deform_attn_impl_forward has no implementation for device cuda:0") == \
        ["mmcv_op_no_cuda"]


def test_an_answer_that_comes_back():
    assert ("torch_cuda_available", "True") in _facts("in PyTorch, `torch.cuda.is_available()` comes back True")
    assert ("torch_cuda_available", "False") in _facts("torch.cuda.is_available() came back as False")
    assert ("torch_cuda_available", "False") in _facts("torch.cuda.is_available() reports False")


def test_a_release_said_with_the_word_version():
    assert ("tf_version", "2.10.1") in _facts("pip show tells me tensorflow is version 2.10.1.")
    assert ("tf_version", "2.10.1") in _facts("tensorflow version 2.10.1 on Windows")
    assert ("torch_version", "2.1.0") in _facts("torch is version 2.1.0")
    assert not [f for f in _facts("the tensorflow version matters") if f[0] == "tf_version"]


def test_two_fields_retold_on_one_line():
    said = '- CUDA used to build PyTorch: "Could not collect"; ROCM: N/A'
    assert ("torch_build_cuda", "Could not collect") in _facts(said)


def test_a_command_quoted_in_a_sentence_that_asks_for_the_cpu():
    said = ("ComfyUI renders on the CPU. Its ExecStart is "
            "`/opt/ComfyUI/venv/bin/python /opt/ComfyUI/main.py --listen --port 8188 --cpu`.")
    assert ("cpu_flag", "--cpu") in _facts(said)
    assert _verdict(said) == "code_forces_cpu"
    assert not [f for f in _facts("I know `--cpu` exists but I never pass it.") if f[0] == "cpu_flag"]


def test_num_gpus_asking_for_gpus_is_no_ray_work_given_none():
    # tf_cnn_benchmarks' --num_gpus=1 (kubeflow's tf-cnn prototype): a GPU asked for, not Ray work that asks for none
    assert "phrase:cuda_visible_devices_hidden" not in cues.phrases("It runs python tf_cnn_benchmarks.py with --num_gpus=1.")
    assert "phrase:cuda_visible_devices_hidden" in cues.phrases("The actor is declared with num_gpus=0.")
    assert "phrase:cuda_visible_devices_hidden" in cues.phrases("I use Ray Tune for the search.")


def test_memory_taken_as_the_framework_starts_is_the_gpu_in_use():
    # retold12 (craftax): JAX reserves 75 % of the GPU's memory when it starts; "used up" words say no more than that
    said = "As soon as I import anything from craftax (a JAX library) a big part of my GPU memory is used up."
    assert _verdict(said) == "no_problem"
    assert _verdict(said + " Then training fails with an out of memory error.") == "gpu_memory_exhausted"


def test_a_command_longer_than_a_fact_keeps_its_cpu_option():
    # a fact keeps 300 characters of its line; the option past them is still the command's (this crashed once)
    long = "    python main.py " + "--opt x " * 100 + "--cpu\n"
    assert ("cpu_flag", "--cpu") in _facts(long)
    assert _verdict(long) == "code_forces_cpu"


def test_an_architecture_named_with_a_space_or_a_dot_is_the_compute_capability():
    # "sm 2.0" and "compute 2.0" are how people write sm_20 / compute_20 (MXNet #2890, rewritten)
    for said in ("I'm running it on a computer with an sm 2.0 video card and only get zeros back.",
                 "It was compiled with compute 2.0 support."):
        assert "phrase:compute_capability_unsupported" in cues.phrases(said), said
    assert "phrase:compute_capability_unsupported" not in cues.phrases("It uses small models and computes fast.")


def test_a_gpu_lost_at_a_reboot_is_a_driver_that_did_not_load_not_an_old_module_left_running():
    # a boot loads the driver that is installed, so no old kernel module is left running after it (dlib, rewritten)
    lost = ("Windows 10. face_recognition ran fine on the GPU until I rebooted the PC. Now it dies at import:\n"
            "Error while calling cudaGetDevice(&the_device_id) in file gpu_data.cpp:201. code: 999, reason: unknown "
            "error\n")
    assert triage(lost).verdict.root_cause == "driver_not_loaded"
    assert "reboot_broke_it" in cues.find("CUDA error 999 on import since a restart")
    # a reboot that brings the GPU back is the old module left running by an upgrade
    fixed = "After the driver update torch says CUDA is not available. It works again after I reboot."
    assert triage(fixed).verdict.root_cause == "driver_library_mismatch"
    assert "reboot_fixes" in cues.find("once I rebooted it worked again")
    assert "reboot_fixes" not in cues.find("it ran fine until I rebooted")


def test_an_out_of_memory_status_named_in_a_sentence_is_memory_taken():
    # Theano's cnmem (and CUDA's own CUDA_ERROR_OUT_OF_MEMORY) retold: the status name is one word with underscores
    text = ("In a fresh notebook in the container, `import theano` says it is not using the GPU because initialisation "
            "of device gpu failed: initCnmem's cnmemInit call failed with CNMEM_STATUS_OUT_OF_MEMORY.")
    assert _verdict(text) == "gpu_memory_exhausted"
    assert _verdict(text.replace("CNMEM_STATUS_OUT_OF_MEMORY", "an error")) != "gpu_memory_exhausted"


def test_a_start_said_to_be_slow_on_a_gpu_newer_than_the_builds_cuda():
    # keras#8516's shape, told tersely: TensorFlow 1.4 (built with CUDA 8.0) on a V100, which CUDA knows from 9.0 on,
    # JIT-compiles its kernels from PTX before the first batch
    text = ("Keras start very slow on V100, fine on K80\n\nmnist_cnn.py, TF 1.4, image tensorflow/tensorflow:1.4.0-gpu-py3 "
            "on AWS. Same container and script on a Tesla V100-SXM2-16GB is very slow. Why?")
    assert "slow_start" in cues.find("Keras start very slow on V100, fine on K80")
    assert _verdict(text) == "compute_capability_unsupported"
    assert "slow_start" not in cues.find("Training is slow on the V100.")
