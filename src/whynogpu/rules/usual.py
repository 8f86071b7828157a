"""The last resort of a report that decides nothing: what usually keeps its setup off the GPU.

A report often says only "TensorFlow on Windows does not see my GPU". An expert still knows where to look
first: the documented default of that setup that leaves the GPU unused (knowledge/usual_causes.csv). The
finding has the weakest origin ("usual"), so any fact or statement in the report ranks above it; it names
the one output that would confirm or rule it out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from whynogpu.facts.platform import PlatformFacts
from whynogpu.facts.report import TriageFacts
from whynogpu.facts.target import TargetFacts
from whynogpu.knowledge import newest_tensorflow, release_row, table, version_key
from whynogpu.model import Evidence, Fix, Location, Severity
from whynogpu.rules import rule
from whynogpu.rules.frameworks import LABEL

VERSION_KEY = {"tensorflow": "tf_version", "torch": "torch_version", "jax": "jax_version"}  # the report fact of its version
_NAMED = {"names_tensorflow": "tensorflow", "names_pytorch": "torch", "names_jax": "jax"}
_PLACE = {"unknown": "an unnamed platform", "linux": "Linux", "windows": "native Windows", "macos": "macOS", "wsl": "WSL", "container": "a container",
          "colab": "Colab", "colab_own": "Colab", "windows_bundle": "a portable Windows bundle"}


@dataclass(frozen=True)
class Setup:
    framework: str  # tensorflow, torch, jax; "any" when the report names none (only in a container or on Colab)
    place: str  # linux, windows, macos, wsl, container, colab; "unknown" when the report names none (read as Linux)
    version: str  # "" when the report gives none
    line: int  # the line that names the framework
    at_most: bool = False  # the version is only the newest the package name and Python allow


def setup(snap) -> Setup | None:
    """The setup a report describes, or None without a framework."""
    from whynogpu.triage.to_facts import (  # the report's facts are derived there
        INFERRED,
        main_framework,
        version_of,
    )

    f = snap.get(TriageFacts)
    if f is None:
        return None
    t = snap.get(TargetFacts)
    fw = main_framework(f, t)
    if fw is None:
        named = {_NAMED[c.id] for c in f.cues if c.id in _NAMED}
        fw = named.pop() if len(named) == 1 else None
    plat = snap.get(PlatformFacts)
    place = "unknown" if plat is None else "container" if plat.container else "wsl" if plat.wsl else plat.os
    res = snap.result("platform")
    if place == "linux" and res is not None and res.origin == INFERRED:
        place = "unknown"  # only guessed from pasted output, which any platform prints: the report names none
    if place == "windows" and f.has_cue("portable_bundle"):
        place = "windows_bundle"  # an app shipped with its own Python and its own (CUDA) framework build
    if place in ("linux", "unknown") and f.has_cue("colab"):
        # Colab's image pairs its own framework with its CUDA, cuDNN and driver, and moves them every few months:
        # a report that installs its own framework release over it, or whose notebook stopped with no change of
        # its own, is about that pairing ("colab_own")
        place = "colab_own" if _own_release(f, fw) or f.has_cue("stopped_by_itself") else "colab"
    if fw is None:
        # no framework named, but a place whose own default keeps any framework off the GPU (a container started
        # without one, Colab's CPU runtime): the rows for every framework still apply
        return Setup("any", place, "", 1) if place in ("container", "colab", "colab_own") else None
    said = f.first(VERSION_KEY[fw])
    cue = next((c for c in f.cues if _NAMED.get(c.id) == fw), None)
    line = said.line if said else cue.line if cue else 1
    version = version_of(t, fw) or (said.value if said else "")
    at_most = ""
    if not version and fw == "tensorflow" and t is not None:  # bounded by the package name and the Python
        dist = next((d.name for d in t.distributions if d.name.lower().startswith("tensorflow")), "tensorflow")
        at_most = newest_tensorflow(dist, t.version) or ""
    return Setup(fw, place, version or at_most, line, bool(at_most))


def _installs(names: str) -> re.Pattern:
    """An install command's argument naming one of these distributions (with extras or a version spec)."""
    return re.compile(r"(?:^|\s)(?:" + names + r")(?:\[[\w,-]+\])?(?:[=<>~!]=?\S*)?(?:\s|$)", re.I)


_DISTS = {"tensorflow": r"tensorflow(?:-gpu)?|tf-nightly", "torch": r"torch", "jax": r"jax(?:lib)?"}
_INSTALLS = {fw: _installs(names) for fw, names in _DISTS.items()} | {None: _installs("|".join(_DISTS.values()))}


# the reporter's own install of the release they name (not "comes with TensorFlow 2.14 preinstalled")
_SAYS_INSTALLED = re.compile(r"\b(?:i|we)\s+(?:\w+\s+)?(?:install|installed|pin|pinned|downgrade|downgraded|upgrade|"
                             r"upgraded|switched to)\b", re.I)


def _own_release(f: TriageFacts, fw: str | None) -> bool:
    """The report installs the framework itself (pip/conda install naming it, or pip's output collecting it)."""
    rx = _INSTALLS.get(fw, _INSTALLS[None])
    return any(rx.search(s.value) for s in f.all("pip_install")) or \
        any(rx.search(f" {s.value} ") for s in f.all("pip_collects")) or \
        any(_SAYS_INSTALLED.search(s.text) for s in f.all(VERSION_KEY.get(fw, "")))  # "I install tensorflow 2.12"


def _gpu_reaches(f: TriageFacts) -> bool:
    """The report shows the GPU passed through to where the framework runs: nvidia-smi's table printed there,
    a framework listing a GPU, or a container started with one (--gpus, a nvidia.com/gpu request)."""
    return ("nvidia_smi" in f.formats or f.has_cue("smi_shows_gpu", "gpu_runtime") or any(m.kind == "success" for m in f.log)
            or bool(f.all("gpu_request"))
            or any(d.value == "gpus" for d in f.framework_runs()))


# The rows a place also reads, besides its own: WSL and a container run Linux; a report that names no platform is read
# as Linux; Colab with a framework release of the report's own is still Colab, and reads Linux's install defaults too.
# Colab's own image does not: its frameworks come installed with the CUDA they need, so Linux's `pip install` defaults
# say nothing there.
_READ_AS = {"wsl": ("linux",), "container": ("linux",), "colab": (), "colab_own": ("colab", "linux"),
            "unknown": ("linux",), "windows_bundle": ("windows",)}

# Rows whose cause the report rules out once it shows the GPU reaching the container, WSL or runtime.
_PASSTHROUGH = ("container_no_gpu", "wsl_gpu_not_enabled", "no_nvidia_gpu")


def usual_cause(fw: str, place: str, version: str, gpu_reaches: bool = False,
                cuda_reached: bool = False, failed: bool = False, cuda_installed: bool = False) -> dict[str, str] | None:
    """The first row of knowledge/usual_causes.csv for this setup. `cuda_reached`: the report shows the framework
    failing inside CUDA, which a CPU-only build never calls. `failed`: the report shows an error message (an
    import that failed is no sign of a second, CPU build shadowing the GPU one). `cuda_installed`: the report says
    the CUDA of the framework's own release is installed, so it is not missing."""
    v = version_key(version)
    for row in table("usual_causes"):
        if cuda_installed and row["category"] in ("cuda_libs_missing", "cuda_version_mismatch"):
            continue
        if gpu_reaches and row["category"] in _PASSTHROUGH:
            continue
        if cuda_reached and row["category"] == "cpu_only_package":
            continue
        if failed and row["category"] == "package_conflict":
            continue
        if row["framework"] not in ("any", fw):
            continue
        if row["platform"] not in ("any", place, *_READ_AS.get(place, ())):
            continue
        if v and row["first"] and v < version_key(row["first"]):
            continue
        if row["last"] and (not v or v[:2] > version_key(row["last"])[:2]):
            continue  # no version: today's release, newer than any row that ends
        return row
    return None


@rule(
    "WG832", "report_setup_usual_cause", "unknown",
    "What usually keeps this setup off the GPU", category_from="the setup's row in knowledge/usual_causes.csv",
    detects="A report names its framework and platform but nothing in it decides the cause: the documented "
            "default of that setup that leaves the GPU unused (knowledge/usual_causes.csv).",
    why="Where an expert looks first when a report gives no output: `pip install jax` is CPU-only, `pip install "
        "torch` on Windows is the CPU build, TensorFlow 2.11+ has no native-Windows GPU build, a container sees no "
        "GPU unless started with one. Ranked below every fact and statement of the report.",
    example="PyTorch on Windows, torch.cuda.is_available() is False, nothing else shown",
    fix="Run the command the finding gives: its output confirms this cause or rules it out.",
    references=("https://docs.jax.dev/en/latest/installation.html", "https://www.tensorflow.org/install/pip"),
    modes=("triage",),
)
def report_setup_usual_cause(info, snap):
    found = usual_row(snap)
    if found is None:
        return
    row, s = found
    fw, place, version = s.framework, s.place, s.version
    shown = f" {'at most ' if s.at_most else ''}{version}" if version else ""
    described = f"{LABEL.get(fw, 'a framework')}{shown} {'in' if place == 'container' else 'on'} {_PLACE.get(place, place)}"
    yield info.finding(
        Severity.WARNING,
        [Evidence(f"the report describes {described} and shows nothing that decides the cause", "the report")],
        f"Nothing in the report decides the cause. On this setup the usual one is: {row['meaning']}.",
        Fix("Confirm it (or rule it out) with:", (row["confirm"],)),
        title=f"Likely, for {described}: {row['meaning'].split(';')[0]}",
        location=Location("<report>", s.line), category=row["category"], origin="usual",
    )


def usual_row(snap) -> tuple[dict[str, str], Setup] | None:
    """The usual_causes row of the report's setup, when nothing in the report decides the cause (WG832)."""
    found = setup(snap)
    f = snap.get(TriageFacts)
    if found is None or f is None:
        return None
    seen = any(s.value.isdigit() and int(s.value) > 0 for s in f.all("tf_gpus"))  # "Num GPUs Available: 1"
    if seen or any(m.kind == "success" for m in f.log) or f.has_cue("memory_taken") or \
            any(s.severity == "error" for s in f.signals) or any(m.kind == "error" and not m.categories for m in f.log):
        return None  # no framework to go by, the report shows a GPU at work, or it names a failure: nothing to guess
    fw, place, version = found.framework, found.place, found.version
    # a CPU-only build never reaches CUDA; and TensorFlow's separate GPU package, once named, is not the CPU one
    cuda_reached = cuda_build_ran(f) or _says_cuda_build(f, fw) or \
        (fw == "tensorflow" and bool(f.has_cue("says_tensorflow_gpu"))) or \
        "+cu" in version or \
        (fw == "jax" and place not in ("windows", "macos") and
         any(re.search(r"jax\[[^\]]*(?:cuda|gpu)", s.value) for s in f.all("pip_install")))
    # (a CUDA build at work; and, for a guess, a PyTorch whose version names its CUDA variant,
    # 2.0.1+cu117, is a CUDA build; jax[cuda12] installs one)
    failed = f.has_cue("failing") or any(m.kind == "error" for m in f.log)
    row = usual_cause(fw, place, version, _gpu_reaches(f), cuda_reached, failed, _release_cuda_stated(f, fw, version))
    return None if row is None else (row, found)


def _release_cuda_stated(f: TriageFacts, fw: str, version: str) -> bool:
    """The report says it installed the CUDA its TensorFlow release was built with (tensorflow_releases.csv)."""
    if fw != "tensorflow" or not version:
        return False
    row, newer = release_row("tensorflow_releases", version)
    return bool(row and not newer) and any(version_key(s.value)[:2] == version_key(row["cuda"])[:2]
                                           for s in f.all("cuda"))


# The framework's own answer about its build: torch.version.cuda, tf.test.is_built_with_cuda()
_BUILD_ANSWER = {"torch": "torch_version_cuda", "tensorflow": "tf_built_with_cuda"}


def _says_cuda_build(f: TriageFacts, fw: str) -> bool:
    """The framework, asked in the report, printed that it is a CUDA build (torch.version.cuda 10.1.243, or
    is_built_with_cuda() True): what the running environment holds, not a build the reporter names."""
    return any(not s.stated_by_user and s.value.strip("'\"") not in ("None", "False", "none", "")
               for s in f.all(_BUILD_ANSWER.get(fw, "")))


def cuda_build_ran(f: TriageFacts) -> bool:
    """A program's output shows a CUDA build of the framework: is_available() answered True, or a failure inside CUDA
    (which a CPU-only build never calls; no CPU-only package, and no Python without GPU wheels, gives either). A
    version named in the report (2.1.0+cu121) is not enough: reports name the build they had before it was replaced."""
    return any(s.value == "True" for s in f.all("torch_cuda_available")) or \
        any(m.kind == "error" and m.categories and "cpu_only_package" not in m.categories for m in f.log)
