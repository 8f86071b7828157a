"""What a framework's message means in the report it is in.

A message's row (knowledge/log_messages.csv) lists the categories it is consistent with, most likely first. Some
setups a report shows make another of them the likely one: "no CUDA device" in WSL, a missing libcuda the report
lists on disk, a cuDNN refusing a GPU every cuDNN supports. Each such setup is one small reading here, with the
reason it gives; check's rules (through triage/to_facts.py) and the report-only signals read the same order.
"""

from __future__ import annotations

import re

from whynogpu.facts.report import TriageFacts
from whynogpu.knowledge import cuda_of_driver, gpu_compute_capability, release_row, table, version_key
from whynogpu.parsers.cuda_files import encoded_version

# CUDA counted no device in this process (error 100, CUDA_ERROR_NO_DEVICE)
_NO_DEVICE = ("cuinit_no_device", "torch_no_gpus", "cuda_runtime_100")
# https://docs.nvidia.com/cuda/wsl-user-guide/index.html ("Getting Started"): WSL2 gets the GPU only from the Windows
# driver, through /dev/dxg and /usr/lib/wsl/lib, on a Windows build and WSL kernel recent enough for it
_WSL_NO_DEVICE = ("in WSL the GPU reaches Linux only through the Windows NVIDIA driver (/dev/dxg, /usr/lib/wsl/lib) on a "
                  "recent enough Windows build and WSL kernel; with no CUDA_VISIBLE_DEVICES set, a CUDA that counts no "
                  "device there means that passage is missing")
_RESTRICTED_NO_DEVICE = ("the report names what keeps a present GPU from a process (MIG partitions, device-node "
                         "permissions, an exclusive compute mode), and CUDA counts no device this process may open")
_COLAB_IMAGE = ("Colab's image ships CUDA and cuDNN, those of its own framework release, so a library the framework "
                "cannot load there is of another version than the one it was built for")
_COLAB_NO_GPU = ("a Colab runtime comes with the NVIDIA driver whenever it has a GPU, so no driver means a runtime without "
                 "one: Runtime > Change runtime type > GPU (https://research.google.com/colaboratory/faq.html)")
# Causes a machine's state brings and takes away between two runs of the same setup (the rest fail every run)
# (an exclusive compute mode too: the GPU is refused only while another process holds it)
_TRANSIENT = ("gpu_memory_exhausted", "gpu_access_restricted", "gpu_hardware_fault", "driver_library_mismatch",
              "nvidia_uvm_unavailable")
_SOME_RUNS = ("the same setup works on other runs, and a version or install fault would fail every one: what differs "
              "between runs is the GPU's state, its memory (or the GPU itself) held by another process at the time")
_JAX_CUDNN_HANDLE = ("cuDNN could not start under JAX, which leaves a quarter of the GPU's memory free "
                     "(https://docs.jax.dev/en/latest/gpu_memory_allocation.html): most often a cuDNN other than the "
                     "one the jaxlib build needs")


def readings(m, f: TriageFacts) -> tuple[list[str], dict[str, str]]:
    """What a message means in this report: its row's categories, most likely first, unless the setup the report
    shows makes another reading the likely one (with the reason). check's rules read the same order (to_facts).
    Each reading below is one such setup; the first that applies decides."""
    cats = list(m.categories)
    if not cats and m.groups.get("code"):
        # a message that prints only the CUDA error's number ("Error 804: forward compatibility was attempted …")
        row = next((r for r in table("cuda_errors") if r["code"] == m.groups["code"]), None)
        cats = row["categories"].split("|") if row and row["categories"] else []
    for reading in _READINGS:
        found = reading(m, f, cats)
        if found is not None:
            return found
    return cats, {}


_Reading = tuple[list[str], dict[str, str]] | None  # a category order and the reasons, or None: not this setup


def _first(cat: str, cats: list[str], why: str) -> tuple[list[str], dict[str, str]]:
    """cat read first, the row's other categories after it."""
    return [cat, *(c for c in cats if c != cat)], {cat: why}


def _last(cat: str, cats: list[str], why: str) -> tuple[list[str], dict[str, str]]:
    """cat read last: the row's next category comes first, with why."""
    cats = [c for c in cats if c != cat] + [cat]
    return cats, {cats[0]: why}


def _fails_only_on_some_runs(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # a version or an install fault fails every run; a setup that works on most runs and fails on some is short of
    # what changes between them: the GPU's memory (or the GPU itself, in an exclusive mode) held by another process
    if f.has_cue("intermittent") and "gpu_memory_exhausted" in cats:
        kept = [c for c in cats if c in _TRANSIENT]
        return kept, {kept[0]: _SOME_RUNS}
    return None


def _no_device_in_wsl(m, f: TriageFacts, cats: list[str]) -> _Reading:
    if m.id in _NO_DEVICE and f.has_cue("wsl") and f.first("env:CUDA_VISIBLE_DEVICES") is None:
        return ["wsl_gpu_not_enabled", *cats], {"wsl_gpu_not_enabled": _WSL_NO_DEVICE}
    return None


def mig_without_instance(f: TriageFacts):
    """nvidia-smi's table shows a GPU in MIG mode, lists no MIG instance, and no CUDA_VISIBLE_DEVICES names one: a
    CUDA process then has no MIG device to run on (https://docs.nvidia.com/datacenter/tesla/mig-user-guide/, "CUDA
    device enumeration"). The table's line, or None."""
    mig = next((s for s in f.all("mig_mode") if s.value == "Enabled" and not s.stated_by_user), None)
    cvd = f.first("env:CUDA_VISIBLE_DEVICES")
    if mig is None or f.first("mig_devices_shown") or (cvd is not None and "MIG-" in cvd.value):
        return None
    return mig


def _no_device_restricted(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # CUDA counts no device it may open: a MIG-enabled GPU with no MIG instance given to the process, device
    # nodes this user may not open, an exclusive compute mode taken (nvidia-smi docs: MIG, compute mode)
    if m.id in _NO_DEVICE and (f.has_cue("phrase:gpu_access_restricted") or mig_without_instance(f)) and \
            f.first("env:CUDA_VISIBLE_DEVICES") is None:
        return _first("gpu_access_restricted", cats, _RESTRICTED_NO_DEVICE)
    return None


def _no_device_under_the_driver(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # nvidia-smi itself finds no device: the driver started no GPU, so CUDA has none to count and no index is valid.
    # What hides a GPU from one process (CUDA_VISIBLE_DEVICES) comes after what the driver says for all of them.
    if m.id in (*_NO_DEVICE, "cuda_invalid_ordinal") and f.has_log("smi_no_devices"):
        return ["driver_not_loaded", "gpu_hardware_fault", *(c for c in cats if c not in ("driver_not_loaded",
                                                                                          "gpu_hardware_fault"))], \
            {"driver_not_loaded": "nvidia-smi finds no device either: the driver started no GPU (RmInitAdapter "
                                  "failed: a driver too old or too new for this GPU, its firmware, or the card)"}
    return None


def _no_device_on_windows(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # Native Windows has no container and nothing there sets CUDA_VISIBLE_DEVICES for the user: CUDA counting no
    # device beside an NVIDIA GPU the report names means the Windows driver does not run that GPU (the device
    # disabled in Device Manager, or stopped with an error). Unless nvidia-smi shows that driver running the GPU: then
    # something in the process's environment hides it from CUDA (a CUDA_VISIBLE_DEVICES set system-wide), the row's
    # own first reading.
    if m.id in _NO_DEVICE and f.has_cue("windows") and not f.has_cue("wsl", "container", "colab", "smi_shows_gpu") and \
            "nvidia_smi" not in f.formats and f.first("env:CUDA_VISIBLE_DEVICES") is None and \
            any(gpu_compute_capability(g.value) for g in f.all("gpu")):
        return _first("driver_not_loaded", cats, "on native Windows nothing hides the GPU from CUDA unless the user "
                                                 "sets CUDA_VISIBLE_DEVICES: with an NVIDIA GPU there, its driver "
                                                 "is not running it (Device Manager shows it disabled or stopped)")
    return None


# NVML: "Under windows compute mode may only be set to DEFAULT when running in WDDM" (nvmlDeviceSetComputeMode), the
# mode of every GPU that drives a display and of WSL's, which is the Windows driver's; no exclusive or prohibited
# mode then makes a GPU "busy or unavailable"
_BUSY_UNDER_WDDM = ("under Windows a GPU in WDDM mode (and so WSL's, which the Windows driver runs) can only be in the "
                    "Default compute mode (NVML, nvmlDeviceSetComputeMode): no exclusive mode makes it busy, so CUDA "
                    "could not open it through the driver at all")


def _busy_under_wddm(m, f: TriageFacts, cats: list[str]) -> _Reading:
    if m.id != "cuda_devices_unavailable" or f.has_cue("container", "colab") or f.has_cue("memory_full", "second_process"):
        return None
    if f.has_cue("wsl"):
        return _first("wsl_gpu_not_enabled", cats, _BUSY_UNDER_WDDM + ": in WSL, the Windows driver's passage into Linux")
    if f.has_cue("windows"):
        return _first("driver_not_loaded", cats, _BUSY_UNDER_WDDM + ": the Windows driver does not run the GPU")
    return None


# nvidia_uvm is a kernel module of the Linux driver (knowledge/cause_places.csv: Linux and containers only): native
# Windows has none, and an unknown CUDA error there comes from the Windows driver itself
_NO_UVM_ON_WINDOWS = ("nvidia_uvm, which this error usually means on Linux, is a module of the Linux driver: on native "
                      "Windows the Windows driver itself failed (a driver reset or a crashed display driver)")


def _uvm_error_on_windows(m, f: TriageFacts, cats: list[str]) -> _Reading:
    if cats[:1] == ["nvidia_uvm_unavailable"] and f.has_cue("windows") and not f.has_cue("wsl", "container", "colab") \
            and "windows" not in _places("nvidia_uvm_unavailable"):
        return _first("driver_not_loaded", cats, _NO_UVM_ON_WINDOWS)
    return None


def _places(category: str) -> list[str]:
    """Where a cause can happen (knowledge/cause_places.csv); a cause without a row can happen anywhere."""
    row = next((r for r in table("cause_places") if r["category"] == category), None)
    return row["places"].split() if row else ["linux", "windows", "macos", "wsl", "container", "colab"]


# A GPU's name that is NVIDIA's (the brand or one of its product lines)
NVIDIA_NAME = re.compile(r"\b(?:nvidia|geforce|quadro|tesla|titan|rtx|gtx)\b", re.I)


def _names_nvidia_gpu(f: TriageFacts) -> bool:
    """The report shows or names an NVIDIA GPU: nvidia-smi's table, lspci's NVIDIA device, a driver release, a GPU
    whose name is NVIDIA's, or the reporter's words for one."""
    return bool("nvidia_smi" in f.formats or f.first("driver") or f.has_cue("nvidia_gpu_named") or any(d.vendor.lower().endswith("10de") for d in f.pci) or
                any(gpu_compute_capability(g.value) or NVIDIA_NAME.search(g.value)
                    for g in f.all("gpu")))


def _no_driver_no_gpu_named(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # PyTorch prints "Found no NVIDIA driver on your system" when it finds no libcuda, which every NVIDIA driver
    # installs, on Windows too, where the GPU's driver comes with the system. With no NVIDIA GPU shown or named
    # anywhere in the report (no nvidia-smi, no GPU model, no driver release), the message's own first question,
    # "check that you have an NVIDIA GPU", is the likely answer: an Intel, AMD or Apple GPU, or none.
    if m.id == "torch_no_driver" and "no_nvidia_gpu" in cats and not _names_nvidia_gpu(f) and \
            not f.has_cue("container", "wsl", "colab", "macos"):
        return _first("no_nvidia_gpu", cats, "the report shows no NVIDIA GPU (no nvidia-smi, no GPU model, no driver "
                                             "release), and the message's first question is whether one is there")
    return None


def _no_devices_in_container(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # Inside a container nvidia-smi runs only when the Container Toolkit mounted the driver's libraries; with them and
    # no GPU device handed over (NVIDIA_VISIBLE_DEVICES=none or a name that matches none, a device cgroup that denies
    # the nodes) it finds no device (https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/
    # docker-specialized.html: "none": no GPU accessible, driver capabilities enabled)
    if m.id == "smi_no_devices" and (f.has_cue("container") or f.all("docker_run")) and not f.has_cue("wsl"):
        return (["container_no_gpu", "gpu_access_restricted", *(c for c in cats if c not in ("container_no_gpu",
                                                                                               "gpu_access_restricted"))],
                {"container_no_gpu": "nvidia-smi ran inside the container, so the driver's libraries were handed to it, "
                                     "and found no GPU: none was handed over with them"})
    return None


def _no_kernel_old_driver(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # No kernels for the GPU means no SASS for it and no PTX the driver can compile. Under minor-version
    # compatibility an older driver runs a newer CUDA's SASS but cannot JIT its PTX, so with the GPU's
    # architecture unknown, the message reads as the driver older than the CUDA in use.
    if m.id == "no_kernel_image" and (older := _driver_behind(f)):
        return ["driver_too_old", *cats], {"driver_too_old": older}
    return None


def _nvml_unreached_in_gpu_container(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # Inside a container given the GPU, nvidia-smi and libnvidia-ml are both mounted by the Container Toolkit from the
    # host's driver: nvidia-smi running there and not finding the library means the loader does not look where it
    # was put (the toolkit's ldconfig step failed, an image's LD_LIBRARY_PATH that leaves out the folder):
    # nvidia-docker#854, #1163, libnvidia-container#67
    if m.id == "smi_no_nvml_lib" and "libs_not_on_path" in cats and \
            any(s.value == "gpus" for s in f.all("docker_run")) and not f.has_cue("wsl"):
        return _first("libs_not_on_path", cats, "nvidia-smi was mounted into a container started with the GPU, and "
                                                "libnvidia-ml with it: the loader does not search the folder it is in")
    return None


def _insufficient_in_container(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # The CUDA runtime reports "driver version is insufficient" (error 35) also when it finds no libcuda at all: a
    # container given the device nodes but not the driver's libraries, or started without the GPU, prints it beside
    # a host driver that is new enough (nvidia-docker#24, #400). A driver whose CUDA major covers every CUDA the
    # report uses (any 12.x runs on a 12.x driver: minor-version compatibility) is not the one that is too old.
    if m.id != "tf_insufficient_driver" or not (f.has_cue("container") or f.all("docker_run")) or f.has_cue("wsl"):
        return None
    have = _driver_cuda(f)
    used = [version_key(s.value)[:1] for k in ("cuda", "cuda_needed", "torch_build_cuda", "nvcc_cuda") for s in f.all(k)]
    # pip wheels bring a CUDA of their own (CUDA 12 in the current torch, jax, ctranslate2 wheels) whatever the
    # image's CUDA is: a driver below 12 may be too old for them even when it runs the image's CUDA
    if not have or version_key(have)[:1] < max([*used, (12,)]):
        return None
    return _first("container_no_gpu", cats, f"the driver runs CUDA {have}, and every {have.split('.')[0]}.x with it: "
                                            "the container's CUDA found no driver library (libcuda) to talk to, "
                                            "which it reports as a driver too old")


def _cudnn_handle_under_jax(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # TensorFlow maps nearly all of the GPU's memory at start, leaving cuDNN none; JAX preallocates 75 % and
    # leaves the rest, so with no other process named, cuDNN failing to start under JAX is cuDNN itself
    from whynogpu.triage.to_facts import framework_of  # to_facts reads this module in turn

    if m.id == "tf_cudnn_handle" and framework_of(m) == "jax" and cats[:1] == ["gpu_memory_exhausted"] and \
            not f.has_cue("shared_gpu", "second_process", "memory_taken"):
        return _last("gpu_memory_exhausted", cats, _JAX_CUDNN_HANDLE)
    return None


def _libcuda_import_error(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # the driver's own library, not a CUDA toolkit one: read like TensorFlow's "Could not load 'libcuda.so.1'"
    if m.id == "import_error_so" and (m.groups.get("soname") or "").startswith("libcuda.so"):
        first = "container_no_gpu" if f.has_cue("container") or f.all("docker_run") else "driver_not_loaded"
        other = "driver_not_loaded" if first == "container_no_gpu" else "container_no_gpu"
        # (nvidia-smi printing its table, or said to show the GPU, is the host's driver at work: only the container
        # lacks its library)
        working = "nvidia_smi" in f.formats or f.has_cue("smi_shows_gpu")
        return [first] + ([] if other == "driver_not_loaded" and working else [other]), \
            {first: "libcuda is the NVIDIA driver's library: a machine or container without the driver has none"}
    return None


def host_libs_not_mounted(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # JetPack 4's containers (L4T r32) hold no CUDA, cuDNN or TensorRT of their own: the NVIDIA container runtime mounts
    # the host's into them (https://github.com/OE4T/meta-tegra/wiki/NVIDIA-Container-Runtime-support: NVIDIA's
    # containers "expect them to be provided by the underlying host OS"). A CUDA library missing inside one is a
    # container started without that runtime (--runtime nvidia, or nvidia as Docker's default runtime).
    if m.groups.get("soname") and ({"cuda_libs_missing", "cudnn_missing"} & set(cats)) and f.has_cue("l4t_r32") and \
            (f.has_cue("container") or f.all("docker_run")):
        return _first("container_no_gpu", cats, "JetPack 4's containers get CUDA, cuDNN and TensorRT from the host "
                      "through the NVIDIA runtime: without it (--runtime nvidia) they have none")
    return None


def _libcuda_on_disk(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # the driver's library the loader did not find is listed on disk (ls, ldconfig, find): installed, and not
    # where this process looks (a CUDA toolkit's stubs/libcuda.so is no driver and does not count)
    if m.id == "tf_dlopen_libcuda" and any(d.value.startswith("libcuda.so") and "/stubs/" not in d.text and
                                           not d.stated_by_user for d in f.all("lib_on_disk")):
        return _first("libs_not_on_path", cats, "the report lists libcuda on disk, where the loader of this process "
                                                "does not look")
    return None


def _jax_found_driver_cuda(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # "Found CUDA version 12040" is the CUDA the driver reports (nvidia-smi's "CUDA Version"): the driver is older
    # than the CUDA the plugin was built against, not some library
    found = m.groups.get("found", "") if m.id == "jax_cuda_older" else ""
    found = encoded_version(int(found), "cudart") if found.isdigit() else ""
    if found and (m.groups.get("component") or "").strip().lower() in ("", "cuda") and found == _driver_cuda(f):
        return ["driver_too_old", *cats], {"driver_too_old": f"the CUDA version found ({found}) is the one the "
                                                              "report's driver runs: the driver is older than the build"}
    return None


def _newest_cuda_for_tensorflow(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # Each TensorFlow release loads the CUDA libraries of the version it was built with (tensorflow.org/install/source,
    # "Tested build configurations"), and NVIDIA's newest toolkit is as a rule later than the release's: a CUDA
    # library TensorFlow cannot load after the reporter installed the newest CUDA is one of another version
    from whynogpu.triage.to_facts import framework_of

    if "cuda_version_mismatch" in cats and cats[0] in ("cuda_libs_missing", "libs_not_on_path") and \
            f.has_cue("newest_cuda") and (framework_of(m) == "tensorflow" or f.has_cue("names_tensorflow")):
        return _first("cuda_version_mismatch", cats, "the reporter installed the newest CUDA toolkit, and each "
                                                     "TensorFlow release loads only the CUDA version it was built with")
    return None


def _cudnn_start_old_driver(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # cuDNN failing to start is read first as memory or a foreign cuDNN; with the framework saying the driver may be
    # too old, or a driver older than the CUDA major in use (before CUDA 11 every minor counts: no minor-version
    # compatibility), the driver is the likelier one
    if m.id not in ("tf_cudnn_handle", "torch_cudnn_not_initialized"):
        return None
    said = f.has_log("tf_insufficient_driver_cudnn")
    have = _driver_cuda(f)
    used = [s.value for k in ("cuda", "cuda_needed", "torch_build_cuda") for s in f.all(k)]
    newest = max(used, key=version_key, default=None)
    older = bool(have and newest) and (version_key(newest)[:1] > version_key(have)[:1] or
                                       version_key(newest)[:1] < (11,) and version_key(newest)[:2] > version_key(have)[:2])
    if said or older:
        return _first("driver_too_old", cats, "the framework says the driver may be too old" if said else
                      f"the driver runs CUDA up to {have}, older than the CUDA {newest} in use")
    return None


def _cudnn_installed_not_found(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # "DNN library is not found" while the report says it installed the cuDNN major its TensorFlow release was
    # built with (tensorflow_releases.csv): installed, and not where the process looks
    tf, stated = f.first("tf_version"), f.first("cudnn")
    if m.id != "dnn_not_found" or tf is None or stated is None:
        return None
    row, newer = release_row("tensorflow_releases", tf.value)
    if row and not newer and row.get("cudnn") and stated.value.split(".")[0] == row["cudnn"].split(".")[0]:
        return _first("libs_not_on_path", cats, f"the report installed cuDNN {stated.value}, the major TensorFlow "
                                                f"{tf.value} was built with, and TensorFlow does not find it")
    return None


def _dlopen_beside_said_cudnn(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # "Cannot dlopen some GPU libraries" while the reporter says the cuDNN there is another major than the one the
    # build wants ("it wants libcudnn 9 and the image provides libcudnn 8"): TensorFlow asks for libcudnn.so.<its
    # major> by name, so a cuDNN of another major is no copy of it
    if m.id == "tf_cannot_dlopen_gpu_libs" and f.has_cue("phrase:cudnn_version_mismatch"):
        return _first("cudnn_version_mismatch", cats, "the report says the cuDNN present is another version than "
                                                      "the one TensorFlow loads, and TensorFlow asks for it by its major")
    return None


def _cudnn_refuses_supported_gpu(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # every cuDNN from 7 to 9 supports Maxwell (5.0) and newer (cuDNN support matrices): with such a GPU, the
    # cuDNN that refuses it is not the one the framework ships
    if m.id == "cudnn_arch_mismatch" and any(version_key(cc[1]) >= (5, 0) for g in f.all("gpu")
                                             if (cc := gpu_compute_capability(g.value))):
        return _last("compute_capability_unsupported", cats,
                     "the GPU is one every cuDNN since 7 supports, so the cuDNN loaded is a foreign copy")
    return None


def _cudnn_dependency_missing(m, f: TriageFacts, cats: list[str]) -> _Reading:
    # "Could not load library libcudnn_cnn_infer.so.8. Error: libnvrtc.so: cannot open …": cuDNN was found;
    # the library missing is the CUDA one it depends on
    from whynogpu.triage.to_facts import lib_of

    dep = m.groups.get("dependency") or ""
    if "cudnn_missing" in cats and dep and "cudnn" not in dep.lower() and lib_of(dep) not in (None, "cuda"):
        return (["cuda_libs_missing" if c == "cudnn_missing" else c for c in cats],
                {"cuda_libs_missing": f"cuDNN was found, but the CUDA library it loads ({dep}) was not"})
    return None


def _on_colab(m, f: TriageFacts, cats: list[str]) -> _Reading:
    if not f.has_cue("colab") or f.has_cue("wsl"):
        return None
    if ("driver_not_loaded" in cats or (m.id in _NO_DEVICE and not f.has_cue("gpu_runtime"))) and \
            "no_nvidia_gpu" in cats and f.first("env:CUDA_VISIBLE_DEVICES") is None:
        # a Colab runtime with a GPU always has its driver and sets no CUDA_VISIBLE_DEVICES: no driver, or no device
        # where the reporter does not say the runtime has a GPU, is a runtime without one
        return _first("no_nvidia_gpu", cats, _COLAB_NO_GPU)
    # Colab's image ships CUDA and cuDNN, those of its own framework release: a library the framework cannot
    # find there is one of another version than the image has (colabtools#4214, #4233)
    for missing, other in (("cudnn_missing", "cudnn_version_mismatch"), ("cuda_libs_missing", "cuda_version_mismatch")):
        if missing in cats and other in cats[cats.index(missing):]:
            cats = [c for c in cats if c != other]
            cats.insert(cats.index(missing), other)
            return cats, {other: _COLAB_IMAGE}
    return None


_READINGS = (_fails_only_on_some_runs, _no_device_under_the_driver, _no_device_in_wsl, _no_device_restricted, _no_device_on_windows, _busy_under_wddm,
             _uvm_error_on_windows,
             _no_driver_no_gpu_named,
             _no_devices_in_container, _nvml_unreached_in_gpu_container, _insufficient_in_container,
             _no_kernel_old_driver, _cudnn_handle_under_jax, _libcuda_import_error, host_libs_not_mounted, _libcuda_on_disk,
             _jax_found_driver_cuda, _newest_cuda_for_tensorflow, _cudnn_start_old_driver, _cudnn_installed_not_found,
             _cudnn_refuses_supported_gpu, _cudnn_dependency_missing, _dlopen_beside_said_cudnn, _on_colab)


def _driver_behind(f: TriageFacts) -> str:
    """"driver 470 (CUDA 11.4) is older than CUDA 11.6" when the report gives both and names no GPU whose
    compute capability is known; else ""."""
    if any(gpu_compute_capability(s.value) for s in f.all("gpu")):
        return ""
    driver, have = f.first("driver"), _driver_cuda(f)
    used = [s.value for k in ("cuda", "cuda_needed", "torch_build_cuda", "nvcc_cuda") for s in f.all(k)]
    newest = max(used, key=version_key, default=None)
    if not have or not newest or version_key(newest)[:2] <= version_key(have)[:2]:
        return ""
    return (f"the driver{' ' + driver.value if driver else ''} runs CUDA up to {have}, older than the CUDA {newest} "
            "in use: it cannot compile that CUDA's PTX for the GPU")


def _driver_cuda(f: TriageFacts) -> str:
    """The CUDA the report's driver runs: nvidia-smi's "CUDA Version", else the driver release's (cuda_drivers.csv)."""
    smi, driver = f.first("smi_cuda"), f.first("driver")
    have = smi.value if smi else cuda_of_driver(driver.value) if driver else ""
    return ".".join(str(x) for x in version_key(have or "")[:2])
