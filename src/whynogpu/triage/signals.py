"""What only a report can show: the lines that support a cause no check rule can see.

Check's rules read the facts a report amounts to (triage/to_facts.py). What is left is evidence that
has no fact on a machine: the framework's own message naming a cause while no fact behind it is in
the report, the reporter's account ("it broke after suspend", "works in the terminal, not in
Jupyter"), a pip error. Each signal says how it stands, with the same two words the ranking uses
everywhere: a severity (error: it names the failure; warning: it is consistent with it) and an origin
(program output, the reporter's words, or inferred). There are no weights.
"""

from __future__ import annotations

import dataclasses
import re

from whynogpu.facts.report import Signal, TriageFacts
from whynogpu.knowledge import (
    gpu_compute_capability,
    release_row,
    table,
    torch_arch_list,
    version_key,
)
from whynogpu.triage.cues import CUES, phrase_meaning
from whynogpu.triage.readings import NVIDIA_NAME, readings
from whynogpu.triage.to_facts import OTHER_GPU, cpu_only_install, framework_of, torch_wheel_cuda

# Where `docker run --gpus` is not what hands the GPU over: a Kubernetes pod gets one only through a device plugin's
# resource in its spec (https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/, nvidia.com/gpu), and Docker
# Desktop passes it only on Windows with its WSL2 backend (https://docs.docker.com/desktop/features/gpu/)
# (the word in a sentence, not in an image name such as nvcr.io/nvidia/k8s/cuda-sample)
_GPUS_FLAG_NOT_ENOUGH = re.compile(r"(?<![/.:-])\b(?:kubernetes|k8s|kubectl|minikube|microk8s|k3s|kubeflow|pods?|docker desktop)"
                                   r"\b(?![/.:-]\w)", re.I)
_GPU_RUNTIME = dict(CUES)["gpu_runtime"]  # "the runtime type is set to GPU" (Colab, Kaggle)
# Directories of a CUDA or cuDNN that is not the pip wheels' (a toolkit, conda, an HPC module).
_EXCEPTION = re.compile(r"\b[A-Z]\w*(?:Error|Exception)\b")  # a Python exception's class: RuntimeError, CUDAError
# a status code of CUDA's own libraries (CUDA_ERROR_INVALID_HANDLE, CUBLAS_STATUS_EXECUTION_FAILED, cudaErrorNoDevice):
# unlike an exception, which libraries also print in warnings they survive, it only ever names a failed call
_CUDA_STATUS = re.compile(r"\b(?:CUDA_ERROR|CU(?:BLAS|DNN|FFT|SOLVER|SPARSE|RAND)_STATUS)_[A-Z_]+\b|\bcudaError[A-Z]\w+")
_SYSTEM_CUDA = re.compile(r"cuda|cudnn|hpc_sdk|/opt/nvidia|conda[^:]*/lib", re.I)
_VERSION_CLASH = ("tf_cudnn_mismatch", "jax_cudnn_outdated", "jax_cuda_outdated", "jax_cuda_components", "jax_lib_unloadable",
                  "dnn_init_failed")
_DRIVER_FAILS = ("smi_no_driver", "nvml_driver_not_loaded", "diag_driver_not_running", "torch_driver_init_failed",
                 "smi_not_found")
_MISMATCH = ("nvml_mismatch", "nvrm_api_mismatch", "diag_kernel_dso_mismatch")
_LIB_FAILS = ("tf_dlopen_cuda_lib", "tf_dlopen_cudnn", "tf_win_dll_missing", "import_error_so", "tf_cannot_dlopen_gpu_libs",
              "jax_lib_unloadable", "jax_cudnn_unloadable", "tf1_cudnn_not_opened", "tf1_lib_not_opened")
_CUDA_FAILS = ("cuinit_unknown", "torch_cuda_unknown", "cuinit_no_device", "torch_no_gpus", "cuinit_303")


# The driver's kernel side: on WSL it is the Windows host's (https://docs.nvidia.com/cuda/wsl-user-guide/index.html,
# "Getting Started": no Linux display driver may be installed inside WSL).
_HOST_DRIVER = ("driver_not_loaded", "driver_library_mismatch")


def _judged_as_facts(m) -> bool:
    """Messages triage/to_facts.py turns into facts, so check's rules judge them: what a framework prints
    about itself (its run, WG502), a library it could not load (CUDA library facts), nvidia-smi's and NVML's
    failures (driver facts), an NVIDIA image's start script (the container's facts)."""
    from whynogpu.triage.to_facts import NOT_FOUND

    return (m.id.split("_", 1)[0] in ("tf", "tf1", "torch", "jax", "dnn") or m.id in NOT_FOUND
            or m.id.startswith(("smi_", "nvml_", "ngc_")))


# What the reporter says that names a cause on its own: (cue ids, any of which counts; category; why).
_ACCOUNT = (
    (("hardware",), "gpu_hardware_fault", "the machine or the GPU fails under load (power, heat, bus)"),
    (("never_moved",), "code_forces_cpu", "the reporter says the code never moves the model or the data to the GPU"),
    (("shared_gpu", "second_process"), "gpu_memory_exhausted", "other work holds the GPU's memory"),
    (("driver_in_container",), "driver_library_mismatch",
     "a driver installed inside a container differs from the host's kernel module"),
    (("cudnn_not_installed",), "cudnn_missing", "the reporter says cuDNN was never installed"),
    (("root_only",), "gpu_access_restricted",
     "the GPU works for root but not for this user: the /dev/nvidia* nodes refuse the user"),
    (("both_tf",), "package_conflict", "tensorflow and tensorflow-gpu are both installed"),
    (("conda_and_pip",), "package_conflict", "one framework is installed by both conda and pip, over the same files"),
    # conda's solver picks a framework's CUDA build only where it sees a CUDA driver (the __cuda virtual package)
    (("install_broke_it",), "cpu_only_package",
     "the GPU was found until a package install: its requirements replaced the framework's GPU build"),
    (("env_built_without_gpu",), "cpu_only_package",
     "an environment solved on a machine without a GPU (a login node) gets the CPU build from conda"),
)


def jax_incidental(f: TriageFacts) -> bool:
    """JAX's "CUDA-enabled jaxlib is not installed. Falling back to cpu" is printed by any program that
    imports JAX, and many libraries do (flax, optax, transformers, diffusers, notebook helpers). When that
    line is all the report has of JAX (the reporter never names it, installs it or gives its version), it
    says nothing about the framework the reporter trains with."""
    said = {m.line for m in f.log if m.id == "jax_jaxlib_no_cuda"}
    if not said or any(m.id.startswith("jax_") and m.id != "jax_jaxlib_no_cuda" for m in f.log):
        return False
    if f.first("jax_version") or f.first("jaxlib_version") or f.package("jax", "jaxlib"):
        return False
    # ... and it shows some other work: another framework, or a trainer that runs (the bare message alone is
    # most likely pasted by someone who does use JAX)
    if not (_frameworks_named(f) - {"jax"} or any(c.id == "training_talk" for c in f.cues)):
        return False
    # named in the reporter's own words: on another line, or on the message's line outside the message
    return not any(c.id == "names_jax" and (c.line not in said or "jax" in c.text.lower().replace("jaxlib is not", ""))
                   for c in f.cues) and \
        not any("jax" in s.value.lower() for s in f.all("pip_install"))


def tf_incidental(f: TriageFacts) -> bool:
    """TensorFlow's GPU lines in a JAX program: AlphaFold, ColabFold and their kin import TensorFlow for data and
    keep it off the GPU on purpose, so its "Cannot dlopen some GPU libraries" says nothing of the JAX that does the
    work. True when JAX printed its own GPU messages and the report never sets TensorFlow up (no TensorFlow version,
    package or install, and the reporter does not name it outside the log)."""
    if not any(framework_of(m) == "jax" and m.kind in ("error", "success") for m in f.log):
        return False
    if not any(framework_of(m) == "tensorflow" for m in f.log):
        return False
    if "tensorflow" in _frameworks_named(f):
        return False
    return not any(c.id == "names_tensorflow" and c.line not in {m.line for m in f.log} for c in f.cues)


def signals(f: TriageFacts) -> list[Signal]:
    out: list[Signal] = []

    def add(cat: str, severity: str, origin: str, line: int, text: str, why: str, source: str = "account",
            row: str = "", use: str = "") -> None:
        out.append(Signal(cat, severity, origin, line, text, why, source, row, use))

    cues = {c.id: c for c in reversed(f.cues)}  # the earliest of each kind

    for part in _PARTS:
        part(f, cues, add)
    # the reporter's account (a CPU build, two builds, wheels not found) names no framework: the fix is for the one
    # the report sets up
    named = _frameworks_named(f) & {"tensorflow", "pytorch", "jax"}
    one = next(iter(named)) if len(named) == 1 else ""
    return [dataclasses.replace(x, use=one) if one and not x.use and x.source == "account" and x.category in
            ("cpu_only_package", "package_conflict", "pip_cuda_libs_not_found") else x for x in out]


def _messages(f: TriageFacts, cues: dict, add) -> None:
    # 1. Messages. The first category of a message is what it names; the others are what it is
    # consistent with. A message turned into facts is judged by check's rules, so here it only adds
    # candidates; the others (a CUDA error code, an Xid, an out-of-memory) stand on their own.
    incidental_jax = jax_incidental(f)
    incidental_tf = tf_incidental(f)
    for m in f.log:
        if m.kind not in ("error", "warning") or not (m.categories or m.groups.get("code")):
            continue
        if incidental_tf and framework_of(m) == "tensorflow":
            continue
        if incidental_jax and m.id == "jax_jaxlib_no_cuda":
            add("no_problem", "warning", "inferred", m.line, m.text,
                "printed by any program that imports JAX (many libraries do); the report does not use JAX, so "
                "it says nothing about the framework that trains", "message", m.id)
            continue
        quoted = m.line in f.prose_log_lines
        cats, why = readings(m, f)
        for i, cat in enumerate(cats[:3]):
            names = i == 0 and m.kind == "error" and not _judged_as_facts(m)
            # the alternatives are what the message is consistent with: inferred, however the message was shown
            add(cat, "error" if names else "warning", "inferred" if i else "stated" if quoted else "program",
                m.line, m.text, why.get(cat, m.meaning), "message", m.id)


def _account(f: TriageFacts, cues: dict, add) -> None:
    # 2. The reporter's account.
    cuda_failed = f.has_log(*_CUDA_FAILS) or any(s.value == "False" for s in f.all("torch_cuda_available"))
    if "suspend" in cues:
        c = cues["suspend"]
        add("nvidia_uvm_unavailable", "error" if cuda_failed else "warning", "stated", c.line, c.text,
            "CUDA stops working after suspend/resume when nvidia_uvm is left unusable")
    no_gpu = _no_gpu_answers(f) or [s for s in f.all("torch_cuda_available") if s.value == "False"] or \
        _on_cpu(f) or "gpu_not_found_said" in cues
    for ids, cat, why in _ACCOUNT:
        c = next((cues[i] for i in ids if i in cues), None)
        if c is not None:
            # memory others hold makes work fail on a GPU the framework sees; it never hides the GPU from it
            weak = cat == "gpu_memory_exhausted" and no_gpu and \
                not any("gpu_memory_exhausted" in m.categories for m in f.log)
            add(cat, "warning" if weak else "error", "stated", c.line, c.text, why)
    if "no_gpu_owned" in cues and not _gpu_answered(f):
        # a machine with no NVIDIA GPU is also one where the driver never loads and CUDA finds no device: the lower
        # layer explains the messages above it
        c = cues["no_gpu_owned"]
        add("no_nvidia_gpu", "error", "stated", c.line, c.text,
            "the reporter says the machine has no GPU: the framework's CUDA build finds no device and its driver "
            "messages follow from that")
    if "vm_guest" in cues and "vm_passthrough" not in cues and not _gpu_answered(f):
        c = cues["vm_guest"]
        add("no_nvidia_gpu", "error", "stated", c.line, c.text,
            "a desktop hypervisor's guest (VMware Workstation, VirtualBox, Parallels, a Hyper-V VM) has a virtual "
            "display adapter, not the host's NVIDIA GPU: CUDA has no device there")
    tf = f.first("tf_version")
    if "removes_tf_gpu" in cues and (tf is None or cpu_only_install("tensorflow", "tensorflow", tf.value, None)):
        c = cues["removes_tf_gpu"]  # before 1.15, and in 2.0, the plain tensorflow is the CPU build
        add("cpu_only_package", "error", "stated", c.line, c.text,
            "an install took tensorflow-gpu away: the plain tensorflow left in its place is the CPU build")
    elif "pulls_plain_tf" in cues and ("says_tensorflow_gpu" in cues or f.package("tensorflow-gpu")):
        c = cues["pulls_plain_tf"]  # pip does not remove tensorflow-gpu: two distributions write one package folder
        add("package_conflict", "error", "stated", c.line, c.text,
            "an install pulled the plain (CPU) tensorflow in beside tensorflow-gpu")
        add("cpu_only_package", "warning", "inferred", c.line, c.text,
            "the CPU tensorflow written last is the one Python imports")


# GPU utilisation said to stay at zero ("utilisation stays at 0%", "0% GPU usage"), not merely low
_ZERO_USE = re.compile(r"\b(?:utili[sz]ation|usage|util|load)\b[^.;]{0,30}?(?<![\d.])(?:0 ?%|zero)|(?<![\d.])(?:0 ?%|zero)\s*"
                       r"(?:gpu\s*)?(?:utili[sz]ation|usage|util|load)\b", re.I)


def _gpu_seen_but_idle(f: TriageFacts, cues: dict, add) -> None:
    # 2. (cont.) The GPU seen, or its memory held, and the work still not on it (or only seemingly).
    gpu_busy = [m for m in f.log if m.kind == "success"] or [s for s in f.all("gpu_memory") if _used(s.value) > 0.1] \
        or "training_works" in cues
    if "task_manager" in cues and not [m for m in f.log if m.kind == "error"] and "failing" not in cues and \
            not _on_cpu(f):
        # Task Manager's default GPU graphs show the 3D and copy engines, not CUDA compute: a low reading there
        # is no sign of a problem. With the GPU shown at work too, that is the answer; else a candidate.
        c = cues["task_manager"]
        add("no_problem", "info" if gpu_busy else "warning", "stated", c.line, c.text,
            "Task Manager's default GPU graphs show the 3D and copy engines, not CUDA compute")
    if "memory_full" in cues and not ({"shared_gpu", "second_process", "memory_taken"} & set(cues)):
        # Memory nearly full beside a failure is too little left for it; beside work that runs, it is the framework
        # itself holding what it reserved (TensorFlow and JAX most of it, PyTorch's cache what it used)
        c = cues["memory_full"]
        failing = "failing" in cues or [m for m in f.log if m.kind == "error"]
        add("gpu_memory_exhausted" if failing else "no_problem", "warning", "stated", c.line, c.text,
            "little of the GPU's memory is left for the failing step" if failing else
            "the GPU's memory is held while the work runs: the framework is on the GPU and keeps what it reserved")
    if "memory_taken" in cues and not ({"shared_gpu", "second_process"} & set(cues)):
        # TensorFlow maps nearly all of the GPU's memory and JAX 75 % of it when they start (by design):
        # memory held from the start is the GPU in use; with failures beside it, too little is left for the rest.
        c = cues["memory_taken"]
        failing = "failing" in cues or [m for m in f.log if m.kind == "error"]
        add("gpu_memory_exhausted" if failing else "no_problem", "warning", "stated",
            c.line, c.text, "the framework reserves most of the GPU's memory when it starts (TensorFlow all of it, JAX "
            "75 %), so nvidia-smi shows it taken" + (" and little is left for cuDNN or a second process" if failing
                                                     else ": the GPU is in use"))
    # The framework sees the GPU (it printed one, or is_available() is True), nothing failed, and the work still
    # stays off it: what decides the device is then the code or a library's default (a device argument or a
    # config that never names the GPU), unless the reporter reads the GPU's use where it does not show (Task
    # Manager), or it works in one process and not another.
    seen = [m for m in f.log if m.kind == "success" and m.line not in f.prose_log_lines] or \
        [s for s in f.all("torch_cuda_available") if s.value == "True"] or \
        [s for s in f.all("tf_gpus") if s.value not in ("[]", "0", "")]
    # the framework's answer retold in a sentence ("jax.devices() shows [CudaDevice(id=0)]")
    retold_seen = [m for m in f.log if m.kind == "success" and m.line in f.prose_log_lines]
    # (a framework that also answers "no GPU" somewhere in the report is not quiet: one of its processes lacks it)
    quiet = not [m for m in f.log if m.kind == "error"] and not ({"task_manager", "jupyter_only", "works_elsewhere",
                                                               "memory_taken", "second_process", "process_on_gpu"} & set(cues)) \
        and not _no_gpu_answers(f)
    if quiet and "asks_device_option" in cues and "failing" not in cues and not (seen and "gpu_unused" in cues):
        # Nothing fails and the reporter asks how to put the work on the GPU: the code (or the library's default)
        # never asks for it. A candidate only: the report shows no device choice.
        c = cues["asks_device_option"]
        # A question is no evidence: unless the framework is shown seeing the GPU, it weighs what a setup's usual
        # cause weighs, and the lower layer (a CPU build the install gave) comes first.
        add("code_forces_cpu", "warning", "stated" if seen else "usual", c.line, c.text,
            "the reporter asks how to put the work on the GPU, and nothing fails: the code or the library's "
            "default never puts it there")
    default_backend, backend = _keras_default_backend(f)
    if default_backend:
        c = cues.get("gpu_unused") or f.first("keras_version")
        add("keras_backend_other", "error", "stated", c.line, c.text, default_backend, use=backend)
    elif (seen or retold_seen) and "gpu_unused" in cues and ({"work_on_gpu", "process_on_gpu"} & set(cues)) and \
            not [m for m in f.log if m.kind == "error"] and "failing" not in cues and \
            not (_ZERO_USE.search(cues["gpu_unused"].text) and not {"process_on_gpu", "memory_taken", "memory_full"} & set(cues)):
        # (utilisation that stays at 0 % is no GPU starved of input: nvidia-smi's GPU-Util is NVML's "percent of time
        # over the past sample period during which one or more kernels was executing on the GPU" (nvmlUtilization_t,
        # https://docs.nvidia.com/deploy/nvml-api/structnvmlUtilization__t.html), so none ran; with no process or
        # memory shown on the GPU, the work is not there, whatever device the code names for some of it)
        # Seen, placed on it and holding its memory, yet slow or idle: the GPU does the work and waits for its
        # input (data loading, small batches, host copies): nothing stops it.
        c = cues.get("work_on_gpu") or cues["process_on_gpu"]
        add("no_problem", "warning", "stated", c.line, c.text,
            "the framework sees the GPU and the work is on it (placed there, holding its memory): low use or slowness "
            "comes from what feeds it, not from the CPU doing the work")
    elif seen and quiet and "gpu_unused" in cues and not ("doubts_gpu_use" in cues and
                                                       [m for m in f.log if m.kind in ("benign", "success")]):
        # (a doubt raised by a harmless or a working message is no observation of the CPU doing the work)
        c = cues["gpu_unused"]
        add("code_forces_cpu", "error", "stated", c.line, c.text,
            "the framework sees the GPU and nothing failed, yet the work stays on the CPU: the code (or a library's "
            "default) never puts it on the GPU")
    idle_only = "gpu_unused" in cues and not [m for m in f.log if m.kind == "error"] and "failing" not in cues and \
        not _on_cpu(f)
    if idle_only and "process_on_gpu" in cues and not (seen or retold_seen):
        # nvidia-smi lists a process only when it holds a CUDA context on that GPU: the framework found it and works
        # there; an idle-looking GPU then waits for its input (small models, CPU-bound steps), nothing stops it
        c = cues["process_on_gpu"]
        add("no_problem", "warning", "stated", c.line, c.text,
            "the process holds memory on the GPU (nvidia-smi lists it there), which a process does only once it has a "
            "CUDA context there: the framework is on the GPU, and low use comes from what feeds it")
    elif idle_only and "input_bound" in cues:
        # the GPU busy in bursts with pauses between: each step waits for its input, and the GPU does the work
        c = cues["input_bound"]
        add("no_problem", "warning", "stated", c.line, c.text,
            "the GPU works in bursts with pauses between them: each step waits for its input (data loading, "
            "decoding, copies), and what the GPU gets it computes")
    elif idle_only and "hosted_notebook" in cues and "gpu_runtime" in cues and not f.all("pip_install") and \
            not f.all("env:CUDA_VISIBLE_DEVICES") and "stopped_by_itself" not in cues:
        # A hosted notebook's GPU runtime comes with its driver, CUDA and frameworks built for each other, and its
        # TensorFlow and PyTorch place work on the GPU by themselves: with nothing installed over them and nothing
        # failing, a run no faster than on the CPU is the workload's (too small to gain, or bound by its input). One
        # that was fast before and is not now points at a change of the runtime's image instead.
        c = cues["gpu_runtime"]
        if _frameworks_named(f) == {"pytorch"}:
            # PyTorch, unlike TensorFlow and JAX, never places work on the GPU by itself
            add("code_forces_cpu", "warning", "stated", c.line, c.text,
                "a hosted notebook's GPU runtime brings a driver, CUDA and a PyTorch made for each other, and nothing "
                "failed; PyTorch computes on the GPU only where the code moves the model and the tensors")
        else:
            add("no_problem", "warning", "stated", c.line, c.text,
                "a hosted notebook's GPU runtime brings a driver, CUDA and frameworks made for each other, and nothing "
                "was installed over them or failed: the framework runs on the GPU, and the workload does not gain "
                "from it")
    # The reporter asks what the messages mean, and every one the report shows is informational or harmless
    # (each such row carries its source): nothing in it stops the GPU.
    shown = [m for m in f.log if m.line not in f.prose_log_lines]
    if "asks_meaning" in cues and shown and all(m.kind in ("benign", "info", "success") for m in shown) and \
            not ({"gpu_unused", "failing"} & set(cues)):
        c = cues["asks_meaning"]
        add("no_problem", "warning", "stated", c.line, c.text,
            "every message the report shows is informational or harmless (knowledge/log_messages.csv), and it asks "
            "what they mean")


def _works_in_one_place(f: TriageFacts, cues: dict, add) -> None:
    # 2. (cont.) It works in one process (a terminal) and not in another (a notebook kernel, an IDE).
    # (or the framework's two answers: a program, or the worker a launcher starts, that finds no GPU where the
    # reporter's own check finds it most often runs with CUDA_VISIBLE_DEVICES set for it)
    elsewhere = cues.get("jupyter_only") or cues.get("works_elsewhere") or _answered_both_ways(f, cues)
    if elsewhere:  # with libraries failing, the CUDA library facts hold this (triage/to_facts.py)
        if not f.has_log(*_LIB_FAILS):
            kernel = "jupyter_only" in cues
            if kernel and ("pytorch" in _frameworks_named(f) or "names_pytorch" in cues) and "same_env" not in cues:
                # PyTorch's wheels carry their CUDA libraries (RUNPATH), so no library path tells the two processes
                # apart: unless the reporter says both use one environment, the one that finds no GPU imports torch
                # from another Python (a kernel, an IDE's or a launcher's interpreter), whose torch is another build
                add("package_conflict", "warning", "stated", elsewhere.line, elsewhere.text,
                    "the GPU is found from one Python and not from the kernel, IDE or launcher: that one runs another "
                    "interpreter, whose PyTorch is another build (often the CPU one)")
                # (what root-causes.md files "works in one shell but not another" under, when that other process
                # is the same interpreter started without the shell's settings)
                add("libs_not_on_path", "warning", "inferred", elsewhere.line, elsewhere.text,
                    "a notebook kernel, IDE or launcher does not start from the shell the GPU works in")
            elif kernel:
                # A notebook kernel, an IDE or a service is started without the shell's environment: its
                # LD_LIBRARY_PATH and the conda activation hooks that point the loader at the CUDA libraries
                add("libs_not_on_path", "warning", "stated", elsewhere.line, elsewhere.text,
                    "a notebook kernel, IDE or service does not start from the shell the GPU works in: the library "
                    "path and conda activation the shell sets are not there")
            add("cuda_visible_devices_hidden", "warning", "inferred" if kernel else "stated", elsewhere.line,
                elsewhere.text, "the GPU is seen in one process but not in another, which may set CUDA_VISIBLE_DEVICES")
            # ...or runs as another user, in a sandbox or a cgroup that does not pass the /dev/nvidia* nodes in
            # a possibility, not the account WG829 holds (the GPU working for root only): reported as words that go
            # with the cause
            add("gpu_access_restricted", "warning", "inferred", elsewhere.line, elsewhere.text,
                "the GPU is seen in one process but not in another, which may not be allowed to open /dev/nvidia*",
                "phrase")


_PROJECT_FILE = re.compile(r"(?:^|\s)(?:-r\s*\S*requirements[\w.-]*\.txt|-e\s+\.|\.(?:\[\w+\])?$)|environment\.ya?ml|"
                           r"setup\.py install")


def _project_install(f: TriageFacts):
    """An install of a project's own dependency list (pip install -r requirements.txt, -e ., conda env create -f
    environment.yml, setup.py install): the framework release and variant are the project's choice."""
    return next((s for s in f.all("pip_install") if _PROJECT_FILE.search(s.value) or _PROJECT_FILE.search(s.text)), None)


def _other_framework_works(f: TriageFacts, cues: dict, add) -> None:
    # 2. (cont.) Another framework reaches the GPU from the same environment: everything below the packages works
    # there (driver, container, device), so the framework that does not is the one installed without CUDA.
    c = cues.get("other_framework_works")
    named = {k for k in ("names_tensorflow", "names_pytorch", "names_jax") if k in cues}
    if c is not None and len(named) >= 2 and not f.has_log(*_LIB_FAILS):
        add("cpu_only_package", "warning", "stated", c.line, c.text,
            "another framework uses the GPU from the same environment, so the driver, the container and the device "
            "reach it: the framework that does not is a build without CUDA")


def _two_pythons(f: TriageFacts, cues: dict, add) -> None:
    # 2. (cont.) The report's programs print two different Pythons (a REPL's banner, a tool's start banner, the
    # site-packages folders in a traceback) and the framework finds the GPU in one of them: the program that does
    # not runs another interpreter, with packages of its own (a CLI entry point or a kernel of another environment)
    printed = [s for s in f.all("python") if not s.stated_by_user]
    release = {s.line: ".".join(s.value.split(".")[:2]) for s in printed}
    releases = set(release.values())
    works = [s for s in f.all("torch_cuda_available") if s.value == "True" and not s.stated_by_user] + \
        [m for m in f.log if m.kind == "success" and m.line not in f.prose_log_lines]
    if len(releases) >= 2 and works and _no_gpu_answers(f):
        other = next(s for s in printed if release[s.line] != release[printed[0].line])
        add("package_conflict", "warning", "program", other.line, other.text,
            f"the report's programs run two Pythons ({', '.join(sorted(releases))}) and the GPU is found in one: the "
            "one that fails imports the framework from another environment")


def _jax_beside_tensorflow(f: TriageFacts, cues: dict, add) -> None:
    # 2. (cont.) A JAX program that loads TensorFlow too (for its data: tensorflow_datasets, tf.data) and fails at
    # the start. Both reserve most of the GPU's memory when they start, TensorFlow all of it and JAX 75 %, so the
    # second finds none; JAX's docs list "running JAX and GPU TensorFlow concurrently" among the common causes of its
    # out-of-memory failures (https://docs.jax.dev/en/latest/gpu_memory_allocation.html).
    # (TensorFlow named by the report: jaxlib's own XLA prints lines from TensorFlow's source tree, under
    # external/org_tensorflow, without any TensorFlow loaded)
    if not {"jax", "tensorflow"} <= _frameworks_named(f) or "failing" not in cues:
        return
    if f.has_log(*_LIB_FAILS, *_VERSION_CLASH, *_DRIVER_FAILS, *_MISMATCH, *_CUDA_FAILS) or \
            [m for m in f.log if m.kind == "error" and "gpu_memory_exhausted" not in m.categories]:
        return  # a failure of its own names another cause
    c = cues["failing"]
    add("gpu_memory_exhausted", "warning", "inferred", c.line, c.text,
        "JAX and TensorFlow run in one process and both reserve most of the GPU's memory when they start (TensorFlow "
        "all of it, JAX 75 %), so the one that starts second has none left", use="jax-tensorflow")


_OS_RELEASE_UPGRADE = re.compile(r"\bupgrad\w* (?:\w+ ){0,3}to (?:ubuntu|debian|fedora|pop!_os|linux mint|windows) ?\d|"
                                 r"\b(?:do-release-upgrade|release upgrade|distro upgrade)\b", re.I)


def _install_history(f: TriageFacts, cues: dict, add) -> None:
    # 2. (cont.) What the reporter did before it stopped working (an update, a project's install, a driver upgrade).
    if "gpu_unused" in cues and not [m for m in f.log if m.kind == "error"]:
        if "app_updated" in cues:
            c = cues["app_updated"]
            add("cpu_only_package", "warning", "stated", c.line, c.text,
                "updating an application reinstalls its requirements, and a requirement that names the framework "
                "without its CUDA variant brings the CPU build")
        elif "followed_install" in cues or _project_install(f):
            c = cues.get("followed_install") or _project_install(f)
            add("cpu_only_package", "warning", "stated", c.line, c.text,
                "a project's install steps install the framework they name; without its CUDA variant that is the CPU build")
    # (after suspend, a reboot fixes nvidia_uvm instead; an upgrade to a new OS release ends in a reboot, so no old
    # kernel module is left running)
    if ("reboot_fixes" in cues or "after_update" in cues) and "suspend" not in cues and "app_updated" not in cues and \
            not f.has_log(*_MISMATCH, *_DRIVER_FAILS) and \
            not ("reboot_fixes" not in cues and _OS_RELEASE_UPGRADE.search(cues["after_update"].text)):
        c = cues.get("reboot_fixes") or cues["after_update"]
        add("driver_library_mismatch", "warning", "stated", c.line, c.text,
            "a driver upgraded without a reboot leaves the old kernel module running")
    elif "reboot_broke_it" in cues and "suspend" not in cues:
        # A boot loads the driver that is installed, so it leaves no old one running: a GPU lost at a reboot is a
        # driver that did not load then (a module not built for a new kernel, Secure Boot refusing it, a driver
        # update finished by the restart)
        c = cues["reboot_broke_it"]
        add("driver_not_loaded", "warning", "stated", c.line, c.text,
            "the GPU was lost at a reboot, which loads the installed driver afresh: the driver did not load then",
            "phrase")


def _phrases(f: TriageFacts, cues: dict, add) -> None:
    # 2b. Words that go with a cause (knowledge/report_phrases.csv): a candidate, never more than a warning.
    for c in f.cues:
        if c.id.startswith(("phrase:", "place:")):
            cat = c.id.partition(":")[2]
            if cat == "no_problem" and _on_cpu(f):
                continue
            if cat == "gpu_memory_exhausted" and ({"process_on_gpu", "work_on_gpu", "memory_taken"} & set(cues)) and \
                    "failing" not in cues and not [m for m in f.log if m.kind == "error"]:
                # memory held by the reporter's own work (or taken as soon as the framework starts), and nothing
                # failing: the framework reserved it (TensorFlow maps nearly all of it when it starts, JAX 75 %), which
                # is the GPU in use
                add("no_problem", "warning", "stated", c.line, c.text,
                    "the reporter's own process holds the GPU's memory and nothing fails: frameworks reserve most of "
                    "it when they start (TensorFlow nearly all, JAX 75 %), so the GPU is in use")
                continue
            if cat == "no_nvidia_gpu" and (any(NVIDIA_NAME.search(s.value) or gpu_compute_capability(s.value)
                                               for s in f.all("gpu")) or
                                           any(s.value == "True" for s in f.all("torch_cuda_available"))):
                # an integrated Intel or AMD GPU beside a named NVIDIA one, or a framework that found a CUDA GPU
                # somewhere in the report: the machine has one
                continue
            if cat == "no_nvidia_gpu" and _GPU_RUNTIME.search(c.text):
                continue  # "the runtime type is set to GPU": the words name the runtime's GPU, not its absence
            if cat == "system_libs_shadow_pip_libs" and not _pip_libs(f):
                continue  # a system or conda CUDA shadows only libraries pip brought, and the report shows none
            if cat in _HOST_DRIVER and "wsl" in cues:
                # WSL has no NVIDIA kernel module of its own: the Windows host's driver is passed in
                # (/usr/lib/wsl/lib), so kernel and driver-upgrade words there point at that passage.
                cat = "wsl_gpu_not_enabled"
            indices, count = _visible_indices(f)
            if cat == "cuda_visible_devices_hidden" and indices and max(indices) < count and "ray_workload" not in cues:
                # the variable names GPUs that exist (index 0 always does): the words alone say no more (unless Ray
                # runs the work: it sets the variable for each task and actor itself, over the user's)
                continue
            if cat == "container_no_gpu" and "smi_in_container" in cues:
                continue  # nvidia-smi inside the container sees the GPU: it was handed in
            if cat == "container_no_gpu" and any(d.value == "gpus" for d in f.framework_runs()) and \
                    not _GPUS_FLAG_NOT_ENOUGH.search(c.text):
                # the report shows the container started with --gpus: the words alone do not say otherwise (unless
                # they name a place where that flag is not enough)
                continue
            if cat == "libs_not_on_path" and "LD_LIBRARY_PATH" in c.text and _pip_libs(f):
                # The loader searches LD_LIBRARY_PATH before a library's RUNPATH: a framework that brings its
                # CUDA as pip wheels gets the system's copies from there instead of its own.
                add("system_libs_shadow_pip_libs", "warning", "stated", c.line, c.text,
                    "LD_LIBRARY_PATH is searched before the framework's own pip CUDA libraries, so a system CUDA "
                    "or cuDNN on it is loaded instead", "phrase")
                continue
            # Words naming only the place (WSL, Kubernetes, an HGX system) say what usually fails there, no more.
            add(cat, "warning", "usual" if c.id.startswith("place:") else "stated", c.line, c.text,
                phrase_meaning(c.id, c.text), "phrase")


def _visible_devices(f: TriageFacts, cues: dict, add) -> None:
    # 2b'. A CUDA_VISIBLE_DEVICES the report sets that names only GPU indices past the GPUs it has (one, when it
    # does not say): CUDA then counts no device. With the count unknown, a candidate.
    indices, count = _visible_indices(f)
    # (with the count unknown, one GPU is assumed for a single index, as a command copied from a multi-GPU machine
    # names one; a list of several indices is the writer's own count of GPUs: CUDA_VISIBLE_DEVICES=3,4,5,6)
    shown = f.first("gpu_count") is not None or bool(f.all("smi_gpu_name"))
    if indices and min(indices) >= count and (shown or len(set(indices)) == 1) and \
            not f.has_cue("phrase:cuda_visible_devices_hidden"):
        cvd = f.first("env:CUDA_VISIBLE_DEVICES")
        add("cuda_visible_devices_hidden", "warning", "stated", cvd.line, cvd.text,
            f"CUDA_VISIBLE_DEVICES={cvd.value} names only GPU indices from {count} up, and the report "
            + (f"shows {count} GPU{'s' if count > 1 else ''}" if shown else "names no other GPU than one")
            + " (indices from 0): CUDA then sees no device")

    elif indices and count > len(set(indices)) and "fewer_gpus" in cues:
        # ...or fewer GPUs than the machine has, and the reporter finds fewer in use than are there
        cvd, c = f.first("env:CUDA_VISIBLE_DEVICES"), cues["fewer_gpus"]
        add("cuda_visible_devices_hidden", "warning", "stated", cvd.line, cvd.text,
            f"CUDA_VISIBLE_DEVICES={cvd.value} lets CUDA see {len(set(indices))} of the {count} GPUs the report names, "
            f"and it says: {c.text.strip()[:80]}")


def _one_mig_instance(f: TriageFacts, cues: dict, add) -> None:
    # 2b''. Several MIG instances, and the framework finds one: a CUDA process enumerates a single MIG device however
    # many it is given (NVIDIA's MIG user guide, "CUDA Device Enumeration"); each needs a process of its own.
    if "mig" in cues and "fewer_gpus" in cues:
        c = cues["fewer_gpus"]
        add("gpu_access_restricted", "warning", "stated", c.line, c.text,
            "with MIG, one CUDA process sees a single MIG instance however many CUDA_VISIBLE_DEVICES names: run one "
            "process per instance (https://docs.nvidia.com/datacenter/tesla/mig-user-guide/)", "phrase")


def _keras_backend(f: TriageFacts, cues: dict, add) -> None:
    # 2c. Keras running on another backend than the framework the report sets up for the GPU.
    kb = f.first("keras_backend") or f.first("env:KERAS_BACKEND")
    wanted = f.first("keras_backend_wanted")
    norm = {"torch": "pytorch", "tf": "tensorflow"}
    if kb is not None and wanted is not None and \
            norm.get(kb.value.lower().strip("'\""), kb.value.lower().strip("'\"")) != norm.get(wanted.value.lower(), wanted.value.lower()):
        # Keras says which backend it loaded, and it is not the one the reporter set up
        add("keras_backend_other", "error", "stated" if kb.stated_by_user else "program", kb.line, kb.text,
            f"Keras loads {kb.value}, while the reporter means to use {wanted.value}",
            use=_BACKEND_NAME.get(wanted.value.lower(), wanted.value.lower()))
    elif kb is not None and any(m.value == {"pytorch": "torch"}.get(kb.value.lower(), kb.value.lower())
                                for m in f.all("module_missing")) and \
            _frameworks_named(f) - {kb.value.lower(), "tensorflow" if kb.value.lower() == "tf" else ""}:
        # "Using TensorFlow backend." then "No module named tensorflow": Keras is set to a backend not installed
        add("keras_backend_other", "error", "program", kb.line, kb.text,
            f"Keras is set to the {kb.value} backend, which is not installed where it runs")
    elif kb is not None:
        backend = {"torch": "pytorch", "tf": "tensorflow"}.get(kb.value.lower().strip("'\""), kb.value.lower().strip("'\""))
        named = _frameworks_named(f, skip=(kb.line, backend))
        others = named - {backend}
        if others and (backend not in named or _only_cpu_build(f, backend)):
            add("keras_backend_other", "error", "stated" if kb.stated_by_user else "program", kb.line, kb.text,
                f"Keras runs on {backend}, while the report sets up {', '.join(sorted(others))} for the GPU")


def _only_cpu_build(f: TriageFacts, backend: str) -> bool:
    """The report names the backend's framework only as its CPU build (tensorflow-cpu, a +cpu torch)."""
    if backend == "tensorflow":
        said = [s.text.lower() for s in f.all("tf_version")] + [s.value.lower() for s in f.all("pip_install")]
        return any("tensorflow-cpu" in t for t in said) or bool(f.package("tensorflow-cpu"))
    if backend == "pytorch":
        return any(s.value.endswith("+cpu") for s in f.all("torch_version"))
    if backend == "jax":  # `pip install jax` without a CUDA extra brings the CPU jaxlib
        installs = [s.value.lower() for s in f.all("pip_install") if re.search(r"\bjax\b", s.value.lower())]
        return bool(installs) and not any(re.search(r"jax\[[^\]]*(?:cuda|gpu)", v) for v in installs)
    return False


def _statements(f: TriageFacts, cues: dict, add) -> None:
    # 3. Statements no fact holds.
    named = [s for s in f.all("gpu") if s.value]
    # (an Apple GPU is a Mac's: macOS is the answer there, WG102)
    others = [s for s in named if OTHER_GPU.search(s.value) and not NVIDIA_NAME.search(s.value) and
              not s.value.lower().startswith("apple")]
    on_mac = "macos" in cues or any(k in (f.first("os").value.lower() if f.first("os") else "") for k in ("mac", "darwin"))
    if others and not on_mac and not any(NVIDIA_NAME.search(s.value) for s in named) and \
            not f.first("driver", program_only=True):  # on macOS the platform is the answer (WG102)
        s = others[0]
        add("no_nvidia_gpu", "error", "stated" if s.stated_by_user else "program", s.line, s.text,
            f"the GPU named is not an NVIDIA one: {s.value}")
    for s in f.all("pip_no_dist"):
        py = f.first("python")
        origin = "stated" if s.stated_by_user else "program"
        place = _no_gpu_platform(f, s.value)
        if place:
            # no Python has it here: the platform has no CUDA build of that framework (framework_platforms.csv)
            add("macos_no_cuda" if place == "macos" else "cpu_only_package", "error", origin, s.line, s.text,
                f"pip finds no {s.value} wheel: on {place} no CUDA build of it exists for any Python, so only the "
                "CPU build installs", use=f"{'jax' if s.value.lower().startswith('jax') else 'torch'}-{place}")
            continue
        add("python_version_unsupported", "error", origin, s.line, s.text,
            f"pip finds no {s.value} wheel" + (f" for Python {py.value}" if py else ""))
    ld = f.first("env:LD_LIBRARY_PATH")
    clash = f.has_log(*_VERSION_CLASH)
    if clash and ld and _SYSTEM_CUDA.search(ld.value) and _pip_libs(f):
        add("system_libs_shadow_pip_libs", "error", "program", ld.line, ld.text,
            "LD_LIBRARY_PATH puts another CUDA/cuDNN before the libraries the pip wheels bring")
    and_cuda = [s for s in f.all("pip_install") if "and-cuda" in s.value]
    tf = f.first("tf_version")
    if and_cuda and tf and not f.has_log("tf_physical_gpu", "tf_device_created"):
        row, newer = release_row("tensorflow_pip_cuda", tf.value)
        if row and not newer and row.get("finds_pip_wheels") == "no":
            s = and_cuda[0]
            add("pip_cuda_libs_not_found", "error", "stated", s.line, s.text,
                f"TensorFlow {tf.value} does not look in the nvidia-* wheels that [and-cuda] installs")


def _gpu_model(f: TriageFacts, cues: dict, add) -> None:
    # 3b. A GPU model named in the report whose compute capability the framework build carries no kernels for
    # (same test as the live probe's WG504: rules.frameworks.kernel_support).
    for gpu, cc, archs, line, text, why in _gpu_and_build(f):
        from whynogpu.rules.frameworks import kernel_support

        if kernel_support(cc, archs) == "none":
            add("compute_capability_unsupported", "error", "inferred", line, text, f"{gpu} has compute capability {cc}; {why}")


def _jetson_generic_build(f: TriageFacts, cues: dict, add) -> None:
    # 3b. (cont.) A Jetson's GPU is part of the SoC and runs only the CUDA of its JetPack: PyTorch and TensorFlow reach
    # it through NVIDIA's builds for Jetson, whose versions carry "nv" (1.12.0a0+2c916ef.nv22.3, 2.11.0+nv23.01); the
    # aarch64 wheels of PyPI and download.pytorch.org bring no CUDA for it
    # (https://docs.nvidia.com/deeplearning/frameworks/install-pytorch-jetson-platform/index.html,
    # https://docs.nvidia.com/deeplearning/frameworks/install-tf-jetson-platform/index.html).
    jetson = next((g for s in f.all("gpu")[:8] if (g := gpu_compute_capability(s.value)) and g[0].startswith("Jetson")),
                  None)
    if not jetson:
        return
    for key, name, use in (("torch_version", "PyTorch", "torch-jetson"), ("tf_version", "TensorFlow", "tensorflow-jetson")):
        v = f.first(key)
        if v is None or "nv" in v.value or "+cu" in v.value or re.search(r"\+nv\d|\.nv\d", v.text):
            continue  # (a TensorFlow version fact keeps the release only; NVIDIA's tag is in the line it came from)
        add("cpu_only_package", "error", "stated" if v.stated_by_user else "program", v.line, v.text,
            f"on a {jetson[0]} {name} reaches the GPU only through NVIDIA's Jetson builds (versions with \"nv\"); "
            f"{name} {v.value} is a generic aarch64 wheel without CUDA for it", use=use)


def _cuda_older_than_gpu(f: TriageFacts, cues: dict, add) -> None:
    # 3c. A CUDA older than the first one that knows the GPU (knowledge/cuda_first_for_arch.csv) compiles nothing for
    # it. XLA compiles JAX's kernels at run time with the ptxas of the CUDA it uses (a system, conda or image CUDA;
    # the pip wheels bring a recent one); a TensorFlow or PyTorch build made with such a CUDA has no kernel for the GPU
    # and JIT-compiles each from PTX on first use, which is the slow start the reporter sees. Candidates only: XLA
    # may fall back to the driver, and a build without PTX fails instead (3b says so when its list is known).
    firsts = {r["compute_capability"]: r["first_cuda"] for r in table("cuda_first_for_arch")}
    gpus = [(found, firsts[found[1]]) for s in f.all("gpu")[:8]
            if (found := gpu_compute_capability(s.value)) and found[1] in firsts]
    if not gpus:
        return
    builds = []
    if "jax" in _frameworks_named(f) and not _pip_libs(f):
        builds += [(s, "JAX compiles its kernels with the ptxas of CUDA") for k in ("cuda", "nvcc_cuda") for s in f.all(k)]
    # (a hang is the same start seen from outside: JIT-compiling every kernel of a framework from PTX takes minutes,
    # again on each run when the JIT cache is too small for them: tensorflow#44750, an RTX 3090 under a pip TensorFlow
    # built before CUDA knew it; CUDA's CUDA_CACHE_MAXSIZE)
    if "slow_start" in cues or "hangs" in cues:
        tf, tb = f.first("tf_version"), f.first("torch_build_cuda")
        row, newer = release_row("tensorflow_releases", tf.value) if tf else (None, True)
        if row and not newer and row.get("cuda"):
            builds.append((dataclasses.replace(tf, value=row["cuda"]), f"TensorFlow {tf.value} is built with CUDA"))
        if tb:
            builds.append((tb, "this PyTorch is built with CUDA"))
    for s, what in builds:
        for (gpu, cc), first in gpus:
            if version_key(s.value)[:2] < version_key(first):
                add("compute_capability_unsupported", "warning", "inferred", s.line, s.text,
                    f"{gpu} has compute capability {cc}, which CUDA knows from {first} on; {what} {s.value}")
                return


def _gpu_works(f: TriageFacts, cues: dict, add) -> None:
    # 4. Signs that the GPU works, and only benign messages beside them.
    works = [m for m in f.log if m.kind == "success" and m.line not in f.prose_log_lines]
    works += [s for s in f.all("torch_cuda_available") if s.value == "True" and not s.stated_by_user]
    works += [s for s in f.all("tf_gpus") if s.value.isdigit() and int(s.value) > 0 and not s.stated_by_user]
    errors = [m for m in f.log if m.kind == "error"]
    benign = [m for m in f.log if m.kind == "benign"]
    # A report that says it works in one place and not another shows the working place's output: no verdict.
    two_places = bool({"jupyter_only", "works_elsewhere", "root_only"} & set(cues))  # (or for one user only)
    no_gpu = _no_gpu_answers(f)
    # The framework answering both ways (True here, False in a worker or a function) is a problem in one place.
    # (a failure the reporter shows that no known message names, "Training dies with RuntimeError: …", is still one)
    # (nor is a GPU found when the report says the machine has more than the framework counts)
    if works and not errors and not two_places and not no_gpu and "gpu_not_found_said" not in cues and \
            not _fewer_than_the_machine(f) and not ("failing" in cues and _unnamed_failure(f)):
        w = works[0]
        add("no_problem", "info", "program", w.line, w.text, "the framework found the GPU; the other messages are benign")
    # (a reporter who says the framework finds no GPU has its answer already: benign lines do not make that work)
    if benign and not errors and not two_places and not no_gpu and "gpu_not_found_said" not in cues and \
            not [m for m in f.log if m.kind == "warning" and m.categories] and not (works and not errors) and \
            not ("failing" in cues and _unnamed_failure(f, _CUDA_STATUS)):
        b = benign[0]
        # benign lines alone show no GPU at work: when the reporter says it is not used, they only rule those out
        unused = bool({"gpu_unused", "failing"} & set(cues))
        add("no_problem", "warning" if unused else "info", "inferred" if unused else "program", b.line, b.text,
            f"this message is benign: {b.meaning}")


def _gpu_answered(f: TriageFacts) -> bool:
    """Program output shows an NVIDIA GPU where the report runs: a framework found one, or nvidia-smi listed one."""
    return any(s.value == "True" and not s.stated_by_user for s in f.all("torch_cuda_available")) or \
        bool(f.first("driver", program_only=True)) or any(m.kind == "success" for m in f.log)


def _fewer_than_the_machine(f: TriageFacts) -> bool:
    """The framework counts fewer GPUs (torch.cuda.device_count()) than the report says the machine has."""
    has = [int(s.value) for s in f.all("gpu_count") if s.value.isdigit()]
    counted = [int(s.value) for s in f.all("torch_device_count") if s.value.isdigit()]
    return bool(has and counted) and min(counted) < max(has)


def _unnamed_failure(f: TriageFacts, named=None) -> bool:
    """The report prints or tells an exception or a CUDA status code that no row of knowledge/log_messages.csv knows
    ("RuntimeError: …", "fails with CUDA_ERROR_INVALID_HANDLE"); `named`: only failures this pattern finds."""
    return any((named or _EXCEPTION).search(c.text) or (named is None and _CUDA_STATUS.search(c.text))
               for c in f.cues if c.id == "failing")


def _system_cuda_older_than_wheel(f: TriageFacts, cues: dict, add) -> None:
    # PyTorch's wheels bring their own CUDA runtime: the CUDA a machine is said to have matters only through its driver,
    # which that release's installer brings at its own level (and nvidia-smi's "CUDA Version" is the driver's own). A
    # release older than the one the wheel carries, with PyTorch finding no GPU and no driver shown: the driver is
    # likely too old for the wheel.
    tv = f.first("torch_version")
    said = [s for s in f.all("cuda") if s.stated_by_user and version_key(s.value)]
    if tv is None or not said or f.first("driver") or "windows" in cues or "macos" in cues or \
            [m for m in f.log if m.kind == "error"]:
        return
    if not (_no_gpu_answers(f) or any(s.value == "False" for s in f.all("torch_cuda_available")) or "gpu_unused" in cues):
        return
    build, is_cuda = torch_wheel_cuda(f, tv.value, None)
    newest = max(said, key=lambda s: version_key(s.value))
    if is_cuda and build and version_key(newest.value)[:2] < version_key(build)[:2]:
        add("driver_too_old", "warning", "inferred", newest.line, newest.text,
            f"torch {tv.value} carries its own CUDA {build} runtime; a machine set up for CUDA {newest.value} usually "
            f"has that release's driver, older than CUDA {build} needs", "phrase")


# The kinds of evidence a report holds beyond its facts, each read by one function below.
_PARTS = (_messages, _account, _gpu_seen_but_idle, _works_in_one_place, _two_pythons, _other_framework_works,
          _system_cuda_older_than_wheel,
          _jax_beside_tensorflow,
          _install_history, _phrases, _visible_devices, _one_mig_instance,
          _keras_backend, _statements, _gpu_model, _jetson_generic_build, _cuda_older_than_gpu, _gpu_works)


def _visible_indices(f: TriageFacts) -> tuple[list[int], int]:
    """The GPU indices a CUDA_VISIBLE_DEVICES in the report names ([] unless it is a plain list of indices), and how
    many GPUs the report says the machine has (one when it does not say)."""
    cvd, count = f.first("env:CUDA_VISIBLE_DEVICES"), f.first("gpu_count")
    n = int(count.value) if count and count.value.isdigit() else 1
    # nvidia-smi's rows number the GPUs: a row for GPU 4 means at least five
    rows = [int(m.group(1)) for s in f.all("smi_gpu_name") if (m := re.match(r"\|\s+(\d+)\s", s.text))]
    n = max(n, max(rows, default=-1) + 1)
    if cvd is None or not re.fullmatch(r"\d+(,\d+)*", cvd.value.strip()):
        return [], n
    return [int(i) for i in cvd.value.split(",")], n


def _on_cpu(f: TriageFacts) -> bool:
    """A program printed that the work runs on the CPU, or the framework answered that it has no GPU (is_available()
    False, an empty device list): whatever Task Manager shows, the GPU is not at work."""
    return f.has_log("app_device_cpu", "torch_app_cuda_unavailable", "torch_app_realesrgan_cpu", "jax_fallback_cpu") \
        or bool(_no_gpu_answers(f))


# Words that say the GPU worked before and stopped: a True and a False are then two times, not two processes.
_BEFORE_AND_AFTER = ("after_update", "install_broke_it", "stopped_by_itself", "app_updated", "reboot_fixes", "suspend",
                     "reboot_broke_it")


def _answered_both_ways(f: TriageFacts, cues: dict):
    """PyTorch's is_available() printed False by the failing program while the report also shows (or says) it True,
    at one time: two processes that see the GPU differently. The False answer, or None."""
    if set(_BEFORE_AND_AFTER) & set(cues):
        return None
    answers = f.all("torch_cuda_available")
    said_false = [s for s in answers if s.value == "False" and not s.stated_by_user]
    return said_false[0] if said_false and any(s.value == "True" for s in answers) else None


def _no_gpu_answers(f: TriageFacts) -> list:
    """The framework's own answer that it has no GPU: [] from list_physical_devices, is_available() False."""
    return [s for s in f.all("tf_gpus") if s.value in ("[]", "0") and not s.stated_by_user] + \
        [s for s in f.all("torch_cuda_available") if s.value == "False" and not s.stated_by_user]


def _gpu_and_build(f: TriageFacts):
    """(GPU, its compute capability, an architecture list, line, text, what that list is) for each named GPU and a
    framework build whose list is known (torch_arch_lists.csv; TensorFlow: tensorflow_releases.csv), or, for a GPU
    below every CUDA since 9.0, the floor of all of them."""
    rows = table("cuda_architectures")
    floor = min((r["min_compute_capability"] for r in rows), key=version_key)
    oldest = min((r["cuda_major"] for r in rows if r["min_compute_capability"] == floor), key=int)
    named = _frameworks_named(f) & {"tensorflow", "pytorch", "jax"}
    tv, tf = f.first("torch_version"), f.first("tf_version")
    for s in f.all("gpu")[:8]:
        found = gpu_compute_capability(s.value)
        if not found:
            continue
        gpu, cc = found
        if named and version_key(cc) < version_key(floor):
            # whatever release the report runs: nothing built with CUDA {oldest} or later has code below the floor
            yield gpu, cc, (f"compute_{floor.replace('.', '')}",), s.line, s.text, (
                f"no TensorFlow, PyTorch or JAX build made with CUDA {oldest} or later runs below {floor} (use another "
                f"GPU, hiding this one with CUDA_VISIBLE_DEVICES)")
            continue
        if not (tv or tf):
            # No release named: below the oldest architecture any release in the tables carries, no release runs
            for fw, label, lowest in _lowest_archs():
                if fw in named and version_key(cc) < lowest[0]:
                    yield gpu, cc, (f"compute_{lowest[0][0]}{lowest[0][1]}",), s.line, s.text, (
                        f"no {label} release in whynogpu's tables ({lowest[1]}) carries kernels below "
                        f"{lowest[0][0]}.{lowest[0][1]}")
            continue
        if tv:
            version = tv.value
            variant = version.partition("+")[2]
            if not variant:
                row, newer = release_row("torch_pypi_default_cuda", version, "torch")
                variant = f"cu{row['cuda'].replace('.', '')}" if row and not newer else ""
            archs = torch_arch_list(version, variant) if variant.startswith("cu") else None
            if archs:
                yield gpu, cc, archs, s.line, s.text, f"torch {version} ({variant}) carries kernels for {' '.join(archs)} only"
        if tf:
            row, newer = release_row("tensorflow_releases", tf.value)
            if row and not newer and row.get("compute_capabilities"):
                archs = tuple(row["compute_capabilities"].split())
                yield gpu, cc, archs, s.line, s.text, f"TensorFlow {tf.value} carries kernels for {' '.join(archs)} only"


def _lowest_archs():
    """(framework, label, ((major, minor), table)): the oldest architecture any release of the framework carries,
    per its arch lists (knowledge/tensorflow_releases.csv, knowledge/torch_arch_lists.csv)."""
    from whynogpu.rules.frameworks import _arch_key

    out = []
    for fw, label, name, column in (("tensorflow", "TensorFlow", "tensorflow_releases", "compute_capabilities"),
                                    ("pytorch", "PyTorch", "torch_arch_lists", "arch_list")):
        archs = [_arch_key(a) for r in table(name) if r.get(column) for a in r[column].split()]
        low = min((a for a in archs if a[0] >= 0), default=None)
        if low:
            out.append((fw, label, (low, f"knowledge/{name}.csv")))
    return out


_FRAMEWORK_WORDS = (("tensorflow", re.compile(r"\btensorflow|\btf[ -]?2\.", re.I)),
                    ("pytorch", re.compile(r"\b(?:py)?torch\b", re.I)), ("jax", re.compile(r"\bjax(?:lib)?\b", re.I)),
                    ("theano", re.compile(r"\btheano\b", re.I)), ("cntk", re.compile(r"\bcntk\b", re.I)))


def _frameworks_named(f: TriageFacts, skip: tuple[int, str] = (0, "")) -> set[str]:
    """The frameworks a report sets up: versions it gives, packages it lists or installs (not Keras itself)."""
    out = set()
    if f.first("tf_version") or f.package("tensorflow", "tensorflow-gpu", "tensorflow-cpu"):
        out.add("tensorflow")
    if f.first("torch_version") or f.package("torch"):
        out.add("pytorch")
    if f.first("jax_version") or f.package("jax", "jaxlib"):
        out.add("jax")
    for s in f.all("pip_install"):
        out |= {name for name, rx in _FRAMEWORK_WORDS if rx.search(s.value)}
    # named in the reporter's words; not the backend's own name on the line that sets it, nor a name that only says
    # which backend Keras runs on ("keras uses the tensorflow backend")
    out |= {c.id[6:] for c in f.cues if c.id.startswith("names_") and (c.line, c.id[6:]) != skip and
            not (skip[1] == c.id[6:] and _as_backend(c.id[6:]).search(c.text))}
    return out


def _no_gpu_platform(f: TriageFacts, package: str) -> str:
    """"windows" or "macos" when the report is from a platform where the framework of a CUDA package pip could not
    find (jax-cuda12-plugin, jax[cuda12], torch==2.1.0+cu118) has no CUDA build at all; else ""."""
    name = package.lower()
    framework = "jax" if re.match(r"jax(?:lib)?(?:[-_]cuda|\[cuda)", name) else \
        "torch" if re.match(r"torch\w*[^+]*\+cu\d", name) else None
    os_ = (f.first("os").value.lower() if f.first("os") else "")
    place = "macos" if f.has_cue("macos") or "mac" in os_ else "windows" if f.has_cue("windows") or "windows" in os_ \
        else ""
    if not framework or not place or f.has_cue("wsl"):
        return ""
    row = next((r for r in table("framework_platforms") if r["framework"] == framework and r["platform"] == place), None)
    return place if row and row["gpu"] == "none" else ""


def _as_backend(name: str) -> re.Pattern:
    word = {"pytorch": "(?:py)?torch"}.get(name, name)
    return re.compile(rf"\b{word}\W+backend\b|\bbackend\W+(?:is |to |=\s*)?\W*{word}\b", re.I)


# Keras 3's names for its backends (KERAS_BACKEND values)
_BACKEND_NAME = {"pytorch": "torch", "tf": "tensorflow"}


def _keras_default_backend(f: TriageFacts) -> tuple[str, str]:
    """Keras 3 runs on TensorFlow unless KERAS_BACKEND or keras.json names another backend. A report with Keras 3,
    no backend chosen, and the GPU working in PyTorch or JAX (not in TensorFlow) has Keras on the wrong one."""
    k = f.first("keras_version")
    if k is None or version_key(k.value)[:1] < (3,) or f.first("keras_backend") or f.first("env:KERAS_BACKEND") \
            or f.first("keras_backend_wanted") or f.has_cue("phrase:keras_backend_other"):
        return "", ""
    if [m for m in f.log if m.kind == "success" and m.id.startswith("tf")] or \
            [s for s in f.all("tf_gpus") if s.value not in ("[]", "0", "")]:  # TensorFlow lists a GPU
        return "", ""
    torch = [s for s in f.all("torch_cuda_available") if s.value == "True"] or \
        [s for s in f.all("torch_version") if "+cu" in s.value] or f.all("torch_build_cuda")  # a CUDA build of torch
    jax = [m for m in f.log if m.id == "jax_gpu_device"]
    gpu = "torch" if torch else "jax" if jax else ""
    if not gpu:
        return "", ""
    return (f"Keras {k.value} runs on TensorFlow unless KERAS_BACKEND or keras.json names another backend, and "
            f"the GPU is set up in {'PyTorch' if torch else 'JAX'}"), gpu


def _used(value: str) -> float:
    used, _, total = value.partition("/")
    return int(used) / int(total) if used.isdigit() and total.isdigit() and int(total) else 0.0


def _pip_libs(f: TriageFacts) -> bool:
    """The framework brings its CUDA libraries as pip wheels (nvidia-*-cuXX, a JAX CUDA plugin, [and-cuda])."""
    names = [p.name.lower() for p in f.packages]
    if any(n.startswith("nvidia-") or n.startswith(("jax-cuda", "jax_cuda")) for n in names):
        return True
    # (jax[cuda12_local] is the extra that uses a local CUDA instead of NVIDIA's wheels)
    if any(re.search(r"and-cuda|cuda1[23](?!_local)", s.value) for s in f.all("pip_install")):
        return True
    # a torch CUDA wheel brings its own cuDNN and cuBLAS (inside the wheel, or as nvidia-* wheels since 1.13)
    tv = f.first("torch_version")
    if tv and "+cu" in tv.value:
        return True
    if f.has_cue("pip_nvidia_dir") or f.all("nvidia_wheel"):  # site-packages/nvidia/…, nvidia-cudnn-cu11 named
        return True
    return bool(f.has_log("jax_cudnn_outdated", "jax_cuda_outdated", "jax_cuda_components", "jax_lib_unloadable",
                          "jax_cuda_older", "jax_cudnn_older"))
