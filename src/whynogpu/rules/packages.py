"""The Python packages in the target: CPU-only builds, several variants of one framework,
half-removed installs, and interpreters no GPU wheel supports."""

from __future__ import annotations

from whynogpu.knowledge import cuda_of_driver, release_row, table
from whynogpu.model import Evidence, Fix, Severity
from whynogpu.rules import rule, summary
from whynogpu.rules.common import builds, major_minor, pip, platform, target, version_key
from whynogpu.rules.frameworks import live_overrides_build  # the live probe, when it answered, wins

FRAMEWORK_LABELS = {"tensorflow": "TensorFlow", "torch": "PyTorch", "jax": "JAX", "jaxlib": "JAX", "keras": "Keras",
                    "tf_keras": "tf-keras"}
TF_CPU_DISTS = ("tensorflow-cpu", "tensorflow-cpu-aws", "tensorflow-intel", "intel-tensorflow", "tensorflow-macos")
JAX_CUDA_PLUGINS = ("jax-cuda11-plugin", "jax-cuda12-plugin", "jax-cuda13-plugin", "jax-cuda12-pjrt", "jax-cuda13-pjrt")
FRAMEWORKS = ("tensorflow", "tensorflow-cpu", "tensorflow-intel", "tf-nightly", "torch", "jax", "jaxlib", "keras")


@summary("packages")
def packages_summary(snap):
    t = target(snap)
    if t is None:
        return None
    shown = [f"{d.name} {d.version}" for d in t.distributions if d.name.lower().replace("_", "-") in FRAMEWORKS]
    return ", ".join(shown) if shown else "no ML framework installed"


def _conflicted(t, package: str) -> bool:
    o = t.owners.get(package)
    return bool(o and len(o.claimed_by) > 1)


def _linux_like(snap) -> bool:
    p = platform(snap)
    return p is None or p.os == "linux"


@rule(
    "WG401", "tensorflow_cpu_build", "cpu_only_package",
    "The installed TensorFlow is a CPU-only build",
    detects="The `tensorflow` package on disk comes from a CPU-only distribution (tensorflow-cpu, "
            "tensorflow-cpu-aws, …) or its build_info.py says is_cuda_build False.",
    why="A CPU-only build contains no CUDA kernels and never looks for a GPU, however well the driver and "
        "CUDA are installed.",
    example="tensorflow-cpu 2.21.0 owns tensorflow/; build_info: is_cuda_build False",
    fix="Uninstall the CPU build and install `tensorflow[and-cuda]` (Linux/WSL2).",
    references=("https://www.tensorflow.org/install/pip",),
)
def tensorflow_cpu_build(info, snap):
    t, b = target(snap), builds(snap)
    tf = b.tensorflow if b else None
    if t is None or tf is None or _conflicted(t, "tensorflow"):
        return
    if live_overrides_build(snap, "tensorflow"):
        return  # WG501/WG511 report what the imported TensorFlow said
    if not _linux_like(snap):
        return  # Windows and macOS have their own, more precise rules
    owner_name = tf.dist
    evidence = []
    if owner_name.lower().replace("_", "-") in TF_CPU_DISTS:
        d = t.dist(owner_name)
        evidence.append(Evidence(f"the tensorflow package comes from {owner_name} {d.version if d else ''}".strip(),
                                 f"package metadata of {t.python}"))
    if tf.cuda_build is False:
        evidence.append(Evidence("build_info: is_cuda_build = False",
                                 "tensorflow/python/platform/build_info.py"))
    if not evidence:
        return
    version = (t.dist(owner_name) if owner_name else None) or t.dist("tensorflow")
    pin = f"=={version.version}" if version and version.version else ""
    cmds = []
    if owner_name and owner_name.lower().replace("_", "-") != "tensorflow":
        cmds.append(pip(t, f"uninstall -y {owner_name}"))
    cmds.append(pip(t, f"install --force-reinstall 'tensorflow[and-cuda]{pin}'"))
    yield info.finding(
        Severity.ERROR,
        evidence,
        "This TensorFlow was built without CUDA, so it only ever runs on the CPU.",
        Fix("Replace it with the GPU build (the plain `tensorflow` package with its CUDA libraries):", tuple(cmds)),
    )


@rule(
    "WG402", "torch_cpu_build", "cpu_only_package",
    "The installed PyTorch is a CPU-only build",
    detects="torch/version.py of the installed PyTorch has `cuda = None` (a `+cpu` wheel, or a ROCm/CPU build).",
    why="PyTorch's CPU wheels contain no CUDA code: `torch.cuda.is_available()` is always False and "
        "`.cuda()` fails with 'Torch not compiled with CUDA enabled'.",
    example="torch 2.13.0+cpu; torch.version.cuda = None",
    fix="Reinstall torch from the CUDA wheel index matching your driver, e.g. "
        "`pip install torch --index-url https://download.pytorch.org/whl/cu128`.",
    references=("https://pytorch.org/get-started/locally/",),
)
def torch_cpu_build(info, snap):
    t, b, p = target(snap), builds(snap), platform(snap)
    if t is None or (p is not None and p.os == "macos"):
        return  # macOS has no CUDA build at all: WG102
    if live_overrides_build(snap, "torch"):
        return
    build = b.torch if b else None
    if build is None or build.cuda_build is not False or build.hip_version is not None:
        return
    d = t.dist("torch")
    # On a Python the release has no wheels for, the CPU build is what pip could find: WG409 names that cause
    because = _torch_python_outside(t)
    yield info.finding(
        Severity.WARNING if because else Severity.ERROR,
        [Evidence(f"torch.__version__ = {build.version!r}, torch.version.cuda = None" if not build.version.startswith("+")
                  else f"a torch {build.version} build (the release is not shown), torch.version.cuda = None",
                  "torch/version.py"),
         *([Evidence(f"torch {d.version} installed in {d.location}", f"package metadata of {t.python}")] if d else [])],
        "This PyTorch wheel was built without CUDA, so torch.cuda.is_available() is False on any machine.",
        Fix(
            "Reinstall PyTorch from a CUDA wheel index; pick the cuXXX tag your driver supports "
            "(https://pytorch.org/get-started/locally/ lists them):",
            # One command, the install first: --force-reinstall replaces the +cpu wheel in place (as WG501 does).
            (pip(t, "install --force-reinstall torch --index-url https://download.pytorch.org/whl/cu128"),),
        ),
    )


@rule(
    "WG403", "jax_without_cuda_plugin", "cpu_only_package",
    "JAX is installed without its CUDA plugin",
    detects="jax and jaxlib are installed but no jax-cuda*-plugin (and jaxlib is not a +cuda build).",
    why="jaxlib alone only has the CPU backend; GPU support comes from the jax-cuda12/13 plugin packages "
        "that `pip install \"jax[cuda12]\"` adds.",
    example="jax 0.10.2, jaxlib 0.10.2, no jax-cuda12-plugin",
    fix="`pip install -U \"jax[cuda13]\"` (or `jax[cuda12]`, whichever your driver supports).",
    references=("https://docs.jax.dev/en/latest/installation.html",),
)
def jax_without_cuda_plugin(info, snap):
    t = target(snap)
    if t is None or not _linux_like(snap):
        return
    if live_overrides_build(snap, "jax"):
        return
    jaxlib = t.dist("jaxlib")
    if t.dist("jax") is None or jaxlib is None:
        return
    if any(t.dist(p) for p in JAX_CUDA_PLUGINS) or "+cuda" in jaxlib.version:
        return
    yield info.finding(
        Severity.ERROR,
        [Evidence(" ".join(filter(None, ("jaxlib", jaxlib.version, "installed",
                                          jaxlib.location if jaxlib.location.startswith("(") else ""))) +
                  ", no jax-cuda12-plugin or jax-cuda13-plugin",
                  f"package metadata of {t.python}")],
        "Without a CUDA plugin JAX has only its CPU backend, so jax.devices() lists CPU devices only.",
        _jax_cuda_fix(snap, t),
    )


def _jax_cuda_fix(snap, t) -> Fix:
    """The jax CUDA extra this machine's driver runs: cuda13 needs a driver for CUDA 13 (cuda_drivers.csv)."""
    from whynogpu.facts.driver import DriverFacts

    d = snap.get(DriverFacts)
    newest = (d.cuda_driver_version or cuda_of_driver(d.driver_version)) if d and (d.cuda_driver_version or
                                                                                   d.driver_version) else None
    if newest and version_key(newest)[:1] < (12,):
        return Fix(f"Upgrade the driver first (it runs CUDA {newest} at most; JAX's CUDA wheels need 12 or newer), "
                   "then install JAX with its CUDA plugin:", (pip(t, 'install -U "jax[cuda12]"'),))
    if newest and version_key(newest)[:1] == (12,):
        return Fix(f"Install JAX with its CUDA 12 plugin (the driver runs CUDA {newest}; cuda13 would need a newer one):",
                   (pip(t, 'install -U "jax[cuda12]"'),))
    return Fix("Install JAX with its CUDA plugin (cuda13 needs a driver for CUDA 13; use cuda12 on older drivers):",
               (pip(t, 'install -U "jax[cuda13]"'),))


@rule(
    "WG404", "framework_variants_side_by_side", "package_conflict",
    "Several variants of the same framework are installed in one environment",
    detects="Two or more distributions install the same top-level package (tensorflow with tensorflow-cpu, "
            "tensorflow-intel or tf-nightly; two torch builds).",
    why="They overwrite each other's files, so which build runs depends on which was installed last, and "
        "uninstalling one deletes files the other needs. pip check reports nothing.",
    example="tensorflow 2.21.0 and tensorflow-cpu 2.21.0 both own tensorflow/; files on disk match tensorflow-cpu",
    fix="Uninstall every variant, then install exactly one GPU build.",
)
def framework_variants_side_by_side(info, snap):
    t = target(snap)
    if t is None:
        return
    for package, owner in sorted(t.owners.items()):
        if len(owner.claimed_by) < 2:
            continue
        label = FRAMEWORK_LABELS.get(package, package)
        listed = snap.mode == "triage"  # a report shows a package list, not the installed-file records
        evidence = [Evidence(f"{package}/ is installed by {', '.join(owner.claimed_by)}",
                             "the report's package list" if listed else f"installed-file records (RECORD) in {t.python}")]
        if owner.owner:
            evidence.append(Evidence(f"the files on disk are {owner.owner}'s (their sizes and hashes match its RECORD)", "installed-file records"))
        cpu_wins = bool(owner.owner and owner.owner.lower().replace("_", "-") in TF_CPU_DISTS)
        b = builds(snap)
        if package == "tensorflow" and b and b.tensorflow and b.tensorflow.cuda_build is False:
            cpu_wins = True
            evidence.append(Evidence("build_info: is_cuda_build = False", "tensorflow/python/platform/build_info.py"))
        good = "tensorflow[and-cuda]" if package == "tensorflow" else package
        pins = {d: t.dist(d).version for d in owner.claimed_by if t.dist(d)}
        version = pins.get("tensorflow") or next(iter(pins.values()), "")
        yield info.finding(
            Severity.ERROR if cpu_wins else Severity.WARNING,
            evidence,
            f"{label} is installed {len(owner.claimed_by)} times over itself. "
            + ("The CPU-only variant's files won, so the GPU build is not what runs."
               if cpu_wins else
               "Which build runs depends on install order, and removing one variant breaks the other."),
            Fix(
                "Remove every variant, then install one GPU build:",
                # conda's pytorch is removed by conda, not pip
                (*(["conda remove -y --force pytorch"] if "pytorch" in owner.claimed_by else []),
                 pip(t, "uninstall -y " + " ".join(d for d in owner.claimed_by if d != "pytorch")),
                 pip(t, f"install '{good}=={version}'" if version else f"install '{good}'")),
            ),
        )


@rule(
    "WG405", "framework_files_missing", "package_conflict",
    "A framework's files are missing although pip still lists it",
    detects="A framework distribution whose installed-file record lists files that are no longer on disk, or "
            "whose package has no __init__.py (Python then imports an empty namespace package).",
    why="Typically another variant of the framework was uninstalled and took the shared files with it; "
        "`import tensorflow` then gives a module without `config` or `__version__`.",
    example="tensorflow 2.21.0: 13006 of its files are missing; tensorflow/ imports as a namespace package",
    fix="Reinstall the framework with --force-reinstall.",
)
def framework_files_missing(info, snap):
    t = target(snap)
    if t is None:
        return
    for package, owner in sorted(t.owners.items()):
        if len(owner.claimed_by) > 1 and owner.owner is not None:
            continue  # a live side-by-side install is WG404's to report
        pkg = t.packages.get(package)
        for dist_name, missing in sorted(owner.missing_files.items()):
            namespace = bool(pkg and pkg.namespace)
            if missing == 0 and not namespace:
                continue
            d = t.dist(dist_name)
            evidence = []
            if missing:
                checked = owner.files_checked.get(dist_name) or missing
                version = f" {d.version}" if d else ""
                evidence.append(Evidence(f"{missing} of {checked} sampled files recorded for {dist_name}{version} are missing",
                                         "installed-file record (RECORD)"))
            if namespace:
                evidence.append(Evidence(f"{package}/ has no __init__.py: it imports as an empty namespace package",
                                         f"import system of {t.python}"))
            yield info.finding(
                Severity.ERROR,
                evidence,
                f"{FRAMEWORK_LABELS.get(package, package)} is only partly on disk, so importing it fails or gives "
                "an empty module; pip list and pip check do not notice.",
                Fix("Reinstall it so its files come back:",
                    (pip(t, f"install --force-reinstall --no-deps '{dist_name}=={d.version}'" if d else f"install --force-reinstall {dist_name}"),)),
            )


def _tf_row(version: str) -> tuple[dict | None, bool]:
    """The knowledge-base row for a TF version and whether it is newer than the table."""
    return release_row("tensorflow_releases", version)


@rule(
    "WG406", "python_outside_tensorflow_range", "python_version_unsupported",
    "This Python version is not supported by the installed TensorFlow",
    detects="The target interpreter's version lies outside the Python range of the installed TensorFlow release.",
    why="No wheel of that release exists for this Python, so the install came from somewhere else (a forced "
        "install, a source build, a mismatched conda package) and TensorFlow fails to import or lacks CUDA.",
    example="Python 3.13 with tensorflow 2.17.0 (supports 3.9–3.12)",
    fix="Create an environment with a supported Python, or install a TensorFlow release that supports yours.",
    references=("https://www.tensorflow.org/install/source#gpu",),
)
def python_outside_tensorflow_range(info, snap):
    t = target(snap)
    if t is None or not t.version:
        return
    tf = t.dist("tensorflow")
    if tf is None:
        return
    row, newer = _tf_row(tf.version)
    if row is None or newer:
        return
    py = version_key(t.version)[:2]
    if version_key(row["python_min"]) <= py <= version_key(row["python_max"]):
        return
    yield info.finding(
        Severity.ERROR,
        [Evidence(f"Python {t.version} ({t.python})", "target interpreter"),
         Evidence(f"tensorflow {tf.version} supports Python {row['python_min']}–{row['python_max']}",
                  f"knowledge base: {row['source']}")],
        f"TensorFlow {major_minor(tf.version)} has no build for Python {major_minor(t.version)}.",
        Fix(f"Use Python {row['python_min']}–{row['python_max']} for this TensorFlow (a new venv), or upgrade TensorFlow:",
            (f"python{row['python_max']} -m venv tf-env && . tf-env/bin/activate && pip install 'tensorflow[and-cuda]=={tf.version}'",
             pip(t, "install -U 'tensorflow[and-cuda]'"))),
    )


def _torch_python_outside(t) -> dict[str, str] | None:
    """The torch_python.csv row of the installed PyTorch when the interpreter is outside its Python range."""
    torch = t.dist("torch") if t is not None and t.version else None
    if torch is None:
        return None
    row, newer = release_row("torch_python", torch.version, key="torch", newest_for_newer=False)
    if row is None or newer:
        return None
    py = version_key(t.version)[:2]
    return None if version_key(row["python_min"]) <= py <= version_key(row["python_max"]) else row


@rule(
    "WG409", "python_outside_torch_range", "python_version_unsupported",
    "This Python version has no wheel of the installed PyTorch release",
    detects="The target interpreter's version lies outside the Python range of the installed PyTorch release "
            "series (knowledge/torch_python.csv).",
    why="Where a release has no wheel for this Python, pip takes what it can find instead: an older release, or a "
        "CPU-only build from another index, so the install cannot use the GPU.",
    example="Python 3.13 with torch 2.5.1+cpu (2.5 has wheels for Python 3.9–3.12)",
    fix="Create an environment with a Python the release supports, or install a release that supports yours.",
    references=("https://github.com/pytorch/pytorch/blob/main/RELEASE.md#release-compatibility-matrix",),
)
def python_outside_torch_range(info, snap):
    t = target(snap)
    row = _torch_python_outside(t)
    if row is None:
        return
    torch = t.dist("torch")
    yield info.finding(
        Severity.ERROR,
        [Evidence(f"Python {t.version} ({t.python})", "target interpreter"),
         Evidence(f"torch {torch.version} has wheels for Python {row['python_min']}–{row['python_max']}",
                  f"knowledge base: {row['source']}")],
        f"PyTorch {major_minor(torch.version)} has no wheel for Python {major_minor(t.version)}, so what pip "
        "installed is not a CUDA build of that release.",
        Fix(f"Use Python {row['python_min']}–{row['python_max']} for this PyTorch (a new venv), then install its CUDA "
            "build from the PyTorch index:",
            (f"python{row['python_max']} -m venv torch-env && . torch-env/bin/activate",
             "pip install torch --index-url https://download.pytorch.org/whl/cu126   # the CUDA tag your driver supports")),
    )


@rule(
    "WG407", "python_too_new_for_tensorflow", "python_version_unsupported",
    "No TensorFlow release supports this Python version yet",
    detects="TensorFlow is not installed and the interpreter is newer than the newest Python any known "
            "TensorFlow release supports.",
    why="`pip install tensorflow` finds no wheel for a too-new Python and fails (\"No matching distribution\"), "
        "or pulls an unrelated older package, so there is nothing that could use the GPU.",
    example="Python 3.14; newest TensorFlow 2.21 supports 3.10–3.13",
    fix="Create a virtual environment with a supported Python and install TensorFlow there.",
    references=("https://www.tensorflow.org/install/source#gpu",),
)
def python_too_new_for_tensorflow(info, snap):
    t = target(snap)
    if t is None or not t.version or t.dist("tensorflow") or t.dist("tensorflow-cpu"):
        return
    wants_tf = t.dist("keras") or t.dist("tf-keras") or not any(t.dist(n) for n in ("torch", "jax"))
    if not wants_tf:
        return
    newest = max(table("tensorflow_releases"), key=lambda r: version_key(r["tensorflow"]))
    if version_key(t.version)[:2] <= version_key(newest["python_max"]):
        return
    yield info.finding(
        Severity.HINT,
        [Evidence(f"Python {t.version}", "target interpreter"),
         Evidence(f"newest known TensorFlow {newest['tensorflow']} supports Python {newest['python_min']}–{newest['python_max']}",
                  f"knowledge base: {newest['source']}")],
        f"pip cannot install TensorFlow into Python {major_minor(t.version)} (this knowledge base knows releases up to {newest['tensorflow']}).",
        Fix(f"Make an environment with Python {newest['python_max']}:",
            (f"python{newest['python_max']} -m venv tf-env && . tf-env/bin/activate && pip install 'tensorflow[and-cuda]'",)),
    )


@rule(
    "WG408", "no_framework_installed", "unknown",
    "No ML framework is installed in the inspected Python",
    detects="The target interpreter has none of TensorFlow, PyTorch, JAX or Keras installed.",
    why="whynogpu may be looking at a different Python than the one your program runs in (a venv, a conda env, "
        "a Jupyter kernel), so it cannot tell what your framework would do.",
    example="target /usr/bin/python3: no tensorflow, torch, jax or keras",
    fix="Point whynogpu at the interpreter that runs your code: `whynogpu --python /path/to/env/bin/python`.",
)
def no_framework_installed(info, snap):
    t = target(snap)
    if t is None or any(t.dist(n) for n in FRAMEWORKS + ("tensorflow-gpu", "tf-keras")):
        return
    if not t.sys_path:
        return  # no environment was read (a pasted report lists only what it shows): absence proves nothing
    yield info.finding(
        Severity.WARNING,
        [Evidence(f"{t.python} (Python {t.version}, {t.env_kind}): no tensorflow, torch, jax or keras",
                  f"package metadata; chosen because it is {t.chosen_because}")],
        "There is nothing here that could use a GPU; your code probably runs in another environment.",
        Fix("Run whynogpu with the interpreter your code uses (in a notebook: `import sys; print(sys.executable)`):",
            ("whynogpu --python /path/to/your/env/bin/python",)),
    )
