"""Fix commands built from what a pasted report shows (versions, variables, command lines).

The WG8xx rules fall back to their generic commands when the report lacks the facts. Versions
needed (cuDNN of a TensorFlow build, minimum driver of a CUDA) come from the knowledge tables.
"""

from __future__ import annotations

import re

from whynogpu.knowledge import release_row, table
from whynogpu.rules.common import version_key
from whynogpu.triage.facts import TriageFacts

_RUN = re.compile(r"\b(?:nvidia-docker|docker|podman)\s+(?:container\s+)?run\b")
_PROMPT = re.compile(r"^\s*(?:[$#>]|\S*[$#])\s+")
_CU = re.compile(r"\+(cu\d+)")


def _row(name: str, key: str, version: str) -> dict | None:
    """The row of a knowledge table for a release: '2.15.1' finds the row '2.15' (no stand-in for newer)."""
    return release_row(name, version, key, newest_for_newer=False)[0]


def tf_version(f: TriageFacts) -> str | None:
    p = f.package("tensorflow", "tensorflow-gpu", "tensorflow-cpu", "tf-nightly")
    if p:
        return p.version
    s = f.first("tf_version")
    return s.value if s else None


def _pin(v: str) -> str:
    """A pip pin of the version seen: exact when the report shows a patch release, else that release series."""
    return f"=={v}" if len(version_key(v)) >= 3 else f"=={'.'.join(map(str, version_key(v)[:2]))}.*"


def _tf_gpu_install(f: TriageFacts) -> str | None:
    v = tf_version(f)
    if not v:
        return None
    row = _row("tensorflow_pip_cuda", "tensorflow", v)
    if row and row.get("and_cuda"):
        return f"pip install 'tensorflow[and-cuda]{_pin(v)}'"
    rel = _row("tensorflow_releases", "tensorflow", v)
    if rel:
        return f"# TensorFlow {v} was built for CUDA {rel['cuda']} and cuDNN {rel['cudnn_min'] or rel['cudnn']}: install those"
    return None


def _cudnn_wanted(f: TriageFacts) -> tuple[str, str] | None:
    """(cuDNN version the build wants, CUDA major of the build), from the log or the TF release table."""
    for m in f.has_log("tf_cudnn_mismatch"):
        if m.groups.get("compiled"):
            v = tf_version(f)
            rel = _row("tensorflow_releases", "tensorflow", v) if v else None
            major = rel["cuda"].split(".")[0] if rel else ""
            return _cudnn_version(m.groups["compiled"]), major
    v = tf_version(f)
    rel = _row("tensorflow_releases", "tensorflow", v) if v else None
    if rel:
        return rel["cudnn_min"] or rel["cudnn"], rel["cuda"].split(".")[0]
    return None


def _cudnn_version(v: str) -> str:
    """'8.6.0' → '8.6'; TF 1.x prints cuDNN as one number, 7004 → '7.0'."""
    if "." not in v and v.isdigit() and len(v) >= 4:
        n = int(v)
        return f"{n // 1000}.{n % 1000 // 100}"
    return ".".join(v.split(".")[:2])


def driver_seen(f: TriageFacts):
    return f.first("driver", program_only=True) or f.first("kernel_module") or f.first("driver")


def driver_needed(f: TriageFacts) -> tuple[str, str, str] | None:
    """(minimum Linux driver, CUDA version it is for, what was built for it) of the framework the report shows."""
    tv = f.first("torch_version")
    p = f.package("torch")
    for text in ((p.version + ("+" + p.build if p.build else "")) if p else "", tv.value if tv else ""):
        cu = _CU.search(text)
        if cu:
            row = next((r for r in table("torch_cuda_variants") if r["variant"] == cu.group(1)), None)
            if row:
                return row["linux_min_driver"], row["cuda"], f"torch {text}"
    built = f.first("torch_build_cuda") or f.first("torch_version_cuda")
    need = _min_driver(built.value) if built and re.fullmatch(r"\d+\.\d+(?:\.\d+)?", built.value) else None
    if need:
        return need, built.value, f"torch.version.cuda = {built.value}"
    default = _torch_default_wheel(f, p, tv)
    if default:
        version, cuda = default
        return _min_driver(cuda), cuda, f"torch {version}'s default PyPI wheel"
    v = tf_version(f)
    rel = _row("tensorflow_releases", "tensorflow", v) if v else None
    if rel:
        major = rel["cuda"].split(".")[0]
        compat = next((r for r in table("cuda_minor_compat") if r["cuda_major"] == major), None)
        if compat:
            return compat["linux_min"], rel["cuda"], f"TensorFlow {v}"
    return None


def _min_driver(cuda: str) -> str | None:
    """Oldest Linux driver that runs code built with CUDA `cuda`: its major's minimum where minor-version
    compatibility exists (a cuda_minor_compat row: CUDA 11 on), else the toolkit release's own minimum."""
    major = cuda.split(".")[0]
    row = next((r for r in table("cuda_minor_compat") if r["cuda_major"] == major), None) \
        or _row("cuda_drivers", "cuda", cuda)
    return row["linux_min"] if row and row["linux_min"] else None


def _torch_default_wheel(f: TriageFacts, p, tv) -> tuple[str, str] | None:
    """(torch version, CUDA) when the report shows a torch with no local tag that came from PyPI on Linux:
    such a wheel is the release's default build. Not for conda (its own builds), nor on Windows (a CPU wheel)."""
    if p is not None and p.build:
        return None  # a conda build string or a local tag (+cpu): not the plain PyPI wheel
    version = p.version if p is not None else (tv.value if tv and "+" not in tv.value else None)
    system = f.first("os")
    if not version or (system and re.search(r"windows|win\d|macos|darwin|mac os", system.value, re.I)):
        return None
    row = _row("torch_pypi_default_cuda", "torch", version)
    return (version, row["cuda"]) if row and _min_driver(row["cuda"]) else None


def _newest_torch_for(driver: str) -> str | None:
    ok = [r for r in table("torch_cuda_variants") if version_key(r["linux_min_driver"]) <= version_key(driver)]
    return max(ok, key=lambda r: version_key(r["cuda"]))["variant"] if ok else None


def commands(category: str, f: TriageFacts | None) -> tuple[str, ...] | None:
    """Commands for `category` made from the report's facts, or None when it shows too little."""
    if f is None:
        return None
    builder = _BUILDERS.get(category)
    return builder(f) if builder else None


def _libs(f: TriageFacts):
    cmd = _tf_gpu_install(f)
    return (cmd,) if cmd else None


# The nvidia-* wheels put each library in site-packages/nvidia/<part>/lib; this prints them all.
_WHEEL_DIRS = ("python -c \"import glob, os, nvidia; "
               "print(':'.join(glob.glob(os.path.join(nvidia.__path__[0], '*', 'lib'))))\"")


def _pip_unfound(f: TriageFacts):
    # Reinstalling the same release cannot help: it still does not look in its wheels. Upgrade,
    # or hand the loader the wheels' folders (the workaround TF's own GPU guide gives).
    tf = "pip install -U 'tensorflow[and-cuda]'" if tf_version(f) or f.has_log("tf_cannot_dlopen_gpu_libs") else None
    export = f'export LD_LIBRARY_PATH="$({_WHEEL_DIRS}):$LD_LIBRARY_PATH"'
    return tuple(c for c in (tf, export) if c)


def _cudnn(f: TriageFacts):
    want = _cudnn_wanted(f)
    if not want:
        return None
    cudnn, cuda_major = want
    if cuda_major and (version_key(cudnn)[0] >= 9 or (version_key(cudnn)[:2] >= (8, 5) and int(cuda_major) >= 11)):
        out = [f"pip install 'nvidia-cudnn-cu{cuda_major}=={cudnn}.*'"]
    else:  # no pip wheel of a cuDNN this old (or the build's CUDA is not in the report)
        out = [f"# install cuDNN {cudnn}" + (f" for CUDA {cuda_major}.x" if cuda_major else "")
               + " (the version the framework was built with) from NVIDIA's cuDNN archive"]
    if f.first("env:LD_LIBRARY_PATH"):
        out.append("echo $LD_LIBRARY_PATH  # remove other cuDNN directories from it")
    return tuple(out)


def _driver_cuda(f: TriageFacts) -> tuple[str, int] | None:
    """The newest CUDA the installed driver runs, from PyTorch's 'found version 11040' (→ 11.4), and its line."""
    for m in f.has_log("torch_driver_too_old"):
        found = m.groups.get("found", "")
        if found.isdigit():
            n = int(found)
            return f"{n // 1000}.{n % 1000 // 10}", m.line
    return None


def _driver(f: TriageFacts):
    need = driver_needed(f)
    seen = driver_seen(f)
    runs = _driver_cuda(f)
    if not need and runs:
        cuda, line = runs
        row = next((r for r in table("cuda_drivers") if r["cuda"] == cuda), None)
        out = [f"# the installed driver runs CUDA {cuda} at most (line {line}); the framework's build needs a newer one",
               "sudo ubuntu-drivers install  # or your distribution's driver package, then reboot"]
        variant = _newest_torch_for(row["linux_min"]) if row else None
        if variant:
            out.append(f"pip install torch --index-url https://download.pytorch.org/whl/{variant}"
                       f"  # or: a PyTorch build this driver runs")
        return tuple(out)
    if not need:
        return None
    minimum, cuda, what = need
    out = [f"# {what} needs CUDA {cuda}, so an NVIDIA driver >= {minimum}"
           + (f"; the report shows {seen.value} (line {seen.line})" if seen else ""),
           "sudo ubuntu-drivers install  # or your distribution's driver package, then reboot"]
    if seen:
        variant = _newest_torch_for(seen.value)
        if variant and "torch" in what:
            out.append(f"pip install torch --index-url https://download.pytorch.org/whl/{variant}"
                       f"  # or: a build driver {seen.value} supports")
    return tuple(out)


def _visible(f: TriageFacts):
    s = f.first("env:CUDA_VISIBLE_DEVICES")
    if not s:
        return None
    out = [f"unset CUDA_VISIBLE_DEVICES  # the report sets it to '{s.value}' (line {s.line})"]
    if "environ" in s.text or "%env" in s.text:
        out.insert(0, f"# delete line {s.line} of the code: {s.text}")
    out.append("export CUDA_VISIBLE_DEVICES=0  # or list the GPU indices to use")
    return tuple(out)


def _container(f: TriageFacts):
    for s in f.all("docker_run"):
        if s.value == "no_gpus":
            cmd = _PROMPT.sub("", s.text).strip("`").strip()
            fixed, n = _RUN.subn(lambda m: m.group(0) + " --gpus all", cmd, count=1)
            if n:
                return (fixed,)
    return None


def _conflict(f: TriageFacts):
    names = [p.name for p in f.packages if p.name.lower().replace("_", "-") in
             ("tensorflow", "tensorflow-gpu", "tensorflow-cpu", "tensorflow-intel", "tf-nightly")]
    if len(names) < 2:
        return None
    install = _tf_gpu_install(f) or "pip install 'tensorflow[and-cuda]'"
    return (f"pip uninstall -y {' '.join(dict.fromkeys(names))}", install)


def _backend(f: TriageFacts):
    s = f.first("env:KERAS_BACKEND")
    if not s or not s.value:
        return None
    return (f"export KERAS_BACKEND={s.value}  # set before the first `import keras` (line {s.line} comes after it)",)


_BUILDERS = {
    "cuda_libs_missing": _libs,
    "cpu_only_package": lambda f: _libs(f) if tf_version(f) and not f.first("torch_version") else None,
    "pip_cuda_libs_not_found": _pip_unfound,
    "cudnn_missing": _cudnn,
    "cudnn_version_mismatch": _cudnn,
    "driver_too_old": _driver,
    "cuda_visible_devices_hidden": _visible,
    "container_no_gpu": _container,
    "package_conflict": _conflict,
    "keras_backend_other": _backend,
}
