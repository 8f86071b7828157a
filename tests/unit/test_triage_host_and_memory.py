"""Readings grounded in how the stack works, each with both sides tested: a Mac host explains a container's GPU
failure; the NVIDIA runtime's "unknown device" is a GPU index the host lacks; JAX beside TensorFlow in one process
runs out of GPU memory (JAX's docs, "GPU memory allocation")."""

from __future__ import annotations

from helpers import triage_on_evidence
from whynogpu.triage.engine import triage

# nvidia-docker#1283's message, as Docker prints a failing prestart hook
UNKNOWN_DEVICE = ("docker: Error response from daemon: OCI runtime create failed: container_linux.go:349: starting container "
                  "process caused \"process_linux.go:449: container init caused \\\"process_linux.go:432: running prestart "
                  "hook 0 caused \\\\\\\"error running hook: exit status 1, stdout: , stderr: nvidia-container-cli: device "
                  "error: 1: unknown device\\\\\\\\n\\\\\\\"\\\"\": unknown.")
NO_DRIVER = 'docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].'


def test_a_container_on_a_mac_is_the_mac_and_on_linux_the_toolkit():
    mac = triage(f"I run the project's GPU image on my MacBook Pro (Apple M2) with --gpus all:\n```\n{NO_DRIVER}\n```\n")
    assert mac.verdict.root_cause == "macos_no_cuda"
    linux = triage(f"On Ubuntu 22.04 with an RTX 3090, `docker run --gpus all` gives:\n```\n{NO_DRIVER}\n```\n")
    assert linux.verdict.root_cause == "container_no_gpu"


def test_an_unknown_device_is_a_gpu_index_the_host_does_not_have():
    r = triage(f"sudo docker run --gpus 2 nvidia/cuda:10.0-base nvidia-smi\n```\n{UNKNOWN_DEVICE}\n```\n")
    assert r.verdict.root_cause == "cuda_visible_devices_hidden"
    assert any("nvidia-smi -L" in c for c in r.findings[0].fix.commands)


def test_jax_that_loads_tensorflow_too_and_crashes_has_no_memory_left():
    body = ("The JAX example aborts at the start. jax and jaxlib are the CUDA build; TensorFlow 2.1.0 and "
            "tensorflow_datasets feed the data.\n```\n"
            "2020-05-11 20:08:28.772679: W tensorflow/stream_executor/platform/default/dso_loader.cc:55] Could not load "
            "dynamic library 'libnvinfer.so.6'; dlerror: libnvinfer.so.6: cannot open shared object file: No such file "
            "or directory\nFatal Python error: Aborted\n```\n")
    r = triage(body)
    assert r.verdict.root_cause == "gpu_memory_exhausted"
    assert any("set_visible_devices" in c for c in r.findings[0].fix.commands)
    # jaxlib's own XLA prints lines from TensorFlow's source tree: that is no TensorFlow in the process
    alone = triage("JAX on WSL keeps printing this, and I wonder whether it is an error:\n```\nE external/org_tensorflow/"
                   "tensorflow/stream_executor/cuda/cuda_gpu_executor.cc:927] could not open file to read NUMA node: "
                   "/sys/bus/pci/devices/0000:01:00.0/numa_node\nYour kernel may have been built without NUMA support.\n```\n")
    assert alone.verdict.root_cause != "gpu_memory_exhausted"
    # nothing failing: two frameworks in one environment are no problem by themselves
    fine = triage("I use JAX for the model and TensorFlow 2.15 for tf.data; training runs at full speed on the GPU.")
    assert fine.verdict.root_cause != "gpu_memory_exhausted"


def test_a_macos_home_folder_says_mac_and_windows_or_wsl_home_folders_do_not():
    mac = triage("AssertionError: Torch not compiled with CUDA enabled\nThe script is /Users/ana/projects/seg/run.py, "
                 "run from PyCharm.")
    assert mac.verdict.root_cause == "macos_no_cuda"
    assert "report's words" in mac.findings[0].evidence[0].fact
    for path in ("C:/Users/ana/projects/run.py", "/mnt/c/Users/ana/projects/run.py", "/c/Users/ana/run.py"):
        other = triage(f"AssertionError: Torch not compiled with CUDA enabled\nThe script is {path}.")
        assert other.verdict.root_cause != "macos_no_cuda", path


def test_a_wsl1_kernel_string_is_wsl1_and_a_wsl2_one_is_not():
    env = "- Platform: Linux-4.4.0-19041-Microsoft-x86_64-with-glibc2.31\n- PyTorch version (GPU?): 1.12.1+cu116 (False)\n"
    wsl1 = triage("Why does the env report say False?\n" + env)
    assert wsl1.verdict.root_cause == "wsl_gpu_not_enabled" and wsl1.findings[0].code == "WG104"  # WSL 1: no GPU at all
    wsl2 = env.replace("4.4.0-19041-Microsoft", "5.15.153.1-microsoft-standard-WSL2")
    assert all(f.code != "WG104" for f in triage("Why does the env report say False?\n" + wsl2).findings)


def test_several_mig_instances_and_one_device_is_one_instance_per_process():
    body = ("JAX only ever reports a single GPU device on a node whose four A100s are split into MIG slices.\n"
            "```\n$ echo $CUDA_VISIBLE_DEVICES\nMIG-ff9ad03d-6c8b-5f72-b0dc-70b79aef1bd9,MIG-877ee044-c0f3-54bf-bb04-"
            "ef9353d2094c\n```\nSomeone else opened an issue for a similar setup.")
    r = triage(body)
    assert r.verdict.root_cause == "gpu_access_restricted"
    assert "gpu_memory_exhausted" not in [c.category for c in r.candidates]  # "someone else" opened an issue
    # without MIG, one device of several is another story
    plain = triage("JAX only ever reports a single GPU device on a node with four A100s.")
    assert all("MIG" not in e.fact for f in plain.findings for e in f.evidence)


def test_podmans_hook_hands_the_gpu_in_and_a_container_that_works_after_the_host_used_cuda_is_nvidia_uvm():
    body = ("Rootless podman: nvidia-smi works in the container but torch.cuda.is_available() is False.\n"
            "`podman run --hooks-dir=/usr/share/containers/oci/hooks.d/ docker.io/pytorch/pytorch:1.6.0-cuda10.1-cudnn7-devel`\n"
            "If I first run the same check on the host and then start the container again, it returns True there too.")
    r = triage(body)
    assert r.verdict.root_cause == "nvidia_uvm_unavailable"
    assert all(f.category != "container_no_gpu" or f.severity.value != "error" for f in r.findings)
    # plain docker without --gpus is still a container without the GPU
    plain = triage("`docker run -it pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime python -c 'import torch; "
                   "print(torch.cuda.is_available())'` prints False.")
    assert plain.verdict.root_cause == "container_no_gpu"


def test_xla_that_cannot_fit_the_program_is_out_of_memory_and_says_so_plainly():
    line = ("2024-02-19 15:14:56.882326: W external/xla/xla/service/hlo_rematerialization.cc:2941] Can't reduce memory "
            "use below -30.29GiB (-32529110990 bytes) by rematerialization; only reduced to 49.62GiB (53280000080 bytes), "
            "down from 49.62GiB (53280000080 bytes) originally")
    r = triage(f"SAC training on an RTX 4090 fails with a memory allocation error:\n```\n{line}\n```\n")
    assert r.verdict.root_cause == "gpu_memory_exhausted"
    assert r.findings[0].title.startswith("The GPU had no memory left")


def test_a_jetpack_4_container_missing_cuda_libraries_was_started_without_the_nvidia_runtime():
    body = ("`docker run -it dustynv/ros:noetic-pytorch-l4t-r32.5.0` on a Jetson AGX, then in python:\n```\n>>> import torch\n"
            "OSError: libcurand.so.10: cannot open shared object file: No such file or directory\n```\n")
    r = triage(body)
    assert r.verdict.root_cause == "container_no_gpu"
    assert any("--runtime nvidia" in c for c in r.findings[0].fix.commands)
    # the same message outside a JetPack 4 container is a library that is not installed
    plain = triage("```\nOSError: libcurand.so.10: cannot open shared object file: No such file or directory\n```\n")
    assert plain.verdict.root_cause == "cuda_libs_missing"


def test_true_for_root_and_false_for_the_user_is_the_device_nodes():
    text = ("On our shared server `torch.cuda.is_available()` is True for root (sudo python) but False for my user. "
            "`ls -l /dev/nvidia*` shows `crw-rw---- 1 root video 195, 0` and I am not in the video group.")
    report = triage(text)
    assert report.verdict.root_cause == "gpu_access_restricted"
    assert "no_problem" not in [c.category for c in report.candidates]  # it works for one user only


def test_a_desktop_hypervisors_guest_has_no_nvidia_gpu():
    # index-tts/index-tts#242 (a VMware Ubuntu guest on an RTX 50 machine); a Hyper-V VM's lshw display (its output
    # names the synthetic hyperv_drm adapter)
    for text in ("Has anyone run this on an RTX 50-series card? It runs in CPU mode.\nEnvironment: vmware ubuntu22.04",
                 "I set it up in a VirtualBox VM on my Windows PC with an RTX 3080; torch.cuda.is_available() is False.",
                 "The Ubuntu VM does not know the RTX 4090 is there.\n  *-graphics\n       product: hyperv_drmdrmfb\n"):
        r = triage_on_evidence(text)
        assert r.verdict.root_cause == "no_nvidia_gpu", text
    # the GPU handed to the guest, or a framework there that found one: the guest has it
    for text in ("Ubuntu guest on VMware ESXi 8 with the RTX A4000 passed through; torch.cuda.is_available() is False.",
                 "VMware Workstation VM, and torch.cuda.is_available() gives:\n>>> torch.cuda.is_available()\nTrue\n"):
        assert triage_on_evidence(text).verdict.root_cause != "no_nvidia_gpu", text
