"""Container images: a CUDA build of a framework on an image without CUDA, a CUDA image newer than
the driver, and a CUDA image of another family than the framework build.

The facts come from whynogpu/lint/ (Dockerfiles, and the compose files that build or run them); what an
image tag provides comes from knowledge/container_images.csv, what a framework release was built with from
knowledge/tensorflow_releases.csv and cuda_sonames.csv.
"""

from __future__ import annotations

import posixpath
import re

from whynogpu.facts import files as K
from whynogpu.facts.files import DeclaredFile, FileScanFacts, Requirement, Stage
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
from whynogpu.model import Evidence, Fix, Severity
from whynogpu.rules import rule
from whynogpu.rules.files import (
    GPU_KINDS,
    GPU_NAME,
    MODES,
    TF_FAMILY,
    Together,
    cpu_only,
    deliberate_cpu,
    final,
    gpu_tag,
    image_provides,
    intent,
    location_of,
    scan_facts,
    seen_in,
    series,
    silenced,
    tf_before_gpu,
)


def _needs_system_cuda(r: Requirement) -> str:
    """Why this requirement installs a CUDA build that needs CUDA libraries from the system, or ""."""
    if r.name in ("tensorflow-gpu", "tf-nightly-gpu"):
        return f"{r.name} loads CUDA and cuDNN from the system"
    if r.name in ("tensorflow", "tf-nightly") and not tf_before_gpu(r):
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
    "A CUDA build of the framework is installed without the CUDA libraries it loads",
    detects="A Dockerfile whose final image starts from an image without the CUDA toolkit libraries (python:*, "
            "ubuntu:*, nvidia/cuda:*-base, the official tensorflow/tensorflow CPU tags …) and installs a framework "
            "build that loads CUDA from the system (plain `tensorflow`, tensorflow-gpu, jax[cudaXX_local]) "
            "without installing CUDA itself; or a compose service / Kubernetes container that asks for a GPU but "
            "runs such an image; a pip requirements file named for the GPU (requirements-gpu.txt) that installs such a "
            "build and no CUDA libraries, where no scanned Dockerfile's image brings CUDA (a warning: a machine with "
            "that CUDA installed system-wide is fine). An image with CUDA but without cuDNN gives cudnn_missing.",
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
    facts = scan_facts(snap)
    for df in facts.files if facts else ():
        stages = final(df) if df.kind == K.DOCKERFILE else []
        if stages:
            yield from _image_lacks_cuda(info, facts, df, stages)
        elif df.kind in _PIP_LISTS:
            yield from _gpu_list_lacks_cuda(info, facts, df)
        for w in df.workloads:
            row = image_row(w.image)
            if not w.gpu_request or not row or row["provides"] != "framework_nocuda" or silenced(w.spot, info.code):
                continue
            yield info.finding(
                Severity.ERROR,
                [seen_in(df, w.spot), Evidence(f"{w.name} asks for a GPU ({w.gpu_request})", df.path),
                 Evidence(f"{w.image}: {row['note']}", f"knowledge base: {row['source']}")],
                f"The GPU is passed to {w.name}, but its image has no CUDA libraries, so "
                f"{row['framework']} runs on the CPU.",
                Fix("Use the image's GPU variant:", (gpu_tag(w.image) if w.kind == K.RUN else f"image: {gpu_tag(w.image)}",)),
                location=location_of(df, w.spot),
            )


# pip's own lists of what to install: what they install is all the environment gets from them
_PIP_LISTS = (K.REQUIREMENTS, K.PIPFILE)


def _gpu_list_lacks_cuda(info, facts, df: DeclaredFile):
    """A pip list named for the GPU (requirements-gpu.txt) that installs a framework build loading CUDA from the
    system, and no CUDA libraries: on a machine without that CUDA and cuDNN installed system-wide it finds none. Not
    where a scanned Dockerfile's final image brings CUDA itself (the list is then installed there)."""
    if not GPU_NAME.search(posixpath.basename(df.path)) or deliberate_cpu(df, ""):
        return
    if any(image_provides(final(o)[0].image) in GPU_KINDS for o in facts.files if o.kind == K.DOCKERFILE and o.stages):
        return
    reqs = [r for r in df.requirements if not r.conda and r.context == K.INSTALL]
    if any(r.name.startswith(("nvidia-cublas", "nvidia-cudnn")) for r in reqs):
        return
    together = Together(reqs)
    for r in reqs:
        why = _needs_system_cuda(r)
        # only where pip could have brought the CUDA libraries (TensorFlow from 2.14, jax): before that, CUDA installed
        # system-wide was the documented way, and the list alone cannot tell whether the machine has it
        if not why or cpu_only(r, together) or silenced(r.spot, info.code) or not _pip_cuda_exists(r):
            continue
        yield info.finding(
            Severity.WARNING,
            [seen_in(df, r.spot, why), Evidence(f"the file name {posixpath.basename(df.path)!r} says it is for the GPU, "
                                                "and it installs no CUDA libraries", df.path)],
            "Installed from this list, the framework finds CUDA and cuDNN only if the machine has the release it "
            "was built for installed system-wide; elsewhere it runs on the CPU.",
            _list_fix(r),
            location=location_of(df, r.spot),
        )


def _pip_cuda_exists(r: Requirement) -> bool:
    """Whether pip could install this framework's CUDA libraries with it: jax's CUDA extras, TensorFlow's
    [and-cuda] in a release the pin allows (knowledge/tensorflow_pip_cuda.csv)."""
    if r.name == "jax":
        return True
    rows = series(r, "tensorflow_pip_cuda") if r.name == "tensorflow" else []
    return rows is None or any(x["and_cuda"] for x in rows)


def _list_fix(r: Requirement) -> Fix:
    if r.name == "jax":
        return Fix("Let pip install the CUDA libraries with jax:", ("jax[cuda12]",))
    return Fix("Let pip install the CUDA libraries with TensorFlow (its [and-cuda] extra, from 2.14):",
               (f"tensorflow[and-cuda]{r.specifier}",))


def _image_lacks_cuda(info, facts, df: DeclaredFile, stages: list[Stage]):
    base = stages[0]
    provides = image_provides(base.image)
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
    tag = re.search(r":v?(\d+\.\d+(?:\.\d+)?)", base.image)
    if provides == "framework_nocuda" and not any(r.name in TF_FAMILY for r in reqs) and \
            not (tag and cpu_only_install("tensorflow", "tensorflow", tag.group(1))):
        # (a tag of a release whose plain `tensorflow` was the CPU build, 1.14.0-py3, holds no CUDA build at all)
        needs.append((None, f"{base.image} holds `tensorflow` (a CUDA build) without any CUDA library"))
    why_gpu = intent(facts, df, reqs)
    if deliberate_cpu(df, "") and not why_gpu:
        return
    row = image_row(base.image)
    for r, why in needs:
        where = r.spot if r is not None else base.spot
        if silenced(where, info.code) or silenced(base.spot, info.code):
            continue
        lacks_only_cudnn = provides == "cuda" and "cuDNN" in why
        if provides == "cuda" and (cudnn or "cuDNN" not in why):
            continue  # the toolkit's libraries are there; what is missing, if anything, is not cuDNN
        if provides != "cuda" and cuda_libs and (cudnn or "cuDNN" not in why):
            continue  # the Dockerfile installs CUDA itself
        evidence = [seen_in(df, where, why), seen_in(df, base.spot, row["note"] if row else "")]
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
            location=location_of(df, where),
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

    facts, d = scan_facts(snap), snap.get(DriverFacts)
    if not facts or d is None or not (d.driver_version or d.cuda_driver_version):
        return
    p = snap.get(PlatformFacts)
    windows = bool(p and (p.wsl or p.os == "windows"))
    column = "windows_min" if windows else "linux_min"
    seen = set()
    for df, spot, image in _images(facts):
        cuda = image_cuda(image)
        if cuda is None or silenced(spot, info.code) or (df.path, spot.line, image) in seen:
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
        evidence = [seen_in(df, spot, f"CUDA {cuda}"), Evidence(f"this machine has {has}", "NVML / nvidia-smi")]
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
            location=location_of(df, spot),
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
    modes=(*MODES, "triage"),  # a file pasted into a report (triage/files.py) is read the same way
    category_from="what differs: cudnn_version_mismatch when the CUDA family is the same and only cuDNN differs",
)
def cuda_image_other_than_framework_build(info, snap):
    facts = scan_facts(snap)
    for df in facts.files if facts else ():
        stages = final(df) if df.kind == K.DOCKERFILE else []
        image = image_cuda(stages[0].image) if stages else None
        if image is None or silenced(stages[0].spot, info.code):
            continue
        tag = _CUDNN_TAG.search(image_key(stages[0].image))
        for r in (r for st in stages for r in st.requirements):
            builds = _framework_builds(r)
            if not builds or silenced(r.spot, info.code):
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
            evidence = [seen_in(df, stages[0].spot, f"CUDA {image}" + (f", cuDNN {tag.group(1)}" if tag else "")),
                        seen_in(df, r.spot, f"{r.name}{r.specifier} allows TensorFlow {span}, built with {built} "
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
                location=location_of(df, r.spot),
                category=None if all(clash) else "cudnn_version_mismatch",
            )
