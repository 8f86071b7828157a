"""Triage-only rules (WG8xx): what the lines of a pasted report point to.

One rule per root-cause category, all reading the same ranking (triage/score.py), so a
finding's code says which cause the report's lines support and its evidence quotes them
with their line numbers. They run only in triage mode: a live machine has better facts.
"""

from __future__ import annotations

from whynogpu.model import Evidence, Fix, Location, Severity
from whynogpu.rules import rule

# The triage package (its facts, scoring and fixes) is imported where these rules run, in triage
# mode only: `whynogpu check` registers them but never calls them, and need not load it.

SEVERITY = ("error", "warning", "info")
ORIGINS = ("program", "stated", "inferred")
ORIGIN_WORDS = {"program": "program output", "stated": "written by the reporter", "inferred": "inferred"}


def _signals(snap, category: str):
    from whynogpu.triage.facts import TriageFacts

    facts = snap.get(TriageFacts)
    return [s for s in (facts.signals if facts else ()) if s.category == category]


# code, category, name, title, why, fix text, fix commands
SPECS = (
    ("WG801", "driver_not_loaded", "report_driver_not_loaded", "The report shows no working NVIDIA kernel driver",
     "Without the kernel module no CUDA call can reach the GPU.", "Install or rebuild the driver, then reboot:",
     ("lsmod | grep nvidia", "sudo ubuntu-drivers install  # or your distribution's driver package", "sudo reboot")),
    ("WG802", "driver_library_mismatch", "report_driver_library_mismatch",
     "The report shows driver libraries and kernel module of different versions",
     "NVML and CUDA refuse to work when user-space driver and kernel module differ.",
     "Reboot (or reload the nvidia modules) so both sides are the same version; never install a driver inside a container:",
     ("cat /proc/driver/nvidia/version", "sudo reboot")),
    ("WG803", "driver_too_old", "report_driver_too_old", "The report shows a driver too old for the framework's CUDA",
     "A driver only runs CUDA builds up to the version it supports.",
     "Upgrade the NVIDIA driver, or install a framework build for an older CUDA:", ("nvidia-smi",)),
    ("WG804", "nvidia_uvm_unavailable", "report_nvidia_uvm_unavailable",
     "The report shows CUDA failing with an unknown error (nvidia_uvm missing or stale)",
     "CUDA needs the nvidia_uvm module; after suspend/resume it is often left unusable.",
     "Reload nvidia_uvm (or reboot):", ("sudo rmmod nvidia_uvm && sudo modprobe nvidia_uvm", "sudo nvidia-modprobe -u -c 0")),
    ("WG805", "cuda_libs_missing", "report_cuda_libs_missing", "The report shows CUDA libraries the framework cannot load",
     "A framework built for CUDA X needs that version's runtime libraries on the loader path.",
     "Install the CUDA libraries of the version the framework was built for (pip wheels are simplest):",
     ("pip install 'tensorflow[and-cuda]'  # TensorFlow on Linux",)),
    ("WG806", "cudnn_missing", "report_cudnn_missing", "The report shows cuDNN is not found",
     "Convolution and RNN kernels need cuDNN; without it the framework skips the GPU.",
     "Install the cuDNN version the framework build expects:", ("pip install nvidia-cudnn-cu12",)),
    ("WG807", "cudnn_version_mismatch", "report_cudnn_version_mismatch",
     "The report shows a cuDNN of another version than the framework's build",
     "cuDNN must match the major version the framework was built with and be at least its minor version.",
     "Install the matching cuDNN and remove the other one from LD_LIBRARY_PATH:", ("echo $LD_LIBRARY_PATH",)),
    ("WG808", "cuda_version_mismatch", "report_cuda_version_mismatch",
     "The report shows CUDA libraries of another version than the framework needs",
     "Each framework build loads libraries of one CUDA version by name; another version's files do not count.",
     "Install the CUDA version the framework was built for, or a framework build for your CUDA:", ()),
    ("WG809", "libs_not_on_path", "report_libs_not_on_path",
     "The report shows libraries that exist but are not on the failing process's search path",
     "The loader only searches LD_LIBRARY_PATH/PATH and the ld cache of the process that imports the framework.",
     "Make the library directory visible to that process (shell, Jupyter kernel, service):",
     ("export LD_LIBRARY_PATH=/usr/local/cuda/lib64:$LD_LIBRARY_PATH",)),
    ("WG810", "pip_cuda_libs_not_found", "report_pip_cuda_libs_not_found",
     "The report shows NVIDIA pip wheels installed but not found by the framework",
     "Some releases (TensorFlow 2.16.1) do not locate the nvidia-* wheels they depend on.",
     "Upgrade the framework, or point the loader at the wheels' lib directories:", ("pip install -U 'tensorflow[and-cuda]'",)),
    ("WG811", "system_libs_shadow_pip_libs", "report_system_libs_shadow_pip_libs",
     "The report shows system CUDA libraries overriding the pip ones",
     "LD_LIBRARY_PATH entries are searched before the pip wheels' libraries, so an older copy wins.",
     "Run without the system CUDA on LD_LIBRARY_PATH:", ("env -u LD_LIBRARY_PATH python your_script.py",)),
    ("WG812", "cpu_only_package", "report_cpu_only_package", "The report shows a CPU-only framework build",
     "A CPU-only build has no CUDA code at all.", "Install the GPU build:",
     ("pip install 'tensorflow[and-cuda]'  # or: pip install torch --index-url https://download.pytorch.org/whl/cu128"
      "  # or: pip install -U 'jax[cuda12]'",)),
    ("WG813", "package_conflict", "report_package_conflict", "The report shows several variants of one framework installed",
     "Variants overwrite each other's files; which one runs depends on install order.",
     "Uninstall every variant, then install one GPU build:", ("pip uninstall -y tensorflow tensorflow-gpu tensorflow-cpu",)),
    ("WG814", "python_version_unsupported", "report_python_version_unsupported",
     "The report shows a Python version without GPU wheels of the framework",
     "pip finds no wheel for this Python, so it installs nothing or an old/CPU release.",
     "Create an environment with a supported Python:", ("python3.12 -m venv gpu-env",)),
    ("WG815", "compute_capability_unsupported", "report_compute_capability_unsupported",
     "The report shows a GPU architecture the framework build does not support",
     "Frameworks ship kernels for a range of compute capabilities only.",
     "Use a framework build that supports this GPU (older for old GPUs, newer for new ones).", ()),
    ("WG816", "windows_native_unsupported", "report_windows_native_unsupported",
     "The report shows native Windows with a TensorFlow that has no CUDA build",
     "TensorFlow 2.10 was the last release with GPU support on native Windows.",
     "Use WSL2, or TensorFlow 2.10 with CUDA 11.2/cuDNN 8.1:", ("wsl --install",)),
    ("WG817", "macos_no_cuda", "report_macos_no_cuda", "The report is from macOS, where CUDA does not exist",
     "macOS has no NVIDIA CUDA; Apple GPUs are used through Metal/MPS.",
     "Use the MPS device (PyTorch) or tensorflow-metal:", ("python -c \"import torch; print(torch.backends.mps.is_available())\"",)),
    ("WG818", "wsl_gpu_not_enabled", "report_wsl_gpu_not_enabled", "The report is from WSL without GPU compute",
     "Only WSL2 with a current Windows NVIDIA driver exposes the GPU to Linux.",
     "Use WSL2 and install the NVIDIA driver on Windows (not inside Linux):", ("wsl --set-version <distro> 2", "wsl --update")),
    ("WG819", "container_no_gpu", "report_container_no_gpu", "The report shows a container started without GPU access",
     "A container sees a GPU only when started with --gpus (NVIDIA Container Toolkit).",
     "Start the container with GPUs:", ("docker run --gpus all ...",)),
    ("WG820", "cuda_visible_devices_hidden", "report_cuda_visible_devices_hidden",
     "The report shows CUDA_VISIBLE_DEVICES hiding the GPU",
     "CUDA enumerates no device when CUDA_VISIBLE_DEVICES is empty or -1.",
     "Remove the assignment or set a valid index:", ("unset CUDA_VISIBLE_DEVICES",)),
    ("WG821", "keras_backend_other", "report_keras_backend_other", "The report shows Keras using another backend",
     "KERAS_BACKEND is read once, when Keras is first imported.",
     "Set KERAS_BACKEND before importing Keras:", ("export KERAS_BACKEND=jax",)),
    ("WG822", "gpu_memory_exhausted", "report_gpu_memory_exhausted", "The report shows the GPU's memory exhausted",
     "cuDNN/cuBLAS cannot even create a handle when other processes hold the memory.",
     "Free the GPU or let the framework allocate on demand:", ("nvidia-smi", "export TF_FORCE_GPU_ALLOW_GROWTH=true")),
    ("WG823", "gpu_hardware_fault", "report_gpu_hardware_fault", "The report points to a failing GPU, power or cooling",
     "A GPU that falls off the bus or a PSU that trips under load stops every framework.",
     "Check the kernel log for Xid errors, power and temperatures:", ("sudo dmesg | grep -i -E 'xid|nvrm'", "nvidia-smi -q -d TEMPERATURE,POWER")),
    ("WG824", "no_nvidia_gpu", "report_no_nvidia_gpu", "The report shows no NVIDIA GPU",
     "Without an NVIDIA GPU there is nothing CUDA can use.", "Check for an NVIDIA device:", ("lspci | grep -i nvidia",)),
    ("WG825", "fabric_manager_not_running", "report_fabric_manager_not_running",
     "The report shows CUDA waiting for the NVSwitch Fabric Manager",
     "On NVSwitch systems CUDA reports 'system not yet initialized' until Fabric Manager runs.",
     "Start Fabric Manager (same version as the driver):", ("sudo systemctl enable --now nvidia-fabricmanager",)),
    ("WG826", "no_problem", "report_gpu_works", "The report shows a working GPU; the messages are benign",
     "These lines are informational: the GPU was found and used.", "Nothing to fix; lower TF_CPP_MIN_LOG_LEVEL to hide notices.",
     ()),
)


def _register(code, category, name, title, why, fix_text, commands):
    @rule(code, name, category, title,
          detects=f"Lines of a pasted report (logs, tool output, template fields, prose) that support the cause "
                  f"'{category}', ranked with the other causes.",
          why=why,
          example=f"line 12: <a message that means {category}>",
          fix=fix_text,
          references=("https://github.com/tensorflow/tensorflow/issues", "https://github.com/pytorch/pytorch/issues"),
          modes=("triage",))
    def check(info, snap):
        from whynogpu.triage import fixes
        from whynogpu.triage.facts import TriageFacts

        sigs = sorted(_signals(snap, category), key=lambda s: (SEVERITY.index(s.severity), ORIGINS.index(s.origin)))
        if not sigs:
            return
        best = sigs[0]
        evidence = [Evidence(f"{s.why}: {s.text}", f"line {s.line} ({ORIGIN_WORDS[s.origin]})") for s in sigs[:5]]
        yield info.finding(
            Severity(best.severity), evidence,
            f"{why} Supported by {len(sigs)} line(s) of the report.",
            Fix(fix_text, fixes.commands(category, snap.get(TriageFacts)) or tuple(commands)),
            location=Location("<report>", best.line), origin=best.origin,
        )

    check.__name__ = name
    return check


for _spec in SPECS:
    _register(*_spec)
