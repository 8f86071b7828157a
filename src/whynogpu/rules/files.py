"""The files beside the code: Dockerfiles, compose files, Kubernetes manifests and package lists.

The facts come from whynogpu/lint/ (`whynogpu scan`, `whynogpu check --scan PATH`). Every rule here
stays quiet unless the file itself says something that keeps the GPU idle: a correct file gives no
finding, and nothing is a generic reminder. How sure a finding is follows what else the file (or the
compose file that builds it) says: when it shows that a GPU is meant to be used (a CUDA base image, a
GPU reservation, a CUDA build of a framework, "gpu" or "cuda" in its name) a CPU-only choice is an
error; without that it is a warning, or a hint where the file is also a correct CPU-only set-up.
"""

from __future__ import annotations

import posixpath
import re

from whynogpu.facts import files as K
from whynogpu.facts.files import (
    Command,
    DeclaredFile,
    EnvVar,
    FileScanFacts,
    Requirement,
    Spot,
    Stage,
    Workload,
)
from whynogpu.knowledge import (
    cpu_only_install,
    cuda_of_driver,
    image_key,
    image_row,
    soname_family,
    sonames,
    table,
    version_key,
)
from whynogpu.lint.scripts import GPU_PLACE
from whynogpu.model import Evidence, Fix, Location, Severity
from whynogpu.parsers.cpu_options import launcher_variables
from whynogpu.parsers.cuda_visible_devices import parse_visible_devices
from whynogpu.rules import rule, summary
from whynogpu.rules.packages import TF_CPU_DISTS

MODES = ("scan", "check")
TF_FAMILY = ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-intel", "tensorflow-cpu-aws",
             "intel-tensorflow", "tf-nightly", "tf-nightly-cpu", "tf-nightly-gpu", "tensorflow-macos",
             "tensorflow-rocm")
_CPU_TF = set(TF_CPU_DISTS) | {"tf-nightly-cpu"}
_GPU_KINDS = ("cudart", "cuda", "cuda_cudnn", "framework_gpu", "named_gpu")
_GPU_NAME = re.compile(r"gpu|cuda", re.I)
_PINS = ("==", "===", "<", "<=", "~=")


# ---------------------------------------------------------------- reading the facts

def _facts(snap) -> FileScanFacts | None:
    return snap.get(FileScanFacts)


def _quiet(s: Spot, code: str) -> bool:
    return "*" in s.ignored or code in s.ignored


def _loc(f: DeclaredFile, s: Spot) -> Location:
    return Location(f.path, s.line, s.column)


def _seen(f: DeclaredFile, s: Spot, note: str = "") -> Evidence:
    return Evidence(f"`{s.text}`" + (f" ({note})" if note else ""), f"{f.path}:{s.line}:{s.column}")


def _provides(image: str) -> str:
    row = image_row(image)
    return row["provides"] if row else ""


def chain(df: DeclaredFile, st: Stage) -> list[Stage]:
    """The stages an image is built through, its first FROM first."""
    out, seen = [st], {st.index}
    while out[0].parent is not None and out[0].parent not in seen and out[0].parent < len(df.stages):
        seen.add(out[0].parent)
        out.insert(0, df.stages[out[0].parent])
    return out


def final(df: DeclaredFile) -> list[Stage]:
    return chain(df, df.stages[-1]) if df.stages else []


def _spec(r: Requirement):
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        return SpecifierSet(r.specifier)
    except InvalidSpecifier:
        return None


def pinned(r: Requirement) -> bool:
    return any(op in r.specifier for op in _PINS) and not r.specifier.startswith(">=") or \
        bool(re.search(r"(^|,)\s*(<|<=|==|~=)", r.specifier))


def series(r: Requirement, name: str = "tensorflow_releases", key: str = "tensorflow") -> list[dict] | None:
    """Rows of a release table whose series the requirement allows; None when it pins nothing."""
    if not r.specifier or not pinned(r):
        return None
    ss = _spec(r)
    if ss is None:
        return None
    return [row for row in table(name)
            if any(ss.contains(f"{row[key]}.{p}", prereleases=True) for p in range(12))
            or ss.contains(row[key], prereleases=True)]


def _tf_before_gpu(r: Requirement) -> bool:
    """A `tensorflow` pin whose newest allowed release (the one pip installs) is a CPU-only one: before 1.15, and 2.0
    (knowledge/cpu_only_installs.csv)."""
    ss = _spec(r) if r.specifier and pinned(r) else None
    if ss is None or ss.contains("99.0"):
        return False

    # the releases table lists every GPU build from 1.x on; the probes add the 0.x and 1.x releases it may lack, and
    # the versions the pin itself names (==1.15.2)
    known = {x["tensorflow"] + ".0" for x in table("tensorflow_releases")} | \
        {"1.15.0", "1.15.5", "1.13.1", "1.12.0", "0.12.0"} | set(re.findall(r"\d+\.\d+(?:\.\d+)?", r.specifier))
    allowed = sorted((v for v in known if ss.contains(v, prereleases=True)), key=version_key, reverse=True)
    return bool(allowed) and cpu_only_install("tensorflow", "tensorflow", allowed[0])


def _torch_cpu(r: Requirement) -> str:
    text = " ".join((r.specifier, r.url, r.index)).lower().replace("%2b", "+")
    if r.name == "cpuonly" and r.conda:
        return "conda's `cpuonly` package selects the CPU build of pytorch"
    if r.name == "pytorch-cpu":
        return "pytorch-cpu is the CPU-only build"
    if r.name != "torch":
        return ""
    if "+cpu" in text:
        return "the +cpu local version is the CPU-only wheel"
    if "download.pytorch.org/whl/cpu" in text:
        return "download.pytorch.org/whl/cpu serves only CPU wheels"
    if r.conda and "cpu" in r.url:
        return "the conda build string names a CPU build"
    return ""


_JAX_PLUGIN = re.compile(r"jax-cuda\d+-(plugin|pjrt)")
_TORCH_CUDA = re.compile(r"(/whl/cu\d+|\+cu\d+)")


def _jax_gpu(reqs: list[Requirement]) -> bool:
    return any((r.name == "jax" and any("cuda" in e or "gpu" in e or "tpu" in e for e in r.extras)
                and not _dropped_extra(r))
               or _JAX_PLUGIN.fullmatch(r.name)
               or (r.name == "jaxlib" and "cuda" in (r.specifier + r.url).lower())
               or (r.conda and r.name in ("jaxlib", "jax") and "cuda" in r.url) for r in reqs)


def _dropped_extra(r: Requirement) -> str:
    """A jax CUDA extra that the releases the pin lets pip choose no longer provide (knowledge/jax_extras.csv): pip
    takes the newest release allowed, warns that it "does not provide the extra" and installs the CPU jaxlib alone."""
    if r.name != "jax" or not r.extras:
        return ""
    ss = _spec(r) if r.specifier else None
    if r.specifier and ss is None:
        return ""
    for row in table("jax_extras"):
        if row["extra"] not in (e.replace("-", "_").replace(".", "_") for e in r.extras):
            continue
        newest = ss is None or any(ss.contains(v, prereleases=True)
                                   for v in (row["removed_in"], "0.7.0", "0.8.0", "0.9.0", "1.0.0", "99.0"))
        others = [e for e in r.extras if e.replace("-", "_") != row["extra"] and ("cuda" in e or "gpu" in e)]
        if newest and not others:
            allows = "the pin allows" if r.specifier else "pip takes with nothing pinning jax lower"
            return (f"jax[{row['extra']}]: the extra is gone from jax {row['removed_in']} on, which {allows}, so pip "
                    "installs the CPU-only jaxlib")
    return ""


class Together:
    """What a set of requirements installed together holds, worked out once: the rules ask it of every requirement of
    the set, and a file of thousands of lines must not cost thousands of passes over itself."""

    def __init__(self, reqs: list[Requirement]) -> None:
        self.names = {r.name for r in reqs}
        self.pip_names = {r.name for r in reqs if not r.conda}
        builds = _gpu_builds(reqs)
        self.signals = [what for _, what in builds]
        self.frameworks = {fw for fw, _ in builds if fw}
        self.jax_gpu = "jax" in self.frameworks


def cpu_only(r: Requirement, together: list[Requirement] | Together) -> str:
    """Why this requirement gives a CPU-only framework, or ""."""
    t = together if isinstance(together, Together) else Together(together)
    dropped = _dropped_extra(r)
    if dropped:
        return dropped
    if r.name in _CPU_TF:
        return f"{r.name} is TensorFlow's CPU-only package"
    if r.name == "tensorflow" and _tf_before_gpu(r):
        if "tensorflow-gpu" not in t.names:
            return "before 1.15, from 1.15.2 to 1.15.5, and in 2.0, the `tensorflow` package was CPU-only (the GPU build was tensorflow-gpu)"
    why = _torch_cpu(r)
    if why:
        return why
    if r.name == "jax" and "cpu" in r.extras:
        return "jax[cpu] installs the CPU-only jaxlib"
    if r.name in ("jax", "jaxlib") and r.context == K.INSTALL and not t.jax_gpu and not r.conda:
        if r.name == "jaxlib" or "jaxlib" not in t.names:
            return f"`{r.name}` without a CUDA extra or plugin installs the CPU-only jaxlib"
    if r.name in _JAX_DEPENDENTS and r.context == K.INSTALL and not r.conda and not t.jax_gpu and \
            t.names.isdisjoint(("jax", "jaxlib")) and not any("cuda" in e for e in r.extras):
        return f"{r.name} requires jax, and with no jax[cuda12] beside it pip brings the CPU-only jaxlib"
    return ""


_JAX_DEPENDENTS = frozenset(row["package"] for row in table("jax_dependents"))


def _framework(name: str) -> str:
    """The framework a distribution is a build of ("" for none)."""
    if name in TF_FAMILY or name.startswith("tf-nightly"):
        return "tensorflow"
    if name in ("torch", "cpuonly", "pytorch-cpu", "pytorch-cuda"):
        return "torch"
    return "jax" if name in ("jax", "jaxlib") or name.startswith("jax-cuda") or name in _JAX_DEPENDENTS else ""


# conda packages that make the solver take a framework's CUDA build (or that are one)
_CONDA_GPU = ("pytorch-cuda", "pytorch-gpu", "cudatoolkit", "cuda-toolkit", "cuda-version", "cuda-runtime",
              "cuda-cudart", "cudnn", "tensorflow-gpu", "cuda-nvcc")


def _conda_build_unchosen(r: Requirement, t: Together) -> str:
    """Why conda, not this file, decides whether this framework comes as its CUDA or its CPU build, or "": a conda
    torch, tensorflow or jaxlib with no CUDA build string and nothing beside it that asks for CUDA. PyTorch's own
    conda lines always add pytorch-cuda=X (cudatoolkit=X before 1.13), or cpuonly for the CPU; conda-forge picks a
    CUDA build only where the machine that solves the environment shows a CUDA driver (the __cuda virtual package)."""
    if not r.conda or r.name not in ("torch", "tensorflow", "jaxlib") or r.context != K.INSTALL:
        return ""
    if re.search(r"cuda|gpu", r.url) or t.signals or not t.names.isdisjoint(_CONDA_GPU) or r.name in t.pip_names:
        return ""
    return (f"conda's {r.name} with no CUDA build string (=*=*cuda*) and nothing beside it that asks for CUDA "
            "(pytorch-cuda, cudatoolkit, cuda-version): the solver picks the build, and on a machine without a "
            "GPU driver, or from a channel whose default is the CPU build, that is the CPU one")


def _gpu_builds(reqs: list[Requirement]) -> list[tuple[str, str]]:
    """(framework, what) for each thing in a list of requirements that installs a CUDA build; framework is "" for
    the CUDA libraries themselves (nvidia-*-cu12 wheels, cudatoolkit)."""
    out = []
    for r in reqs:
        text = " ".join((r.specifier, r.url, r.index)).lower()
        if r.name == "tensorflow" and "and-cuda" in r.extras:
            out.append(("tensorflow", "tensorflow[and-cuda]"))
        elif r.name in ("tensorflow-gpu", "tf-nightly-gpu"):
            out.append(("tensorflow", r.name))
        elif r.name.startswith("nvidia-") and r.name.endswith(("-cu11", "-cu12", "-cu13")):
            out.append(("", r.name))
        elif r.name == "torch" and (_TORCH_CUDA.search(text) or (r.conda and "cuda" in r.url)):
            out.append(("torch", "a CUDA build of torch"))
        elif r.name == "pytorch-cuda":
            out.append(("torch", r.name))
        elif r.name in ("cudatoolkit", "cuda-toolkit", "cuda-runtime"):
            out.append(("", r.name))
    if _jax_gpu(reqs):
        out.append(("jax", "a CUDA build of jax"))
    return out


def gpu_signals(reqs: list[Requirement]) -> list[str]:
    """What in a list of requirements says a GPU is meant to be used."""
    return [what for _, what in _gpu_builds(reqs)]


def _groups(df: DeclaredFile) -> list[tuple[str, list[Requirement]]]:
    """Sets of requirements installed together: the main list, and the main list with each extra/group."""
    if df.kind == K.DOCKERFILE:
        return [("the final image", [r for st in final(df) for r in st.requirements])] if df.stages else []
    base = [r for r in df.requirements if not r.group]
    out = [("", base)]
    for g in dict.fromkeys(r.group for r in df.requirements if r.group):
        out.append((g, base + [r for r in df.requirements if r.group == g]))
    return out


def deliberate_cpu(df: DeclaredFile, group: str) -> bool:
    """A file or an extra/group named for the CPU (requirements-cpu.txt, Dockerfile.cpu, extra `cpu`)."""
    return "cpu" in posixpath.basename(df.path).lower() or "cpu" in group.lower()


def _cpu_by_design(df: DeclaredFile, w: Workload) -> bool:
    """A workload left on the CPU on purpose though its image may be a GPU one: one that asks for no GPU beside one of
    the same file that does (the author gives GPUs where they are meant: a parameter server beside GPU workers, a
    data or TensorBoard sidecar), or one that only serves TensorBoard (it reads logs, it runs no model)."""
    if w.gpu_request:
        return False
    if any(o.gpu_request for o in df.workloads if o is not w):
        return True
    return bool(w.commands) and all(c.text.split()[:1] == ["tensorboard"] for c in w.commands)


def _for_cpu(name: str) -> bool:
    """A service, container or image named for the CPU (auto-cpu, comfy-cpu, …:latest-cpu) runs there on purpose."""
    return bool(re.search(r"(?<![a-z])cpu(?![a-z])", name.lower()))


def launch_commands(facts: FileScanFacts | None) -> list[tuple[DeclaredFile, Command]]:
    """The command lines the scanned files start programs with (a final image's CMD/ENTRYPOINT, a service's or
    container's command, a launcher script's lines), and each launcher-arguments variable they set
    (COMMANDLINE_ARGS, knowledge/launcher_args.csv) read as the options it adds to the command. Files, services and
    images named for the CPU are left out: they choose it on purpose."""
    out: list[tuple[DeclaredFile, Command]] = []
    for df in facts.files if facts else ():
        if deliberate_cpu(df, ""):
            continue
        if df.kind == K.DOCKERFILE:
            cmds = [c for st in final(df) for c in st.commands]
            env = [e for st in final(df) for e in st.env]
        else:
            chosen = [w for w in df.workloads if not (_for_cpu(w.name) or _for_cpu(w.image) or _cpu_by_design(df, w))]
            cmds = [*df.commands, *(c for w in chosen for c in w.commands)]
            env = [*df.env, *(e for w in chosen for e in w.env)]
        cmds += [Command(e.value, e.spot, e.name) for e in env if e.name in launcher_variables()]
        out += [(df, c) for c in cmds]
    return out


def _dockerfiles_with_gpu(facts: FileScanFacts) -> set[str]:
    """Dockerfiles that a compose service asking for a GPU builds."""
    return {posixpath.normpath(w.dockerfile) for f in facts.files for w in f.workloads if w.dockerfile and w.gpu_request}


def intent(facts: FileScanFacts, df: DeclaredFile, reqs: list[Requirement]) -> str:
    """What says this file's set-up is meant for a GPU, or ""."""
    if _GPU_NAME.search(posixpath.basename(df.path)):
        return f"the file name {posixpath.basename(df.path)!r} says it is for the GPU"
    if df.kind == K.DOCKERFILE:
        if posixpath.normpath(df.path) in _dockerfiles_with_gpu(facts):
            return "a compose service that reserves a GPU builds this Dockerfile"
        stages = final(df)
        if stages and _provides(stages[0].image) in _GPU_KINDS:
            return f"the base image {stages[0].image} is a CUDA image"
        env = [e for st in stages for e in st.env if e.name in ("NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES")]
        if env and env[0].value.lower() not in ("void", "none", ""):
            return f"it sets {env[0].name}={env[0].value}"
    signals = gpu_signals(reqs)
    return f"it also installs {signals[0]}" if signals else ""


# ---------------------------------------------------------------- rules

@summary("files")
def files_summary(snap):
    facts = _facts(snap)
    if facts is None:
        return None
    skipped = f", {len(facts.skipped)} not read" if facts.skipped else ""
    return f"read {facts.files_scanned} container/package file{'s' if facts.files_scanned != 1 else ''}{skipped}"


@rule(
    "WG721", "cpu_only_framework_in_file", "cpu_only_package",
    "A file installs a CPU-only build of the framework",
    detects="tensorflow-cpu (or tensorflow-intel, tensorflow-cpu-aws, tf-nightly-cpu), a `tensorflow` pin older "
            "than 2.1, torch from download.pytorch.org/whl/cpu or with a +cpu version, conda's `cpuonly`, "
            "`jax[cpu]`, or `jax`/`jaxlib` installed without a CUDA extra or plugin — in a Dockerfile's RUN, "
            "requirements*.txt, pyproject.toml, setup.py/setup.cfg, environment.yml or Pipfile. A warning for a "
            "conda pytorch, tensorflow or jaxlib with nothing that asks for its CUDA build (pytorch-cuda, "
            "cudatoolkit, a cuda build string): the solver then decides.",
    why="A CPU-only build has no CUDA kernels and never looks for a GPU, so whatever installs from this file "
        "runs on the CPU however well the driver and CUDA are set up.",
    example="requirements.txt:3:1 `tensorflow-cpu==2.15.0` (the file name 'requirements-gpu.txt' says it is for the GPU)",
    fix="Name the GPU build: tensorflow[and-cuda], torch from PyPI or a download.pytorch.org/whl/cuXXX index, "
        "jax[cuda12].",
    references=("https://www.tensorflow.org/install/pip", "https://pytorch.org/get-started/locally/",
                "https://docs.jax.dev/en/latest/installation.html"),
    modes=MODES,
)
def cpu_only_framework_in_file(info, snap):
    facts = _facts(snap)
    for df in facts.files if facts else ():
        done: set[tuple[int, int]] = set()
        for _, reqs in _groups(df):
            why_gpu = intent(facts, df, reqs)
            together = Together(reqs)
            for r in reqs:
                why = cpu_only(r, together)
                unsure = "" if why else _conda_build_unchosen(r, together)
                if not (why or unsure) or _quiet(r.spot, info.code) or (r.spot.line, r.spot.column) in done \
                        or deliberate_cpu(df, r.group):
                    continue
                done.add((r.spot.line, r.spot.column))
                evidence = [_seen(df, r.spot, why or unsure)]
                others = sorted(together.frameworks - {_framework(r.name)})
                if others and _framework(r.name):
                    # the CPU build of one framework beside the CUDA build of another: the models run on that
                    # one, and this one reads data or runs tests (tensorflow-cpu for tf.data beside jax[cuda12])
                    yield info.finding(
                        Severity.HINT, [*evidence, Evidence(f"the same set installs a CUDA build of {others[0]}", df.path)],
                        f"This framework comes as its CPU build, beside the CUDA build of {others[0]}: fine when it "
                        "only loads data or runs tests, but anything computed with it stays on the CPU.",
                        Fix("If it does run models, install its GPU build:", (_gpu_build(r),)),
                        location=_loc(df, r.spot),
                    )
                    continue
                if why_gpu:
                    evidence.append(Evidence(why_gpu, df.path))
                if unsure:
                    yield info.finding(
                        Severity.WARNING, evidence,
                        "This line leaves conda to choose between the framework's CUDA and CPU builds, so an environment "
                        "made from it can run on the CPU (it depends on the machine and channels that solve it).",
                        Fix("Ask for the CUDA build in the file:", (_conda_gpu_build(r),)),
                        location=_loc(df, r.spot),
                    )
                    continue
                yield info.finding(
                    Severity.ERROR if why_gpu else Severity.WARNING, evidence,
                    "Whatever installs from this line gets a framework with no GPU support, so it runs on the CPU"
                    + (" although this set-up is meant for a GPU." if why_gpu else "."),
                    Fix("Install the GPU build instead:", (_gpu_build(r),)),
                    location=_loc(df, r.spot),
                )


def _conda_gpu_build(r: Requirement) -> str:
    if r.name == "torch":
        return "- pytorch-cuda=12.1   # beside pytorch, channels pytorch and nvidia (PyTorch's conda instructions)"
    return f"- {'tensorflow' if r.name == 'tensorflow' else 'jaxlib'}=*=*cuda*   # conda-forge's CUDA build"


def _gpu_build(r: Requirement) -> str:
    version = r.specifier if r.specifier.startswith("==") and "+" not in r.specifier else ""
    if r.name in TF_FAMILY:
        return f"tensorflow[and-cuda]{version}" if r.name != "tensorflow" else "tensorflow[and-cuda]>=2.14"
    if r.name in ("torch", "cpuonly", "pytorch-cpu"):
        return "torch  (from PyPI on Linux, or --index-url https://download.pytorch.org/whl/cu126)"
    return "jax[cuda12]"


@rule(
    "WG722", "framework_variants_in_file", "package_conflict",
    "A file installs two variants of the same framework",
    detects="Two TensorFlow packages (tensorflow with tensorflow-cpu, tensorflow-gpu, tf-nightly …) or two torch "
            "builds (conda's pytorch and pip's torch, a +cpu and a CUDA one) in what one file installs together: "
            "one requirements file, a Dockerfile's final image, a pyproject's dependencies plus one extra.",
    why="Both install the same top-level package over each other, so which build is imported depends on install "
        "order, and uninstalling one breaks the other.",
    example="requirements.txt:4:1 `tensorflow-cpu==2.15.0` beside `tensorflow[and-cuda]==2.15.0` at line 2",
    fix="Keep exactly one: the GPU build.",
    references=("https://github.com/tensorflow/tensorflow/issues/61266",),
    modes=MODES,
)
def framework_variants_in_file(info, snap):
    facts = _facts(snap)
    for df in facts.files if facts else ():
        done: set[tuple[int, int]] = set()
        for _, reqs in _groups(df):
            together = Together(reqs)
            for family, members in (("TensorFlow", [r for r in reqs if r.name in TF_FAMILY]),
                                    ("PyTorch", [r for r in reqs if r.name == "torch"])):
                if len(members) < 2 or any(r.marker for r in members):
                    continue
                first = members[0]
                for other in members[1:]:
                    if family == "TensorFlow" and other.name == first.name:
                        continue
                    if family == "PyTorch" and other.conda == first.conda and \
                            bool(_torch_cpu(other)) == bool(_torch_cpu(first)):
                        continue
                    if _quiet(other.spot, info.code) or (other.spot.line, other.spot.column) in done:
                        continue
                    done.add((other.spot.line, other.spot.column))
                    # (before 1.15, and in 2.0, the plain tensorflow is the CPU build, though cpu_only spares it beside -gpu)
                    cpu = [r for r in (first, other) if cpu_only(r, together) or (r.name == "tensorflow" and _tf_before_gpu(r))]
                    drop = cpu[0] if len(cpu) == 1 else other
                    yield info.finding(
                        Severity.ERROR if cpu else Severity.WARNING,
                        [_seen(df, other.spot), Evidence(f"`{first.spot.text}` at line {first.spot.line}", df.path)],
                        f"{family} is installed twice over itself from this file: which build is imported depends "
                        "on install order" + (", and the CPU-only one may win." if cpu else "."),
                        Fix("Keep one line, the GPU build:", (f"# delete: {drop.spot.text}",)),
                        location=_loc(df, other.spot),
                    )


def _python_minors(spec: str) -> list[tuple[int, int]]:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        ss = SpecifierSet(spec)
    except InvalidSpecifier:
        return []
    return [(3, m) for m in range(0, 21) if ss.contains(f"3.{m}.0", prereleases=True)
            or ss.contains(f"3.{m}.99", prereleases=True)]


@rule(
    "WG723", "framework_pin_without_gpu_wheel_for_python", "python_version_unsupported",
    "The pinned TensorFlow has no GPU wheel for the Python this file declares",
    detects="A `tensorflow` pin (==, <, <=, ~=) whose every allowed release lacks a wheel for the Python the same "
            "file declares: requires-python, python_requires, Poetry's python, Pipfile's python_version, conda's "
            "python=, or a python:X.Y base image.",
    why="pip finds no wheel of that release for this Python: the install fails, or a looser pin elsewhere pulls "
        "an older or CPU-only build instead.",
    example="Dockerfile:5:24 `pip install tensorflow==2.15.0` on python:3.12-slim (2.15 supports Python 3.9–3.11)",
    fix="Pin a TensorFlow release that supports the declared Python, or declare a Python it supports.",
    references=("https://www.tensorflow.org/install/source#gpu",),
    modes=MODES,
)
def framework_pin_without_gpu_wheel_for_python(info, snap):
    facts = _facts(snap)
    for df in facts.files if facts else ():
        todo: list[tuple[Requirement, str, Spot | None]] = []
        if df.kind == K.DOCKERFILE:
            for st in df.stages:
                todo += [(r, st.python, st.spot) for r in st.requirements]
        else:
            todo += [(r, df.python, df.python_spot) for r in df.requirements]
        for r, python, where in todo:
            if r.name != "tensorflow" or not python or _quiet(r.spot, info.code):
                continue
            rows, minors = series(r), _python_minors(python)
            if not rows or not minors:
                continue
            if any(version_key(row["python_min"]) <= m <= version_key(row["python_max"]) for row in rows for m in minors):
                continue
            ranges = sorted({f"{row['tensorflow']}: Python {row['python_min']}–{row['python_max']}" for row in rows},
                            key=version_key)
            shown = ", ".join(ranges[-3:])
            declared = where.text if where else python
            newest = max(table("tensorflow_releases"), key=lambda x: version_key(x["tensorflow"]))
            fits = [x["tensorflow"] for x in table("tensorflow_releases")
                    if any(version_key(x["python_min"]) <= m <= version_key(x["python_max"]) for m in minors)]
            fix_pin = f"tensorflow[and-cuda]=={max(fits, key=version_key)}.*" if fits else \
                f"Python {newest['python_min']}–{newest['python_max']}"
            yield info.finding(
                Severity.ERROR,
                [_seen(df, r.spot), Evidence(f"declared Python: `{declared}`",
                                              f"{df.path}:{where.line}" if where else df.path),
                 Evidence(f"TensorFlow {shown}", f"knowledge base: {rows[0]['source']}")],
                f"No release this pin allows has a wheel for Python {python.lstrip('=<>~!')}, so pip cannot install "
                "this TensorFlow there (or falls back to another build).",
                Fix("Pin a release that supports the declared Python:", (fix_pin,)),
                location=_loc(df, r.spot),
            )


def _needs_system_cuda(r: Requirement) -> str:
    """Why this requirement installs a CUDA build that needs CUDA libraries from the system, or ""."""
    if r.name in ("tensorflow-gpu", "tf-nightly-gpu"):
        return f"{r.name} loads CUDA and cuDNN from the system"
    if r.name in ("tensorflow", "tf-nightly") and not _tf_before_gpu(r):
        if "and-cuda" not in r.extras:
            return "`tensorflow` without [and-cuda] is a CUDA build that loads CUDA and cuDNN from the system"
        rows = series(r, "tensorflow_pip_cuda")
        known = series(r) or []
        if known and rows is not None and not any(x["and_cuda"] for x in rows):
            return "the [and-cuda] extra only exists from TensorFlow 2.14; older releases load CUDA from the system"
    if r.name == "jax" and any(e.endswith("_local") for e in r.extras):
        return f"jax[{','.join(r.extras)}] uses a CUDA installed on the system"
    return ""


@rule(
    "WG724", "cuda_build_without_cuda_libs_in_image", "cuda_libs_missing",
    "The image has a CUDA build of the framework but not the CUDA libraries it loads",
    detects="A Dockerfile whose final image starts from an image without the CUDA toolkit libraries (python:*, "
            "ubuntu:*, nvidia/cuda:*-base, the official tensorflow/tensorflow CPU tags …) and installs a framework "
            "build that loads CUDA from the system (plain `tensorflow`, tensorflow-gpu, jax[cudaXX_local]) "
            "without installing CUDA itself; or a compose service / Kubernetes container that asks for a GPU but "
            "runs such an image. An image with CUDA but without cuDNN gives cudnn_missing.",
    why="The framework finds no libcudart/libcublas/libcudnn in the container, logs 'Could not load dynamic "
        "library' and carries on on the CPU, even with a GPU passed through.",
    example="Dockerfile:1:6 `FROM python:3.11-slim` … `pip install tensorflow==2.15.0` (Dockerfile.gpu)",
    fix="Install tensorflow[and-cuda] (TF ≥ 2.14) or jax[cuda12], or start from a CUDA image "
        "(nvidia/cuda:*-cudnn-runtime, tensorflow/tensorflow:*-gpu).",
    references=("https://www.tensorflow.org/install/pip", "https://hub.docker.com/r/nvidia/cuda"),
    modes=(*MODES, "triage"),  # a report's `docker run IMAGE` is such a workload
    category_from="what the image lacks: cudnn_missing when it has CUDA but no cuDNN",
)
def cuda_build_without_cuda_libs_in_image(info, snap):
    facts = _facts(snap)
    for df in facts.files if facts else ():
        stages = final(df) if df.kind == K.DOCKERFILE else []
        if stages:
            yield from _image_lacks_cuda(info, facts, df, stages)
        for w in df.workloads:
            row = image_row(w.image)
            if not w.gpu_request or not row or row["provides"] != "framework_nocuda" or _quiet(w.spot, info.code):
                continue
            yield info.finding(
                Severity.ERROR,
                [_seen(df, w.spot), Evidence(f"{w.name} asks for a GPU ({w.gpu_request})", df.path),
                 Evidence(f"{w.image}: {row['note']}", f"knowledge base: {row['source']}")],
                f"The GPU is passed to {w.name}, but its image has no CUDA libraries, so "
                f"{row['framework']} runs on the CPU.",
                Fix("Use the image's GPU variant:", (_gpu_tag(w.image) if w.kind == K.RUN else f"image: {_gpu_tag(w.image)}",)),
                location=_loc(df, w.spot),
            )


def _gpu_tag(image: str) -> str:
    repo, _, tag = image.rpartition(":") if ":" in image.rsplit("/", 1)[-1] else (image, "", "latest")
    return f"{repo}:{tag}-gpu" if "gpu" not in tag else image


def _image_lacks_cuda(info, facts, df: DeclaredFile, stages: list[Stage]):
    base = stages[0]
    provides = _provides(base.image)
    if provides not in ("none", "cudart", "cuda", "framework_nocuda"):
        return
    reqs = [r for st in stages for r in st.requirements]
    cuda_libs = any(st.cuda_libs for st in stages) or any(r.name.startswith("nvidia-cublas") or
                                                          r.name in ("cudatoolkit", "cuda-toolkit") for r in reqs)
    cudnn = any(st.cudnn for st in stages) or any(r.name.startswith("nvidia-cudnn") or r.name == "cudnn" for r in reqs)
    together = Together(reqs)
    if any(cpu_only(r, together) for r in reqs if r.name in TF_FAMILY):
        return  # a CPU-only TensorFlow is WG721's to report
    needs = [(r, why) for r in reqs if (why := _needs_system_cuda(r))]
    if provides == "framework_nocuda" and not any(r.name in TF_FAMILY for r in reqs):
        needs.append((None, f"{base.image} holds `tensorflow` (a CUDA build) without any CUDA library"))
    why_gpu = intent(facts, df, reqs)
    if deliberate_cpu(df, "") and not why_gpu:
        return
    row = image_row(base.image)
    for r, why in needs:
        where = r.spot if r is not None else base.spot
        if _quiet(where, info.code) or _quiet(base.spot, info.code):
            continue
        lacks_only_cudnn = provides == "cuda" and "cuDNN" in why
        if provides == "cuda" and (cudnn or "cuDNN" not in why):
            continue  # the toolkit's libraries are there; what is missing, if anything, is not cuDNN
        if provides != "cuda" and cuda_libs and (cudnn or "cuDNN" not in why):
            continue  # the Dockerfile installs CUDA itself
        evidence = [_seen(df, where, why), _seen(df, base.spot, row["note"] if row else "")]
        if why_gpu:
            evidence.append(Evidence(why_gpu, df.path))
        yield info.finding(
            Severity.ERROR if why_gpu else Severity.HINT, evidence,
            ("This image has CUDA but no cuDNN, so the framework cannot load cuDNN and runs on the CPU."
             if lacks_only_cudnn else
             "This image has no CUDA libraries for the framework to load, so with a GPU passed through it still "
             "runs on the CPU."),
            Fix("Install the framework with its CUDA libraries, or start from a CUDA image:",
                ("pip install 'tensorflow[and-cuda]'" if r is None or r.name in TF_FAMILY else "pip install 'jax[cuda12]'",
                 "FROM nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04")),
            location=_loc(df, where),
            category="cudnn_missing" if lacks_only_cudnn else None,
        )


_CUDA_TAG = re.compile(r"^nvidia/cuda:(\d+)\.(\d+)(?:\.\d+)?-")


def image_cuda(image: str) -> str | None:
    """The CUDA release (major.minor) an nvidia/cuda image's tag names: 12.4.1-cudnn-runtime-ubuntu22.04 → 12.4."""
    m = _CUDA_TAG.match(image_key(image)) if image and "$" not in image else None
    return f"{m.group(1)}.{m.group(2)}" if m else None


def _images(facts: FileScanFacts):
    """(file, spot, image) of every base image a Dockerfile's final image starts from and every workload image."""
    for df in facts.files:
        stages = final(df) if df.kind == K.DOCKERFILE else []
        if stages:
            yield df, stages[0].spot, stages[0].image
        for w in df.workloads:
            if w.image:
                yield df, w.spot, w.image


@rule(
    "WG725", "cuda_image_newer_than_driver", "driver_too_old",
    "The CUDA base image is newer than this machine's driver can run",
    detects="`whynogpu check --scan` of a Dockerfile, compose file or Kubernetes manifest whose image is "
            "nvidia/cuda:X.Y… while the machine's NVIDIA driver supports an older CUDA (nvidia-smi's 'CUDA "
            "Version', else the driver's version below cuda_drivers.csv's minimum for X.Y).",
    why="The nvidia/cuda images declare NVIDIA_REQUIRE_CUDA=cuda>=X.Y; the NVIDIA container runtime refuses to "
        "start them on an older driver ('requirement error: unsatisfied condition: cuda>=X.Y, please update your "
        "driver to a newer version, or use an earlier cuda container').",
    example="Dockerfile:1:6 `FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04` on driver 550.144.03 (CUDA 12.4)",
    fix="Update the host's NVIDIA driver to the CUDA release's minimum, or build FROM an nvidia/cuda tag whose CUDA "
        "the driver supports.",
    references=("https://docs.nvidia.com/cuda/cuda-toolkit-release-notes/index.html",
                "https://github.com/NVIDIA/nvidia-container-toolkit/issues/152"),
    modes=("check",),
)
def cuda_image_newer_than_driver(info, snap):
    from whynogpu.facts.driver import DriverFacts
    from whynogpu.facts.platform import PlatformFacts

    facts, d = _facts(snap), snap.get(DriverFacts)
    if not facts or d is None or not (d.driver_version or d.cuda_driver_version):
        return
    p = snap.get(PlatformFacts)
    windows = bool(p and (p.wsl or p.os == "windows"))
    column = "windows_min" if windows else "linux_min"
    seen = set()
    for df, spot, image in _images(facts):
        cuda = image_cuda(image)
        if cuda is None or _quiet(spot, info.code) or (df.path, spot.line, image) in seen:
            continue
        seen.add((df.path, spot.line, image))
        row = next((r for r in table("cuda_drivers") if version_key(r["cuda"])[:2] == version_key(cuda)[:2]), None)
        need = row[column] if row else ""
        if d.cuda_driver_version:
            too_old = version_key(d.cuda_driver_version)[:2] < version_key(cuda)[:2]
        else:
            too_old = bool(need) and version_key(d.driver_version) < version_key(need)
        if not too_old:
            continue
        has = f"driver {d.driver_version}" if d.driver_version else "the driver"
        if d.cuda_driver_version:
            has += f" (supports CUDA {d.cuda_driver_version})"
        newest = cuda_of_driver(d.driver_version, column, d.cuda_driver_version) if d.driver_version else None
        evidence = [_seen(df, spot, f"CUDA {cuda}"), Evidence(f"this machine has {has}", "NVML / nvidia-smi")]
        if need:
            evidence.append(Evidence(f"CUDA {cuda} needs driver {need} or newer{' (Windows)' if windows else ''}",
                                     f"knowledge base: {row['source']}"))
        cmds = []
        if newest:
            cmds.append(f"FROM nvidia/cuda:{newest}…   # the newest CUDA this driver runs (cuda_drivers.csv)")
        yield info.finding(
            Severity.ERROR, evidence,
            f"The image asks for CUDA {cuda} (NVIDIA_REQUIRE_CUDA=cuda>={cuda}); with {has} the NVIDIA container "
            "runtime refuses to start it ('unsatisfied condition: cuda>=" + cuda + "').",
            Fix((f"Update the NVIDIA driver to {need} or newer" if need else "Update the NVIDIA driver")
                + (", or use an nvidia/cuda image of a CUDA it runs:" if newest else "."), tuple(cmds)),
            location=_loc(df, spot),
        )


_CUDNN_TAG = re.compile(r"-cudnn(\d+)")


def _framework_builds(r: Requirement) -> list[tuple[str, str, str]]:
    """(release, CUDA, cuDNN major) of each TensorFlow release a pin allows (without a pin, the newest) whose build
    loads CUDA and cuDNN from the system (tensorflow_releases.csv); [] for other requirements or unknown releases."""
    if not _needs_system_cuda(r) or r.name not in ("tensorflow", "tensorflow-gpu"):
        return []
    # (unpinned, pip takes the newest release: the table's first row)
    rows = series(r) if r.specifier else list(table("tensorflow_releases")[:1])
    return [(x["tensorflow"], x["cuda"], x["cudnn"].split(".")[0]) for x in rows or [] if x["cuda"]]


def _release_for_image(image: str, cudnn: str | None) -> str:
    """The pin of the newest TensorFlow release built for this CUDA (the same sonames) and cuDNN major, or ""; before
    2.1 the GPU build is the tensorflow-gpu package."""
    for x in table("tensorflow_releases"):  # newest first
        if x["cuda"] and not _soname_clash(image, x["cuda"]) and soname_family(x["cuda"]) and \
                (cudnn is None or x["cudnn"].split(".")[0] == cudnn):
            name = "tensorflow-gpu" if version_key(x["tensorflow"]) < (2, 1) else "tensorflow"
            return f"{name}=={x['tensorflow']}.*"
    return ""


def _soname_clash(image: str, cuda: str) -> list[str]:
    """The libraries TensorFlow dlopens whose soname differs between the image's CUDA and the build's."""
    libs = tuple(r["lib"] for r in table("tensorflow_cuda_libs") if r["lib"] != "cudnn")
    have, want = (sonames(f, libs) if f else {} for f in (soname_family(image), soname_family(cuda)))
    return [f"{want[lib]} (the image has {have[lib]})" for lib in libs if lib in have and lib in want and have[lib] != want[lib]]


@rule(
    "WG730", "cuda_image_other_than_framework_build", "cuda_version_mismatch",
    "The CUDA base image is another release than the framework build loads",
    detects="A Dockerfile whose final image starts from nvidia/cuda:X.Y (and -cudnnN) and installs a TensorFlow that "
            "loads CUDA and cuDNN from the system (plain `tensorflow` pins, tensorflow-gpu), when every release the "
            "pin allows was built with another CUDA family, or another cuDNN major, than the image's "
            "(tensorflow_releases.csv, cuda_sonames.csv).",
    why="TensorFlow asks the loader for the sonames of the CUDA release it was built with (libcudart.so.11.0, "
        "libcusolver.so.10 …); an image of another release has other sonames, so TensorFlow logs 'Could not load "
        "dynamic library' and runs on the CPU.",
    example="Dockerfile:1:6 `FROM nvidia/cuda:10.1-cudnn7-devel` … `pip install tensorflow~=2.4` (built with CUDA 11.0, "
            "cuDNN 8)",
    fix="Start from the nvidia/cuda tag of the CUDA and cuDNN the release was built with, or pin the release built for "
        "the image's CUDA.",
    references=("https://www.tensorflow.org/install/source#gpu", "https://hub.docker.com/r/nvidia/cuda"),
    modes=MODES,
    category_from="what differs: cudnn_version_mismatch when the CUDA family is the same and only cuDNN differs",
)
def cuda_image_other_than_framework_build(info, snap):
    facts = _facts(snap)
    for df in facts.files if facts else ():
        stages = final(df) if df.kind == K.DOCKERFILE else []
        image = image_cuda(stages[0].image) if stages else None
        if image is None or _quiet(stages[0].spot, info.code):
            continue
        tag = _CUDNN_TAG.search(image_key(stages[0].image))
        for r in (r for st in stages for r in st.requirements):
            builds = _framework_builds(r)
            if not builds or _quiet(r.spot, info.code):
                continue
            # every release the pin allows must clash: pip may pick any of them
            clash = [_soname_clash(image, cuda) for _, cuda, _ in builds]
            other_cudnn = bool(tag) and all(cudnn != tag.group(1) for _, _, cudnn in builds)
            if not all(clash) and not other_cudnn:
                continue
            cudas = sorted({cuda for _, cuda, _ in builds}, key=version_key)
            cudnns = sorted({cudnn for _, _, cudnn in builds})
            span = builds[-1][0] if len(builds) == 1 else f"{builds[-1][0]}-{builds[0][0]}"
            built = (f"CUDA {' or '.join(cudas)}" + (f" and cuDNN {' or '.join(cudnns)}" if other_cudnn else ""))
            evidence = [_seen(df, stages[0].spot, f"CUDA {image}" + (f", cuDNN {tag.group(1)}" if tag else "")),
                        _seen(df, r.spot, f"{r.name}{r.specifier} allows TensorFlow {span}, built with {built} "
                                          "(knowledge base: tensorflow_releases)")]
            if all(clash):
                evidence.append(Evidence(f"TensorFlow {builds[-1][0]} loads " + "; ".join(clash[-1][:3]),
                                         "knowledge base: cuda_sonames"))
            cuda, cudnn = builds[-1][1], builds[-1][2]  # the oldest release the pin allows: the one it names
            fits = _release_for_image(image, tag.group(1) if tag else None)
            cmds = ([f'pip install "{fits}"   # the newest release that loads CUDA {image}\'s libraries'] if fits else []) + \
                [f"FROM nvidia/cuda:{cuda}…-cudnn{cudnn}-runtime-…   # or an image of the release's CUDA: "
                 "https://hub.docker.com/r/nvidia/cuda/tags"]
            yield info.finding(
                Severity.ERROR, evidence,
                f"TensorFlow here loads {built} from the system, but the image has CUDA {image}" +
                (f" with cuDNN {tag.group(1)}" if tag else "") +
                ": the libraries it asks for are not there, so it runs on the CPU.",
                Fix("Install the TensorFlow built for the image's CUDA (or start from the image of the release's):",
                    tuple(cmds)),
                location=_loc(df, r.spot),
                category=None if all(clash) else "cudnn_version_mismatch",
            )


def _all_env(df: DeclaredFile) -> list[tuple[str, EnvVar]]:
    if df.kind == K.DOCKERFILE:
        return [("ENV", e) for st in final(df) for e in st.env]
    if df.kind == K.SCRIPT:
        return [("set by the launcher script", e) for e in df.env]
    return [(w.name, e) for w in df.workloads for e in w.env]


@rule(
    "WG726", "cuda_visible_devices_hidden_in_file", "cuda_visible_devices_hidden",
    "A container or launcher sets CUDA_VISIBLE_DEVICES to a value that hides the GPU",
    detects="CUDA_VISIBLE_DEVICES set to an empty value, -1 or another value CUDA accepts no device from, by a "
            "Dockerfile ENV (final image), a compose service's environment, a Kubernetes container's env, or a "
            "launcher script outside any condition (files named for the CPU are left alone).",
    why="CUDA shows the process only the devices the variable names; with this value every framework in the "
        "container finds no GPU, however the GPU was passed in.",
    example="Dockerfile:4:5 `ENV CUDA_VISIBLE_DEVICES=-1`",
    fix="Delete the setting (the container runtime already decides which GPUs the container sees).",
    references=("https://docs.nvidia.com/cuda/cuda-c-programming-guide/index.html#env-vars",),
    modes=MODES,
)
def cuda_visible_devices_hidden_in_file(info, snap):
    facts = _facts(snap)
    for df in facts.files if facts else ():
        if deliberate_cpu(df, ""):
            continue
        for who, e in _all_env(df):
            if e.name != "CUDA_VISIBLE_DEVICES" or _quiet(e.spot, info.code):
                continue
            vd = parse_visible_devices(e.value, None)
            if not vd.hides_all:
                continue
            yield info.finding(
                Severity.ERROR, [_seen(df, e.spot, who), Evidence(f"CUDA_VISIBLE_DEVICES={e.value!r}: {vd.stop_reason}", df.path)],
                f"Every process {'this script starts' if df.kind == K.SCRIPT else 'in this container'} starts with "
                "the GPU hidden from CUDA, so the frameworks run on the CPU.",
                Fix("Delete this setting:", (f"# delete: {e.spot.text}",)),
                location=_loc(df, e.spot),
            )


@rule(
    "WG727", "nvidia_container_env_hides_gpu", "container_no_gpu",
    "The container's NVIDIA_* settings give it no GPU",
    detects="NVIDIA_VISIBLE_DEVICES set to void, none or an empty value, or NVIDIA_DRIVER_CAPABILITIES without "
            "`compute` (or `all`), in a Dockerfile ENV, a compose service or a Kubernetes container.",
    why="The NVIDIA container runtime reads these: with void or an empty value it behaves like plain runc, with "
        "none it mounts no GPU, and without the compute capability it does not mount libcuda, so CUDA cannot start.",
    example="compose.yaml:9:9 `- NVIDIA_VISIBLE_DEVICES=void`",
    fix="Delete the setting, or set NVIDIA_VISIBLE_DEVICES=all and NVIDIA_DRIVER_CAPABILITIES=compute,utility.",
    references=("https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/docker-specialized.html",),
    modes=MODES,
)
def nvidia_container_env_hides_gpu(info, snap):
    facts = _facts(snap)
    for df in facts.files if facts else ():
        for who, e in _all_env(df):
            if _quiet(e.spot, info.code):
                continue
            v = e.value.strip().lower()
            if e.name == "NVIDIA_VISIBLE_DEVICES" and v in ("void", "none", ""):
                why = {"void": "void makes the NVIDIA runtime behave like runc (no GPU, no driver libraries)",
                       "none": "none: no GPU is made accessible",
                       "": "an empty value makes the NVIDIA runtime behave like runc"}[v]
            elif e.name == "NVIDIA_DRIVER_CAPABILITIES" and v and not ({"compute", "all"} & set(re.split(r"[,\s]+", v))):
                why = "without `compute` the runtime does not mount libcuda into the container"
            else:
                continue
            # a compose reservation's capabilities list (lint/compose.py): Docker sets the variable from it, over the
            # service's own environment
            reserved = e.spot.text.lstrip(" -").startswith("capabilities")
            yield info.finding(
                Severity.ERROR, [_seen(df, e.spot, who), Evidence(
                    "Docker sets NVIDIA_DRIVER_CAPABILITIES to the driver capabilities of this list, over the "
                    f"service's environment: {e.value}; {why}" if reserved else why, df.path)],
                "The container starts without a usable GPU, so the frameworks in it run on the CPU.",
                Fix("Add compute to the reservation's capabilities:",
                    ("capabilities: [gpu, compute, utility]",)) if reserved else
                Fix("Delete the setting, or give the container the GPU and CUDA:",
                    ("NVIDIA_VISIBLE_DEVICES=all" if e.name == "NVIDIA_VISIBLE_DEVICES"
                     else "NVIDIA_DRIVER_CAPABILITIES=compute,utility",)),
                location=_loc(df, e.spot),
            )


def _gpu_image(facts: FileScanFacts, w: Workload) -> str:
    """Why this workload's image is meant for a GPU, or ""."""
    row = image_row(w.image)
    if row and row["provides"] in _GPU_KINDS:
        return f"{w.image} is a CUDA image ({row['note']})"
    base = next((a for a in w.build_args if (r := image_row(a)) and r["provides"] in _GPU_KINDS), None)
    if base:
        return f"its build passes {base}, a CUDA image, to its Dockerfile"
    if w.dockerfile:
        for df in facts.files:
            if df.kind == K.DOCKERFILE and posixpath.normpath(df.path) == w.dockerfile and df.stages:
                stages = final(df)
                if _provides(stages[0].image) in _GPU_KINDS:
                    return f"it builds {df.path}, whose base image {stages[0].image} is a CUDA image"
                signals = gpu_signals([r for st in stages for r in st.requirements])
                if signals:
                    return f"it builds {df.path}, which installs {signals[0]}"
    return ""


@rule(
    "WG728", "compose_service_without_gpu", "container_no_gpu",
    "A compose service runs a GPU image but reserves no GPU",
    detects="A service whose image is a CUDA image (nvidia/cuda, *-gpu, pytorch/pytorch:*cuda*, NGC) or that builds "
            "a Dockerfile with a CUDA base or CUDA framework builds, with no device reservation with capabilities "
            "[gpu], no `gpus:`, no `runtime: nvidia` and no CDI nvidia.com/gpu device — in this compose file or "
            "another compose file of the same folder (an override file).",
    why="Compose starts the container without GPU access: no /dev/nvidia*, no libcuda, so the framework falls "
        "back to the CPU.",
    example="docker-compose.yml:4:12 `image: tensorflow/tensorflow:2.15.0-gpu` (service train)",
    fix="Add deploy.resources.reservations.devices: [{driver: nvidia, count: all, capabilities: [gpu]}].",
    references=("https://docs.docker.com/compose/how-tos/gpu-support/",),
    modes=MODES,
)
def compose_service_without_gpu(info, snap):
    facts = _facts(snap)
    if not facts:
        return
    asked = {(posixpath.dirname(f.path), w.name) for f in facts.files if f.kind == K.COMPOSE
             for w in f.workloads if w.gpu_request}
    for df in facts.files:
        if df.kind != K.COMPOSE:
            continue
        for w in df.workloads:
            if w.gpu_request or (posixpath.dirname(df.path), w.name) in asked or _quiet(w.spot, info.code) or \
                    _cpu_by_design(df, w):
                continue
            why = _gpu_image(facts, w)
            if not why:
                continue
            yield info.finding(
                Severity.ERROR, [_seen(df, w.spot, f"service {w.name}"), Evidence(why, df.path),
                                 Evidence("no GPU reservation, gpus:, runtime: nvidia or CDI device", df.path)],
                f"Compose starts {w.name} without GPU access, so the framework in it runs on the CPU.",
                Fix(f"Reserve a GPU for {w.name}:",
                    ("deploy:", "  resources:", "    reservations:", "      devices:",
                     "        - driver: nvidia", "          count: all", "          capabilities: [gpu]")),
                location=_loc(df, w.spot),
            )


@rule(
    "WG729", "kubernetes_container_without_gpu", "container_no_gpu",
    "A Kubernetes container runs a GPU image but requests no GPU",
    detects="A container (not an init container) whose image is a CUDA image, with no nvidia.com/… resource in "
            "its limits or requests and no dynamic resource claim, in any manifest (Helm-rendered too).",
    why="Without the resource the scheduler may place the pod on a node without a GPU, and the device plugin "
        "gives the container no GPU, so the framework runs on the CPU.",
    example="deploy/train.yaml:18:16 `image: nvcr.io/nvidia/pytorch:24.05-py3` (Job/train/trainer)",
    fix="Add resources.limits: {nvidia.com/gpu: 1} to the container.",
    references=("https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/",
                "https://github.com/NVIDIA/k8s-device-plugin"),
    modes=MODES,
)
def kubernetes_container_without_gpu(info, snap):
    facts = _facts(snap)
    for df in facts.files if facts else ():
        if df.kind != K.KUBERNETES:
            continue
        for w in df.workloads:
            if w.init or w.gpu_request or _quiet(w.spot, info.code) or _cpu_by_design(df, w):
                continue
            why = _gpu_image(facts, w)
            if not why:
                continue
            yield info.finding(
                Severity.ERROR, [_seen(df, w.spot, w.name), Evidence(why, df.path),
                                 Evidence("no nvidia.com/gpu limit or request, no resource claim", df.path)],
                f"{w.name} asks Kubernetes for no GPU, so it gets none and the framework runs on the CPU.",
                Fix("Request a GPU in the container's resources:",
                    ("resources:", "  limits:", "    nvidia.com/gpu: 1")),
                location=_loc(df, w.spot),
            )


_CUDA_MODULE = re.compile(r"^(?:module|ml)\s+(?:load|add)\s+.*\bcuda", re.I)


@rule(
    "WG731", "slurm_job_without_gpu", "gpu_access_restricted",
    "A Slurm batch job meant for GPU nodes asks Slurm for no GPU",
    detects="A batch script (`#SBATCH` lines before its first command) whose partition, constraint or QOS names GPUs "
            "(gpu, a100, …), or that loads a CUDA module, with no --gres=gpu…, --gpus…, -G or --tres-per-…=gres/gpu.",
    why="Slurm hands a job only the GPUs it requests as a generic resource; where the cluster constrains devices "
        "(cgroup.conf ConstrainDevices=yes) the job's processes cannot open the node's /dev/nvidia*, and CUDA finds "
        "no GPU even on a GPU node. (A cluster that schedules GPUs by partition alone needs no request.)",
    example="training.sbatch:8:1 `#SBATCH --constraint=gpu` … `srun python train.py` (no --gpus-per-node)",
    fix="Ask for the GPUs: #SBATCH --gres=gpu:1 (or --gpus-per-node=1).",
    references=("https://slurm.schedmd.com/gres.html", "https://slurm.schedmd.com/cgroup.conf.html"),
    modes=MODES,
)
def slurm_job_without_gpu(info, snap):
    facts = _facts(snap)
    for df in facts.files if facts else ():
        for w in df.workloads:
            if w.kind != K.SLURM or w.gpu_request or _quiet(w.spot, info.code) or deliberate_cpu(df, ""):
                continue
            module = next((c for c in df.commands if _CUDA_MODULE.match(c.text)), None)
            if not GPU_PLACE.search(w.placement) and module is None:
                continue
            why = (f"it asks to run on {w.placement}" if GPU_PLACE.search(w.placement) else
                   f"it loads CUDA (`{module.text}`)")
            yield info.finding(
                Severity.WARNING,
                [_seen(df, w.spot, "the job's #SBATCH lines"), Evidence(why, df.path),
                 Evidence("no --gres=gpu, --gpus, -G or --tres-per-…=gres/gpu among them", df.path)],
                "This job is meant for GPU nodes but asks Slurm for no GPU: where Slurm constrains devices, CUDA in "
                "it finds none and the framework runs on the CPU.",
                Fix("Ask for the GPUs among the #SBATCH lines:", ("#SBATCH --gres=gpu:1   # or --gpus-per-node=1",)),
                location=_loc(df, w.spot),
            )


@rule(
    "WG797", "file_not_read", "unknown",
    "A container or package file could not be read",
    detects="A Dockerfile, compose file, Kubernetes manifest, requirements file, pyproject.toml, setup.py/setup.cfg, "
            "environment.yml or Pipfile that is not valid YAML/TOML, not UTF-8, too large, an unrendered Helm "
            "template, or expands past the YAML alias limit.",
    why="Nothing in that file was checked, so it may still keep the GPU idle.",
    example="k8s/train.yaml: cannot be read: not valid YAML at line 7, column 3: mapping values are not allowed here",
    fix="Fix the file (for a Helm chart, scan the output of `helm template`), or check it by hand for the "
        "settings `whynogpu rules` lists under WG72x.",
    modes=MODES,
)
def file_not_read(info, snap):
    facts = _facts(snap)
    for s in facts.skipped if facts else ():
        yield info.finding(Severity.INFO, [Evidence(s.reason, s.path)],
                           "This file was not checked for settings that keep the GPU idle.",
                           location=Location(s.path, 0, 0))
