"""Report-only rules (WG8xx): evidence a pasted report can hold and a machine's facts cannot.

Everything else a report shows becomes check's facts (triage/to_facts.py) and check's rules judge
it, with the same codes `whynogpu check` gives. What stays here: a framework or driver message in
the report (WG827, its cause from knowledge/log_messages.csv), and the reporter's account: "it broke
after suspend", "the whole machine reboots under load", "works in the terminal, not in my script".
The lines behind each rule come from triage/signals.py; each finding keeps the origin of its best line.
"""

from __future__ import annotations

from whynogpu.categories import IN_WORDS
from whynogpu.model import Evidence, Fix, Location, Severity
from whynogpu.parsers.logs import row
from whynogpu.rules import REGISTRY, RETIRED, rule
from whynogpu.rules.common import platform
from whynogpu.verdict import ORIGINS

SEVERITY = ("error", "warning", "info")
ORIGIN_WORDS = {"program": "program output", "stated": "written by the reporter", "inferred": "inferred",
                "similar": "confirmed reports that read alike", "usual": "the reporter's setting"}
MESSAGE_CATEGORY = "the message's row in knowledge/log_messages.csv"

# Codes whose causes check's rules now judge from the facts a report amounts to.
RETIRED.update({
    "WG801": "replaced by WG202 (nvidia-smi/NVML failures in a report are driver facts) and WG827",
    "WG803": "replaced by WG308 (the framework build's CUDA and the driver's, read from the report)",
    "WG805": "replaced by WG301 (the libraries the framework failed to load are CUDA library facts)",
    "WG806": "replaced by WG303",
    "WG807": "replaced by WG304",
    "WG808": "replaced by WG302",
    "WG809": "replaced by WG305",
    "WG812": "replaced by WG401, WG402, WG403 and WG501",
    "WG816": "replaced by WG101",
    "WG817": "replaced by WG102",
    "WG818": "replaced by WG104",
    "WG819": "replaced by WG103",
    "WG821": "replaced by WG702, WG703, WG507 and WG830",
    "WG825": "replaced by WG827 (the message names the cause)",
})


def _signals(snap, category: str | None = None):
    from whynogpu.facts.report import TriageFacts

    facts = snap.get(TriageFacts)
    return [s for s in (facts.signals if facts else ()) if category is None or s.category == category]


# A message's framework, from its row id's prefix (knowledge/log_messages.csv), and the prefix of the check rules made
# for that framework (tensorflow_cpu_build, torch_cpu_build, jax_without_cuda_plugin)
_RULE_PREFIX = {"tf": "tensorflow_", "tf1": "tensorflow_", "torch": "torch_", "jax": "jax_"}


def owner_rule(category: str, snap, row: str = ""):
    """The check rule that owns a category (the lowest code of that category), for its title and fix; a rule made
    for one platform (windows_…, wsl_…) only when the report is from that platform, so a Linux report's fix never
    says "restart Windows"; and, for a message of one framework, that framework's rule when the category has one."""
    p = platform(snap)
    here = "windows_" if p and p.os == "windows" else "wsl_" if p and p.wsl else ""
    owners = [REGISTRY[c].info for c in sorted(REGISTRY) if REGISTRY[c].info.category == category and c < "WG8"]
    fits = [o for o in owners if not o.name.startswith(("windows_", "wsl_")) or (here and o.name.startswith(here))]
    made_for = _RULE_PREFIX.get(row.split("_", 1)[0])
    own = [o for o in fits if made_for and o.name.startswith(made_for)]
    return next(iter(own or fits or owners), None)


def _by_category(snap, source: str) -> dict[str, list]:
    """The signals of one source, per category, best first."""
    out: dict[str, list] = {}
    for s in _signals(snap):
        if s.source == source:
            out.setdefault(s.category, []).append(s)
    return {c: _best(sigs) for c, sigs in out.items()}


def _evidence(sigs) -> list[Evidence]:
    return [Evidence(f"{s.why}: {s.text}", f"line {s.line} ({ORIGIN_WORDS[s.origin]})") for s in sigs[:5]]


def _best(sigs):
    return sorted(sigs, key=lambda s: (SEVERITY.index(s.severity), ORIGINS.index(s.origin), s.line))


# A message of these categories says less than the check rule that owns it: an out-of-memory error says the
# allocation failed, not that other processes hold the memory (WG206's finding on a machine).
_MESSAGE_TITLES = {"gpu_memory_exhausted": "The GPU had no memory left for this work"}


def _message_title(sig, category: str) -> str:
    """A message's own title (its row's, when the cause's rule would name another program), else the category's."""
    return (row(sig.row).title if sig.row else "") or _MESSAGE_TITLES.get(category, "")


@rule(
    "WG827", "report_message_names_cause", "unknown",
    "A message in the report points to this cause", category_from=MESSAGE_CATEGORY,
    detects="A driver, NVML, CUDA or framework message in the report whose meaning is known "
            "(knowledge/log_messages.csv); its first cause is what it names, the others what it is consistent with.",
    why="The stack's own messages are the strongest evidence a report can carry; the facts behind them (which "
        "library, which driver) decide between the causes when the report shows them.",
    example="line 14: Failed to initialize NVML: Driver/library version mismatch",
    fix="The fix of the cause it names (see `whynogpu explain` for the check rule of that category).",
    references=("https://docs.nvidia.com/deploy/nvml-api/group__nvmlReturnTypes.html",),
    modes=("triage",),
)
def report_message_names_cause(info, snap):
    for category, sigs in _by_category(snap, "message").items():
        best = sigs[0]
        owner = owner_rule(category, snap, best.row)
        said = next((row(s.row).fix for s in sigs if s.row and row(s.row).fix), "")
        text, _, command = said.partition(": ")  # "what to do: the command"
        # a row's fix is "what to do: the command", or what to do alone
        fix = Fix(text + ":", (command,)) if command else Fix(text, ()) if said else Fix(owner.fix if owner else "Collect `nvidia-smi` and the framework's full log.",
                                         ("# whynogpu explain " + owner.code,) if owner else ())
        yield info.finding(
            Severity(best.severity), _evidence(sigs),
            f"The report's own messages point to {category}." + (f" {owner.why}" if owner else ""),
            fix,
            title=f"{_message_title(best, category) or owner.title} (from the report's messages)" if owner else info.title,
            location=Location("<report>", best.line), category=category, origin=best.origin,
        )


@rule(
    "WG828", "report_words_go_with_cause", "unknown",
    "The report's words go with this cause", category_from="the phrase's row in knowledge/report_phrases.csv",
    detects="Nothing in the report decides the cause, but it names parts or tools that go with one (ROCm, "
            "WSL, nouveau, suspend, docker compose, LD_LIBRARY_PATH …; knowledge/report_phrases.csv).",
    why="A candidate to check first, never a verdict over a fact: the words say where to look, not what broke.",
    example="line 3: after the unattended-upgrades run nvidia-smi stopped working",
    fix="Paste the output the finding asks for, or run `whynogpu` on the machine itself.",
    modes=("triage",),
)
def report_words_go_with_cause(info, snap):
    for category, sigs in _by_category(snap, "phrase").items():
        best = sigs[0]
        owner = owner_rule(category, snap)
        yield info.finding(
            Severity.WARNING, _evidence(sigs),
            f"The report mentions what usually goes with {category}: {best.why}. Nothing in it confirms it yet.",
            Fix(owner.fix if owner else "Collect `nvidia-smi` and the framework's full log.",
                ("whynogpu   # run on the machine itself: it checks this layer directly",)),
            title=f"Possibly: {IN_WORDS[category]}" if category in IN_WORDS else info.title,
            location=Location("<report>", best.line), category=category, origin=best.origin,
        )


# code, category, name, title, why, fix text, fix commands: the reporter's account (no fact on a machine)
SPECS = (
    ("WG834", "code_forces_cpu", "report_gpu_seen_but_work_on_cpu",
     "The framework sees the GPU, yet the report says the work runs on the CPU",
     "A framework that lists the GPU computes on it only where the code (or a library's default) puts the work: a "
     "model or tensors never moved to the device, a device argument or config left at its CPU default.",
     "Find where the code chooses the device and put the model and data there (the scan reads your code for it):",
     ("whynogpu scan path/to/your/code",
      "# PyTorch: model.to('cuda') and every batch .to('cuda'); a library: its device / accelerator / cuda_device option")),
    ("WG833", "cpu_only_package", "report_cpu_build_from_setup",
     "The report describes a set-up that installs the framework's CPU build",
     "How the framework was installed decides its build: conda picks a CUDA build only on a machine whose NVIDIA "
     "driver it sees (the __cuda virtual package), so an environment made on a login node is CPU-only; an "
     "application's update or requirements file that names the framework without its CUDA variant reinstalls "
     "the CPU build.",
     "Check the build, then reinstall the CUDA build in that environment, asking for it explicitly:",
     ("python -c \"import torch; print(torch.__version__, torch.version.cuda)\"   # None: a CPU build",
      "pip install --force-reinstall torch --index-url https://download.pytorch.org/whl/cu126   # pip; the tag your driver supports",
      "conda install -c conda-forge \"pytorch=*=cuda*\"   # conda, on a GPU node; CONDA_OVERRIDE_CUDA=12 forces it elsewhere")),
    ("WG802", "driver_library_mismatch", "report_driver_library_mismatch",
     "The report describes a driver upgraded without a reboot, or one installed inside a container",
     "NVML and CUDA refuse to work when the user-space driver and the loaded kernel module differ.",
     "Reboot (or reload the nvidia modules) so both sides are the same version; never install a driver inside a container:",
     ("cat /proc/driver/nvidia/version", "sudo reboot")),
    ("WG804", "nvidia_uvm_unavailable", "report_nvidia_uvm_unavailable",
     "The report says CUDA stopped working after suspend/resume (nvidia_uvm left unusable)",
     "CUDA needs the nvidia_uvm module; after suspend/resume it is often left unusable.",
     "Reload nvidia_uvm (or reboot):", ("sudo rmmod nvidia_uvm && sudo modprobe nvidia_uvm", "sudo nvidia-modprobe -u -c 0")),
    ("WG830", "keras_backend_other", "report_keras_on_another_backend",
     "The report shows Keras running on another backend than the framework set up for the GPU",
     "Keras computes with the backend it runs on; a GPU-ready framework beside it is not used.",
     "Choose the backend before the first `import keras` (or in ~/.keras/keras.json):",
     ("export KERAS_BACKEND={use}   # the framework your GPU set-up is for",)),
    ("WG831", "cudnn_missing", "report_cudnn_never_installed", "The report says cuDNN was never installed",
     "cuDNN is a separate download from the CUDA toolkit; TensorFlow skips the GPU and the others fail at the "
     "first convolution without it.",
     "Install the cuDNN the framework build expects (its pip wheel is the simplest):",
     ("pip install nvidia-cudnn-cu12   # or nvidia-cudnn-cu11 for a CUDA 11 build",)),
    ("WG829", "gpu_access_restricted", "report_gpu_works_only_for_root",
     "The report says the GPU works for root (or with sudo) but not for the user",
     "CUDA must open /dev/nvidia*; when only root may, every other user's framework finds no GPU.",
     "Let the user open the device nodes (the group that owns them, or the container's user):",
     ("ls -l /dev/nvidia*", "sudo usermod -aG video $USER   # or the group that owns /dev/nvidia*; then log in again")),
    ("WG810", "pip_cuda_libs_not_found", "report_pip_cuda_libs_not_found",
     "The report installs NVIDIA pip wheels that this framework release does not look in",
     "Some releases (TensorFlow 2.16.1) do not locate the nvidia-* wheels they depend on.",
     "Upgrade the framework (reinstalling the same release cannot help), or point the loader at the wheels' folders:",
     ("pip install -U 'tensorflow[and-cuda]'",
      "export LD_LIBRARY_PATH=\"$(python -c \"import glob, os, nvidia; print(':'.join(glob.glob(os.path.join("
      "nvidia.__path__[0], '*', 'lib'))))\"):$LD_LIBRARY_PATH\"")),
    ("WG811", "system_libs_shadow_pip_libs", "report_system_libs_shadow_pip_libs",
     "The report shows a system CUDA/cuDNN on LD_LIBRARY_PATH overriding the pip wheels' copies",
     "LD_LIBRARY_PATH entries are searched before the pip wheels' libraries, so an older copy wins.",
     "Run without the system CUDA on LD_LIBRARY_PATH:", ("env -u LD_LIBRARY_PATH python your_script.py",)),
    ("WG813", "package_conflict", "report_package_conflict", "The report says several variants of one framework are installed",
     "Variants overwrite each other's files; which one runs depends on install order.",
     "Uninstall every variant, then install one GPU build:", ("pip uninstall -y tensorflow tensorflow-gpu tensorflow-cpu",)),
    ("WG814", "python_version_unsupported", "report_python_version_unsupported",
     "The report shows pip finding no wheel of the framework for this Python",
     "pip finds no wheel for this Python, so it installs nothing or an old/CPU release.",
     "Create an environment with a supported Python:", ("python3.12 -m venv gpu-env",)),
    ("WG815", "compute_capability_unsupported", "report_compute_capability_unsupported",
     "The report names a GPU whose architecture the framework build has no kernels for",
     "Each framework build ships kernels for a list of GPU architectures (knowledge/torch_arch_lists.csv, "
     "tensorflow_releases.csv); a GPU outside it is ignored or fails at the first kernel.",
     "Use a build that carries this GPU's architecture (an older release for an old GPU, a newer CUDA variant for a "
     "new one):", ("python -c \"import torch; print(torch.cuda.get_arch_list())\"   # PyTorch",
                   "python -c \"import tensorflow as tf; print(tf.sysconfig.get_build_info().get('cuda_compute_capabilities'))\""
                   "   # TensorFlow")),
    ("WG820", "cuda_visible_devices_hidden", "report_cuda_visible_devices_hidden",
     "The report says the GPU is seen in one process but not in the project's code",
     "A script, launcher or config can set CUDA_VISIBLE_DEVICES for its own process only.",
     "Look for the variable where the project starts:", ("grep -rn CUDA_VISIBLE_DEVICES .", "unset CUDA_VISIBLE_DEVICES")),
    ("WG835", "libs_not_on_path", "report_gpu_works_only_in_the_shell",
     "The report says the GPU works in a terminal but not in a notebook kernel, IDE or service",
     "A kernel, an IDE or a service is not started from the shell: it runs without that shell's LD_LIBRARY_PATH "
     "and conda activation (which point the loader at the CUDA libraries), and often with another interpreter.",
     "Compare the interpreter and the library path in both places, then give the kernel the shell's environment:",
     ("python -c \"import sys, os; print(sys.executable, os.environ.get('LD_LIBRARY_PATH'))\"   # in the shell and "
      "in a notebook cell",
      "python -m ipykernel install --user --name gpu-env   # from the activated environment; pick that kernel")),
    ("WG822", "gpu_memory_exhausted", "report_gpu_memory_exhausted",
     "The report describes the GPU's memory taken by other work (another process, or another framework in this one)",
     "TensorFlow and JAX take (nearly) all GPU memory per process by default, so a second one has none left.",
     "Free the GPU or let the framework allocate on demand:",
     ("nvidia-smi", "export TF_FORCE_GPU_ALLOW_GROWTH=true", "export XLA_PYTHON_CLIENT_PREALLOCATE=false")),
    ("WG823", "gpu_hardware_fault", "report_gpu_hardware_fault", "The report points to a failing GPU, power or cooling",
     "A GPU that falls off the bus or a PSU that trips under load stops every framework.",
     "Check the kernel log for Xid errors, power and temperatures:",
     ("sudo dmesg | grep -i -E 'xid|nvrm'", "nvidia-smi -q -d TEMPERATURE,POWER")),
    ("WG824", "no_nvidia_gpu", "report_no_nvidia_gpu", "The report shows no NVIDIA GPU where the work runs",
     "CUDA builds of the frameworks run on NVIDIA GPUs only: a GPU of another vendor, or a virtual machine's own "
     "display adapter, gives them none.",
     "Use the vendor's own route (ROCm builds for AMD, Intel's extension for Intel GPUs, MPS on Apple), or run where "
     "an NVIDIA GPU is (the host itself, WSL 2 on Windows, or a VM the GPU is passed through to):",
     ("lspci | grep -i -E 'vga|3d'",)),
    ("WG826", "no_problem", "report_gpu_works", "The report shows a working GPU; the messages are benign",
     "These lines are informational: the GPU was found and used.",
     "Nothing to fix: the GPU works (TensorFlow's notices can be hidden with TF_CPP_MIN_LOG_LEVEL=2).", ()),
)


# A fix that replaces a rule's own when the signal names the case it is for (Signal.use): a framework that has no
# CUDA build on the report's platform at all needs another platform, not another build of it.
FIX_FOR_USE = {
    ("WG833", "tensorflow"): Fix(
        "Check the build, then install TensorFlow's GPU build in that environment (up to 2.0 it is the separate "
        "tensorflow-gpu package; on Linux and WSL2 from 2.14 the [and-cuda] extra brings its CUDA libraries):",
        ('python -c "import tensorflow as tf; print(tf.__version__, tf.test.is_built_with_cuda())"   # False: a CPU build',
         "pip uninstall -y tensorflow tensorflow-cpu tensorflow-gpu",
         "pip install 'tensorflow[and-cuda]'   # or tensorflow-gpu==1.15 / 2.0 for those releases")),
    ("WG813", "pytorch"): Fix(
        "Remove every copy of PyTorch (pip's and conda's write the same torch/ folder), then install one CUDA build:",
        ("pip uninstall -y torch", "conda remove -y --force pytorch   # only if conda installed one too",
         "pip install torch --index-url https://download.pytorch.org/whl/cu126   # the tag your driver supports")),
    ("WG813", "jax"): Fix(
        "Remove every JAX package, then install one matching set (jax, jaxlib and the CUDA plugin of one release):",
        ("pip uninstall -y jax jaxlib jax-cuda12-plugin jax-cuda12-pjrt", 'pip install -U "jax[cuda12]"')),
    ("WG810", "pytorch"): Fix(
        "PyTorch loads the nvidia-* wheels from the site-packages folder it sits in; a layout that puts them elsewhere "
        "(Bazel, a --target install, a PYTHONPATH tree) hides them. Install torch and its wheels into one environment:",
        ("pip install --force-reinstall torch --index-url https://download.pytorch.org/whl/cu126",)),
    ("WG833", "jax"): Fix(
        "Check the devices, then reinstall JAX with its CUDA plugin (Linux and WSL2 only):",
        ('python -c "import jax; print(jax.devices())"   # CpuDevice only: no CUDA plugin', 'pip install -U "jax[cuda12]"')),
    ("WG833", "torch-jetson"): Fix(
        "Install NVIDIA's PyTorch build for your JetPack release (the aarch64 wheels of PyPI and download.pytorch.org "
        "have no CUDA for a Jetson), or run NVIDIA's PyTorch container for Jetson:",
        ("cat /etc/nv_tegra_release   # the L4T release: it picks the wheel and the container tag",
         "# the wheel for that JetPack: https://docs.nvidia.com/deeplearning/frameworks/install-pytorch-jetson-platform/index.html",
         "docker run --runtime nvidia -it nvcr.io/nvidia/l4t-pytorch:r34.1.0-pth1.12-py3   # the tag of your L4T release")),
    ("WG822", "jax-tensorflow"): Fix(
        "Keep TensorFlow off the GPU in the JAX program (it only feeds the data), or let both allocate on demand "
        "(https://docs.jax.dev/en/latest/gpu_memory_allocation.html):",
        ('import tensorflow as tf; tf.config.set_visible_devices([], "GPU")   # before the first JAX operation',
         "export XLA_PYTHON_CLIENT_PREALLOCATE=false", "export TF_FORCE_GPU_ALLOW_GROWTH=true")),
    ("WG833", "tensorflow-jetson"): Fix(
        "Install NVIDIA's TensorFlow build for your JetPack release (PyPI's aarch64 wheels have no CUDA for a Jetson), "
        "or run NVIDIA's TensorFlow container for Jetson:",
        ("cat /etc/nv_tegra_release   # the L4T release: it picks the wheel and the container tag",
         "# the wheel index for that JetPack: https://docs.nvidia.com/deeplearning/frameworks/install-tf-jetson-platform/index.html",
         "pip uninstall -y tensorflow   # then install NVIDIA's wheel (its version carries +nv)")),
    ("WG833", "jax-windows"): Fix(
        "JAX publishes CUDA builds for Linux only (https://docs.jax.dev/en/latest/installation.html): run it in WSL2, "
        "where the Linux wheels use the Windows NVIDIA driver, or on Linux:",
        ("wsl --install -d Ubuntu   # in Windows PowerShell; then, inside WSL2:", 'pip install -U "jax[cuda12]"')),
}


def _register(code, category, name, title, why, fix_text, commands):
    @rule(code, name, category, title,
          detects=f"The reporter's account in a pasted report that supports the cause '{category}' and that no "
                  "fact on a machine holds.",
          why=why, example=f"line 12: <the reporter's words about {category}>", fix=fix_text,
          references=("https://github.com/tensorflow/tensorflow/issues", "https://github.com/pytorch/pytorch/issues"),
          modes=("triage",))
    def check(info, snap):
        sigs = _best([s for s in _signals(snap, category) if s.source == "account"])
        if not sigs:
            return
        best = sigs[0]
        yield info.finding(
            Severity(best.severity), _evidence(sigs),
            f"{why} Supported by {len(sigs)} line(s) of the report.",
            # a command naming a value ({use}) takes it from the report when the report shows it
            FIX_FOR_USE.get((code, best.use)) or
            Fix(fix_text, tuple(c.format(use=best.use or "tensorflow") if "{use}" in c else c for c in commands)),
            location=Location("<report>", best.line), origin=best.origin,
        )

    check.__name__ = name
    return check


for _spec in SPECS:
    _register(*_spec)
