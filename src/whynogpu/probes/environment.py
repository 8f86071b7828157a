"""Environment variables that change whether and how frameworks use the GPU.

Only variables on the allow-list below are recorded with their values: tokens and
passwords live in environment variables, and a report is meant to be pasted in public.
"""

from __future__ import annotations

from whynogpu.facts.environment import EnvironmentFacts, MissingPathEntry  # noqa: F401 (the facts it makes)
from whynogpu.probes import Context, probe

ALLOWED = (
    "CUDA_VISIBLE_DEVICES",
    "CUDA_DEVICE_ORDER",
    "NVIDIA_VISIBLE_DEVICES",
    "NVIDIA_DRIVER_CAPABILITIES",
    "LD_LIBRARY_PATH",
    "LD_PRELOAD",
    "PATH",
    "CUDA_HOME",
    "CUDA_PATH",
    "CUDA_ROOT",
    "CUDNN_PATH",
    "TF_CPP_MIN_LOG_LEVEL",
    "TF_CPP_MAX_VLOG_LEVEL",
    "TF_CPP_VMODULE",
    "TF_FORCE_GPU_ALLOW_GROWTH",
    "TF_GPU_ALLOCATOR",
    "TF_ENABLE_ONEDNN_OPTS",
    "TF_USE_LEGACY_KERAS",
    "KERAS_BACKEND",
    "KERAS_HOME",
    "XLA_PYTHON_CLIENT_PREALLOCATE",
    "XLA_PYTHON_CLIENT_MEM_FRACTION",
    "XLA_PYTHON_CLIENT_ALLOCATOR",
    "XLA_FLAGS",
    "JAX_PLATFORMS",
    "JAX_PLATFORM_NAME",
    "PYTORCH_CUDA_ALLOC_CONF",
    "CUDA_LAUNCH_BLOCKING",
    "CUDA_MODULE_LOADING",
    "HIP_VISIBLE_DEVICES",
    "ROCR_VISIBLE_DEVICES",
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "CONDA_DEFAULT_ENV",
    "PYTHONPATH",
    "PYTHONHOME",
    "WSL_DISTRO_NAME",
)

# Path-list variables whose entries we check for existence.
PATH_LISTS = ("LD_LIBRARY_PATH", "PATH")


@probe("environment", facts=EnvironmentFacts, order=20, layer="environment")
def gather_environment(ctx: Context) -> EnvironmentFacts:
    env = ctx.host.env()
    variables = {k: env[k] for k in ALLOWED if k in env}
    # Windows: the CUDA installer sets CUDA_PATH and one CUDA_PATH_V<major>_<minor> per toolkit installed
    variables.update({k: v for k, v in sorted(env.items()) if k.upper().startswith("CUDA_PATH_V")})
    missing = []
    windows = ctx.host.uname().system == "Windows"  # C:\... has a colon of its own: lists are split on ';'
    for var in PATH_LISTS:
        sep = ";" if windows or (var == "PATH" and ";" in variables.get(var, "")) else ":"
        for entry in variables.get(var, "").split(sep):
            if entry and not ctx.host.exists(entry):
                missing.append(MissingPathEntry(var, entry))
    return EnvironmentFacts(variables=variables, missing_path_entries=tuple(missing))
