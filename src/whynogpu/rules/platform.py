"""Operating systems where the frameworks cannot use CUDA at all."""

from __future__ import annotations

from whynogpu.facts.report import TriageFacts
from whynogpu.knowledge import newest_tensorflow, table
from whynogpu.model import Evidence, Fix, Severity
from whynogpu.rules import rule, summary
from whynogpu.rules.common import builds, major_minor, pip, platform, target, version_key
from whynogpu.rules.windows import tensorflow_ways


@summary("platform")
def platform_summary(snap):
    p = platform(snap)
    if p is None:
        return None
    parts = [p.distro or p.os, p.arch]
    if p.wsl:
        parts.append(f"WSL{p.wsl}")
    if p.container:
        parts.append(f"{p.container} container")
    return ", ".join(x for x in parts if x)


def tf_gpu_row(os_name: str, version: str) -> dict | None:
    """The platform row covering this TF version, from knowledge/tensorflow_platforms.csv. No version (a
    report that says `pip install tensorflow`): the release pip picks today, the row still open at its end."""
    v = version_key(version)[:2]
    for row in table("tensorflow_platforms"):
        if row["platform"] != os_name:
            continue
        if not v:
            if not row["last"]:
                return row
            continue
        first = version_key(row["first"])[:2]
        last = version_key(row["last"])[:2] if row["last"] else (999, 0)
        if first <= v <= last:
            return row
    return None


@rule(
    "WG101", "windows_native_tensorflow", "windows_native_unsupported",
    "TensorFlow on native Windows has no GPU support after 2.10",
    detects="TensorFlow 2.11 or newer installed in a native Windows Python (not WSL2); a warning only when torch "
            "is installed as well, since PyTorch can use the GPU on native Windows.",
    why="From 2.11 on, TensorFlow publishes no CUDA build for native Windows; the Windows wheel "
        "(built by Intel) is CPU-only, so no GPU is ever listed.",
    example="platform windows, tensorflow 2.15.0 (via tensorflow-intel 2.15.0)",
    fix="Run TensorFlow inside WSL2 with `pip install tensorflow[and-cuda]`, or pin tensorflow<2.11 "
        "with CUDA 11.2 / cuDNN 8.1 on native Windows (Python 3.10 at most), or use tensorflow-cpu 2.10 with "
        "Microsoft's tensorflow-directml-plugin (knowledge/windows_tensorflow_ways.csv).",
    references=("https://www.tensorflow.org/install/pip#windows-native",
                "https://www.tensorflow.org/install/pip#windows-wsl2",
                "https://github.com/microsoft/tensorflow-directml-plugin"),
)
def windows_native_tensorflow(info, snap):
    p, t = platform(snap), target(snap)
    if not p or not t or p.os != "windows":
        return
    tf = t.dist("tensorflow") or t.dist("tensorflow-intel") or t.dist("tensorflow-cpu") or t.dist("tensorflow-gpu")
    if tf is None:
        return
    # No version given: the newest release pip can install for this package name and Python, not always today's
    # (tensorflow-gpu ends at 2.10; Python 3.7 gets at most 2.11).
    version = tf.version or newest_tensorflow(tf.name, t.version) or ""
    row = tf_gpu_row("windows", version)
    if row is None or row["gpu"] != "none":
        return
    # PyTorch has CUDA wheels for native Windows: with torch installed, TensorFlow's missing GPU build is one
    # framework's limit, not why this machine cannot use the GPU, so it must not rank above (and replace) the
    # torch findings and their fixes with a TensorFlow/WSL one.
    torch = t.dist("torch")
    yield info.finding(
        Severity.WARNING if torch else Severity.ERROR,
        [Evidence(f"native Windows ({p.distro or p.kernel})", "platform"),
         Evidence(f"{tf.name} {tf.version or '(no version given: the release pip installs today)'} installed",
                  f"package metadata of {t.python}"),
         *([Evidence(f"torch {torch.version} is installed too; PyTorch has CUDA builds for native Windows",
                     f"package metadata of {t.python}")] if torch else [])],
        f"TensorFlow {major_minor(tf.version) or row['first'] + ' and later'} has no CUDA build for native Windows: "
        f"{row['note']}.",
        Fix(
            "Three ways to a GPU: 1) WSL2 with an Ubuntu distribution and TensorFlow with its CUDA libraries "
            "there (the Windows NVIDIA driver provides the GPU to WSL2); 2) on native Windows, TensorFlow 2.10 "
            "with CUDA 11.2 and cuDNN 8.1; 3) tensorflow-cpu 2.10 with Microsoft's DirectML plugin (paused).",
            tuple(tensorflow_ways(t)[0]),
        ),
    )


@rule(
    "WG102", "macos_has_no_cuda", "macos_no_cuda",
    "macOS has no CUDA: use Apple's Metal (MPS) backends instead",
    detects="Running on macOS, where NVIDIA's CUDA does not exist.",
    why="Current Macs have Apple GPUs and macOS has had no CUDA driver for years, so CUDA builds cannot run. "
        "TensorFlow uses Apple GPUs only through the tensorflow-metal plugin, PyTorch through the 'mps' device.",
    example="platform macos arm64, tensorflow 2.16.1",
    fix="TensorFlow: `pip install tensorflow tensorflow-metal`. PyTorch: use `torch.device('mps')`. "
        "JAX: the experimental jax-metal plugin.",
    references=("https://developer.apple.com/metal/tensorflow-plugin/",
                "https://pytorch.org/docs/stable/notes/mps.html"),
)
def macos_has_no_cuda(info, snap):
    p, t = platform(snap), target(snap)
    if not p or p.os != "macos":
        return
    tf = t.dist("tensorflow-gpu") or t.dist("tensorflow") if t else None
    row = tf_gpu_row("macos", tf.version) if tf and tf.version else None
    if row is not None and row["gpu"] == "cuda":
        return  # a TensorFlow from the years it had CUDA on macOS (NVIDIA eGPUs, older MacBook Pros)
    b = builds(snap)
    if b and any(x is not None and x.cuda_build for x in (b.tensorflow, b.torch)):
        return  # a CUDA build on macOS (those years, or built from source): its CUDA libraries are the question
    f = snap.get(TriageFacts) if snap.mode == "triage" else None
    if f is not None and any(m.kind == "success" and m.line not in f.prose_log_lines for m in f.log):
        return  # the report shows the Mac's GPU at work: through Metal, which is what this finding would advise
    cmds = []
    if t and (t.dist("tensorflow") or t.dist("tensorflow-macos")):
        cmds.append(pip(t, "install tensorflow-metal"))
    if t and t.dist("torch"):
        cmds.append("# PyTorch: move work to the Apple GPU with device = torch.device('mps')")
    yield info.finding(
        Severity.ERROR,
        [Evidence(f"macOS on {p.arch}" if p.arch else "macOS (the report's words or paths)", "platform")],
        "There is no CUDA on macOS, so no framework can use an NVIDIA GPU here; Apple GPUs are reached through Metal.",
        Fix("Use the Metal back-ends: tensorflow-metal for TensorFlow, the 'mps' device for PyTorch.", tuple(cmds)),
    )
