"""Applications' own start lines (Ultralytics' banner, Bark's CPU warning), two Pythons in one report, a container
named before Windows, and a GPU found in one output while the reporter says their program finds none."""

from __future__ import annotations

from helpers import triage_on_evidence
from whynogpu.facts.platform import PlatformFacts
from whynogpu.facts.report import TriageFacts
from whynogpu.facts.target import TargetFacts
from whynogpu.triage.engine import snapshot, triage

# Ultralytics' banner as it prints it (ultralytics/utils/torch_utils.py select_device)
GPU_BANNER = "Ultralytics 8.3.17 🚀 Python-3.10.12 torch-2.4.1+cu121 CUDA:0 (Tesla T4, 15102MiB)"
CPU_BANNER = "Ultralytics YOLOv8.2.16 🚀 Python-3.10.12 torch-2.2.1+cu121 CPU (Intel Xeon 2.20GHz)"


def test_ultralytics_banner_on_a_cuda_device_is_the_gpu_at_work():
    text = f"Training looks slow, is the GPU used?\n```\n{GPU_BANNER}\nSetup complete ✅\n```\n"
    assert triage(text).verdict.root_cause == "no_problem"


def test_ultralytics_banner_names_the_python_and_torch_of_its_process():
    facts = snapshot(f"```\n{CPU_BANNER}\n```\n").get(TriageFacts)
    printed = {(s.key, s.value) for s in facts.stated if not s.stated_by_user}
    assert {("python", "3.10.12"), ("torch_version", "2.2.1+cu121")} <= printed


def test_two_pythons_and_the_gpu_found_in_one_is_another_environment():
    text = ("`yolo export model=yolov8n.pt format=engine` says there is no CUDA:\n```\n"
            "torch.cuda.is_available(): False\n```\nbut in Python:\n```\n"
            "Python 3.11.3 (tags/v3.11.3:f3909b8, Apr  4 2023, 23:49:59) [MSC v.1934 64 bit (AMD64)] on win32\n"
            ">>> import torch\n>>> torch.cuda.is_available()\nTrue\n```\nThe yolo banner:\n```\n"
            "Ultralytics YOLOv8.2.15 🚀 Python-3.10.9 torch-2.1.0 CPU\n```\n")
    assert triage(text).verdict.root_cause == "package_conflict"


def test_one_python_is_not_two_environments():
    text = ("Is my GPU used?\n```\nPython 3.10.12 (main, Nov 20 2023, 15:14:05) [GCC 11.4.0] on linux\n"
            ">>> import torch\n>>> torch.cuda.is_available()\nTrue\n```\n```\n" + GPU_BANNER + "\n```\n")
    # (the readings alone: the causes of reports that read alike may still follow as alternatives)
    assert "package_conflict" not in [c.category for c in triage_on_evidence(text).candidates]


def test_bark_on_the_cpu_with_an_nvidia_gpu_named():
    text = ("Can't get Bark onto my 2080 Ti\n\n```\nLoading Bark models...\nNo GPU being used. Careful, inference might "
            "be very slow!\n```\nOther AI tools use the card fine.")
    report = triage(text)
    assert report.verdict.root_cause == "cpu_only_package"  # the usual cause for PyTorch named by its project


def test_an_amd_graphics_card_in_words():
    text = "The trainer doesn't see my AMD graphics card and every step fails. Windows 10."
    assert triage(text).verdict.root_cause == "no_nvidia_gpu"


def test_a_container_named_before_windows_is_a_linux_container():
    text = ("Self hosted, Docker.\n\nSetup:\n- Windows 11 (build 22631), Docker Engine v27.3.1\n- GeForce RTX 2070\n\n"
            "The container log says CUDA is not available and it runs on the CPU.")
    plat = snapshot(text).get(PlatformFacts)
    assert (plat.os, plat.container) == ("linux", "docker")
    later = ("I'm on Windows 11 with a GeForce RTX 2070 and the app runs on the CPU.\n\n"
             "I also tried their Docker image, same thing.")
    assert snapshot(later).get(PlatformFacts).os == "windows"


COLLECT_ENV = """```
PyTorch version: 2.4.0+cu121
CUDA used to build PyTorch: 12.1
Is CUDA available: True
GPU models and configuration:
GPU 0: NVIDIA L40S-48C
Nvidia driver version: 535.129.03
```"""


def test_the_gpu_found_in_one_output_while_the_program_finds_none_is_not_no_problem():
    said = f"vLLM doesn't see my GPUs when I start the server, although torch does from the shell:\n{COLLECT_ENV}\n"
    assert triage(said).verdict.root_cause != "no_problem"
    asked = f"Is this output fine? I want to be sure before a long run:\n{COLLECT_ENV}\n"
    assert triage(asked).verdict.root_cause == "no_problem"


def test_an_intel_xe_gpu_named_is_no_nvidia_gpu_even_under_wsl():
    text = ("pip install of the simulator fails under WSL2 (Linux 6.6.87.2-microsoft-standard-WSL2).\n\n"
            "- GPU: Intel Xe Graphics\n- GPU driver: 32.0.101.6737\n")
    assert triage(text).verdict.root_cause == "no_nvidia_gpu"


def test_a_comment_in_pasted_code_is_not_the_reporters_words():
    code = ("TensorFlow 2.15 finds no GPU on my Windows 10 PC.\n```\nimport os\n"
            "# Put CUDA's bin folder on the PATH variable\nos.environ['PATH'] += r';C:\\CUDA\\bin'\n```\n")
    said = "TensorFlow 2.15 finds no GPU on my Windows 10 PC. I put CUDA's bin folder on the PATH variable myself.\n"
    # (the readings alone: the causes of reports that read alike may still follow as alternatives)
    assert "libs_not_on_path" not in [c.category for c in triage_on_evidence(code).candidates]
    assert "libs_not_on_path" in [c.category for c in triage_on_evidence(said).candidates]


def test_a_portable_bundle_brings_its_own_cuda_torch():
    # ComfyUI's portable build installs torch from PyTorch's CUDA index (.ci/setup_windows_zip.ps1): what is left to
    # go wrong with an NVIDIA card is most often the driver
    bundle = ("The ComfyUI portable build (run_nvidia_gpu.bat, python_embeded) says CUDA is not available on my "
              "Windows 10 PC with a GTX 1660 and falls back to the CPU.")
    # (the setup's usual cause, WG832, alone: the vote of similar reports, WG836, may overrule it where the corpus's
    # Windows threads ended otherwise, and is tested in test_similar_reports.py)
    assert triage_on_evidence(bundle).verdict.root_cause == "driver_too_old"
    venv = "ComfyUI in my own venv says CUDA is not available on my Windows 10 PC with a GTX 1660 and uses the CPU."
    assert triage_on_evidence(venv).verdict.root_cause == "cpu_only_package"  # PyPI's Windows torch is the CPU build


def _docker_runs(text: str) -> list[str]:
    return [s.value for s in snapshot(text).get(TriageFacts).all("docker_run")]


def test_a_sentence_naming_docker_run_runs_nothing():
    assert _docker_runs("When I start the TGI container with docker run, the logs contain a warning.") == []
    assert _docker_runs("I start it like this:\n\ndocker run myimage python train.py\n") == ["no_gpus"]
    assert _docker_runs("I start it with `docker run --gpus all myimage`.") == ["gpus"]


def test_the_version_of_two_runs_is_the_failing_runs():
    # Ultralytics' banners of a run that found the GPU and of the later one that did not (ultralytics#1495)
    text = ("```\nUltralytics YOLOv8.0.53 Python-3.9.1 torch-1.8.1+cu111 CUDA:0 (NVIDIA GeForce RTX 3070, 8192MiB)\n"
            "Ultralytics YOLOv8.0.54 Python-3.10.6 torch-2.0.0+cpu CPU\n```\n")
    t = snapshot(text).get(TargetFacts)
    assert t.dist("torch").version == "2.0.0+cpu"


def test_cuda_forward_compat_libraries_first_on_the_path_go_with_a_driver_mismatch():
    text = ("Our image stops at start since the cloud host got newer NVIDIA drivers (injected at start). The "
            "Dockerfile prepends /usr/local/cuda/compat to LD_LIBRARY_PATH so it ran on older drivers.\n")
    assert "driver_library_mismatch" in [c.category for c in triage(text).candidates]


def test_a_project_built_on_pytorch_names_pytorch():
    # pytorch-tabnet's pyproject depends on torch: its "Device used : cpu" is PyTorch's CPU fallback
    text = "TabNet always trains on the CPU on Windows 10 even with device_name='auto'.\n```\nDevice used : cpu\n```\n"
    facts = snapshot(text).get(TriageFacts)
    assert any(c.id == "names_pytorch" for c in facts.cues)
    assert "cpu_only_package" in [c.category for c in triage(text).candidates]


def test_pytorch_found_in_a_command_prompt_but_not_by_the_gui_is_another_python():
    # PyTorch carries its CUDA libraries, so no library path separates the two processes: the launcher's Python does
    text = ("The app's GUI only offers CPU as device on Windows. If I open a command prompt and check from Python, "
            "torch.cuda.is_available() gives True and torch.cuda.device_count() reports one device, but the GUI "
            "started from the .bat file does not see the GPU.\n")
    report = triage(text)
    assert report.verdict.root_cause == "package_conflict"
    assert report.verdict.root_cause != "no_problem"
    # the same words about TensorFlow keep the library path reading (its CUDA libraries come from the system)
    tf = text.replace("torch.cuda.is_available() gives True and torch.cuda.device_count() reports one device",
                      "tf.config.list_physical_devices('GPU') lists one GPU").replace("PyTorch", "TensorFlow")
    assert "package_conflict" not in [c.category for c in triage(tf).candidates]


def test_of_two_runs_the_report_is_about_the_one_not_at_work_on_the_gpu():
    # ultralytics#1496's shape: the banner of the run before an update (CUDA build, on the GPU) and after (+cpu)
    text = ("YOLOv8 no longer trains on my RTX 3070 after updating. The banner lines of the two runs:\n```\n"
            "Ultralytics YOLOv8.0.53 Python-3.9.1 torch-1.8.1+cu111 CUDA:0 (NVIDIA GeForce RTX 3070, 8192MiB)\n"
            "Ultralytics YOLOv8.0.54 Python-3.10.6 torch-2.0.0+cpu CPU\n```\nHow do I get it onto the GPU again?\n")
    r = triage_on_evidence(text)
    assert r.verdict.root_cause == "cpu_only_package" and "2.0.0+cpu" in r.findings[0].evidence[0].fact
    # the same two builds only named in a list, nothing printed: the CPU build is the one that stays on the CPU
    said = ("YOLOv8 no longer trains on my RTX 3070 after updating. Before: torch 1.8.1+cu111, device CUDA:0. "
            "After: torch 2.0.0+cpu, device CPU. How do I get it onto the GPU again?\n")
    assert triage_on_evidence(said).verdict.root_cause == "cpu_only_package"


def test_two_spellings_of_one_release_are_one_run():
    from whynogpu.triage.to_facts import _same_build

    assert _same_build("2.12", "2.12.0") and _same_build("2.0.0+cpu", "2.0.0")
    assert not _same_build("2.0.0+cpu", "2.0.0+cu118") and not _same_build("1.8.1+cu111", "2.0.0+cpu")
