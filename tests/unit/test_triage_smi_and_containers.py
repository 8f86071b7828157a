"""nvidia-smi's table read as facts (MIG mode per GPU, not its column headers as words), and where a container's
`--gpus` is not what hands the GPU over (Kubernetes pods, Docker Desktop)."""

from __future__ import annotations

from helpers import triage_on_evidence
from whynogpu.facts.report import TriageFacts
from whynogpu.triage.engine import snapshot, triage

# The table's format and values as nvidia-smi 550 prints two A100s in MIG mode with no MIG instance
# (pytorch/pytorch#131650)
MIG_TABLE = """\
```
+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 550.54.15              Driver Version: 550.54.15      CUDA Version: 12.4     |
|-----------------------------------------+------------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |
| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |
|                                         |                        |               MIG M. |
|=========================================+========================+======================|
|   0  NVIDIA A100 80GB PCIe          Off |   00000000:31:00.0 Off |                   On |
| N/A   34C    P0             43W /  300W |      53MiB /  81920MiB |     N/A      Default |
|                                         |                        |              {mig} |
+-----------------------------------------+------------------------+----------------------+
|   1  NVIDIA A100 80GB PCIe          Off |   00000000:4B:00.0 Off |                   On |
| N/A   33C    P0             46W /  300W |      50MiB /  81920MiB |     N/A      Default |
|                                         |                        |              {mig} |
+-----------------------------------------+------------------------+----------------------+
```
"""
FAILS = ("torch 2.4.0 with CUDA 12.4 fails as soon as it touches the GPU:\n"
         "RuntimeError: device >= 0 && device < num_gpus INTERNAL ASSERT FAILED\n")


def test_mig_mode_without_an_instance_is_checks_own_finding():
    report = triage(FAILS + MIG_TABLE.format(mig="Enabled"))
    assert report.verdict.root_cause == "gpu_access_restricted"
    top = report.findings[0]
    assert top.code == "WG205"  # the rule `check` runs on NVML's MIG state
    assert "GPU 1 (NVIDIA A100 80GB PCIe)" in " ".join(e.fact for e in top.evidence)


def test_mig_disabled_or_an_instance_named_is_no_restriction():
    for text in (FAILS + MIG_TABLE.format(mig="Disabled"),
                 "export CUDA_VISIBLE_DEVICES=MIG-5c89852c-d268-c3f3-1b07-005d5ae1dc3f\n" + FAILS +
                 MIG_TABLE.format(mig="Enabled")):
        assert all(f.code != "WG205" for f in triage(text).findings)


def test_the_tables_column_headers_are_not_the_reporters_words():
    # "MIG M." and "Compute M." head every table since driver 450: they name no restriction
    facts = snapshot(FAILS + MIG_TABLE.format(mig="Disabled")).get(TriageFacts)
    assert "phrase:gpu_access_restricted" not in [c.id for c in facts.cues]
    assert [s.value for s in facts.all("smi_gpu_name")] == ["NVIDIA A100 80GB PCIe"] * 2


def test_no_devices_found_inside_a_container_is_a_container_given_no_gpu():
    # nvidia-smi runs in a container only when the driver's libraries were mounted into it; finding no device
    # then means no GPU was handed over with them
    text = ("Our CI jobs run their steps inside containers started by the runner, and one job fails at the GPU check:\n"
            "```\n$ nvidia-smi\nNo devices were found\n```\nOn the host nvidia-smi lists all eight GPUs.")
    report = triage(text)
    assert report.verdict.root_cause == "container_no_gpu"
    assert "gpu_access_restricted" in [c.category for c in report.candidates]
    bare = triage("```\n$ nvidia-smi\nNo devices were found\n```")  # on a machine: the driver could not start the GPU
    assert bare.verdict.root_cause == "driver_not_loaded"


def test_docker_desktop_or_kubernetes_is_named_even_with_gpus_all():
    for place in ("Docker is Docker Desktop on my workstation.", "It runs as a pod on our minikube cluster."):
        text = (f"The container cannot see the GPU although I pass --gpus all. {place}\n"
                "```\ndocker run --gpus all -p 8080:8080 my-image\n```\ntorch.cuda.is_available() is False inside.")
        assert triage(text).verdict.root_cause == "container_no_gpu", place


def test_an_image_name_with_k8s_in_it_is_no_kubernetes():
    text = ("Cannot use GPU in WSL after updating Windows.\n```\n$ sudo docker run --gpus all "
            "nvcr.io/nvidia/k8s/cuda-sample:nbody nbody -gpu -benchmark\nError: only 0 Devices available, 1 requested."
            "  Exiting.\n```")
    # on the report's own evidence: the vote of similar reports is tested in test_similar_reports.py (a dev report
    # from nvidia-docker#1410, Docker Desktop without the NVIDIA runtime, now reads much like this one)
    assert triage_on_evidence(text).verdict.root_cause == "wsl_gpu_not_enabled"


def test_a_phrase_past_the_first_300_characters_keeps_its_words():
    filler = "The model is a diffusers pipeline with a custom handler and a few extra files for the tokenizer. " * 4
    text = filler + "I do pass --gpus all, and Docker is Docker Desktop.\n```\ndocker run --gpus all img\n```"
    facts = snapshot(text).get(TriageFacts)
    cue = next(c for c in facts.cues if c.id == "place:container_no_gpu")
    assert "Docker Desktop" in cue.text


def test_ptxas_missing_in_words_is_missing_cuda_tools():
    text = ("JAX in the gpu-jupyter container fails when I fit a model, with an error saying ptxas can't be found. "
            "There is no ptxas binary anywhere in the image.")
    assert triage(text).verdict.root_cause == "cuda_libs_missing"


def test_no_cuda_device_on_native_windows_with_an_nvidia_gpu_is_its_driver():
    text = ("Windows 10, GTX 1060 6GB. Every launcher starts, but generating fails with\n"
            "```\nRuntimeError: No CUDA GPUs are available\n```")
    assert triage(text).verdict.root_cause == "driver_not_loaded"
    # the same message where a variable may hide the GPU (Linux, nothing else said) keeps its first reading
    assert triage(text.replace("Windows 10", "Ubuntu 22.04")).verdict.root_cause == "cuda_visible_devices_hidden"


def test_no_cuda_device_on_colab_is_a_runtime_without_a_gpu():
    text = "In Google Colab the first cell fails:\n```\nRuntimeError: CUDA error: no CUDA-capable device is detected\n```"
    assert triage(text).verdict.root_cause == "no_nvidia_gpu"


def test_no_cuda_device_on_a_colab_gpu_runtime_is_something_hiding_it():
    text = ("Google Colab, runtime type is GPU (I double-checked). A cell fails:\n"
            "```\nRuntimeError: No CUDA GPUs are available\n```")
    assert triage(text).verdict.root_cause == "cuda_visible_devices_hidden"


def test_the_runtime_type_set_to_gpu_is_no_word_for_a_missing_gpu():
    text = ("Colab notebook with TensorFlow 2.0: training is as slow as on the CPU, even though \"Change runtime type\" "
            "is explicitly set to GPU.")
    assert "no_nvidia_gpu" not in [c.category for c in triage(text).candidates]


def test_a_windows_users_folder_seen_from_wsl_is_not_a_mac():
    text = ("Inside WSL the server fails to find CUDA:\n```\n(textgen) me@DESKTOP-4KQ2P7M:/mnt/c/Users/me/dev/webui$ "
            "python server.py --load-in-8bit\n/home/me/miniconda3/envs/textgen/lib/python3.10/site-packages/bitsandbytes/"
            "cuda_setup/main.py:136: UserWarning: /home/me/miniconda3/envs/textgen did not contain libcudart.so as "
            "expected! Searching further paths...\n```")
    report = triage(text)
    assert report.verdict.root_cause == "libs_not_on_path"  # bitsandbytes' own search (bitsandbytes#741)
    assert "macos_no_cuda" not in [c.category for c in report.candidates]


def test_a_cpu_only_jax_in_a_report_is_not_said_to_be_imported():
    text = ("Ubuntu 22.04, RTX 3090. I ran pip install jax and then:\n```\n>>> import jax\n>>> jax.devices()\n"
            "An NVIDIA GPU may be present on this machine, but a CUDA-enabled jaxlib is not installed. Falling back to "
            "cpu.\n[CpuDevice(id=0)]\n```")
    top = triage(text).findings[0]
    assert top.code == "WG501" and "importing" not in top.title
    assert "CUDA-enabled jaxlib is not installed" in top.evidence[0].fact


def test_a_container_started_with_gpus_that_docker_could_not_serve_is_fixed_on_the_host():
    # Docker's own words when no NVIDIA runtime is registered (docs.nvidia.com container-toolkit install guide)
    text = ("Ubuntu 22.04 host, RTX 3090.\n$ docker run --gpus all -it mytrain:latest python train.py\n"
            "docker: Error response from daemon: could not select device driver \"\" with capabilities: [[gpu]].")
    top = triage(text).findings[0]
    assert (top.code, top.category) == ("WG103", "container_no_gpu")
    assert "sudo nvidia-ctk runtime configure --runtime=docker" in top.fix.commands
    assert not any(c.startswith("docker run --gpus") for c in top.fix.commands)  # what the reporter already ran
    # without --gpus the fix is to ask for the GPU
    plain = triage("$ docker run -it mytrain:latest python train.py\nRuntimeError: Found no NVIDIA driver on your "
                   "system. Please check that you have an NVIDIA GPU and installed a driver").findings[0]
    assert any(c.startswith("docker run --gpus") for c in plain.fix.commands)


def test_nvidia_smis_row_numbers_count_the_gpus_a_visible_devices_list_may_name():
    rows = ("|   3  Tesla V100-PCIE...  On   | 0000:09:00.0     Off |                    0 |\n"
            "| N/A   33C    P0    37W / 250W |    419MiB / 32510MiB |      0%      Default |\n"
            "|   4  Tesla V100-PCIE...  On   | 0000:85:00.0     Off |                    0 |\n"
            "| N/A   34C    P0    37W / 250W |    419MiB / 32510MiB |      0%      Default |\n")
    text = ("Training is slow and the two V100s I picked stay idle:\n```\n" + rows + "```\n```python\n"
            "os.environ[\"CUDA_VISIBLE_DEVICES\"] = '3,4'\n```")
    report = triage(text)
    # GPUs 3 and 4 exist (nvidia-smi lists them): the variable hides nothing that the words or the count could show
    assert report.verdict.root_cause != "cuda_visible_devices_hidden"
    assert triage(text.replace(rows, "")).verdict.root_cause == "cuda_visible_devices_hidden"


def test_a_container_given_the_gpu_without_the_compute_capability_has_no_cuda():
    # nerdctl's and Docker's --gpus take the driver capabilities the NVIDIA runtime mounts (containerd/nerdctl#1023);
    # without "compute" there is no libcuda inside, while nvidia-smi ("utility") still runs
    start = ("nerdctl run -it --rm --gpus capabilities=utility,device=GPU-5d71a2e0-8c3b-47f1-b2a6-0e9f61c4d7a3 "
             "nvidia/cuda:9.0-base nvidia-smi")
    text = f"In the container torch.cuda.is_available() returns False:\n```\n{start}\n```\n"
    report = triage(text)
    assert report.verdict.root_cause == "container_no_gpu"
    top = report.findings[0]
    assert top.code == "WG103"  # check's rule on NVIDIA_DRIVER_CAPABILITIES
    assert "NVIDIA_DRIVER_CAPABILITIES='utility'" in top.evidence[0].fact  # the list ends at the next key
    assert "WG204" not in [f.code for f in report.findings]  # the rest of the container's /dev is not known
    env = text.replace(start, "docker run --gpus all -e NVIDIA_DRIVER_CAPABILITIES=utility -it img python train.py")
    assert triage(env).verdict.root_cause == "container_no_gpu"
    asked = text.replace(start, "docker run --gpus '\"capabilities=compute,utility\"' img python train.py")
    assert "WG103" not in [f.code for f in triage(asked).findings]


def test_a_container_started_from_tensorflows_cpu_image_is_checks_image_rule():
    # The official image's tags without "-gpu" are Ubuntu plus `pip install tensorflow`: no CUDA library inside
    # (knowledge/container_images.csv); the rule scan runs on a compose service's image judges a `docker run` too
    run = ('docker run --gpus all -it tensorflow/tensorflow:2.15.0 python -c "import tensorflow as tf; '
           'print(tf.config.list_physical_devices())"\n[PhysicalDevice(name=/physical_device:CPU:0, device_type=CPU)]\n')
    report = triage(run)
    assert report.verdict.root_cause == "cuda_libs_missing"
    top = report.findings[0]
    assert top.code == "WG724" and top.fix.commands == ("tensorflow/tensorflow:2.15.0-gpu",)
    assert "WG724" not in [f.code for f in triage(run.replace(":2.15.0 ", ":2.15.0-gpu ")).findings]
    # distrobox's --nvidia hands the GPU in, and its --image names the image
    box = "$ distrobox ephemeral --nvidia --image tensorflow/tensorflow:latest\nTensorFlow in the box lists no GPU.\n"
    assert triage(box).findings[0].code == "WG724"


def test_apptainers_nv_hands_the_gpu_in():
    text = "apptainer exec --nv tf.sif python train.py\nTensorFlow finds no GPU in the container.\n"
    assert snapshot(text).get(TriageFacts).first("gpu_request") is not None
    assert snapshot(text.replace(" --nv", "")).get(TriageFacts).first("gpu_request") is None


def test_a_compose_reservation_without_compute_under_docker_desktop_is_the_containers_cause():
    # Docker Desktop runs its containers in WSL 2: libcuda missing there is the container's mounts, not the Windows
    # driver's, when the reservation's capabilities (which Docker turns into NVIDIA_DRIVER_CAPABILITIES) lack compute
    text = ("Docker Desktop on Windows 11 (WSL2 backend), RTX 4070. My compose service:\n```yaml\n"
            "    deploy:\n      resources:\n        reservations:\n          devices:\n"
            "            - driver: nvidia\n              count: all\n              capabilities: [gpu, utility]\n```\n"
            "nvidia-smi works in the container, but the app fails with\n"
            "```\nImportError: libcuda.so.1: cannot open shared object file: No such file or directory\n```\n")
    report = triage(text)
    assert (report.verdict.root_cause, report.findings[0].code) == ("container_no_gpu", "WG103")
    assert "NVIDIA_DRIVER_CAPABILITIES='utility'" in report.findings[0].evidence[0].fact
    assert "WG104" not in [f.code for f in report.findings]
    # nvidia-smi works in the container: the host's driver is loaded, whatever libcuda's absence could otherwise mean
    assert "driver_not_loaded" not in [f.category for f in report.findings]
    fixed = triage(text.replace("[gpu, utility]", "[gpu, compute, utility]"))
    assert "WG103" not in [f.code for f in fixed.findings]


# TensorFlow 2.18's line when a library it dlopens is missing, as printed (tensorflow/build#217)
_DLOPEN = ("W0000 00:00:1736383795.205652  747392 gpu_device.cc:2344] Cannot dlopen some GPU libraries. Please make sure "
           "the missing libraries mentioned above are installed properly if you would like to use GPU. Follow the "
           "guide at https://www.tensorflow.org/install/gpu for how to download and setup the required libraries for "
           "your platform.\nSkipping registering GPU devices...\n")


def test_an_apptainer_image_pulled_from_a_registry_is_the_reports_image():
    text = "I run `apptainer pull docker://tensorflow/tensorflow:latest-gpu`, then `singularity exec --nv x.sif`."
    images = [s.value for s in snapshot(text).get(TriageFacts).all("image")]
    assert images == ["tensorflow/tensorflow:latest-gpu"]


def test_in_an_image_that_carries_cuda_a_failed_dlopen_is_not_a_missing_cuda_runtime():
    # outside any image, TensorFlow 2.18's first library is its CUDA runtime: the model of the loader names it
    bare = "TensorFlow 2.18 does not load the GPU. It prints:\n```\n" + _DLOPEN + "```\n"
    assert triage(bare).findings[0].code == "WG301"
    # the official -gpu image holds TensorFlow's CUDA: the line does not say which other library failed
    image = "I pull `docker://tensorflow/tensorflow:latest-gpu` with apptainer; TensorFlow 2.18 in it prints:\n```\n" \
            + _DLOPEN + "```\n"
    assert all(f.code != "WG301" for f in triage(image).findings)
    # and where the reporter says the cuDNN there is another major than the one it wants, that is the cause
    said = image + "It looks like 2.18 wants libcudnn 9 while the container only provides libcudnn 8.\n"
    assert triage(said).verdict.root_cause == "cudnn_version_mismatch"


def test_a_container_checked_with_nvidia_smi_says_nothing_of_the_one_that_runs_the_work():
    # tensorflow#41990's shape: the notebook image started without --gpus, beside the usual check with --gpus all
    text = ("I start the GPU jupyter image like this:\n\n"
            "    docker run -it -p 8888:8888 tensorflow/tensorflow:latest-gpu-jupyter jupyter notebook --ip 0.0.0.0\n\n"
            "In the notebook, TensorFlow lists 0 GPUs. The driver is fine: this prints the nvidia-smi table:\n\n"
            "    docker run --gpus all nvidia/cuda:10.0-base nvidia-smi\n")
    assert triage_on_evidence(text).verdict.root_cause == "container_no_gpu"
    f = snapshot(text, resemble=False).get(TriageFacts)
    assert [r.value for r in f.framework_runs()] == ["no_gpus"] and len(f.all("docker_run")) == 2
    # with --gpus on the notebook's own command line, the check is no sign of a container without the GPU
    given = text.replace("docker run -it -p", "docker run --gpus all -it -p")
    assert triage_on_evidence(given).verdict.root_cause != "container_no_gpu"
