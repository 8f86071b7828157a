"""Every GPU build the knowledge tables know, per framework, with what it needs to run.

Nothing here is a number: each field is read from a sourced table (tensorflow_releases, tensorflow_pip_cuda,
tensorflow_platforms, torch_arch_lists, torch_cuda_variants, torch_pypi_default_cuda, torch_python,
jax_cuda_plugins, jax_python, framework_platforms, cuda_minor_compat, cuda_architectures, gpu_install_sources).
Candidates come newest first (release, then CUDA), so the first that fits a machine is the one to install.
"""

from __future__ import annotations

from dataclasses import dataclass

from whynogpu.fix import choose
from whynogpu.knowledge import release_row, table, torch_arch_list, version_key

LABELS = {"tensorflow": "TensorFlow", "torch": "PyTorch", "jax": "JAX", "keras": "Keras"}


@dataclass(frozen=True)
class Candidate:
    framework: str
    release: str  # the release series (2.21, 2.11) or, for JAX, the plugin's line (0.7.0)
    label: str  # "TensorFlow 2.21", "PyTorch 2.11 (cu128)", "JAX 0.7.0+ with jax-cuda13-plugin"
    cuda: str
    specs: tuple[str, ...]
    index: str | None
    python_min: str | None
    python_max: str | None
    archs: tuple[str, ...] | None  # architectures it has kernels for; None: not known (the CUDA major's floor applies)
    min_driver_linux: str | None
    source_name: str | None = None
    notes: tuple[str, ...] = ()  # what the install does not do by itself (CUDA libraries to install)
    broken: str | None = None  # why this release is no answer even where it runs (2.16.1's wheel lookup)

    def min_driver(self, windows: bool) -> str | None:
        return choose.major_min_driver(self.cuda, windows=True) if windows else self.min_driver_linux

    @property
    def min_compute_capability(self) -> str | None:
        """The oldest GPU it has kernels for: the lowest architecture in its list, else its CUDA major's floor."""
        if self.archs:
            nums = [a.partition("_")[2].rstrip("af") for a in self.archs]
            keys = sorted((int(n) // 10, int(n) % 10) for n in nums if n.isdigit())
            if keys:
                return f"{keys[0][0]}.{keys[0][1]}"
        return cuda_floor(self.cuda)


def cuda_floor(cuda: str) -> str | None:
    major = str(version_key(cuda)[0]) if version_key(cuda) else ""
    row = next((r for r in table("cuda_architectures") if r["cuda_major"] == major), None)
    return row["min_compute_capability"] if row else None


def platform_gpu(framework: str, platform: str, release: str) -> tuple[bool, str]:
    """Whether the framework's published build of `release` uses an NVIDIA GPU on this platform, and the table's note."""
    if framework == "tensorflow":
        plat = "linux" if platform == "wsl" else platform
        for r in table("tensorflow_platforms"):
            if r["platform"] != plat:
                continue
            lo, hi = version_key(r["first"]), version_key(r["last"]) if r["last"] else None
            if lo <= version_key(release)[:2] and (hi is None or version_key(release)[:2] <= hi):
                return r["gpu"] == "cuda", r["note"]
        return plat == "linux", ""
    row = next((r for r in table("framework_platforms") if r["framework"] == framework and r["platform"] == platform),
               None)
    return (row["gpu"] == "cuda", row["note"]) if row else (platform == "linux", "")


def _pin(version: str | None, series: str) -> str:
    """==2.21.* for a series, ==2.21.0 when the user named a full version."""
    if version and len(version_key(version)) >= 3:
        return f"=={version}"
    return f"=={series}.*"


def tensorflow(platform: str, version: str | None = None) -> list[Candidate]:
    src = choose.source("tensorflow", "pip")
    spec = src["spec"] if src else "tensorflow"
    out = []
    for r in sorted(table("tensorflow_releases"), key=lambda r: version_key(r["tensorflow"]), reverse=True):
        series = r["tensorflow"]
        if version and version_key(version)[:2] != version_key(series)[:2]:
            continue
        pip_cuda, _ = release_row("tensorflow_pip_cuda", series, newest_for_newer=False)
        extra = "[and-cuda]" if pip_cuda and pip_cuda["and_cuda"] and platform in ("linux", "wsl") else ""
        notes = ()
        if not extra:
            notes = (f"it loads CUDA {r['cuda']} and cuDNN {r['cudnn_min'] or r['cudnn']} from the system: install "
                     f"those libraries too (tested build configuration)",)
        broken = None
        if pip_cuda and pip_cuda["and_cuda"] and pip_cuda["finds_pip_wheels"] != "yes":
            broken = f"TensorFlow {series}'s wheel does not find its own pip CUDA libraries ({pip_cuda['source']})"
        out.append(Candidate(
            "tensorflow", series, f"TensorFlow {series}", r["cuda"], (f"{spec}{extra}{_pin(version, series)}",),
            (src or {}).get("index") or None, r["python_min"], r["python_max"],
            tuple(r["compute_capabilities"].split()) or None, choose.major_min_driver(r["cuda"]), notes=notes,
            broken=broken))
    return out


def _torch_series() -> list[str]:
    names = {r["torch"] for r in table("torch_arch_lists")} | {r["torch"] for r in table("torch_pypi_default_cuda")}
    return sorted(names, key=version_key, reverse=True)


def torch(platform: str, version: str | None = None) -> list[Candidate]:
    src = choose.source("torch", "pip")
    variants = {r["variant"]: r for r in table("torch_cuda_variants")}
    out = []
    for series in _torch_series():
        if version and version_key(version)[:2] != version_key(series)[:2]:
            continue
        offered = [r["variant"] for r in table("torch_arch_lists") if r["torch"] == series and r["variant"] in variants]
        default = next((r["cuda"] for r in table("torch_pypi_default_cuda") if r["torch"] == series), None)
        dv = next((v for v, r in variants.items() if r["cuda"] == default), None)
        if dv and dv not in offered:
            offered.append(dv)
        py, _ = release_row("torch_python", series, key="torch")
        for v in sorted(offered, key=lambda v: version_key(variants[v]["cuda"]), reverse=True):
            index = src["index"].replace("{variant}", v) if src and src["index"] else None
            out.append(Candidate(
                "torch", series, f"PyTorch {series} ({v}, CUDA {variants[v]['cuda']})", variants[v]["cuda"],
                (f"torch{_pin(version, series)}",), index, py["python_min"] if py else None,
                py["python_max"] if py else None, torch_arch_list(series, v), variants[v]["linux_min_driver"],
                source_name=f"pytorch-{v}"))
    return out


def jax(platform: str, version: str | None = None) -> list[Candidate]:
    src = choose.source("jax", "pip")
    spec = src["spec"] if src else "jax"
    lines = sorted(table("jax_python"), key=lambda r: version_key(r["first"]), reverse=True)
    out = []
    for plugin in sorted(table("jax_cuda_plugins"), key=lambda r: int(r["cuda"]), reverse=True):
        for i, line in enumerate(lines):
            if i > 0 and plugin is not None and int(plugin["cuda"]) > 12:
                continue  # the CUDA 13 plugin is known for the newest JAX line only
            if version and not (version_key(line["first"]) <= version_key(version)
                                and (not line["next"] or version_key(version) < version_key(line["next"]))):
                continue
            pin = f"=={version}" if version else (f"<{line['next']}" if line["next"] else "")
            out.append(Candidate(
                "jax", line["first"], f"JAX {line['first']}+ with {plugin['plugin']} (CUDA {plugin['cuda']})",
                plugin["cuda"], (f"{spec}[cuda{plugin['cuda']}]{pin}",), (src or {}).get("index") or None,
                line["python_min"], None, None, plugin["linux_min_driver"]))
    return out


def for_framework(framework: str, platform: str, version: str | None = None) -> list[Candidate]:
    return {"tensorflow": tensorflow, "torch": torch, "jax": jax}[framework](platform, version)
