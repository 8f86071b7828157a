"""The framework layer, judged from the live probe: what each framework really saw and did.

The live probe outranks the static view: when a framework was imported and answered, its own
word on its build and its devices is what counts, and rules/packages.py steps back for it.
"""

from __future__ import annotations

import shlex

from whynogpu.facts.cuda import CudaLibFacts
from whynogpu.facts.frameworks import FrameworkRun, LiveFacts
from whynogpu.knowledge import table
from whynogpu.model import Evidence, Fix, Severity
from whynogpu.parsers.cuda_visible_devices import parse_visible_devices
from whynogpu.parsers.logs import row as log_row
from whynogpu.rules import rule, summary
from whynogpu.rules.common import builds, env_vars, pip, platform, target
from whynogpu.rules.environment import gpu_count

# WG502/508/509: what went wrong is named by the framework's own message, so the finding takes its category
LOG_CATEGORY = "the framework's own log message (knowledge/log_messages.csv)"
LABEL = {"tensorflow": "TensorFlow", "torch": "PyTorch", "jax": "JAX", "keras": "Keras"}
LIST_GPUS = {
    "tensorflow": "import tensorflow as tf; print(tf.config.list_physical_devices('GPU'))",
    "torch": "import torch; print(torch.cuda.is_available(), torch.cuda.device_count())",
    "jax": "import jax; print(jax.devices())",
    "keras": "import keras; print(keras.backend.backend())",
}
GPU_FIX = {
    "tensorflow": "install --force-reinstall 'tensorflow[and-cuda]{pin}'",
    "torch": "install --force-reinstall torch --index-url https://download.pytorch.org/whl/cu128",
    "jax": 'install -U "jax[cuda13]"',
}


def live(snap) -> LiveFacts | None:
    return snap.get(LiveFacts)


def answered(snap, framework: str) -> FrameworkRun | None:
    """The framework's live run if it imported and reported its facts, else None."""
    facts = live(snap)
    run = facts.run(framework) if facts else None
    return run if run is not None and run.probed_ok else None


def live_overrides_build(snap, framework: str) -> bool:
    """True when the live probe has the final word on whether this framework is a CUDA build
    (rules/packages.py then leaves the static CPU-only finding to this module)."""
    run = answered(snap, framework)
    return run is not None and run.cuda_build is not None


def _probe_source(run: FrameworkRun) -> str:
    if run.from_report:
        return f"{LABEL.get(run.framework, run.framework)}'s output in the report"
    return f"live probe: {run.framework} imported in a child process ({run.duration_s:.1f} s)"


def _label(run: FrameworkRun) -> str:
    """'TensorFlow 2.21.0', or just 'TensorFlow' when the version is not known (a report that does not say)."""
    return f"{LABEL.get(run.framework, run.framework)} {run.version or ''}".strip()


def _reproduce(t, framework: str) -> str:
    python = shlex.quote(t.python) if t and t.python else "python"
    return f"TF_CPP_MIN_LOG_LEVEL=0 {python} -c {shlex.quote(LIST_GPUS[framework])}"


def _cuda_capable(snap, run: FrameworkRun) -> bool:
    if run.framework == "jax":
        b = builds(snap)
        return bool(run.gpus) or bool(b and b.jax and b.jax.plugins) or run.cuda_build is True
    return run.cuda_build is True


def _libs_explained(snap, framework: str) -> bool:
    facts = snap.get(CudaLibFacts)
    fw = facts.framework(framework) if facts else None
    return fw is not None and any(r.path is None or r.via == "LD_LIBRARY_PATH" for r in fw.libs)


# Under WSL or in a container the driver is the host's, passed in: a message that no driver was found means the
# passing-in failed, when the message's row lists that cause among the ones it is consistent with.
_PASSED_IN = (("wsl", "wsl_gpu_not_enabled"), ("container", "container_no_gpu"))


def _log_category(run: FrameworkRun, snap=None) -> str | None:
    p = platform(snap) if snap is not None else None
    errors = [line for line in run.log if line.kind == "error" and line.categories]
    if not errors:
        return None
    first = errors[0]
    for where, cause in _PASSED_IN:
        if first.categories[0] == "driver_not_loaded" and cause in first.categories and p is not None and \
                (p.wsl if where == "wsl" else p.container):
            return cause
    # Each message lists the causes it is consistent with, likeliest first. Two different messages that share a
    # cause are explained by it together: "DNN library is not found" (cuDNN missing or of the wrong version) beside
    # "Loaded runtime CuDNN library: 8.0.5 but source was compiled with: 8.6.0" is the wrong version.
    votes: dict[str, int] = {}
    for row in {line.id: line for line in errors}.values():
        for cause in row.categories:
            votes[cause] = votes.get(cause, 0) + 1
    best = max(votes.values())
    if best > 1:
        return next(c for line in errors for c in line.categories if votes[c] == best)
    return first.categories[0]


def _log_evidence(run: FrameworkRun, limit: int = 3) -> list[Evidence]:
    lines = [ln for ln in run.log if ln.kind in ("error", "warning")][:limit]
    where = "in the report" if run.from_report else "in the live probe"
    return [Evidence(ln.text, f"{LABEL[run.framework]}'s stderr {where}") for ln in lines]


@summary("frameworks")
def frameworks_summary(snap):
    facts = live(snap)
    if facts is None:
        return None
    parts = []
    for run in facts.runs:
        label = _label(run)
        if run.status != "ok":
            parts.append(f"{label}: probe {run.status.replace('_', ' ')} ({run.duration_s:.1f} s)")
        elif run.cuda_build is False and not run.gpus:
            parts.append(f"{label}: CPU build ({run.duration_s:.1f} s)")
        elif run.device_scan_skipped:
            parts.append(f"{label}: {'CUDA' if run.cuda_build else 'unknown'} build, devices not listed "
                         f"(no kernel driver) ({run.duration_s:.1f} s)")
        else:
            n = len(run.gpus)
            parts.append(f"{label}: {n} GPU{'s' if n != 1 else ''} (probe {run.duration_s:.1f} s)")
    return "; ".join(parts)


@summary("frameworks")
def frameworks_probed(snap) -> tuple[str, ...] | None:
    """One detail line per framework the live probe ran (shown with -v): build, devices, where the
    matmul ran and how fast, the CUDA libraries really loaded, and the time taken."""
    facts = live(snap)
    return tuple(_probe_line(run) for run in facts.runs) if facts else None


def _probe_line(run: FrameworkRun) -> str:
    label = _label(run)
    took = f"import {run.import_s:.1f} s of {run.duration_s:.1f} s" if run.import_s is not None \
        else f"{run.duration_s:.1f} s"
    if not run.probed_ok:
        return f"{label}: probe {run.status.replace('_', ' ')} ({took})"
    cuda = run.build.get("cuda_version")
    parts = ["CPU build" if run.cuda_build is False else f"CUDA {cuda} build" if cuda else
             "CUDA build" if run.cuda_build else "build unknown"]
    if run.device_scan_skipped:
        parts.append("devices not listed (no kernel driver)")
    else:
        parts.append("GPUs: " + (", ".join(f"{g.index} {g.name or '?'}" + (f" (cc {g.compute_capability})"
                                                                             if g.compute_capability else "")
                                           for g in run.gpus) or "none"))
    if run.matmul is not None:
        parts.append(f"matmul failed on {run.matmul.asked}" if run.matmul.error
                     else f"matmul ran on {run.matmul.device}")
    if run.timing is not None:
        parts.append(f"{run.timing.speedup:.0f}× faster than the CPU ({run.timing.gpu_tflops:.1f} TFLOP/s)")
    if run.loaded_libs is not None:
        names = [lib.rsplit("/", 1)[-1] for lib in run.loaded_libs]
        shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        parts.append(f"CUDA libraries loaded: {shown or 'none'}")
    return f"{label}: {'; '.join(parts)} ({took})"


@rule(
    "WG501", "framework_cpu_build_seen_live", "cpu_only_package",
    "The framework reports itself as a CPU-only build",
    detects="The live probe imported the framework and it said it has no CUDA support: "
            "tf.test.is_built_with_cuda() False, torch.version.cuda None, or JAX without any GPU backend or plugin.",
    why="A build without CUDA never looks for a GPU, so no driver or CUDA install can help; only another build can.",
    example="live: tensorflow 2.21.0, tf.test.is_built_with_cuda() = False",
    fix="Replace the CPU build with the GPU build of the same framework.",
    references=("https://www.tensorflow.org/install/pip", "https://pytorch.org/get-started/locally/",
                "https://docs.jax.dev/en/latest/installation.html"),
)
def framework_cpu_build_seen_live(info, snap):
    facts, t = live(snap), target(snap)
    if facts is None:
        return
    for run in facts.runs:
        if not run.probed_ok or run.framework not in GPU_FIX or run.gpus or _cuda_capable(snap, run):
            continue
        if run.cuda_build is None and (run.framework != "jax" or run.from_report):
            # the build was not read (a pasted report that does not show it): not a CPU build. A probed JAX
            # answers by its devices; a report's JAX only by its own words ("CUDA-enabled jaxlib is not installed")
            continue
        if run.framework == "torch" and run.build.get("hip_version"):
            continue  # a ROCm build is not a CPU build
        said = {"tensorflow": "tf.test.is_built_with_cuda() = False",
                "torch": "torch.version.cuda = None",
                "jax": f"jax.devices('gpu') failed: {run.gpu_error}"}[run.framework]
        if run.from_report and run.log:  # the framework's own line in the report, not a call nobody made
            said = next((ln.text for ln in run.log if ln.kind in ("error", "warning")), run.log[0].text)[:200]
        ev = [Evidence(f"{_label(run)}: {said}", _probe_source(run))]
        b = builds(snap)
        if run.framework == "tensorflow" and b and b.tensorflow:
            ev.append(Evidence(f"the tensorflow package on disk comes from {b.tensorflow.dist} {b.tensorflow.version}",
                               f"package metadata of {t.python if t else 'the target'}"))
        cmds = []
        pin = f"=={run.version}" if run.version else ""
        if run.framework == "tensorflow" and b and b.tensorflow and b.tensorflow.dist.lower().replace("_", "-") != "tensorflow":
            cmds.append(pip(t, f"uninstall -y {b.tensorflow.dist}"))
        cmds.append(pip(t, GPU_FIX[run.framework].format(pin=pin)))
        # a pasted report shows the framework's own words; only a probe imported it
        how = "the report's output says so" if run.from_report else "confirmed by importing it"
        yield info.finding(
            Severity.ERROR, ev,
            f"{LABEL[run.framework]} " + ("says in the report's output that it" if run.from_report else
                                          "was imported and confirmed it") +
            " was built without CUDA, so it runs on the CPU whatever the GPU, driver and CUDA libraries are.",
            Fix(f"Install the GPU build of {LABEL[run.framework]} (pick the CUDA tag your driver supports):", tuple(cmds)),
            title=f"{LABEL[run.framework]} is a CPU-only build ({how})",
        )


@rule(
    "WG502", "framework_sees_no_gpu", "unknown",
    "A CUDA build of the framework sees no GPU", category_from=LOG_CATEGORY,
    detects="The live probe imported a CUDA-enabled framework and it listed zero GPUs, while CUDA_VISIBLE_DEVICES "
            "does not hide them; the framework's own log lines say why.",
    why="The framework works but falls back to the CPU; the lowest broken layer (driver, CUDA libraries) is "
        "the cause, and the framework's messages name it.",
    example="TensorFlow 2.21.0 lists 0 GPUs; stderr: failed call to cuInit: … UNKNOWN ERROR (303)",
    fix="Fix the layer the framework's messages name (the report lists it first); then re-run whynogpu.",
)
def framework_sees_no_gpu(info, snap):
    facts, t = live(snap), target(snap)
    if facts is None or "CUDA_VISIBLE_DEVICES" in env_vars(snap):
        return  # a hidden GPU is WG503's (and WG601's) to explain
    driver = gpu_count(snap)
    for run in facts.runs:
        if not run.probed_ok or run.framework not in GPU_FIX or run.gpus or not _cuda_capable(snap, run) \
                or run.device_scan_skipped:
            continue
        seen_by_driver = driver is not None and driver > 0
        # a report shows the framework's messages, not always a device list it printed
        ev = [Evidence(f"{_label(run)} " + ("registers no GPU in the report's output" if run.from_report else
                                            "lists 0 GPUs"), _probe_source(run))]
        if driver is not None:
            ev.append(Evidence(f"the driver layer sees {driver} NVIDIA GPU{'s' if driver != 1 else ''}", "driver probe"))
        ev += _log_evidence(run)
        if run.gpu_error:
            ev.append(Evidence(run.gpu_error[:300], _probe_source(run)))
        # Without a driver layer to ask (a pasted report), the framework's own error message is the evidence,
        # unless the CUDA library layer already holds the libraries it failed on: rules/cuda.py says why.
        said = driver is None and _log_category(run, snap) is not None and not _libs_explained(snap, run.framework)
        fix = Fix("Re-run the framework's own check after fixing that layer:", (_reproduce(t, run.framework),))
        if said:
            # the messages name the layer: its own rule's fix, then the check that shows it worked
            from whynogpu.rules.triage import owner_rule

            owner = owner_rule(_log_category(run, snap), snap, run.log[0].id if run.log else "")
            if owner is not None:
                fix = Fix(f"{owner.fix.rstrip('.')}; then re-run the framework's own check:",
                          (_reproduce(t, run.framework), f"# whynogpu explain {owner.code}"))
        yield info.finding(
            Severity.ERROR if seen_by_driver or said else Severity.INFO, ev,
            (f"The driver sees {driver} GPU{'s' if driver != 1 else ''} but {LABEL[run.framework]} sees none: "
             if seen_by_driver else f"{LABEL[run.framework]} is a CUDA build but found no usable GPU: ")
            + "its own messages above point at the layer that fails.",
            fix,
            title=f"The driver sees {driver} GPU(s) but {LABEL[run.framework]} sees none" if seen_by_driver
            else f"{LABEL[run.framework]} ({'CUDA build'}) sees no GPU",
            # the CUDA library layer's finding names the cause from its facts; this one only restates the symptom
            category=None if _libs_explained(snap, run.framework) else _log_category(run, snap),
        )


@rule(
    "WG503", "cuda_visible_devices_hides_gpu_live", "cuda_visible_devices_hidden",
    "The framework sees fewer GPUs than the driver because of CUDA_VISIBLE_DEVICES",
    detects="CUDA_VISIBLE_DEVICES is set, the driver layer counts N GPUs, and a CUDA build of a framework, "
            "imported by the live probe, lists fewer.",
    why="CUDA enumerates only the devices the variable names (and stops at the first invalid entry), so the "
        "framework cannot see the others. The probe confirms the effect, not just the setting.",
    example="CUDA_VISIBLE_DEVICES='-1'; driver: 1 GPU; PyTorch 2.13.0+cu130 lists 0",
    fix="`unset CUDA_VISIBLE_DEVICES` (or list the GPUs you want) where it is set.",
)
def cuda_visible_devices_hides_gpu_live(info, snap):
    facts, env, driver = live(snap), env_vars(snap), gpu_count(snap)
    if facts is None or "CUDA_VISIBLE_DEVICES" not in env or not driver:
        return
    value = env["CUDA_VISIBLE_DEVICES"]
    vd = parse_visible_devices(value, driver)
    if vd.hides_all or vd.dropped:
        return  # the value alone explains it: WG601/WG602 report it with the same fix
    for run in facts.runs:
        if not run.probed_ok or run.framework not in GPU_FIX or not _cuda_capable(snap, run) or len(run.gpus) >= driver \
                or run.device_scan_skipped:
            continue
        keep = ",".join(vd.accepted) if vd.accepted and not vd.hides_all else None
        yield info.finding(
            Severity.ERROR if not run.gpus else Severity.WARNING,
            [Evidence(f"CUDA_VISIBLE_DEVICES={value!r}", "environment of this shell"),
             Evidence(f"the driver layer sees {driver} NVIDIA GPU{'s' if driver != 1 else ''}", "driver probe"),
             Evidence(f"{_label(run)} lists {len(run.gpus)}", _probe_source(run))],
            f"With this CUDA_VISIBLE_DEVICES, {LABEL[run.framework]} can use {len(run.gpus)} of the {driver} GPUs.",
            Fix("Unset it, or name the GPUs you want, where it is set (shell profile, launcher, notebook):",
                ("unset CUDA_VISIBLE_DEVICES",) + ((f"export CUDA_VISIBLE_DEVICES={keep}",) if keep else ())),
            title=f"CUDA_VISIBLE_DEVICES leaves {LABEL[run.framework]} {len(run.gpus)} of {driver} GPUs",
        )


def _cc_key(cc: str | None) -> tuple[int, int]:
    """'8.6' → (8, 6); (-1, -1) when unreadable."""
    try:
        major, minor = (int(p) for p in (cc or "").rstrip("af").split(".")[:2])
    except ValueError:
        return (-1, -1)
    return major, minor


def _arch_key(arch: str) -> tuple[int, int]:
    """'sm_86' or 'compute_90a' → (8, 6) / (9, 0); (-1, -1) when not an architecture."""
    num = arch.partition("_")[2].rstrip("af")
    return (int(num) // 10, int(num) % 10) if num.isdigit() else (-1, -1)


def kernel_support(cc: str, archs: tuple[str, ...]) -> str | None:
    """'sass' when the build has machine code for this compute capability, 'ptx' when only PTX that the
    driver must JIT-compile, 'none' when neither; None when the build's list is unknown.
    sm_XY runs on X.Z for Z >= Y (same major); compute_XY PTX compiles for any X.Y or newer."""
    major, minor = _cc_key(cc)
    if major < 0:
        return None
    sass = [_arch_key(a) for a in archs if a.startswith("sm_") and _arch_key(a)[0] >= 0]
    ptx = [_arch_key(a) for a in archs if a.startswith("compute_") and _arch_key(a)[0] >= 0]
    if not sass and not ptx:
        return None
    if any(m == major and mi <= minor for m, mi in sass):
        return "sass"
    return "ptx" if any((m, mi) <= (major, minor) for m, mi in ptx) else "none"


def _archs(snap, run: FrameworkRun) -> tuple[str, ...]:
    if run.arch_list:
        return run.arch_list
    text = run.build.get("cuda_compute_capabilities")
    if text:
        return tuple(str(a) for a in _json_list(text))
    b = builds(snap)
    return b.tensorflow.compute_capabilities if run.framework == "tensorflow" and b and b.tensorflow else ()


def _json_list(text: str) -> list:
    import json

    try:
        v = json.loads(text)
    except ValueError:
        return []
    return v if isinstance(v, list) else []


def _cc_cases(snap, wanted: str):
    facts = live(snap)
    for run in facts.runs if facts else ():
        if not run.probed_ok:
            continue
        archs = _archs(snap, run)
        for g in run.gpus:
            if g.compute_capability and kernel_support(g.compute_capability, archs) == wanted:
                yield run, g, archs
        if wanted == "none":
            for ln in run.log:
                if ln.id == "tf_cc_ignored":
                    yield run, None, archs


@rule(
    "WG504", "gpu_too_old_for_build", "compute_capability_unsupported",
    "The GPU is too old for this framework build",
    detects="The framework ignores the GPU for its compute capability (TF: 'Ignoring visible gpu device … "
            "compute capability'), or the build has neither machine code nor PTX that can run on it.",
    why="Kernels are compiled per GPU architecture; PTX can only be JIT-compiled for the same or newer "
        "architectures, so an older GPU gets no kernels at all.",
    example="GPU compute capability 5.0; TensorFlow 2.21 ships sm_60, sm_70, sm_80, sm_89, compute_90",
    fix="Install an older framework release that still ships kernels for this GPU, or use a newer GPU.",
    references=("https://developer.nvidia.com/cuda-gpus", "https://www.tensorflow.org/install/source#gpu"),
)
def gpu_too_old_for_build(info, snap):
    for run, gpu, archs in _cc_cases(snap, "none"):
        label = _label(run)
        ev = ([Evidence(f"GPU {gpu.index} {gpu.name or ''} has compute capability {gpu.compute_capability}".replace("  ", " "),
                        _probe_source(run))] if gpu else _log_evidence(run, 2))
        if archs:
            ev.append(Evidence(f"{label} carries kernels for: {', '.join(archs)}", "the framework's build"))
        newer = gpu is not None and archs and _cc_key(gpu.compute_capability) > max(map(_arch_key, archs))
        yield info.finding(
            Severity.ERROR, ev,
            f"{label} has no kernels that can run on this GPU, so it ignores the GPU or fails at the first kernel "
            "('no kernel image is available for execution on the device').",
            Fix("Use a release built for this GPU generation (see the framework's tested build configurations), "
                "or run on a newer GPU.", ()) if not newer else
            Fix("Install a newer release (or nightly) built for this GPU generation.", ()),
            title="The GPU is newer than every architecture this framework build has kernels for" if newer else None,
        )


@rule(
    "WG505", "gpu_needs_ptx_jit", "compute_capability_unsupported",
    "The GPU is newer than this build's compiled kernels: PTX is JIT-compiled",
    detects="A listed GPU's compute capability has no machine code (SASS) in the build, only PTX of an older "
            "architecture (TF: 'not built with CUDA kernel binaries compatible with compute capability').",
    why="The driver must JIT-compile every kernel from PTX: TF warns this 'could take 30 minutes or longer', and on "
        "some new GPUs the JIT fails (CUDA_ERROR_INVALID_PTX).",
    example="RTX 5090 (compute capability 12.0); TensorFlow 2.21: sm_60 … sm_89, compute_90",
    fix="Install a build that includes this architecture (e.g. a newer release or nightly).",
    references=("https://docs.nvidia.com/cuda/blackwell-compatibility-guide/",),
)
def gpu_needs_ptx_jit(info, snap):
    seen = set()
    for run, gpu, archs in _cc_cases(snap, "ptx"):
        seen.add(run.framework)
        label = _label(run)
        yield info.finding(
            Severity.WARNING,
            [Evidence(f"GPU {gpu.index} {gpu.name or ''} has compute capability {gpu.compute_capability}".replace("  ", " "),
                      _probe_source(run)),
             Evidence(f"{label} carries kernels for: {', '.join(archs)}", "the framework's build")],
            f"{label} has only PTX for this GPU: the first run compiles every kernel, which is slow, and can fail.",
            Fix("Install a build with native kernels for this GPU:",
                (pip(target(snap), "install -U " + {"tensorflow": "'tensorflow[and-cuda]'", "torch": "torch",
                                                    "jax": '"jax[cuda13]"'}.get(run.framework, run.framework)),)),
        )


def _keras_run(snap) -> tuple[FrameworkRun | None, object]:
    facts = live(snap)
    for run in facts.runs if facts else ():
        if run.keras is not None:
            return run, run.keras
    return None, None


def keras_backend_row(backend: str) -> dict[str, str] | None:
    """What knowledge/keras_backends.csv says about a Keras 3 backend name."""
    return next((r for r in table("keras_backends") if r["backend"] == backend), None)


def _gpu_capable_installed(b) -> list[str]:
    """Installed frameworks that can be a Keras backend on an NVIDIA GPU, CUDA builds first."""
    names = [r["backend"] for r in table("keras_backends") if r["nvidia_gpu"] == "yes" and getattr(b, r["backend"], None)]

    def cuda(name: str) -> bool:
        build = getattr(b, name)
        return bool(build.plugins) if name == "jax" else build.cuda_build is True

    return sorted(names, key=lambda n: not cuda(n))


@rule(
    "WG506", "keras_backend_not_installed", "keras_backend_other",
    "Keras is set to a backend that is not installed, or that never uses the GPU",
    detects="Keras 3's selected backend (KERAS_BACKEND, keras.json, or the default 'tensorflow') is a framework "
            "that is not installed in the target, so `import keras` fails; or it is a backend that never computes "
            "on an NVIDIA GPU (numpy, openvino: knowledge/keras_backends.csv).",
    why="Keras 3 imports its backend at import time; without it nothing runs, on the GPU or anywhere. The NumPy "
        "backend computes with NumPy on the CPU, and OpenVINO runs on Intel devices, so with either of them the "
        "GPU stays idle however well TensorFlow, JAX or PyTorch are set up.",
    example="keras 3.15.1, no KERAS_BACKEND and no keras.json → backend tensorflow; tensorflow not installed. "
            "Or KERAS_BACKEND=numpy with tensorflow installed",
    fix="Point Keras at an installed GPU-capable framework (`export KERAS_BACKEND=jax`), or install the backend.",
    references=("https://keras.io/getting_started/#configuring-your-backend",
                "https://github.com/keras-team/keras/tree/master/keras/src/backend/numpy"),
)
def keras_backend_not_installed(info, snap):
    b, t = builds(snap), target(snap)
    if b is None or b.keras is None or (b.keras.major or 3) < 3:
        return
    row = keras_backend_row(b.keras.backend)
    if row is not None and row["nvidia_gpu"] == "no":
        yield from _keras_backend_without_cuda(info, snap, row)
        return
    if b.keras.backend not in GPU_FIX:
        return
    if getattr(b, b.keras.backend) is not None:
        return
    ev = [Evidence(f"Keras {b.keras.version} backend = {b.keras.backend!r}", f"chosen by {b.keras.backend_source}"),
          Evidence(f"{b.keras.backend} is not installed", f"package metadata of {t.python if t else 'the target'}")]
    facts = live(snap)
    run = facts.run("keras") if facts else None
    if run is not None and run.error:
        ev.append(Evidence(run.error.strip().splitlines()[-1][:300], _probe_source(run)))
    others = [n for n in ("jax", "torch", "tensorflow") if getattr(b, n) is not None]
    cmds = tuple(f"export KERAS_BACKEND={n}" for n in others[:1]) or (pip(t, "install 'tensorflow[and-cuda]'"),)
    yield info.finding(
        Severity.ERROR, ev,
        f"`import keras` fails because its backend {b.keras.backend} is missing"
        + (f"; {', '.join(others)} {'is' if len(others) == 1 else 'are'} installed." if others else "."),
        Fix("Select an installed backend before importing Keras (or install the missing one):", cmds),
    )


def _keras_backend_without_cuda(info, snap, row: dict[str, str]):
    """Keras 3 on numpy or openvino: it imports and runs, so nothing fails, but never on the NVIDIA GPU."""
    b, t = builds(snap), target(snap)
    k = b.keras
    ev = [Evidence(f"Keras {k.version} backend = {k.backend!r}", f"chosen by {k.backend_source}"),
          Evidence(f"the {row['label']} backend: {row['note']}", f"knowledge base: {row['source']}")]
    candidates = _gpu_capable_installed(b)
    if candidates:
        ev.append(Evidence(f"installed GPU-capable backend{'s' if len(candidates) > 1 else ''}: {', '.join(candidates)}",
                           f"package metadata of {t.python if t else 'the target'}"))
        chosen, cmds = candidates[0], [f"export KERAS_BACKEND={candidates[0]}"]
    else:
        chosen = "tensorflow"
        cmds = [pip(t, "install 'tensorflow[and-cuda]'"), "export KERAS_BACKEND=tensorflow"]
    # KERAS_BACKEND overrides keras.json, so the export alone is enough; the file keeps choosing it in new shells.
    if k.backend_source != "KERAS_BACKEND":
        cmds.append(f"# or for good: set \"backend\": \"{chosen}\" in {k.config_path}")
    else:
        cmds.append("# and drop `KERAS_BACKEND=" + k.backend + "` from your shell profile, .env or job script")
    yield info.finding(
        Severity.ERROR, ev,
        f"Keras computes with its {row['label']} backend. The {row['label']} backend never uses a GPU"
        + (" (NumPy has no devices)" if k.backend == "numpy" else " (it targets Intel devices through OpenVINO, "
           "not CUDA)")
        + ", so the NVIDIA GPU stays idle however the frameworks are installed.",
        Fix(f"Set KERAS_BACKEND to the installed GPU-capable framework ({chosen}) before importing Keras:"
            if candidates else "Install a GPU-capable backend and set KERAS_BACKEND to it before importing Keras:",
            tuple(cmds)),
        title=f"Keras runs on its {row['label']} backend, which never uses the GPU",
    )


@rule(
    "WG507", "keras_backend_without_gpu", "keras_backend_other",
    "Keras runs on a backend that has no GPU, while another installed framework has one",
    detects="The live probe shows Keras' backend framework lists 0 GPUs while another installed framework, "
            "probed at the same time, lists at least one.",
    why="Keras computes on its backend only; the GPU set up for the other framework stays idle.",
    example="KERAS_BACKEND=torch with a CPU torch; JAX lists 1 GPU",
    fix="`export KERAS_BACKEND=<the framework that sees the GPU>` before importing Keras.",
    references=("https://keras.io/getting_started/#configuring-your-backend",),
)
def keras_backend_without_gpu(info, snap):
    facts = live(snap)
    host_run, k = _keras_run(snap)
    if facts is None or host_run is None or k is None or not k.backend or k.error:
        return
    backend_run = facts.run(k.backend)
    if backend_run is None or backend_run.gpus or backend_run.device_scan_skipped:
        return
    with_gpu = [r for r in facts.runs if r.probed_ok and r.gpus and r.framework in GPU_FIX]
    if not with_gpu:
        return
    other = with_gpu[0]
    b = builds(snap)
    src = b.keras.backend_source if b and b.keras else "Keras"
    yield info.finding(
        Severity.ERROR,
        [Evidence(f"keras.backend.backend() = {k.backend!r} (set by {src})", _probe_source(host_run)),
         Evidence(f"{_label(backend_run)} lists 0 GPUs", _probe_source(backend_run)),
         Evidence(f"{_label(other)} lists {len(other.gpus)} GPU(s)", _probe_source(other))],
        f"Keras computes with {LABEL.get(k.backend, k.backend)}, which has no GPU here, while "
        f"{LABEL[other.framework]} does.",
        Fix(f"Run Keras on {LABEL[other.framework]} (set it before `import keras`):",
            (f"export KERAS_BACKEND={other.framework}",)),
    )


@rule(
    "WG508", "framework_probe_failed", "unknown",
    "Importing the framework crashed, hung or raised an error", category_from=LOG_CATEGORY,
    detects="The live probe's child process for a framework was killed by a signal, exited without its report, "
            "ran past the time limit, or raised a Python exception while importing or listing devices.",
    why="A framework that cannot be imported cannot use the GPU; its last words (signal, traceback, log lines) "
        "usually name the broken library or setting.",
    example="torch: killed by signal 11 (SIGSEGV) after 2.1 s",
    fix="Run the same import by hand to see the whole output, then fix what it names.",
)
def framework_probe_failed(info, snap):
    import signal as _signal

    facts, t = live(snap), target(snap)
    b = builds(snap)
    for run in facts.runs if facts else ():
        if run.status == "ok":
            continue
        if run.framework == "keras" and b and b.keras and getattr(b, b.keras.backend, None) is None \
                and b.keras.backend in GPU_FIX:
            continue  # WG506 explains it
        label = LABEL.get(run.framework, run.framework)
        if run.status == "timed_out":
            what, sev = f"did not finish within the time limit ({run.duration_s:.0f} s) and was stopped", Severity.WARNING
        elif run.signal:
            try:
                name = _signal.Signals(run.signal).name
            except ValueError:
                name = f"signal {run.signal}"
            what, sev = f"was killed by {name} after {run.duration_s:.1f} s", Severity.ERROR
        elif run.status == "error":
            last = (run.error or "").strip().splitlines()[-1:] or ["an exception"]
            what, sev = f"raised {last[0][:300]}", Severity.ERROR
        else:
            what, sev = f"exited with code {run.exit_code} without its report", Severity.ERROR
        ev = [Evidence(f"{label}: {'its import' if run.from_report else 'the probe'} {what}", _probe_source(run))] + \
            _log_evidence(run)
        tail = [ln for ln in run.stderr.strip().splitlines()[-3:] if ln.strip()]
        if not run.log and tail and run.status != "error":
            ev.append(Evidence(" ⏎ ".join(tail)[:400], "last lines of its stderr"))
        # the message that says why (a DLL that failed to start), before TensorFlow's "see the error above"
        said = sorted((ln for ln in run.log if ln.kind == "error" and not ln.categories), key=lambda ln: ln.id == "tf_native_runtime")
        meaning = log_row(said[0].id).meaning if said else ""
        yield info.finding(
            sev, ev,
            (f"{label} could not be imported, so it cannot use the GPU. What the message means: {meaning}."
             if run.from_report and meaning else
             f"{label} could not be checked live; until it imports cleanly it cannot use the GPU."),
            Fix("Run the same import by hand and read its full output:", (_reproduce(t, run.framework),)),
            title=f"Importing {label} {what.split(' after')[0].split(' (')[0]}",
            category=_log_category(run, snap),
        )


@rule(
    "WG509", "gpu_matmul_failed", "unknown",
    "The framework lists a GPU, but a matmul on it failed or ran elsewhere", category_from=LOG_CATEGORY,
    detects="The live probe placed a small matmul on the first GPU the framework listed and it raised an error, "
            "gave a wrong result, or the result was not on the GPU.",
    why="Listing a device is not using it: missing kernels, a cuBLAS/cuDNN that cannot initialise or memory held "
        "by other processes only show up when work runs.",
    example="torch lists 1 GPU; a @ a raises 'CUDA error: no kernel image is available for execution on the device'",
    fix="Read the error: it names the failing part (kernels for this GPU, libraries, memory).",
)
def gpu_matmul_failed(info, snap):
    facts = live(snap)
    for run in facts.runs if facts else ():
        m = run.matmul
        if not run.probed_ok or not run.gpus or m is None or (m.on_gpu and m.correct is not False):
            continue
        label = LABEL[run.framework]
        seen = [_error_line(m.error)] if m.error and m.error.strip() else [f"result on {m.device}, correct: {m.correct}"]
        yield info.finding(
            Severity.ERROR,
            [Evidence(f"{label} lists {len(run.gpus)} GPU(s): {run.gpus[0].name}", _probe_source(run)),
             Evidence(f"matmul placed on {m.asked}: {seen[0][:300]}", _probe_source(run))] + _log_evidence(run, 2),
            f"{label} sees the GPU but cannot compute on it.",
            Fix("Re-run the framework's check to see the full error:", (_reproduce(target(snap), run.framework),)),
            category=_log_category(run, snap),
        )


# Advice torch appends after a CUDA error; the error itself is the line before them.
_HINTS = ("CUDA kernel errors might be", "For debugging consider", "Compile with `TORCH_USE_CUDA_DSA`",
          "Device-side assertions")


def _error_line(error: str) -> str:
    """The line of an exception text that names the error: the last one that is not an appended hint."""
    lines = [ln.strip() for ln in error.strip().splitlines() if ln.strip()]
    said = [ln for ln in lines if not ln.startswith(_HINTS)]
    return (said or lines)[-1]


def peak_tflops(device_name: str) -> tuple[float, float, str] | None:
    """(fp32, tf32, source) for the GPU, from knowledge/gpu_peak_tflops.csv; None when not known."""
    name = device_name.lower()
    rows = [r for r in table("gpu_peak_tflops") if r["name_contains"].lower() in name]
    if not rows:
        return None
    r = max(rows, key=lambda r: len(r["name_contains"]))
    return float(r["fp32"]), float(r["tf32"]), r["source"]


@rule(
    "WG510", "gpu_works", "no_problem",
    "The framework computes on the GPU",
    detects="The live probe's matmul ran on the GPU the framework listed and gave the right result; the same "
            "matmul was timed on GPU and CPU.",
    why="This is the proof a GPU is used: a device was created and work ran on it.",
    example="PyTorch 2.13.0+cu130: NVIDIA A100 (8.0), matmul on cuda:0, 2048² float32 41× faster than the CPU",
    fix="Nothing to fix. If your program still runs on the CPU, run `whynogpu scan` on its code.",
)
def gpu_works(info, snap):
    facts = live(snap)
    for run in facts.runs if facts else ():
        m = run.matmul
        if not run.probed_ok or not run.gpus or m is None or not m.on_gpu or m.correct is False:
            continue
        g = run.gpus[0]
        label = _label(run)
        mem = f", {g.memory_mb} MB" if g.memory_mb else ""
        ev = [Evidence(f"{label} lists {len(run.gpus)} GPU(s); GPU {g.index}: {g.name} (compute capability "
                       f"{g.compute_capability}{mem})", _probe_source(run)),
              Evidence(f"a matmul placed on {m.asked} ran on {m.device}", _probe_source(run))]
        speed = ""
        if run.timing:
            tm = run.timing
            speed = f" ({tm.speedup:.0f}× faster than its CPU)"
            ev.append(Evidence(f"{tm.n}×{tm.n} float32 matmul: GPU {tm.gpu_s * 1000:.1f} ms "
                               f"({tm.gpu_tflops:.1f} TFLOP/s), CPU {tm.cpu_s * 1000:.0f} ms: {tm.speedup:.1f}× speed-up",
                               _probe_source(run)))
            peak = peak_tflops(g.name)
            if peak is not None:
                fp32, tf32, source = peak
                # One small matmul (and its sync) cannot keep a large GPU busy: the share of peak is a floor,
                # said as one, never a measure of how fast training will be.
                ev.append(Evidence(f"at least {tm.gpu_tflops / fp32:.0%} of the GPU's FP32 peak ({fp32:g} TFLOP/s) and "
                                   f"{tm.gpu_tflops / tf32:.0%} of its TF32 tensor-core peak ({tf32:g}, which TensorFlow "
                                   f"and JAX use for float32 matmuls by default); a lower bound, as one {tm.n}×{tm.n} "
                                   "matmul is too small to fill a large GPU", f"knowledge base: {source}"))
        if run.loaded_libs:
            ev.append(Evidence("loaded: " + ", ".join(p.rsplit("/", 1)[-1] for p in run.loaded_libs[:8]),
                               "/proc/self/maps of the probe process"))
        yield info.finding(
            Severity.INFO, ev,
            f"{label} created a GPU device and computed on it.",
            None,
            title=f"{LABEL[run.framework]} computes on the GPU: {g.name}{speed}",
        )


@rule(
    "WG511", "static_build_view_overridden", "cpu_only_package",
    "The installed files looked like a CPU-only build, but the imported framework has CUDA",
    detects="The static reading (build_info.py, torch/version.py, the owning distribution) says CPU-only, while "
            "the live probe's import reports a CUDA build.",
    why="What is imported wins: the files read statically can belong to another variant (two distributions over "
        "one folder, a PYTHONPATH entry, a source build). The report follows the live answer.",
    example="tensorflow-cpu's RECORD owns tensorflow/, but tf.test.is_built_with_cuda() = True",
    fix="Nothing to fix for the GPU; remove the stale variant to avoid surprises.",
)
def static_build_view_overridden(info, snap):
    b = builds(snap)
    if b is None:
        return
    static_cpu = {
        "tensorflow": bool(b.tensorflow and b.tensorflow.cuda_build is False),
        "torch": bool(b.torch and b.torch.cuda_version is None and b.torch.hip_version is None),
    }
    for name, cpu in static_cpu.items():
        run = answered(snap, name)
        if run is not None and run.from_report:
            continue  # a report holds neither the installed files nor a live import: nothing to weigh
        if cpu and run is not None and run.cuda_build is True:
            yield info.finding(
                Severity.INFO,
                [Evidence(f"installed files say {name} is a CPU-only build", "build_info.py / version.py read from disk"),
                 Evidence(f"imported {LABEL[name]} {run.version} reports a CUDA build", _probe_source(run))],
                f"The live probe wins: the {LABEL[name]} that Python imports is a CUDA build, so the CPU-only "
                "finding from the installed files does not apply.",
                None,
            )
