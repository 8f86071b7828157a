"""The files beside the code, first their package lists: CPU-only builds, two builds of one framework,
pins without a wheel for the declared Python, and the facts the other file rules share.

The facts come from whynogpu/lint/ (`whynogpu scan`, `whynogpu check --scan PATH`). Container images are
judged in rules/images.py, the workloads that run them (compose, Kubernetes, Slurm, launcher env) in
rules/workloads.py. Every rule stays quiet unless the file itself says something that keeps the GPU idle:
a correct file gives no finding, and nothing is a generic reminder. How sure a finding is follows what
else the file (or the compose file that builds it) says: when it shows that a GPU is meant to be used (a
CUDA base image, a GPU reservation, a CUDA build of a framework, "gpu" or "cuda" in its name) a CPU-only
choice is an error; without that it is a warning, or a hint where the file is also a correct CPU-only
set-up.
"""

from __future__ import annotations

import posixpath
import re

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from whynogpu.facts import files as K
from whynogpu.facts.files import (
    Command,
    DeclaredFile,
    FileScanFacts,
    Requirement,
    Spot,
    Stage,
    Workload,
)
from whynogpu.knowledge import (
    cpu_only_install,
    image_row,
    jax_extra_row,
    table,
    version_key,
)
from whynogpu.lint.pixi import VIRTUAL_CUDA
from whynogpu.model import Evidence, Fix, Location, Severity
from whynogpu.parsers.cpu_options import launcher_variables
from whynogpu.rules import rule, summary
from whynogpu.rules.packages import TF_CPU_DISTS

MODES = ("scan", "check")
TF_FAMILY = ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-intel", "tensorflow-cpu-aws",
             "intel-tensorflow", "tf-nightly", "tf-nightly-cpu", "tf-nightly-gpu", "tensorflow-macos",
             "tensorflow-rocm")
_CPU_TF = set(TF_CPU_DISTS) | {"tf-nightly-cpu"}
GPU_KINDS = ("cudart", "cuda", "cuda_cudnn", "framework_gpu", "named_gpu")
GPU_NAME = re.compile(r"gpu|cuda", re.I)
_PINS = ("==", "===", "<", "<=", "~=")


# ---------------------------------------------------------------- reading the facts

def scan_facts(snap) -> FileScanFacts | None:
    return snap.get(FileScanFacts)


def silenced(s: Spot, code: str) -> bool:
    return "*" in s.ignored or code in s.ignored


def location_of(f: DeclaredFile, s: Spot) -> Location:
    return Location(f.path, s.line, s.column)


def seen_in(f: DeclaredFile, s: Spot, note: str = "") -> Evidence:
    return Evidence(f"`{s.text}`" + (f" ({note})" if note else ""), f"{f.path}:{s.line}:{s.column}")


def image_provides(image: str) -> str:
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


def tf_before_gpu(r: Requirement) -> bool:
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
    for row in filter(None, map(jax_extra_row, r.extras)):
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
        self.pytorch_cuda = next((r.specifier for r in reqs if r.name == "pytorch-cuda" and r.conda), "")


def cpu_only(r: Requirement, together: list[Requirement] | Together) -> str:
    """Why this requirement gives a CPU-only framework, or ""."""
    t = together if isinstance(together, Together) else Together(together)
    dropped = _dropped_extra(r)
    if dropped:
        return dropped
    if r.name in _CPU_TF:
        return f"{r.name} is TensorFlow's CPU-only package"
    if r.name == "tensorflow" and tf_before_gpu(r):
        if "tensorflow-gpu" not in t.names:
            return "before 1.15, from 1.15.2 to 1.15.5, and in 2.0, the `tensorflow` package was CPU-only (the GPU build was tensorflow-gpu)"
    why = _torch_cpu(r) or _past_pytorch_cuda(r, t)
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


def _pytorch_cuda_row(t: Together) -> dict[str, str] | None:
    """The knowledge/pytorch_cuda_conda.csv row of the pytorch-cuda a conda set pins, or None."""
    asked = re.search(r"\d+\.\d+", t.pytorch_cuda)
    return next((x for x in table("pytorch_cuda_conda") if asked and x["pytorch_cuda"] == asked.group(0)), None)


def _past_pytorch_cuda(r: Requirement, t: Together) -> str:
    """Why conda's pytorch, beside a pytorch-cuda whose builds stopped at an older release, may solve to the CPU build,
    or "": its spec allows a later minor or major release than the last one built for that CUDA."""
    row = _pytorch_cuda_row(t) if r.name == "torch" and r.conda and not r.url else None
    if row is None:
        return ""
    major, minor = version_key(row["last"])[:2]
    later = [f"{major}.{minor + k}.0" for k in range(1, 20)] + [f"{major + k}.0.0" for k in range(1, 4)]
    try:
        allows_later = not r.specifier or any(SpecifierSet(r.specifier).contains(v) for v in later)
    except InvalidSpecifier:
        return ""
    if not allows_later:
        return ""
    return (f"conda's pytorch{' ' + r.specifier if r.specifier else ''} beside pytorch-cuda={row['pytorch_cuda']}: the CUDA "
            f"{row['pytorch_cuda']} builds stop at pytorch {row['last']}, so a solve that takes a newer pytorch takes its CPU build")


def _pytorch_cuda_fix(t: Together) -> tuple[str, ...]:
    row = _pytorch_cuda_row(t)
    return (f"- pytorch >={row['first']},<={row['last']}   # with pytorch-cuda={row['pytorch_cuda']}",
            "# or pin a newer pytorch-cuda with a pytorch built for it (PyTorch's previous-versions page lists the pairs)")


def _framework(name: str) -> str:
    """The framework a distribution is a build of ("" for none)."""
    if name in TF_FAMILY or name.startswith("tf-nightly"):
        return "tensorflow"
    if name in ("torch", "cpuonly", "pytorch-cpu", "pytorch-cuda"):
        return "torch"
    return "jax" if name in ("jax", "jaxlib") or name.startswith("jax-cuda") or name in _JAX_DEPENDENTS else ""


# conda packages that make the solver take a framework's CUDA build (or that are one)
# pixi: a conda framework in a workspace with no `cuda` system requirement (lint/pixi.py)
PIXI_CPU = ("pixi's conda {name} in a workspace that declares no `cuda` among its [system-requirements]: pixi solves "
            "without the __cuda virtual package, so the CUDA builds cannot be chosen and the CPU build is")
PIXI_FIX = ("[system-requirements]", 'cuda = "12"   # the CUDA major of the machines\' driver (nvidia-smi)')
_CONDA_GPU = (VIRTUAL_CUDA, "pytorch-cuda", "pytorch-gpu", "cudatoolkit", "cuda-toolkit", "cuda-version", "cuda-runtime",
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
    if df.kind == K.SCRIPT:
        # a script's install lines run one after another into one environment, and pip keeps what an earlier line
        # installed (flax after `pip install "jax[cuda12]"` finds the CUDA jax there): each line's set is every
        # install line up to it
        out, upto = [], []
        for g in dict.fromkeys(r.group for r in df.requirements):
            upto = upto + [r for r in df.requirements if r.group == g]
            out.append((g, upto))
        return out
    base = [r for r in df.requirements if not r.group]
    out = [("", base)]
    for g in dict.fromkeys(r.group for r in df.requirements if r.group):
        out.append((g, base + [r for r in df.requirements if r.group == g]))
    return out


def deliberate_cpu(df: DeclaredFile, group: str) -> bool:
    """A file or an extra/group named for the CPU (requirements-cpu.txt, Dockerfile.cpu, extra `cpu`)."""
    return "cpu" in posixpath.basename(df.path).lower() or "cpu" in group.lower()


def cpu_by_design(df: DeclaredFile, w: Workload) -> bool:
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
            chosen = [w for w in df.workloads if not (_for_cpu(w.name) or _for_cpu(w.image) or cpu_by_design(df, w))]
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
    if GPU_NAME.search(posixpath.basename(df.path)):
        return f"the file name {posixpath.basename(df.path)!r} says it is for the GPU"
    if df.kind == K.DOCKERFILE:
        if posixpath.normpath(df.path) in _dockerfiles_with_gpu(facts):
            return "a compose service that reserves a GPU builds this Dockerfile"
        stages = final(df)
        if stages and image_provides(stages[0].image) in GPU_KINDS:
            return f"the base image {stages[0].image} is a CUDA image"
        env = [e for st in stages for e in st.env if e.name in ("NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES")]
        if env and env[0].value.lower() not in ("void", "none", ""):
            return f"it sets {env[0].name}={env[0].value}"
    signals = gpu_signals(reqs)
    return f"it also installs {signals[0]}" if signals else ""


# ---------------------------------------------------------------- rules

@summary("files")
def files_summary(snap):
    facts = scan_facts(snap)
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
            "requirements*.txt, pyproject.toml, setup.py/setup.cfg, environment.yml or Pipfile; a conda framework in "
            "a pixi workspace that declares no CUDA (pixi then installs the CPU build); a Dockerfile's final image that "
            "starts from a TensorFlow image of a release whose `tensorflow` was the CPU build (tensorflow/tensorflow"
            ":1.4.0 or 1.14.0-py3, not a -gpu tag) and installs no TensorFlow over it. A warning for a "
            "conda pytorch, tensorflow or jaxlib with nothing that asks for its CUDA build (pytorch-cuda, "
            "cudatoolkit, a cuda build string): the solver then decides. Conda's pytorch whose spec allows releases "
            "past its pytorch-cuda's last build (pytorch >= 1.13 beside pytorch-cuda=11.7): the solver takes the newer "
            "release's CPU build.",
    why="A CPU-only build has no CUDA kernels and never looks for a GPU, so whatever installs from this file "
        "runs on the CPU however well the driver and CUDA are set up.",
    example="requirements.txt:3:1 `tensorflow-cpu==2.15.0` (the file name 'requirements-gpu.txt' says it is for the GPU)",
    fix="Name the GPU build: tensorflow[and-cuda], torch from PyPI or a download.pytorch.org/whl/cuXXX index, "
        "jax[cuda12].",
    references=("https://www.tensorflow.org/install/pip", "https://pytorch.org/get-started/locally/",
                "https://docs.jax.dev/en/latest/installation.html"),
    modes=(*MODES, "triage"),  # a file pasted into a report (triage/files.py) is read the same way
)
def cpu_only_framework_in_file(info, snap):
    facts = scan_facts(snap)
    for df in facts.files if facts else ():
        yield from _cpu_only_image(info, facts, df)
        done: set[tuple[int, int]] = set()
        for _, reqs in _groups(df):
            why_gpu = intent(facts, df, reqs)
            together = Together(reqs)
            for r in reqs:
                why = cpu_only(r, together)
                unsure = "" if why else _conda_build_unchosen(r, together)
                if unsure and df.kind == K.PIXI:  # pixi decides from the file alone: see lint/pixi.py
                    why, unsure = PIXI_CPU.format(name=r.name), ""
                if not (why or unsure) or silenced(r.spot, info.code) or (r.spot.line, r.spot.column) in done \
                        or deliberate_cpu(df, r.group):
                    continue
                done.add((r.spot.line, r.spot.column))
                evidence = [seen_in(df, r.spot, why or unsure)]
                others = sorted(together.frameworks - {_framework(r.name)})
                if others and _framework(r.name):
                    # the CPU build of one framework beside the CUDA build of another: the models run on that
                    # one, and this one reads data or runs tests (tensorflow-cpu for tf.data beside jax[cuda12])
                    yield info.finding(
                        Severity.HINT, [*evidence, Evidence(f"the same set installs a CUDA build of {others[0]}", df.path)],
                        f"This framework comes as its CPU build, beside the CUDA build of {others[0]}: fine when it "
                        "only loads data or runs tests, but anything computed with it stays on the CPU.",
                        Fix("If it does run models, install its GPU build:", (_gpu_build(r),)),
                        location=location_of(df, r.spot),
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
                        location=location_of(df, r.spot),
                    )
                    continue
                yield info.finding(
                    Severity.ERROR if why_gpu else Severity.WARNING, evidence,
                    "Whatever installs from this line gets a framework with no GPU support, so it runs on the CPU"
                    + (" although this set-up is meant for a GPU." if why_gpu else "."),
                    Fix("Declare the CUDA the machines have, so pixi may choose the CUDA build:", PIXI_FIX)
                    if df.kind == K.PIXI and not cpu_only(r, together) else
                    Fix("Keep pytorch to the releases built for that CUDA, or name a newer CUDA:", _pytorch_cuda_fix(together))
                    if _past_pytorch_cuda(r, together) else
                    Fix("Install the GPU build instead:", (_gpu_build(r),)),
                    location=location_of(df, r.spot),
                )


def gpu_tag(image: str) -> str:
    """The official images' GPU variant of a tag: "-gpu" follows the release, before any other suffix
    (tensorflow/tensorflow:1.4.0 -> 1.4.0-gpu, 1.14.0-py3 -> 1.14.0-gpu-py3, latest-jupyter -> latest-gpu-jupyter)."""
    repo, _, tag = image.rpartition(":") if ":" in image.rsplit("/", 1)[-1] else (image, "", "latest")
    release, dash, rest = tag.partition("-")
    return f"{repo}:{release}-gpu{dash}{rest}" if "gpu" not in tag else image


def _cpu_only_image(info, facts: FileScanFacts, df: DeclaredFile):
    """A final image that starts from a TensorFlow image of a release whose plain `tensorflow` was the CPU build
    (tensorflow/tensorflow:1.4.0, 1.14.0-py3: before 1.15 the GPU build was tensorflow-gpu, in the -gpu tags), with
    no TensorFlow installed over it."""
    stages = final(df) if df.kind == K.DOCKERFILE else []
    if not stages or deliberate_cpu(df, ""):
        return
    base = stages[0]
    row = image_row(base.image)
    tag = re.search(r":v?(\d+\.\d+(?:\.\d+)?)", base.image)
    if not (row and row["provides"] == "framework_nocuda" and row["framework"] == "tensorflow" and tag) or \
            not cpu_only_install("tensorflow", "tensorflow", tag.group(1)) or silenced(base.spot, info.code):
        return
    reqs = [r for st in stages for r in st.requirements]
    if any(r.name in TF_FAMILY for r in reqs):
        return  # what the Dockerfile installs decides (the requirement lines above)
    why_gpu = intent(facts, df, reqs)
    yield info.finding(
        Severity.ERROR if why_gpu else Severity.WARNING,
        [seen_in(df, base.spot, f"{base.image} is the CPU image of TensorFlow {tag.group(1)}: that release's "
                                "`tensorflow` is the CPU-only build, the GPU build is in the -gpu tags"),
         *([Evidence(why_gpu, df.path)] if why_gpu else [])],
        "Whatever runs in this image gets a TensorFlow with no GPU support, so it runs on the CPU"
        + (" although this set-up is meant for a GPU." if why_gpu else "."),
        Fix("Start from the release's GPU image:", (f"FROM {gpu_tag(base.image)}",)),
        location=location_of(df, base.spot),
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
    modes=(*MODES, "triage"),  # a file pasted into a report (triage/files.py) is read the same way
)
def framework_variants_in_file(info, snap):
    facts = scan_facts(snap)
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
                    if silenced(other.spot, info.code) or (other.spot.line, other.spot.column) in done:
                        continue
                    done.add((other.spot.line, other.spot.column))
                    # (before 1.15, and in 2.0, the plain tensorflow is the CPU build, though cpu_only spares it beside -gpu)
                    cpu = [r for r in (first, other) if cpu_only(r, together) or (r.name == "tensorflow" and tf_before_gpu(r))]
                    drop = cpu[0] if len(cpu) == 1 else other
                    yield info.finding(
                        Severity.ERROR if cpu else Severity.WARNING,
                        [seen_in(df, other.spot), Evidence(f"`{first.spot.text}` at line {first.spot.line}", df.path)],
                        f"{family} is installed twice over itself from this file: which build is imported depends "
                        "on install order" + (", and the CPU-only one may win." if cpu else "."),
                        Fix("Keep one line, the GPU build:", (f"# delete: {drop.spot.text}",)),
                        location=location_of(df, other.spot),
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
    modes=(*MODES, "triage"),  # a file pasted into a report (triage/files.py) is read the same way
)
def framework_pin_without_gpu_wheel_for_python(info, snap):
    facts = scan_facts(snap)
    for df in facts.files if facts else ():
        todo: list[tuple[Requirement, str, Spot | None]] = []
        if df.kind == K.DOCKERFILE:
            for st in df.stages:
                todo += [(r, st.python, st.spot) for r in st.requirements]
        else:
            todo += [(r, df.python, df.python_spot) for r in df.requirements]
        for r, python, where in todo:
            if r.name != "tensorflow" or not python or silenced(r.spot, info.code):
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
                [seen_in(df, r.spot), Evidence(f"declared Python: `{declared}`",
                                              f"{df.path}:{where.line}" if where else df.path),
                 Evidence(f"TensorFlow {shown}", f"knowledge base: {rows[0]['source']}")],
                f"No release this pin allows has a wheel for Python {python.lstrip('=<>~!')}, so pip cannot install "
                "this TensorFlow there (or falls back to another build).",
                Fix("Pin a release that supports the declared Python:", (fix_pin,)),
                location=location_of(df, r.spot),
            )


@rule(
    "WG797", "file_not_read", "unknown",
    "A container or package file could not be read",
    detects="A Dockerfile, compose file, Kubernetes manifest, requirements file, pyproject.toml, pixi.toml, "
            "setup.py/setup.cfg, environment.yml, Pipfile or kernel-metadata.json that is not valid YAML/TOML/JSON, "
            "not UTF-8, too large, an unrendered Helm template, or expands past the YAML alias limit.",
    why="Nothing in that file was checked, so it may still keep the GPU idle.",
    example="k8s/train.yaml: cannot be read: not valid YAML at line 7, column 3: mapping values are not allowed here",
    fix="Fix the file (for a Helm chart, scan the output of `helm template`), or check it by hand for the "
        "settings `whynogpu rules` lists under WG72x.",
    modes=(*MODES, "triage"),  # a file pasted into a report (triage/files.py) is read the same way
)
def file_not_read(info, snap):
    facts = scan_facts(snap)
    for s in facts.skipped if facts else ():
        yield info.finding(Severity.INFO, [Evidence(s.reason, s.path)],
                           "This file was not checked for settings that keep the GPU idle.",
                           location=Location(s.path, 0, 0))
