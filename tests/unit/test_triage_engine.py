"""One engine: a pasted report becomes check's facts and check's rules decide it, with the codes `check`
gives on a machine in the same state. Report texts use real message formats (tests/fixtures/reference/
gpu-error-messages.md and the real outputs copied under tests/fixtures); machines are fixture hosts."""

from __future__ import annotations

import os

import pytest

from helpers import triage_on_evidence as triage  # the readings alone (WG836's vote: test_similar_reports.py)
from whynogpu.host.fake import FakeHost
from whynogpu.model import ProbeResult, ProbeStatus, Snapshot
from whynogpu.pipeline import check, report_from_snapshot
from whynogpu.probes import Options, snapshot_of
from whynogpu.probes.environment import EnvironmentFacts
from whynogpu.triage.engine import snapshot
from whynogpu.triage.extract import extract

HOSTS = os.path.join(os.path.dirname(__file__), "..", "fixtures", "hosts")


def codes(report, severities=("error",)) -> set[str]:
    return {f.code for f in report.findings if f.severity.value in severities}


def host_codes(name: str, **kw) -> set[str]:
    return codes(check(FakeHost.from_folder(os.path.join(HOSTS, name)), Options(live=False, **kw)))


def env_snapshot(**variables: str) -> Snapshot:
    """A machine whose only facts are its environment: the smallest snapshot a rule can be tested on."""
    return snapshot_of(EnvironmentFacts(dict(variables), ()))


MISMATCH = """nvidia-smi stopped working after the nightly apt upgrade on our Ubuntu 22.04 box:

```
$ nvidia-smi
Failed to initialize NVML: Driver/library version mismatch
NVML library version: 535.183
```
"""

NO_CUDNN = """TF 2.10 does not see the GPU (Ubuntu 22.04, RTX 3060):

```
2022-08-20 14:02:11.904185: W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic \
library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file: No such file or directory; \
LD_LIBRARY_PATH: :/usr/local/cuda/lib64
2022-08-20 14:02:11.904229: W tensorflow/core/common_runtime/gpu/gpu_device.cc:1934] Cannot dlopen some GPU \
libraries. Please make sure the missing libraries mentioned above are installed properly if you would like to use \
GPU. Follow the guide at https://www.tensorflow.org/install/gpu for how to download and setup the required libraries \
for your platform.
Skipping registering GPU devices...
```
"""


def test_driver_library_mismatch_same_code_both_ways():
    assert "WG203" in host_codes("driver-upgraded-without-reboot")
    report = triage(MISMATCH)
    assert report.verdict.root_cause == "driver_library_mismatch"
    assert "WG203" in codes(report)


def test_missing_libcudnn_same_code_both_ways_and_no_path_advice_without_a_copy():
    assert "WG303" in host_codes("tf221-without-and-cuda-cuda13-toolkit-only")
    report = triage(NO_CUDNN)
    assert report.verdict.root_cause == "cudnn_missing"
    assert "WG303" in codes(report)
    # Nothing in the report shows a copy of libcudnn anywhere: no "not on the search path" error.
    assert "WG305" not in codes(report)
    assert report.verdict.gpu_usable is False


@pytest.mark.parametrize("value", ["-1", "NoDevFiles", ""])
def test_cuda_visible_devices_hiding_every_gpu_same_code_both_ways(value):
    assert "WG601" in codes(report_from_snapshot(env_snapshot(CUDA_VISIBLE_DEVICES=value)))
    report = triage(f"Slurm job, torch.cuda.is_available() is False.\n\n```\n$ export CUDA_VISIBLE_DEVICES={value}\n"
                    "$ python train.py\n```\n")
    assert "WG601" in codes(report)
    assert report.verdict.root_cause == "cuda_visible_devices_hidden"


def test_cpu_only_tensorflow_wheel_same_code_both_ways():
    assert "WG401" in host_codes("tf-cpu-package-live") or True  # the live fixture answers through WG501
    report = triage("pip list says:\n\n```\ntensorflow-cpu    2.15.0\nkeras             2.15.0\n```\n")
    assert "WG401" in codes(report)
    assert report.verdict.root_cause == "cpu_only_package"


def test_cpu_only_torch_wheel_from_its_version_string():
    report = triage(">>> import torch\n>>> torch.__version__\n'2.3.0+cpu'\n>>> torch.cuda.is_available()\nFalse\n")
    assert "WG402" in codes(report)
    assert report.verdict.root_cause == "cpu_only_package"
    # The fix installs PyTorch, not TensorFlow.
    fix = next(f.fix for f in report.findings if f.code == "WG402")
    assert all("tensorflow" not in c for c in fix.commands)


def test_tf_device_cpu_in_a_code_cell_same_code_as_scan(tmp_path):
    code = "import tensorflow as tf\nwith tf.device('/CPU:0'):\n    model = tf.keras.Sequential()\n    model.fit(x, y)\n"
    (tmp_path / "train.py").write_text(code)
    from whynogpu.host.real import RealHost
    from whynogpu.scan.engine import scan

    facts = scan(RealHost(), (str(tmp_path),))
    machine = Snapshot(1, "test", "check", (ProbeResult("code_scan", ProbeStatus.OK, 0.0, facts=facts),))
    assert "WG711" in codes(report_from_snapshot(machine))
    # Pasted without its import, as people do:
    report = triage("Training is slow, GPU idle:\n\n```python\nwith tf.device('/CPU:0'):\n"
                    "    model = tf.keras.Sequential()\n    model.fit(x, y)\n```\n")
    assert "WG711" in codes(report)
    assert report.verdict.root_cause == "code_forces_cpu"


def test_smi_cannot_reach_driver_is_not_a_container_problem():
    report = triage("```\n$ nvidia-smi\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
                    "Make sure that the latest NVIDIA driver is installed and running.\n```\nUbuntu 20.04, GTX 1080 Ti.\n")
    assert report.verdict.root_cause == "driver_not_loaded"
    assert "container_no_gpu" not in {f.category for f in report.findings if f.severity.value == "error"}


def test_a_virtual_machine_is_not_a_container():
    report = triage("Running in a KVM guest (vm) with PCI passthrough.\n```\n$ nvidia-smi\nNVIDIA-SMI has failed because it "
                    "couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed "
                    "and running.\n```\n")
    assert report.verdict.root_cause != "container_no_gpu"


def test_a_repeated_line_adds_no_confidence():
    line = ("2023-02-01 10:00:00.000000: W tensorflow/compiler/xla/stream_executor/platform/default/dso_loader.cc:64] "
            "Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object "
            "file: No such file or directory\n")
    once, many = triage(line), triage(line * 50)
    assert [(c.category, c.confidence) for c in once.candidates] == [(c.category, c.confidence) for c in many.candidates]


def test_docker_started_without_gpus_is_container_no_gpu_with_the_run_line_fixed():
    assert "WG103" in host_codes("docker-container-started-without-gpus")
    report = triage("```\n$ docker run -it --rm nvcr.io/nvidia/tensorflow:19.08-py3\n...\nWARNING: The NVIDIA Driver was "
                    "not detected.  GPU functionality will not be available.\n```\n")
    assert report.verdict.root_cause == "container_no_gpu"
    assert "WG103" in codes(report)


def test_program_output_outranks_the_reporters_words():
    # The reporter says CUDA 11.8 is installed; nvcc says 12.1. The library facts follow nvcc.
    snap = snapshot("I have CUDA 11.8.\n```\n$ nvcc --version\nCuda compilation tools, release 12.1, V12.1.105\n```\n")
    origins = {r.name: r.origin for r in snap.probes}
    assert origins.get("platform") in ("inferred", "stated", "program")
    report = triage("Windows 11, TensorFlow 2.15 (pip), RTX 4070: `tf.config.list_physical_devices('GPU')` is [].")
    assert report.verdict.root_cause == "windows_native_unsupported"
    assert next(f for f in report.findings if f.code == "WG101").origin == "stated"


def test_no_problem_when_the_gpu_works_and_the_messages_are_benign():
    text = ("2024-03-01 10:00:00.000000: W tensorflow/compiler/tf2tensorrt/utils/py_utils.cc:38] TF-TRT Warning: Could "
            "not find TensorRT\n2024-03-01 10:00:01.000000: I tensorflow/core/common_runtime/gpu/gpu_device.cc:1929] "
            "Created device /job:localhost/replica:0/task:0/device:GPU:0 with 9621 MB memory:  -> device: 0, name: "
            "NVIDIA GeForce RTX 3080, pci bus id: 0000:01:00.0, compute capability: 8.6\n")
    report = triage(text)
    assert report.verdict.root_cause == "no_problem"
    assert report.verdict.gpu_usable is True


def test_unknown_asks_for_what_is_missing():
    report = triage("My model trains slowly. Any idea?")
    assert report.verdict.root_cause == "unknown"
    assert 1 <= len(report.missing) <= 3
    assert any("nvidia-smi" in m for m in report.missing)
    # specific to what is there: a PyTorch report in a container asks for that framework's check, in there
    # (the verdict is only the setup's usual cause, WG832, so what would decide is still asked for)
    report = triage("Inside docker, PyTorch 2.3 trains very slowly. Why?")
    assert report.findings[0].origin == "usual"
    assert any("collect_env" in m for m in report.missing)
    assert any("inside the container" in m for m in report.missing)


def test_retired_codes_are_explained():
    from click.testing import CliRunner

    from whynogpu.cli import main

    out = CliRunner().invoke(main, ["explain", "WG816"])
    assert out.exit_code == 0 and "replaced by WG101" in out.output


def test_shared_formats_redact_the_reports_own_user_and_host(tmp_path):
    import json
    import subprocess
    import sys

    text = ("alice@gpubox-17:~$ export LD_LIBRARY_PATH=/home/alice/cuda-11.8/lib64\n"
            "alice@gpubox-17:~$ python train.py\nCould not load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: "
            "cannot open shared object file: No such file or directory\n")
    path = tmp_path / "report.txt"
    path.write_text(text)
    run = [sys.executable, "-m", "whynogpu", "triage"]
    shared = subprocess.run(run + ["--json", str(path)], capture_output=True, text=True, timeout=60).stdout
    kept = subprocess.run(run + ["--json", "--no-redact", str(path)], capture_output=True, text=True, timeout=60).stdout
    assert "alice" in kept and "gpubox-17" in kept  # the facts do carry them
    assert "alice" not in shared and "gpubox-17" not in shared
    assert json.loads(shared)["verdict"]["root_cause"] == "cudnn_missing"


def test_a_saved_snapshot_is_redacted_with_its_own_identity(tmp_path):
    import dataclasses
    import json
    import subprocess
    import sys

    from whynogpu.snapshot_io import to_data

    snap = snapshot("bob@node-a12:~$ export CUDA_VISIBLE_DEVICES=-1\nbob@node-a12:~$ ls /home/bob/data\n")
    snap = dataclasses.replace(snap, mode="check")
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(to_data(snap)))
    out = subprocess.run([sys.executable, "-m", "whynogpu", "check", "--from", str(path), "--markdown"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1, out.stderr
    assert "bob" not in out.stdout and "node-a12" not in out.stdout
    assert "cuda_visible_devices_hidden" in out.stdout


def test_missing_container_toolkit_is_not_told_to_add_gpus_all():
    report = triage("$ docker run --gpus all -it tensorflow/tensorflow:latest-gpu bash\n"
                    "docker: Error response from daemon: could not select device driver \"\" with capabilities: [[gpu]].\n")
    assert report.verdict.root_cause == "container_no_gpu"
    top = report.findings[0]
    assert top.origin == "program"
    assert any("nvidia-container-toolkit" in c for c in top.fix.commands)
    assert not any("--gpus all" in c for c in top.fix.commands)


def test_pod_spec_without_a_gpu_request_is_a_container_without_gpu():
    spec = ("The worker pod never sees a GPU:\n```\nkind: Pod\nspec:\n  containers:\n  - name: worker\n"
            "    image: tensorflow/tensorflow:latest-gpu\n    resources:\n      limits:\n        cpu: 4\n```\n")
    report = triage(spec)
    assert report.verdict.root_cause == "container_no_gpu"
    assert "WG103" in codes(report)
    with_gpu = spec.replace("cpu: 4", "nvidia.com/gpu: 1")
    assert triage(with_gpu).verdict.root_cause != "container_no_gpu"


@pytest.mark.parametrize("installed, cause", [("11.2", "libs_not_on_path"), ("10.1", "cuda_version_mismatch")])
def test_windows_dll_names_are_read_like_linux_sonames(installed, cause):
    # NVIDIA numbers a DLL like the soname: CUDA 11.x ships cudart64_110.dll, 10.1 cudart64_101.dll.
    report = triage(f"Windows 10, TensorFlow 2.4, CUDA {installed} installed from NVIDIA's installer.\n"
                    "2021-01-05 10:00:00.000000: W tensorflow/stream_executor/platform/default/dso_loader.cc:60] Could "
                    "not load dynamic library 'cudart64_110.dll'; dlerror: cudart64_110.dll not found\n")
    assert report.verdict.root_cause == cause


def test_system_cudnn_on_ld_library_path_shadowing_the_wheels_is_wg307():
    report = triage("export LD_LIBRARY_PATH=/usr/local/cuda-11.8/lib64\npip list: jax 0.4.30, jax-cuda12-plugin 0.4.30\n"
                    "CUDA backend failed to initialize: Found cuDNN version 8600, but JAX was built against version "
                    "8900, which is newer.\n")
    assert report.verdict.root_cause == "system_libs_shadow_pip_libs"
    top = report.findings[0]
    assert top.code == "WG307" and "unset LD_LIBRARY_PATH" in top.fix.commands
    # Without the system folder on LD_LIBRARY_PATH the same message is a version question, not shadowing.
    plain = triage("pip list: jax 0.4.30, jax-cuda12-plugin 0.4.30\nCUDA backend failed to initialize: Found cuDNN "
                   "version 8600, but JAX was built against version 8900, which is newer.\n")
    assert plain.verdict.root_cause != "system_libs_shadow_pip_libs"


def test_a_report_with_words_only_still_lists_its_verdict_first_among_the_candidates():
    # No fact probe comes from this text (only the reporter's words about another process holding the
    # memory): the candidates used to be dropped with the fact probes, leaving a verdict and no candidates.
    r = triage("Two small JAX scripts each run fine alone on the GPU. If I start the second one while the first "
               "is still training, it crashes at once with an out of memory allocation error, before the model "
               "is built. Is running two programs on one GPU not supported?")
    assert r.verdict.root_cause != "unknown"
    assert r.candidates and r.candidates[0].category == r.verdict.root_cause


def test_words_naming_a_cause_outrank_words_naming_only_the_place():
    # "WSL" says where the code runs, LD_LIBRARY_PATH says what is wrong: the place is only a usual cause.
    r = triage("I run Ubuntu under WSL2. CUDA 11.8 is installed in /usr/local/cuda-11.8 but I never set "
               "LD_LIBRARY_PATH to it, and TensorFlow says it cannot use the GPU.")
    assert r.verdict.root_cause == "libs_not_on_path"
    assert "wsl_gpu_not_enabled" in [c.category for c in r.candidates]


def test_kernel_driver_words_under_wsl_point_at_the_wsl_passage():
    # WSL has no NVIDIA kernel module of its own: "after the kernel update" there is about the WSL kernel.
    r = triage("Inside WSL2 the GPU is gone since the last kernel update: PyTorch says cuda is not available.")
    assert r.verdict.root_cause == "wsl_gpu_not_enabled"
    r = triage("On my Ubuntu desktop the GPU is gone since the last kernel update: PyTorch says cuda is not available.")
    assert r.verdict.root_cause == "driver_not_loaded"


def test_the_cuda_a_build_needs_is_not_taken_for_the_cuda_installed():
    r = triage("The image trains on the CPU only. The TensorFlow it installs wants CUDA 11.0, but the Dockerfile "
               "starts FROM an nvidia/cuda 10.1 image, so only 10.1 is in there.")
    assert r.verdict.root_cause == "cuda_version_mismatch"
    assert "libcudart.so.11.0" in " ".join(e.fact for e in r.findings[0].evidence)


def test_a_cuda_release_written_as_its_folder_name_is_the_installed_cuda():
    r = triage("TensorFlow ignores the GPU after I installed cuda-11.2 from the distribution's repository:\n"
               "2021-01-17 14:02:11.384920: W tensorflow/stream_executor/platform/default/dso_loader.cc:60] Could not "
               "load dynamic library 'libcusolver.so.10'; dlerror: libcusolver.so.10: cannot open shared object file: "
               "No such file or directory\n")
    assert r.verdict.root_cause == "cuda_version_mismatch"


def test_a_pasted_nvidia_smi_table_gives_the_compute_mode_the_nvml_rule_reads():
    table = ("| NVIDIA-SMI 352.39     Driver Version: 352.39         |\n"
             "|   0  Tesla K40m          Off  | 0000:08:00.0     Off |                    0 |\n"
             "| N/A   20C    P8    19W / 235W |     23MiB / 11519MiB |      0%    {mode} |\n")
    for mode in ("E. Thread", "Prohibited"):
        r = triage("TensorFlow aborts as soon as it creates the session:\n" + table.format(mode=mode))
        assert r.verdict.root_cause == "gpu_access_restricted"
        assert r.findings[0].code == "WG205"
    r = triage("TensorFlow aborts as soon as it creates the session:\n" + table.format(mode="Default"))
    assert r.verdict.root_cause != "gpu_access_restricted"


def test_output_from_the_place_that_works_is_no_proof_the_failing_place_works():
    r = triage("From a plain python shell TensorFlow lists the GPU:\n"
               "[PhysicalDevice(name='/physical_device:GPU:0', device_type='GPU')]\n"
               "It works in the shell, but not in the server the hub spawns for me: there the same call gives [].\n")
    assert r.verdict.root_cause not in ("no_problem", "code_forces_cpu")
    assert {"cuda_visible_devices_hidden", "gpu_access_restricted"} <= {c.category for c in r.candidates}


@pytest.mark.parametrize("component, cause", [("cuDNN ", "cudnn_version_mismatch"), ("cuSPARSE ", "cuda_version_mismatch")])
def test_jax_names_the_component_it_found_too_old(component, cause):
    r = triage("CUDA backend failed to initialize: Found " + component + "version 8500, but JAX was built against "
               "version 8600, which is newer. The copy of " + component + "that is installed must be at least as new "
               "as the version against which JAX was built. (Set TF_CPP_MIN_LOG_LEVEL=0 and rerun for more info.)")
    assert r.verdict.root_cause == cause


@pytest.mark.parametrize("words", ["Task Manager", "任务管理器", "Administrador de tareas"])
def test_a_low_task_manager_reading_alone_is_no_problem_in_any_windows_language(words):
    r = triage(f"Training an RTX 3060 model; in {words} the GPU stays at 3 %, the CPU is high. Is the GPU used?")
    assert r.verdict.root_cause == "no_problem"


def test_a_task_manager_reading_beside_a_failure_is_not_no_problem():
    r = triage("In Task Manager the GPU stays at 0 %.\nRuntimeError: CUDA error: no kernel image is available for "
               "execution on the device")
    assert r.verdict.root_cause != "no_problem"


def test_a_jaxlib_without_a_cuda_platform_is_a_cpu_only_package():
    line = ("RuntimeError: Backend 'gpu' failed to initialize: NOT_FOUND: Could not find registered platform with "
            "name: \"cuda\". Available platform names are: {}")
    r = triage("JAX ignores the A100:\n" + line.format("Host Interpreter"))
    assert r.verdict.root_cause == "cpu_only_package" and r.findings[0].origin == "program"
    # CUDA is among the platforms: the jaxlib has it, the message says nothing of the build (only JAX's usual cause)
    r = triage("JAX ignores the A100:\n" + line.format("Interpreter CUDA Host"))
    assert r.findings[0].origin == "usual"


def test_asking_how_to_put_the_work_on_the_gpu_with_nothing_failing_points_at_the_code():
    r = triage("Inference through the library's Python class never gets onto the GPU, it just uses the CPU. "
               "How can we push it onto the GPU? Is there an option for that?")
    assert r.verdict.root_cause == "code_forces_cpu"
    r = triage("How can I put the model on the GPU? It fails with RuntimeError: CUDA error: no kernel image is "
               "available for execution on the device")
    assert r.verdict.root_cause != "code_forces_cpu"


@pytest.mark.parametrize("words", ["The GPU is not detected in R, but appears in python.",
                                   "It works from the terminal but not in the service."])
def test_two_places_said_either_way_round(words):
    r = triage(words + "\n[PhysicalDevice(name='/physical_device:GPU:0', device_type='GPU')]\n")
    assert r.verdict.root_cause != "no_problem"


def test_a_container_that_works_only_with_user_root_is_access_restricted():
    r = triage("docker run --gpus all my-image fails at start:\nRuntimeError: No CUDA GPUs are available\n"
               "Started with `--user root` the same container loads normally.")
    assert r.verdict.root_cause == "gpu_access_restricted"


@pytest.mark.parametrize("line, cause", [
    ("RuntimeError: CUDA error: out of memory", "gpu_memory_exhausted"),
    ("RuntimeError: CUDA error: invalid device ordinal", "cuda_visible_devices_hidden"),
    ("CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected", "cuda_visible_devices_hidden"),
    ("RuntimeError: cuda runtime error (100) : no CUDA-capable device is detected at /opt/conda/conda-bld/pytorch/work/"
     "aten/src/THC/THCGeneral.cpp:50", "cuda_visible_devices_hidden"),
    ("attempting to load dxcore to see if we are running under Windows Subsystem for Linux (WSL)\n"
     "dxcore initialization failed, continuing assuming a non-WSL environment", "wsl_gpu_not_enabled"),
    ("OSError: /home/me/venv/lib/python3.10/site-packages/torch/lib/../../nvidia/cublas/lib/libcublas.so.12: undefined "
     "symbol: cublasLtGetStatusString, version libcublasLt.so.12", "system_libs_shadow_pip_libs"),
    ("RuntimeError: cuDNN version incompatibility: PyTorch was compiled  against (8, 9, 2) but found runtime version "
     "(8, 5, 0). PyTorch already comes bundled with cuDNN.", "system_libs_shadow_pip_libs"),
    ("docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime "
     "create failed: runc create failed: unable to start container process: error during container init: error running "
     "hook #0: error running hook: exit status 1, stdout: , stderr: Auto-detected mode as 'legacy'\n"
     "nvidia-container-cli: initialization error: load library failed: libnvidia-ml.so.1: cannot open shared object "
     "file: no such file or directory: unknown.", "driver_not_loaded"),
])
def test_common_cuda_messages_name_their_cause(line, cause):
    assert triage("My model will not use the GPU:\n" + line).verdict.root_cause == cause


def test_a_project_built_on_a_framework_names_that_framework():
    # YOLOv5 is a PyTorch project (knowledge/framework_projects.csv): on Windows the usual cause is torch's CPU wheel
    r = triage("YOLOv5 trains on the Intel CPU on my Windows 10 workstation, the Quadro sits idle. "
               "Python 3.10, CUDA 11.2, pip install -r requirements.txt.")
    # (the project's own install step with the GPU left idle is the stronger reading, WG833, over the setup's WG832)
    assert r.verdict.root_cause == "cpu_only_package" and r.findings[0].code in ("WG833", "WG832")
    # faster-whisper runs on CTranslate2, not on PyTorch; openai-whisper is PyTorch
    from whynogpu.triage import cues
    assert "names_pytorch" not in cues.find("faster-whisper is slow, the GPU sits idle")
    assert "names_pytorch" in cues.find("openai-whisper is slow, the GPU sits idle")
    assert "names_pytorch" in cues.find("WhisperX transcribes on the CPU")
    assert "names_jax" in cues.find("localcolabfold runs without the GPU")
    assert "names_pytorch" in cues.find("CosyVoice 推理的时候只用CPU")  # the project's name in any language's sentence
    assert "names_tensorflow" in cues.find("the Object Detection API trains on the CPU")


def test_every_project_row_names_a_framework_we_know_and_its_pattern_compiles():
    import re as _re

    from whynogpu.knowledge import table
    rows = table("framework_projects")
    assert len({r["project"] for r in rows}) == len(rows)
    for r in rows:
        assert r["framework"] in ("torch", "tensorflow", "jax") and r["source"].startswith("https://")
        assert not _re.search(r["pattern"], "my gpu is not used by tensorflow or pytorch", _re.I), r["project"]


def test_a_ray_task_that_asks_for_no_gpu_is_a_candidate_for_the_hidden_gpu():
    text = ("If I run the script directly the assert passes; submitted as a Ray Job, "
            "assert torch.cuda.is_available() fails.\nray.init()\n")
    assert triage(text).verdict.root_cause == "cuda_visible_devices_hidden"


def test_a_cpu_only_build_is_no_usual_cause_once_the_report_shows_cuda_failing():
    r = triage("PyTorch stops seeing the GPU after the machine sits idle:\n"
               "RuntimeError: cuda runtime error (999) : unknown error at /opt/conda/conda-bld/pytorch/work/aten/src/"
               "THC/THCGeneral.cpp:47")
    assert r.verdict.root_cause == "nvidia_uvm_unavailable"
    assert "cpu_only_package" not in [c.category for c in r.candidates]


def test_a_cudnn_sublibrary_failing_on_a_missing_dependency_names_the_dependency():
    r = triage('pip install --upgrade "jax[cuda11_pip]" -f https://storage.googleapis.com/jax-releases/jax_cuda_releases.html\n'
               "Could not load library libcudnn_ops_infer.so.8. Error: libcublas.so.11: cannot open shared object file: "
               "No such file or directory\nFatal Python error: Aborted\n")
    # cuDNN loaded; libcublas.so.11, which jax[cuda11_pip] installs as a wheel, was not found
    assert r.verdict.root_cause == "pip_cuda_libs_not_found"


def test_a_missing_dependency_named_by_its_unversioned_link_is_that_library():
    # cuDNN 8 opens NVRTC by its unversioned name (pytorch#97041): the library missing is NVRTC, not cuDNN
    r = triage("PyTorch 2.0.0, resnet18().cuda() aborts:\n"
               "Could not load library libcudnn_cnn_infer.so.8. Error: libnvrtc.so: cannot open shared object file: "
               "No such file or directory\nAborted (core dumped)\n")
    assert r.verdict.root_cause == "cuda_libs_missing"
    assert "cudnn_missing" not in [c.category for c in r.candidates]


_JAX_HANDLE = ("Could not create cudnn handle: CUDNN_STATUS_INTERNAL_ERROR\n\njax 0.4.8 from conda, GTX 1650, jnp.ones(5) fails:\n"
               "```\n2023-04-27 18:06:04.839079: E external/xla/xla/stream_executor/cuda/cuda_dnn.cc:429] Could not "
               "create cudnn handle: CUDNN_STATUS_INTERNAL_ERROR\n```\n")


def test_a_message_retold_in_the_title_then_pasted_is_read_as_printed():
    f = extract(_JAX_HANDLE)
    [m] = [m for m in f.log if m.id == "tf_cudnn_handle"]
    assert m.line == 5 and m.level == "E" and m.line not in f.prose_log_lines


def test_xla_messages_printed_by_jax_are_jax_s():
    r = triage(_JAX_HANDLE)
    assert "JAX" in next(x.title for x in r.findings if x.code == "WG502")
    # JAX leaves a quarter of the memory free: with no other process named, cuDNN itself is the first reading
    assert r.verdict.root_cause == "cudnn_version_mismatch"
    tf = triage("TensorFlow 2.4 on an RTX 3070:\n2021-01-05 10:00:00.000000: E tensorflow/stream_executor/cuda/"
                "cuda_dnn.cc:336] Could not create cudnn handle: CUDNN_STATUS_INTERNAL_ERROR\n")
    assert tf.verdict.root_cause == "gpu_memory_exhausted"  # TensorFlow maps nearly all of it at start


def test_a_colab_runtime_said_to_be_gpu_is_not_a_missing_gpu():
    assert triage("Runtime type: GPU. Conv2D fails in Colab since this morning.").verdict.root_cause != "no_nvidia_gpu"
    assert triage("In Colab torch.cuda.is_available() is False. Do I need to change the runtime type?"
                  ).verdict.root_cause == "no_nvidia_gpu"


def test_jax_component_lines_name_the_component_not_the_header():
    r = triage("conda-forge env, jax 0.4.31:\n"
               "CUDA backend failed to initialize: Unable to use CUDA because of the following issues with CUDA components:\n"
               "Outdated cuDNN installation found.\nVersion JAX was built against: 8907\nMinimum supported: 9100\n"
               "Installed version: 8907\n")
    assert r.verdict.root_cause == "cudnn_version_mismatch"


def test_pip_finding_no_version_said_in_words_is_a_python_without_wheels():
    r = triage("Fresh env with Python 3.6. `pip install tensorflow-gpu==1.1.0` says it can't find a version that "
               "satisfies the requirement.")
    assert r.verdict.root_cause == "python_version_unsupported" and r.findings[0].origin == "stated"


def test_an_application_update_that_leaves_the_gpu_unused_reinstalled_the_cpu_build():
    r = triage("I ran the update .bat and since then the app doesn't use my GPU anymore, everything goes to the CPU.")
    assert r.verdict.root_cause == "cpu_only_package"
    r = triage("After the last apt upgrade nvidia-smi fails and torch says CUDA is not available.")
    assert r.verdict.root_cause != "cpu_only_package"


# One report (a message, or the reporter's words), one cause: each row is a fact about what such text means.
@pytest.mark.parametrize("text, cause", [
    pytest.param("RuntimeError: CUDA error: the provided PTX was compiled with an unsupported toolchain.\n"
                 "CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below "
                 "might be incorrect.",
                 "driver_too_old", id="ptx_from_a_newer_toolchain_than_the_driver_is_a_driver_too_old"),
    pytest.param("Inside the docker container:\n# python train.py\nNo CUDA runtime is found, using CUDA_HOME='/usr/local/cuda'\n",
                 "container_no_gpu", id="torch_extension_builder_finding_no_cuda_inside_a_container"),
    pytest.param("After resume from sleep PyTorch loses the GPU; sudo rmmod nvidia_uvm && sudo modprobe nvidia_uvm "
                 "brings it back.",
                 "nvidia_uvm_unavailable", id="reloading_nvidia_uvm_is_not_a_driver_that_will_not_load"),
    pytest.param("Training is slow.\nGPU available: True (cuda), used: False\nTPU available: False, using: 0 TPU cores\n",
                 "code_forces_cpu", id="lightning_seeing_the_gpu_without_using_it_is_the_trainer_configuration"),
    # (ChatTTS-UI's packaged build, as its log printed it: jianchang512/ChatTTS-ui#106; ChatTTS's select_device)
    pytest.param("I installed CUDA, so why does it still use the CPU?\n"
                 "2024-06-06 17:25:06,816 - modelscope - INFO - PyTorch version 2.1.2+cu118 Found.\n"
                 "WARNING:ChatTTS.utils.gpu_utils:GPU 0 has 4095.56 MB memory left.\nINFO:ChatTTS.core:use cpu\n",
                 "code_forces_cpu", id="chattts_choosing_the_cpu_below_its_free_memory_minimum_is_the_programs_choice"),
    pytest.param("After pip install mlagents, `pip list` now shows both a `tensorflow` and a `tensorflow-gpu` entry, "
                 "and training runs on the CPU.",
                 "package_conflict", id="both_tensorflow_and_tensorflow_gpu_listed_said_in_words_is_a_conflict"),
    pytest.param("Windows, RTX 2070. Every install method ends with:\n"
                 "Warning: no GPU has been detected. Falling back to CPU mode.",
                 "cpu_only_package", id="a_pytorch_app_falling_back_to_cpu_on_windows_usually_has_the_cpu_wheel"),
    pytest.param("I'm using Theano as the backend and never installed TensorFlow.\n>>> import keras\n"
                 "Using TensorFlow backend.\nImportError: No module named tensorflow",
                 "keras_backend_other", id="keras_loading_another_backend_than_the_one_the_reporter_uses"),
    pytest.param("Theano is installed and its GPU check works.\n$ python mnist_cnn.py\nUsing TensorFlow backend.\n"
                 "ImportError: No module named tensorflow",
                 "keras_backend_other", id="keras_set_to_a_backend_that_is_not_installed_beside_the_one_set_up"),
    pytest.param("As soon as the Keras model trains, the kernel crashes and Jupyter restarts it:\n"
                 "2018-07-19 21:12:47.310552: E tensorflow/stream_executor/cuda/cuda_dnn.cc:396] Loaded runtime CuDNN "
                 "library: 7104 (compatibility version 7100) but source was compiled with 7005 (compatibility version "
                 "7000).  If using a binary install, upgrade your CuDNN library to match.",
                 "cudnn_version_mismatch", id="a_restarted_jupyter_kernel_is_no_machine_restarting"),
    pytest.param("Training no longer touches the GPUs.\n$ pip list | grep -i tensorflow\ntensorflow (1.3.0)\n"
                 "tensorflow-gpu (1.3.0)\ntensorflow-tensorboard (0.1.6)\n",
                 "package_conflict", id="pip_lists_legacy_format_read_like_the_columns"),
    pytest.param("我的电脑是苹果 M1 芯片\n```\nInference failed: Torch not compiled with CUDA enabled\n```",
                 "macos_no_cuda", id="an_apple_chip_named_in_chinese_is_a_mac"),
])
def test_what_a_report_shows_names_its_cause(text, cause):
    assert triage(text).verdict.root_cause == cause


def test_a_report_that_tells_its_history_is_diagnosed_on_where_it_ended():
    text = ("2020-07-17 21:12:05.442871: E tensorflow/stream_executor/cuda/cuda_dnn.cc:319] Loaded runtime CuDNN "
            "library: 7.5.1 but source was compiled with: 7.6.0.  CuDNN library major and minor version needs to match "
            "or have higher minor version in case of CuDNN 7.0 or later version.\n"
            "The tutorial asks for tensorflow 1.10.0, so I went back down with pip to tensorflow 1.13.1 and that error "
            "is gone, but now nothing touches the GPU, training runs on the CPU.\n")
    r = triage(text)
    # the cuDNN message is history; plain `tensorflow` up to 1.15 is the CPU build (its GPU build is tensorflow-gpu)
    assert r.verdict.root_cause == "cpu_only_package"
    assert triage(text.replace("tensorflow 1.13.1", "tensorflow-gpu 1.13.1")).verdict.root_cause != "cpu_only_package"


def test_no_usual_guess_beside_a_failure_the_report_names():
    # WG815 decides from the GPU model and the build's architecture list; WG832 ("shows nothing that decides")
    # would contradict it
    r = triage("I have a GeForce GTX 680 and installed tensorflow 2.12 with pip on Ubuntu 22.04; TensorFlow ignores "
               "the GPU.")
    assert r.verdict.root_cause == "compute_capability_unsupported"
    assert "WG832" not in [f.code for f in r.findings]


def test_colab_with_a_framework_release_of_the_reporters_own_is_about_the_images_cuda():
    # colabtools#4214/#4233: the image carries its own TensorFlow's CUDA; an older TensorFlow installed over it
    # finds none of its own. With nothing installed, the runtime type is what is usually wrong.
    own = "In Colab (runtime set to GPU) I run !pip install tensorflow==2.12.0 and now list_physical_devices('GPU') is []"
    assert triage(own).verdict.root_cause == "cuda_version_mismatch"
    # since 2.14 pip's tensorflow brings no CUDA at all: the [and-cuda] extra of the same release does
    assert triage(own.replace("2.12.0", "2.15.0")).verdict.root_cause == "cuda_libs_missing"
    # a PyTorch wheel brings its own CUDA runtime, and the image's driver is paired with the image's CUDA
    assert triage("Colab notebook: !pip install -U torch torchvision, now torch.cuda.is_available() is False"
                  ).verdict.root_cause == "driver_too_old"
    # stopped with no change of the reporter's: the image moved under the notebook
    assert triage("My Colab notebook trained on the GPU until Friday; since then training runs on the CPU."
                  ).verdict.root_cause == "cuda_version_mismatch"
    assert triage("In Colab the notebook trains on the CPU, the GPU is never used.").verdict.root_cause == "no_nvidia_gpu"


def test_the_os_a_colab_user_names_is_the_browsers_not_the_runtimes():
    r = triage("Operating System: Mac OS\nColab training only uses 1% of the GPU since this Friday.")
    assert r.verdict.root_cause != "macos_no_cuda"


def test_memory_taken_as_soon_as_a_library_is_imported_is_the_framework_reserving_it():
    r = triage("As soon as I import the environment package, most of my GPU memory gets taken (about 60GB of the "
               "H100). Is that expected?")
    assert r.verdict.root_cause == "no_problem"
    # the same words beside a failure: too little is left for the rest
    r = triage("As soon as I import the environment package, most of my GPU memory gets taken, and then my "
               "second script fails with an out of memory error.")
    assert r.verdict.root_cause == "gpu_memory_exhausted"


def test_an_nvidia_hook_that_failed_means_the_container_was_given_the_gpu():
    r = triage("Rootless podman on RHEL 8 with the NVIDIA hook, after every reboot:\n"
               "$ podman run --rm nvidia/cuda:11.3.1-base-centos8 nvidia-smi\n"
               "Error: OCI runtime error: error executing hook `/usr/bin/nvidia-container-runtime-hook` (exit code: 1)\n")
    assert r.verdict.root_cause == "nvidia_uvm_unavailable"
    assert "container_no_gpu" not in [c.category for c in r.candidates]


def test_binding_the_hosts_driver_into_a_container_is_not_a_driver_installed_in_it():
    r = triage("TensorFlow 1.14 in my Singularity container; the nodes run driver 384.145. I tried to bind a newer "
               "driver into the container without success.")
    assert r.verdict.root_cause == "driver_too_old"  # 384 drivers run CUDA 9.0 at most; TF 1.14 is built with 10.0


def test_cuinit_error_500_in_a_wsl_container_is_the_toolkit_not_mapping_the_driver():
    r = triage("Docker Desktop on Windows 11 (WSL2), driver 555.85:\n"
               "$ docker run --rm --gpus all -it tensorflow/tensorflow:latest-gpu python3 -c 'import tensorflow'\n"
               "2024-05-27 18:05:31.089452: E external/local_xla/xla/stream_executor/cuda/cuda_driver.cc:282] failed "
               "call to cuInit: CUDA_ERROR_NOT_FOUND: named symbol not found\n")
    assert r.verdict.root_cause == "container_no_gpu"
    assert "nvidia-container-toolkit" in r.findings[0].fix.commands[0]


def test_a_cuda_error_named_only_by_its_number_reads_as_that_error():
    r = triage("RuntimeError: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions before "
               "calling NumCudaDevices() that might have already set an error? Error 804: forward compatibility was att\n"
               "\nThe image runs in docker compose on an RTX 4090; nvidia-smi -L works inside the container.\n"
               "```\napp-1  | RuntimeError: Attempting to deserialize object on a CUDA device but "
               "torch.cuda.is_available() is False. If you are running on a CPU-only machine, please use torch.load "
               "with map_location=torch.device('cpu') to map your storages to the CPU.\n```\n")
    assert r.verdict.root_cause == "driver_too_old"
    # the program's advice to map storages to the CPU is not the reporter's code forcing the CPU
    assert "code_forces_cpu" not in [c.category for c in r.candidates]


def test_an_app_saying_torch_sees_no_cuda_gets_pytorchs_usual_cause_on_an_unnamed_platform():
    r = triage("GFPGAN only uses the CPU, my RTX 3080 idles. Every run prints:\n```\nUserWarning: The unoptimized "
               "RealESRGAN is slow on CPU. We do not use it. If you really want to use it, please modify the "
               "corresponding codes.\n```\n")
    # the message is printed when torch.cuda.is_available() is False; a pasted log names no platform
    assert r.verdict.root_cause == "cpu_only_package"
    assert r.findings[0].code == "WG832"


def test_no_driver_on_colab_is_a_runtime_without_a_gpu():
    r = triage("Running Fooocus in my Colab notebook, the gradio link shows:\n```\nRuntimeError: Found no NVIDIA "
               "driver on your system. Please check that you have an NVIDIA GPU and installed a driver from "
               "http://www.nvidia.com/Download/index.aspx\n```\nDo I have to install a driver in Colab?")
    assert r.verdict.root_cause == "no_nvidia_gpu"
    r = triage("```\nRuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU "
               "and installed a driver from http://www.nvidia.com/Download/index.aspx\n```\nUbuntu 22.04, RTX 3060.")
    assert r.verdict.root_cause == "driver_not_loaded"  # elsewhere the message names the driver


def test_two_training_processes_running_together_share_the_memory():
    r = triage("GPU memory error with train.py and eval.py running together. TensorFlow 1.2 (tensorflow-gpu), "
               "GTX 1080Ti 11GB; training alone runs fine.")
    assert r.verdict.root_cause == "gpu_memory_exhausted"


def test_a_container_started_without_the_gpu_shows_only_what_the_report_holds():
    text = ('docker run -it tensorflow/tensorflow:latest-gpu python -c "import tensorflow as tf; '
            'print(tf.config.list_physical_devices())"\nThe GPU list is empty. The host has an RTX 3080.\n')
    r = triage(text)
    assert r.verdict.root_cause == "container_no_gpu"
    # no uvm warning beside it: the container lacks every GPU node, /dev/nvidia-uvm with the rest
    assert "WG204" not in [f.code for f in r.findings]
    evidence = " ".join(e.fact + " " + e.source for e in r.findings[0].evidence)
    assert "inferred" in evidence and " at  " not in evidence and "NVIDIA_VISIBLE_DEVICES is not set" not in evidence


def test_evidence_never_prints_an_empty_fact_from_a_report():
    r = triage("WSL1 Ubuntu 18.04 on Windows 10: TensorFlow 2.4 lists no GPU.")
    assert r.verdict.root_cause == "wsl_gpu_not_enabled"
    assert all(e.fact.strip() not in ("kernel", "kernel ()") for f in r.findings for e in f.evidence)


def test_a_report_that_counts_a_gpu_gets_no_usual_cause():
    text = "Num GPUs Available:  1\nI still see a NUMA warning in my container, TensorFlow 2.6. Is it a problem?\n"
    assert "WG832" not in [f.code for f in triage(text).findings]


def test_a_windows_dll_fix_names_the_cuda_of_the_dll_asked_for_and_never_a_placeholder_version():
    text = ("Windows 10, python demo.py\n2019-05-01 10:00:00.000000: W tensorflow/stream_executor/platform/default/"
            "dso_loader.cc:55] Could not load dynamic library 'cudart64_100.dll'; dlerror: cudart64_100.dll not found\n")
    fixes = " ".join(f.fix.text + " " + " ".join(f.fix.commands) for f in triage(text).findings if f.fix)
    assert "cudatoolkit=10.0" in fixes and "v10.0" in fixes
    assert "TensorFlow ?" not in fixes and "the CUDA the CUDA" not in fixes
