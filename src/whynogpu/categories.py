"""The root-cause vocabulary (../shared/reference/root-causes.md) and the layer each belongs to.

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
    ("container_no_gpu", "platform"),
    ("wsl_gpu_not_enabled", "platform"),
    ("windows_native_unsupported", "platform"),
    ("macos_no_cuda", "platform"),
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
