"""The root-cause vocabulary (tests/fixtures/reference/root-causes.md) and the layer each belongs to.

The order is bottom-up through the stack: when several layers are broken, the lowest
broken layer explains the ones above it, so the verdict names the first category here
that has an error finding.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layer:
    id: str
    title: str


LAYERS = (
    Layer("platform", "Platform"),
    Layer("gpu", "GPU & driver"),
    Layer("cuda", "CUDA libraries"),
    Layer("packages", "Python packages"),
    Layer("frameworks", "Frameworks"),
    Layer("environment", "Environment"),
    Layer("code", "Your code"),
)

# (category id, layer id) in bottom-up order.
CATEGORIES: tuple[tuple[str, str], ...] = (
    ("no_nvidia_gpu", "gpu"),
    # The host before what runs on it: a Mac has no CUDA and WSL must reach the GPU before any container on them
    # can be given one (Docker Desktop runs its containers in a WSL 2 VM), so these explain a container's failure.
    ("macos_no_cuda", "platform"),
    ("wsl_gpu_not_enabled", "platform"),
    ("container_no_gpu", "platform"),
    ("windows_native_unsupported", "platform"),
    ("driver_not_loaded", "gpu"),
    ("driver_library_mismatch", "gpu"),
    ("driver_too_old", "gpu"),
    ("nvidia_uvm_unavailable", "gpu"),
    ("fabric_manager_not_running", "gpu"),
    ("gpu_hardware_fault", "gpu"),
    ("gpu_access_restricted", "gpu"),
    ("cuda_libs_missing", "cuda"),
    ("cuda_version_mismatch", "cuda"),
    ("cudnn_missing", "cuda"),
    ("cudnn_version_mismatch", "cuda"),
    ("libs_not_on_path", "cuda"),
    ("pip_cuda_libs_not_found", "cuda"),
    ("system_libs_shadow_pip_libs", "cuda"),
    ("cpu_only_package", "packages"),
    ("package_conflict", "packages"),
    ("python_version_unsupported", "packages"),
    ("compute_capability_unsupported", "frameworks"),
    ("keras_backend_other", "environment"),
    ("cuda_visible_devices_hidden", "environment"),
    ("code_forces_cpu", "code"),
    ("gpu_memory_exhausted", "gpu"),
    ("no_problem", "frameworks"),
    ("unknown", "frameworks"),
)

CATEGORY_IDS = tuple(c for c, _ in CATEGORIES)
LAYER_OF = dict(CATEGORIES)
RANK = {c: i for i, c in enumerate(CATEGORY_IDS)}

# Finding codes are banded by layer (docs/architecture.md); a finding shows on its band's line.
CODE_BANDS = {"1": "platform", "2": "gpu", "3": "cuda", "4": "packages", "5": "frameworks", "6": "environment",
              "7": "code"}


def layer_of(code: str, category: str) -> str:
    band = code[2:3] if code.startswith("WG") else ""
    return CODE_BANDS.get(band) or LAYER_OF.get(category, "frameworks")


# Each cause in a few plain words that name no framework, for findings read from a report's words, where
# which framework is meant may not be known (a check rule's own title may name one: "The installed
# TensorFlow is a CPU-only build").
IN_WORDS = {
    "no_nvidia_gpu": "this machine has no NVIDIA GPU",
    "container_no_gpu": "the container was started without access to the GPU",
    "wsl_gpu_not_enabled": "WSL cannot reach the GPU (WSL 1, an old Windows build, or no Windows NVIDIA driver)",
    "windows_native_unsupported": "this TensorFlow has no GPU build for native Windows",
    "macos_no_cuda": "macOS has no CUDA",
    "driver_not_loaded": "the NVIDIA kernel driver is not loaded",
    "driver_library_mismatch": "the NVIDIA driver's libraries and its kernel module are different versions",
    "driver_too_old": "the NVIDIA driver is too old for the framework's CUDA",
    "nvidia_uvm_unavailable": "the nvidia_uvm kernel module is missing or stale",
    "fabric_manager_not_running": "the NVSwitch Fabric Manager is not running",
    "gpu_hardware_fault": "the GPU is failing (power, heat, bus or memory errors)",
    "gpu_access_restricted": "the GPU is there but this process may not use it",
    "cuda_libs_missing": "the CUDA libraries the framework needs are not installed",
    "cuda_version_mismatch": "the CUDA libraries installed are of another release than the framework needs",
    "cudnn_missing": "cuDNN is not installed where the framework looks",
    "cudnn_version_mismatch": "the cuDNN installed is not the version the framework needs",
    "libs_not_on_path": "the CUDA libraries are installed but not on the loader path of the process",
    "pip_cuda_libs_not_found": "the framework does not find the CUDA libraries of its own pip wheels",
    "system_libs_shadow_pip_libs": "a system CUDA or cuDNN is loaded instead of the framework's own",
    "cpu_only_package": "the installed framework is a CPU-only build",
    "package_conflict": "several variants of the framework are installed side by side",
    "python_version_unsupported": "this Python version has no GPU build of the framework",
    "compute_capability_unsupported": "the framework build has no kernels for this GPU",
    "keras_backend_other": "Keras runs on another backend than the one set up for the GPU",
    "cuda_visible_devices_hidden": "CUDA_VISIBLE_DEVICES hides the GPU",
    "code_forces_cpu": "the code puts the work on the CPU",
    "gpu_memory_exhausted": "the GPU has no memory left for this process",
    "no_problem": "the GPU works; the messages are informational",
}
