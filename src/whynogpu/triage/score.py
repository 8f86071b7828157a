"""From the facts of a report to ranked candidate root causes, each with a confidence.

Signals from program output (a log line, nvidia-smi, pip list) weigh more than what a
person wrote (template fields, prose), which only nudges. Confidences of one category are
combined as independent evidence (1 - Π(1 - w)), so two weak hints never beat one strong
message but do beat one weak hint.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from whynogpu.knowledge import soname_family, sonames, table
from whynogpu.parsers.cuda_files import parse_lib_name
from whynogpu.rules.common import version_key
from whynogpu.triage.facts import TriageFacts
from whynogpu.triage.fixes import driver_needed, driver_seen

_VERSIONISH = re.compile(r"^\d+\.\d+").match
PROGRAM = {"error": 0.7, "warning": 0.4}  # weight of a log row's first category, by kind
FALLOFF = (1.0, 0.45, 0.25)  # weight factor of a row's 2nd and 3rd candidate categories
USER = 0.6  # facts a person wrote count this much of the same fact printed by a program


@dataclass(frozen=True)
class Signal:
    category: str
    weight: float
    line: int
    text: str
    stated_by_user: bool
    why: str


@dataclass(frozen=True)
class Candidate:
    category: str
    confidence: float
    signals: tuple[Signal, ...]


def _tf_gpu_platforms() -> list[dict]:
    return [r for r in table("tensorflow_platforms") if r.get("platform") == "windows"]


def _windows_tf_without_gpu(v: str) -> bool:
    """Native Windows TF releases without a CUDA build (knowledge table: tensorflow_platforms)."""
    key = version_key(v)[:2]
    for r in _tf_gpu_platforms():
        first, last = version_key(r.get("first", "")), version_key(r.get("last", "") or "999")
        if first[:2] <= key <= last[:2] and r.get("gpu", "").lower() in ("none", "no", "false"):
            return True
    return False


def signals(f: TriageFacts) -> list[Signal]:
    out: list[Signal] = []

    def add(cat: str, w: float, line: int, text: str, by_user: bool, why: str) -> None:
        out.append(Signal(cat, round(w * (USER if by_user else 1.0), 3), line, text, by_user, why))

    # 1. known messages in program output
    for m in f.log:
        base = PROGRAM.get(m.kind)
        if base is None:
            continue
        for i, cat in enumerate(m.categories[:3]):
            add(cat, base * FALLOFF[i], m.line, m.text, m.line in f.prose_log_lines, m.meaning)

    def first(key: str):
        return f.first(key)

    cues = {c.id: c for c in reversed(f.cues)}  # earliest cue of each kind
    os_fact = first("os")
    os_text = (os_fact.value if os_fact else "").lower()
    windows = "windows" in os_text or ("windows" in cues and "wsl" not in cues)
    macos = any(k in os_text for k in ("mac", "darwin", "os x")) or "macos" in cues
    wsl = "wsl" in cues or "microsoft-standard" in os_text
    cuda_errors = [m for m in f.log if m.kind == "error"]

    # 2. platform
    tf = f.first("tf_version")
    tf_pkg = f.package("tensorflow", "tensorflow-gpu")
    tf_v = tf_pkg.version if tf_pkg else (tf.value if tf else None)
    built = f.first("tf_built_with_cuda")
    if windows and not wsl and tf_v and _windows_tf_without_gpu(tf_v):
        src = tf_pkg or tf
        add("windows_native_unsupported", 0.75, src.line, src.text, bool(tf and not tf_pkg and tf.stated_by_user),
            f"TensorFlow {tf_v} has no CUDA build for native Windows")
        if built and built.value == "False":
            add("windows_native_unsupported", 0.6, built.line, built.text, False, "is_built_with_cuda() is False")
    elif built and built.value == "False":
        add("cpu_only_package", 0.7, built.line, built.text, False, "this TensorFlow is not a CUDA build")
    if macos:
        c = cues.get("macos")
        line, text = (c.line, c.text) if c else (os_fact.line, os_fact.text)
        add("macos_no_cuda", 0.55 + (0.25 if cuda_errors else 0), line, text, True, "macOS has no CUDA")
    if wsl:
        c = cues["wsl"]
        w = 0.5 if "wsl1" in cues else 0.2
        if f.has_log("smi_no_driver", "nvml_unknown") or "wsl1" in cues:
            w += 0.3
        add("wsl_gpu_not_enabled", w, c.line, c.text, True, "WSL without GPU compute")

    # 3. containers
    for d in f.all("docker_run"):
        if d.value == "no_gpus":
            add("container_no_gpu", 0.6, d.line, d.text, False, "the container was started without --gpus")
    if "container" in cues and f.has_log("diag_no_dev_nvidia0", "cuinit_303", "tf_dlopen_libcuda", "nvml_unknown"):
        c = cues["container"]
        add("container_no_gpu", 0.45, c.line, c.text, True, "a container where the GPU or libcuda is missing")
    if "driver_in_container" in cues:
        c = cues["driver_in_container"]
        add("driver_library_mismatch", 0.55, c.line, c.text, True, "a driver installed inside a container")

    # 4. environment variables and code
    for s in f.stated:
        if s.key == "env:CUDA_VISIBLE_DEVICES" and (s.value in ("", "-1", "none", "None") or s.value.startswith("-")):
            add("cuda_visible_devices_hidden", 0.8, s.line, s.text, False, "CUDA_VISIBLE_DEVICES hides every GPU")
        if s.key == "env:KERAS_BACKEND":
            imports = [k for k in f.all("keras_import") if k.line < s.line]
            if imports:
                add("keras_backend_other", 0.8, s.line, s.text, False,
                    f"KERAS_BACKEND is set after Keras was imported (line {imports[0].line}), so it is ignored")
    kb = f.first("keras_backend")
    if kb and f.first("env:KERAS_BACKEND") and kb.value != f.first("env:KERAS_BACKEND").value:
        add("keras_backend_other", 0.5, kb.line, kb.text, False, f"Keras reports backend {kb.value}")
    if f.has_log("cuinit_no_device", "torch_no_gpus") and "works_elsewhere" in cues:
        c = cues["works_elsewhere"]
        add("cuda_visible_devices_hidden", 0.4, c.line, c.text, True,
            "the GPU is seen in one process but not in the project's code, which can set CUDA_VISIBLE_DEVICES")

    # 5. packages
    pkg_names = {p.name.lower().replace("_", "-"): p for p in f.packages}
    tf_variants = [pkg_names[n] for n in ("tensorflow", "tensorflow-gpu", "tensorflow-cpu", "tensorflow-intel",
                                          "tf-nightly") if n in pkg_names]
    if len(tf_variants) > 1:
        p = tf_variants[1]
        add("package_conflict", 0.75, p.line, p.text, False,
            "several TensorFlow variants are installed: " + ", ".join(v.name for v in tf_variants))
    elif "tensorflow-cpu" in pkg_names:
        p = pkg_names["tensorflow-cpu"]
        add("cpu_only_package", 0.75, p.line, p.text, False, "tensorflow-cpu is a CPU-only build")
    for name in ("torch", "pytorch"):
        p = pkg_names.get(name)
        if p and ("cpu" in p.build.lower()):
            add("cpu_only_package", 0.75, p.line, p.text, False, f"{p.name} {p.version} {p.build} is a CPU-only build")
    tv = f.first("torch_version")
    if tv and tv.value.endswith("+cpu"):
        add("cpu_only_package", 0.7, tv.line, tv.text, tv.stated_by_user, "a +cpu PyTorch wheel")
    tvc = f.first("torch_version_cuda")
    if tvc and tvc.value == "None":
        add("cpu_only_package", 0.6, tvc.line, tvc.text, False, "torch.version.cuda is None")
    if "jaxlib" in pkg_names and not any(n.startswith(("jax-cuda", "jax_cuda")) for n in pkg_names) \
            and "+cuda" not in pkg_names["jaxlib"].build:
        p = pkg_names["jaxlib"]
        add("cpu_only_package", 0.55, p.line, p.text, False, "jaxlib without a jax-cuda plugin has only the CPU backend")
    for s in f.all("pip_no_dist"):
        py = f.first("python")
        add("python_version_unsupported", 0.45 + (0.25 if py else 0), s.line, s.text, False,
            f"pip finds no {s.value} wheel" + (f" for Python {py.value}" if py else ""))
    if "both_tf" in cues and len(tf_variants) < 2:
        c = cues["both_tf"]
        add("package_conflict", 0.8, c.line, c.text, True, "tensorflow and tensorflow-gpu are both installed")
    mentions_both = [c for c in f.stated if c.key == "tf_version" and "tensorflow-gpu" in c.text.lower()]
    if not tf_variants and mentions_both and any("tensorflow " in s.text.lower() or "`tensorflow`" in s.text.lower()
                                                  for s in mentions_both):
        s = mentions_both[0]
        add("package_conflict", 0.5, s.line, s.text, True, "tensorflow and tensorflow-gpu named together")

    # 6. libraries: which of several library causes fits
    dl = f.has_log("tf_dlopen_cuda_lib", "tf_dlopen_cudnn", "tf_win_dll_missing", "import_error_so",
                   "tf_cannot_dlopen_gpu_libs", "jax_lib_unloadable", "jax_cudnn_unloadable")
    if dl:
        m = dl[0]
        if "file_exists" in cues or "not_exported" in cues or "jupyter_only" in cues:
            c = cues.get("jupyter_only") or cues.get("file_exists") or cues.get("not_exported")
            add("libs_not_on_path", 0.6, c.line, c.text, True,
                "the library exists but the failing process's loader path does not include it")
        failed = {x.groups.get("soname") for x in dl if x.groups.get("soname")}
        found = [s for s in f.all("lib_on_disk") if s.value in failed]
        for s in found:
            add("libs_not_on_path", 0.8, s.line, s.text, False,
                f"{s.value} is on disk although the framework could not load it")
        if found:  # those failures were about the path, not the version: their version reading goes
            names = {s.value for s in found}
            lines = {x.line for x in dl if x.groups.get("soname") in names}
            out[:] = [g for g in out if not (g.category == "cuda_version_mismatch" and g.line in lines)]
        # The loader asks for a file name (soname) that carries the CUDA version. The installed CUDA either
        # gives that library exactly that name (then only the search path can be wrong; CUDA 11.1 ships
        # libcudart.so.11.0) or another one (libcusolver.so.11 where a CUDA 11.0 build wants .so.10).
        stated = f.all("nvcc_cuda") + f.all("cuda")
        verdicts = [(s, x, _provides(s.value, x.groups.get("soname", ""))) for s in stated for x in dl]
        same = any(ok for _, _, ok in verdicts)
        have = next(((s, x) for s, x, ok in verdicts if ok is False), None)
        # A reporter's "the file is there" does not outweigh this: it is usually another version's file.
        if have and not same and not found:
            s, x = have
            add("cuda_version_mismatch", 0.6, x.line, x.text, False,
                f"the installed CUDA {s.value} (line {s.line}) has no {x.groups.get('soname')}: "
                "the framework was built for another CUDA release")
        and_cuda = [s for s in f.all("pip_install") if "and-cuda" in s.value] + \
            [p for p in f.packages if p.name.lower().startswith("nvidia-") and p.name.lower().endswith(("-cu12", "-cu11"))]
        if and_cuda or "ask_set_path" in cues:
            src = and_cuda[0] if and_cuda else cues["ask_set_path"]
            strong = tf_v and version_key(tf_v)[:3] in ((2, 16, 1), (2, 16), (2, 16, 0))
            add("pip_cuda_libs_not_found", 0.75 if strong else 0.5, src.line, src.text, False,
                "the nvidia-* pip wheels are installed, yet TensorFlow does not find them")
        ld = f.first("env:LD_LIBRARY_PATH")
        if m.id.startswith("jax") and ld and any(k in ld.value.lower() for k in ("cuda", "cudnn", "hpc_sdk", "nccl")):
            add("system_libs_shadow_pip_libs", 0.75, ld.line, ld.text, False,
                "LD_LIBRARY_PATH puts another CUDA before the libraries of the pip wheels")
    and_cuda_any = [s for s in f.all("pip_install") if "and-cuda" in s.value]
    if and_cuda_any and not dl and tf_v and version_key(tf_v)[:2] == (2, 16):
        s = and_cuda_any[0]
        add("pip_cuda_libs_not_found", 0.6, s.line, s.text, False,
            "TensorFlow 2.16 installed with [and-cuda] does not find the pip CUDA wheels on its own")
    jax_ld = f.has_log("jax_cuda_components", "jax_cudnn_outdated", "jax_cuda_outdated", "tf_cudnn_mismatch")
    ld = f.first("env:LD_LIBRARY_PATH")
    if jax_ld and ld and any(k in ld.value.lower() for k in ("cuda", "cudnn", "hpc_sdk")):
        add("system_libs_shadow_pip_libs", 0.5, ld.line, ld.text, False, "LD_LIBRARY_PATH carries another CUDA/cuDNN")

    # 7. driver versions and resets
    if "suspend" in cues:
        c = cues["suspend"]
        add("nvidia_uvm_unavailable", 0.35, c.line, c.text, True, "GPU lost after suspend/resume")
    if "reboot_fixes" in cues or "after_update" in cues:
        c = cues.get("reboot_fixes") or cues["after_update"]
        if f.has_log("smi_no_driver", "nvml_driver_not_loaded", "diag_driver_not_running"):
            add("driver_not_loaded", 0.3, c.line, c.text, True, "the driver stopped loading after an update")
        elif f.has_log("nvml_mismatch", "nvrm_api_mismatch", "diag_kernel_dso_mismatch"):
            add("driver_library_mismatch", 0.3, c.line, c.text, True, "driver updated without a reboot")
    # A driver older than the minimum of the framework build's CUDA (torch +cuXXX variant, TF release)
    need, seen = driver_needed(f), driver_seen(f)  # the same driver the fix will name
    if need and seen and _VERSIONISH(seen.value) and version_key(seen.value) < version_key(need[0]):
        add("driver_too_old", 0.6, seen.line, seen.text, seen.stated_by_user,
            f"driver {seen.value} is older than {need[0]}, the minimum for CUDA {need[1]} ({need[2]})")
    km, drv = f.first("kernel_module"), f.first("driver")
    if km and drv and not drv.stated_by_user and km.value != drv.value:
        add("driver_library_mismatch", 0.6, km.line, km.text, False,
            f"kernel module {km.value} but driver libraries {drv.value} (line {drv.line})")

    # 8. memory and hardware
    for s in f.all("gpu_memory"):
        used, total = (int(x) for x in s.value.split("/"))
        if total and used / total > 0.9:
            add("gpu_memory_exhausted", 0.45, s.line, s.text, False, f"{used} of {total} MiB already in use")
    if "shared_gpu" in cues:
        c = cues["shared_gpu"]
        add("gpu_memory_exhausted", 0.45, c.line, c.text, True, "the GPU's memory is taken by other work")
    if "hardware" in cues:
        c = cues["hardware"]
        add("gpu_hardware_fault", 0.5 + (0.2 if "power" in cues else 0), c.line, c.text, True,
            "the machine or GPU fails under load (power, heat, bus)")

    # 9. signs that the GPU works
    works = [m for m in f.log if m.kind == "success"]
    gpus = [s for s in f.all("tf_gpus") if s.value.isdigit() and int(s.value) > 0]
    avail = [s for s in f.all("torch_cuda_available") if s.value == "True"]
    benign = [m for m in f.log if m.kind == "benign"]
    training = cues.get("training_works")
    proof = works + gpus + avail
    if proof or (benign and training) or (training and f.has_log("jax_jaxlib_no_cuda") and "colab" in cues):
        src = proof[0] if proof else (benign[0] if benign else training)
        strong_errors = [m for m in f.log if m.kind == "error" and m.id not in ("jax_jaxlib_no_cuda",)]
        w = 0.75 if not strong_errors else 0.2
        add("no_problem", w, src.line, src.text, False, "the GPU was found and used; the other lines are benign")
    return out


def _provides(cuda: str, soname: str) -> bool | None:
    """Whether CUDA release `cuda` names a library `soname` exactly so; None when that is not known.
    From knowledge/cuda_sonames.csv, else from the version a runtime's own name carries."""
    name = parse_lib_name(soname)
    family = soname_family(cuda)
    if name is not None and family and soname.startswith("lib"):  # the table has Linux names only
        known = sonames(family, (name.lib,)).get(name.lib)
        if known is not None:
            return known == soname
    wants = _cuda_of_soname(soname)
    return None if wants is None else _same_cuda(cuda, wants)


def _same_cuda(a: str, b: str) -> bool:
    """Whether libraries of CUDA `a` satisfy a name asked for as CUDA `b`. From CUDA 11 the runtime's file
    name carries the major only (every 11.x ships libcudart.so.11.0 and cudart64_110.dll); before, major.minor."""
    ka, kb = version_key(a), version_key(b)
    if ka and kb and ka[0] >= 11:
        return ka[0] == kb[0]
    return ka[:2] == kb[:2]


def _cuda_of_soname(soname: str) -> str | None:
    """The CUDA version a runtime library name encodes: libcudart.so.10.1 → 10.1, cudart64_100.dll → 10.0."""
    m = re.match(r"libcudart\.so\.(\d+\.\d+)", soname)
    if m:
        return m.group(1)
    m = re.match(r"cudart64_(\d+)\.dll", soname)
    if m:
        d = m.group(1)
        return f"{d[:-1]}.{d[-1]}" if len(d) >= 3 else f"{d}.0"
    return None


# A specific explanation makes a generic one that the same lines also support less likely.
EXPLAINS = {
    "macos_no_cuda": ("driver_not_loaded", "cpu_only_package", "no_nvidia_gpu"),
    "wsl_gpu_not_enabled": ("driver_not_loaded", "no_nvidia_gpu"),
    "windows_native_unsupported": ("cpu_only_package",),
    "container_no_gpu": ("driver_not_loaded", "no_nvidia_gpu"),
    "libs_not_on_path": ("cuda_libs_missing", "cudnn_missing"),
    "cuda_version_mismatch": ("cuda_libs_missing", "libs_not_on_path"),
    "pip_cuda_libs_not_found": ("cuda_libs_missing", "cudnn_missing", "libs_not_on_path"),
    "system_libs_shadow_pip_libs": ("cuda_libs_missing", "cpu_only_package", "libs_not_on_path"),
    "cuda_visible_devices_hidden": ("no_nvidia_gpu", "container_no_gpu"),
}


def rank(f: TriageFacts) -> list[Candidate]:
    by_cat: dict[str, list[Signal]] = defaultdict(list)
    for s in signals(f):
        by_cat[s.category].append(s)
    out = []
    for cat, sigs in by_cat.items():
        miss = 1.0
        for s in sigs:
            miss *= 1.0 - min(s.weight, 0.95)
        out.append(Candidate(cat, round(1.0 - miss, 3), tuple(sorted(sigs, key=lambda s: -s.weight))))
    present = {c.category: c.confidence for c in out}
    demoted = []
    for c in out:
        factor = 1.0
        for specific, generic in EXPLAINS.items():
            if c.category in generic and present.get(specific, 0) >= 0.3:
                factor = 0.5
        demoted.append(Candidate(c.category, round(c.confidence * factor, 3), c.signals))
    return sorted(demoted, key=lambda c: (-c.confidence, c.category))
