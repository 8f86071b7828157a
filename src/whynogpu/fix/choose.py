"""Which GPU build to install: read from the knowledge tables, never written here.

Each function gets what the snapshot already says (the installed release, the target's Python, the
driver's version, whether there is an NVIDIA GPU at all) and returns the package specs to install with
the index they come from, or why none fits.
"""

from __future__ import annotations

from dataclasses import dataclass

from whynogpu.knowledge import release_row, table, version_key


@dataclass(frozen=True)
class Choice:
    specs: tuple[str, ...]  # pip requirement strings (or conda specs)
    index: str | None = None  # index URL (pip-like tools) or channel (conda)
    note: str = ""  # why this build, in words
    source_name: str | None = None  # a name for the index where a tool needs one (poetry)


def source(framework: str, installer: str) -> dict[str, str] | None:
    """The gpu_install_sources row of a framework for this installer (conda, or any pip-compatible tool)."""
    kind = "conda" if installer == "conda" else "pip"
    return next((r for r in table("gpu_install_sources") if r["framework"] == framework and r["installer"] == kind), None)


def driver_ok(driver: str | None, minimum: str) -> bool:
    """The driver runs what needs `minimum` (an unknown driver is not held against a build)."""
    return driver is None or version_key(driver) >= version_key(minimum)


def major_min_driver(cuda: str, windows: bool = False) -> str | None:
    """The lowest driver that runs anything built with this CUDA major (minor-version compatibility): the Linux
    number, or the Windows one (native Windows and WSL2, whose driver is the Windows driver). A CUDA major with
    no Windows value in the table gives the branch of its Linux minimum (CUDA 13: 580)."""
    major = str(version_key(cuda)[0]) if version_key(cuda) else ""
    row = next((r for r in table("cuda_minor_compat") if r["cuda_major"] == major), None)
    if row is None:
        row = next((r for r in table("cuda_drivers") if r["cuda"] == cuda), None)
    if row is None:
        return None
    if windows:
        return row["windows_min"] or row["linux_min"].split(".")[0]
    return row["linux_min"]


def python_ok(row: dict[str, str], python: str) -> bool:
    """`python` (3.11.7) is within a row's python_min..python_max (an empty python_max: no upper bound)."""
    py = version_key(python)[:2]
    top = row.get("python_max") or ""
    return version_key(row["python_min"]) <= py and (not top or py <= version_key(top))


def _conda(framework: str, note: str) -> Choice | None:
    src = source(framework, "conda")
    return Choice((src["spec"],), src["index"] or None, note) if src else None


def tensorflow(installed: str | None, python: str, driver: str | None, gpu: bool, installer: str = "pip"
               ) -> Choice | str:
    """The `tensorflow` release to install: the installed series when this Python and the driver can run
    it, else the newest release that they can; with its `and-cuda` extra when there is a GPU to use it."""
    if installer == "conda":
        return _conda("tensorflow", "conda-forge's CUDA build of TensorFlow") or "no conda source for TensorFlow"
    rows = sorted(table("tensorflow_releases"), key=lambda r: version_key(r["tensorflow"]), reverse=True)

    def fits(row: dict[str, str]) -> bool:
        minimum = major_min_driver(row["cuda"])
        pip_cuda, _ = release_row("tensorflow_pip_cuda", row["tensorflow"], newest_for_newer=False)
        # a release whose and-cuda wheels it cannot find by itself (2.16.1) is no fix
        broken = pip_cuda is not None and pip_cuda["and_cuda"] and pip_cuda["finds_pip_wheels"] != "yes"
        return python_ok(row, python) and (minimum is None or driver_ok(driver, minimum)) and not broken

    same, _ = release_row("tensorflow_releases", installed, newest_for_newer=False) if installed else (None, False)
    row = same if same is not None and fits(same) else next((r for r in rows if fits(r)), None)
    if row is None:
        return (f"no TensorFlow release in the knowledge base runs on Python {python}"
                + (f" with driver {driver}" if driver else ""))
    pin = f"=={installed}" if row is same and installed else f"=={row['tensorflow']}.*"
    pip_cuda, _ = release_row("tensorflow_pip_cuda", row["tensorflow"], newest_for_newer=False)
    extra = "[and-cuda]" if gpu and pip_cuda and pip_cuda["and_cuda"] else ""
    src = source("tensorflow", "pip")
    note = f"TensorFlow {row['tensorflow']} is built with CUDA {row['cuda']} and supports Python " \
           f"{row['python_min']}–{row['python_max']}"
    if gpu and extra:
        note += "; its and-cuda extra installs the CUDA libraries it needs as pip wheels"
    elif not gpu:
        note += "; the and-cuda extra (CUDA libraries as pip wheels) is left out: this machine has no NVIDIA GPU " \
                "to use them, add it where there is one"
    return Choice((f"{src['spec'] if src else 'tensorflow'}{extra}{pin}",), (src or {}).get("index") or None, note)


def torch(installed: str | None, driver: str | None, installer: str = "pip", companions: tuple[str, ...] = ()
          ) -> Choice | str:
    """The CUDA wheel of the installed torch release: the newest CUDA variant of that release the driver
    runs (the PyPI default's CUDA when the driver is unknown)."""
    if installer == "conda":
        return _conda("torch", "conda-forge's CUDA build of PyTorch") or "no conda source for PyTorch"
    release = (installed or "").split("+")[0]
    series = version_key(release)[:2]
    variants = {r["variant"]: r for r in table("torch_cuda_variants")}
    offered = [r["variant"] for r in table("torch_arch_lists")
               if version_key(r["torch"])[:2] == series and r["variant"] in variants]
    default = next((r["cuda"] for r in table("torch_pypi_default_cuda") if version_key(r["torch"])[:2] == series), None)
    default_variant = next((v for v, r in variants.items() if r["cuda"] == default), None)
    if default_variant and default_variant not in offered:
        offered.append(default_variant)
    if not offered:
        return f"the knowledge base lists no CUDA wheels of torch {release or '(unknown version)'}"
    runnable = [v for v in offered if driver_ok(driver, variants[v]["linux_min_driver"])]
    if not runnable:
        lowest = min(offered, key=lambda v: version_key(variants[v]["linux_min_driver"]))
        return (f"driver {driver} is older than every CUDA wheel of torch {release} needs "
                f"(at least {variants[lowest]['linux_min_driver']} for {lowest})")
    if driver is None and default_variant in runnable:
        variant = default_variant
    else:
        variant = max(runnable, key=lambda v: version_key(variants[v]["cuda"]))
    src = source("torch", "pip")
    index = src["index"].replace("{variant}", variant) if src and src["index"] else None
    specs = (f"torch=={release}" if release else "torch", *companions)
    why = f"driver {driver} runs it" if driver else "the CUDA of the default PyPI wheel (the driver's version is unknown)"
    return Choice(specs, index, f"the {variant} wheel (CUDA {variants[variant]['cuda']}): {why}",
                  source_name=f"pytorch-{variant}")


def jax(installed: str | None, driver: str | None, installer: str = "pip") -> Choice | str:
    """jax with the newest CUDA plugin the driver runs (the newest plugin when the driver is unknown)."""
    if installer == "conda":
        return _conda("jax", "conda-forge's CUDA build of jaxlib") or "no conda source for JAX"
    plugins = sorted(table("jax_cuda_plugins"), key=lambda r: int(r["cuda"]), reverse=True)
    row = next((r for r in plugins if driver_ok(driver, r["linux_min_driver"])), None)
    if row is None:
        return f"driver {driver} is older than every JAX CUDA plugin needs ({plugins[-1]['linux_min_driver']})"
    src = source("jax", "pip")
    pin = f"=={installed}" if installed else ""
    why = f"driver {driver} runs it" if driver else "the newest plugin (the driver's version is unknown)"
    return Choice((f"{src['spec'] if src else 'jax'}[cuda{row['cuda']}]{pin}",), (src or {}).get("index") or None,
                  f"{row['plugin']} (CUDA {row['cuda']}): {why}")
