"""Environment variables that hide the GPU, force the CPU or hide the frameworks' own diagnosis."""

from __future__ import annotations

from whynogpu.facts.environment import EnvironmentFacts
from whynogpu.model import Evidence, Fix, Severity
from whynogpu.parsers.cuda_visible_devices import parse_visible_devices
from whynogpu.rules import rule, summary
from whynogpu.rules.common import env_vars, target

# Set by the driver/GPU layer when it knows how many GPUs the machine has.
DEVICE_COUNT_ATTR = "gpu_count"


def gpu_count(snap) -> int | None:
    """Number of NVIDIA GPUs the driver layer saw, if any probe recorded it."""
    for r in snap.probes:
        n = getattr(r.facts, DEVICE_COUNT_ATTR, None)
        if isinstance(n, int):
            return n
    return None


def _visible(snap, value: str):
    # With no GPU at all every index is "out of range", but nothing is hidden: the missing GPU is
    # the whole story, so indices are only checked against a machine that has GPUs.
    n = gpu_count(snap)
    return parse_visible_devices(value, n if n else None)


@summary("environment")
def environment_summary(snap):
    env = env_vars(snap)
    shown = [f"{k}={env[k]!r}" for k in ("CUDA_VISIBLE_DEVICES", "KERAS_BACKEND", "JAX_PLATFORMS") if k in env]
    return ", ".join(shown) if shown else "no variable that hides the GPU is set"


@rule(
    "WG601", "cuda_visible_devices_hides_all", "cuda_visible_devices_hidden",
    "CUDA_VISIBLE_DEVICES hides every GPU",
    detects="CUDA_VISIBLE_DEVICES is set to an empty value, -1, or a list whose first entry is invalid.",
    why="CUDA only enumerates the devices named in the variable and stops at the first invalid entry, "
        "so every framework sees zero GPUs.",
    example="CUDA_VISIBLE_DEVICES='-1'",
    fix="`unset CUDA_VISIBLE_DEVICES`, or set it to the GPU indices you want (e.g. 0).",
)
def cuda_visible_devices_hides_all(info, snap):
    env = env_vars(snap)
    if "CUDA_VISIBLE_DEVICES" not in env:
        return
    vd = _visible(snap, env["CUDA_VISIBLE_DEVICES"])
    if not vd.hides_all:
        return
    yield info.finding(
        Severity.ERROR,
        [Evidence(f"CUDA_VISIBLE_DEVICES={env['CUDA_VISIBLE_DEVICES']!r}: {vd.stop_reason}", "environment of this shell")],
        "CUDA makes no device visible with this value, so every framework falls back to the CPU.",
        Fix("Unset it (or name the GPUs you want) in the shell, script, launcher or notebook that sets it:",
            ("unset CUDA_VISIBLE_DEVICES", "# or: export CUDA_VISIBLE_DEVICES=0")),
    )


@rule(
    "WG602", "cuda_visible_devices_drops_some", "cuda_visible_devices_hidden",
    "CUDA_VISIBLE_DEVICES drops GPUs after an invalid entry",
    detects="CUDA_VISIBLE_DEVICES names some valid devices, then an invalid one (an index past the last GPU, "
            "-1, text); the invalid entry and all after it are ignored.",
    why="Fewer GPUs are visible than intended; code that asks for the dropped ones fails or uses the CPU.",
    example="CUDA_VISIBLE_DEVICES='0,-1,1' makes only GPU 0 visible",
    fix="Remove the invalid entry.",
)
def cuda_visible_devices_drops_some(info, snap):
    env = env_vars(snap)
    if "CUDA_VISIBLE_DEVICES" not in env:
        return
    vd = _visible(snap, env["CUDA_VISIBLE_DEVICES"])
    if vd.hides_all or not vd.dropped:
        return
    keep = ",".join(vd.accepted)
    yield info.finding(
        Severity.WARNING,
        [Evidence(f"CUDA_VISIBLE_DEVICES={env['CUDA_VISIBLE_DEVICES']!r}: {vd.stop_reason}; "
                  f"ignored: {', '.join(vd.dropped)}", "environment of this shell")],
        f"Only {keep} {'is' if len(vd.accepted) == 1 else 'are'} visible to CUDA.",
        Fix("Name only devices that exist:", (f"export CUDA_VISIBLE_DEVICES={keep}",)),
    )


@rule(
    "WG603", "jax_platforms_cpu", "code_forces_cpu",
    "JAX is told to use the CPU by an environment variable",
    detects="JAX_PLATFORMS or JAX_PLATFORM_NAME is set to cpu (or a list without cuda/gpu).",
    why="JAX only initialises the platforms listed, so the GPU backend is never tried.",
    example="JAX_PLATFORMS=cpu",
    fix="`unset JAX_PLATFORMS JAX_PLATFORM_NAME` (JAX then picks the GPU when it works).",
)
def jax_platforms_cpu(info, snap):
    env = env_vars(snap)
    t = target(snap)
    if t is not None and t.dist("jax") is None:
        return
    for var in ("JAX_PLATFORMS", "JAX_PLATFORM_NAME"):
        value = env.get(var)
        if value is None or not value.strip():
            continue
        platforms = {p.strip().lower() for p in value.split(",")}
        if platforms & {"cuda", "gpu", "rocm", "tpu"}:
            continue
        yield info.finding(
            Severity.ERROR,
            [Evidence(f"{var}={value!r}", "environment of this shell")],
            "JAX will not even try the GPU backend with this setting.",
            Fix("Unset it where it is set (shell profile, launcher, notebook):", (f"unset {var}",)),
        )


@rule(
    "WG604", "tf_log_level_hides_diagnosis", "unknown",
    "TF_CPP_MIN_LOG_LEVEL hides TensorFlow's own GPU diagnosis",
    detects="TF_CPP_MIN_LOG_LEVEL is 2 or 3.",
    why="TensorFlow explains a missing GPU in warning lines ('Cannot dlopen some GPU libraries', 'Could not "
        "load dynamic library …'); level 2 hides warnings and level 3 errors too, so the cause is invisible.",
    example="TF_CPP_MIN_LOG_LEVEL=3",
    fix="`unset TF_CPP_MIN_LOG_LEVEL` while diagnosing.",
)
def tf_log_level_hides_diagnosis(info, snap):
    value = env_vars(snap).get("TF_CPP_MIN_LOG_LEVEL", "").strip()
    if value not in ("2", "3"):
        return
    hidden = "warnings and errors" if value == "3" else "warnings"
    yield info.finding(
        Severity.HINT,
        [Evidence(f"TF_CPP_MIN_LOG_LEVEL={value}", "environment of this shell")],
        f"TensorFlow's {hidden} about missing GPU libraries are suppressed, so its own explanation never shows.",
        Fix("Show TensorFlow's messages again while you diagnose:", ("unset TF_CPP_MIN_LOG_LEVEL",)),
    )


@rule(
    "WG605", "library_path_entry_missing", "libs_not_on_path",
    "LD_LIBRARY_PATH names folders that do not exist",
    detects="An LD_LIBRARY_PATH entry that is not an existing directory.",
    why="Usually a CUDA or cuDNN folder from an old install or another machine: the libraries you meant to "
        "expose are not where the variable says.",
    example="LD_LIBRARY_PATH entry /usr/local/cuda-11.2/lib64 does not exist",
    fix="Remove the stale entry from the shell profile (or point it at the install that exists).",
)
def library_path_entry_missing(info, snap):
    facts = snap.get(EnvironmentFacts)
    if facts is None:
        return
    missing = [m.entry for m in facts.missing_path_entries if m.variable == "LD_LIBRARY_PATH"]
    if not missing:
        return
    yield info.finding(
        Severity.HINT,
        [Evidence(f"LD_LIBRARY_PATH entry {m} does not exist", "environment of this shell") for m in missing],
        "These folders were probably meant to provide CUDA libraries, but nothing is there.",
        Fix("Find where the line is set and drop the stale folders:",
            ("grep -n LD_LIBRARY_PATH ~/.bashrc ~/.profile ~/.bash_profile 2>/dev/null",)),
    )
