"""Version knowledge as data: CSV tables in this folder, one fact per row, each row with a source.

Rules read these tables instead of encoding versions in if-chains. docs/knowledge.md says
how to add a release. A test checks that every row of every table names its source.
"""

from __future__ import annotations

import csv
import fnmatch
import os
from functools import cache

HERE = os.path.dirname(os.path.abspath(__file__))


@cache
def table(name: str) -> tuple[dict[str, str], ...]:
    """Rows of knowledge/<name>.csv as dicts (lines starting with '#' are comments)."""
    with open(os.path.join(HERE, f"{name}.csv"), encoding="utf-8") as fh:
        text = fh.read()
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return tuple(dict(row) for row in csv.DictReader(lines))


def tables() -> list[str]:
    return sorted(n[:-4] for n in os.listdir(HERE) if n.endswith(".csv"))


def version_key(v: str) -> tuple[int, ...]:
    """'12.5.1' → (12, 5, 1); stops at the first part without leading digits ('2.21.0rc1' → (2, 21, 0))."""
    out = []
    for part in v.split("."):
        num = ""
        for ch in part:
            if not ch.isdigit():
                break
            num += ch
        if not num:
            break
        out.append(int(num[:9]))  # a version part is never nine digits; a hostile one of thousands stays cheap
    return tuple(out)


def in_release_range(version: str, first: str, last: str) -> bool:
    """Whether a release lies in [first, last] of a knowledge row; an empty bound is open, and a bound named to its
    minor covers its patches ("1.14" as last takes 1.14.9; a version named to its minor, "1.15", is its .0)."""
    v = version_key(version)
    if not v:
        return False
    v = v + (0,) * (3 - len(v))
    lo = version_key(first) if first else ()
    hi = version_key(last) if last else ()
    return (not lo or v >= lo + (0,) * (3 - len(lo))) and (not hi or v <= hi + (10**9,) * (3 - len(hi)))


def cpu_only_install(framework: str, dist: str, version: str, system: str = "linux") -> bool:
    """Whether a plain install of `dist` at `version` (from PyPI, no index URL, no extra) on this OS is a CPU build
    (knowledge/cpu_only_installs.csv). With no version, only a row that still holds for today's releases applies."""
    for row in table("cpu_only_installs"):
        if row["framework"] != framework or row["dist"] != dist or row["platform"] not in ("any", system):
            continue
        if not version_key(version or ""):
            if not row["last"]:
                return True
            continue
        if in_release_range(version, row["first"], row["last"]):
            return True
    return False



def tensorflow_links_cuda(version: str) -> bool:
    """Whether a TensorFlow GPU build of this release links its CUDA libraries, so that importing it proves they were
    found (knowledge/tensorflow_cuda_linking.csv)."""
    return any(row["how"] == "linked" and in_release_range(version, row["first"], row["last"])
               for row in table("tensorflow_cuda_linking"))

def jax_extra_row(extra: str) -> dict | None:
    """The row of a jax CUDA extra that later releases dropped (knowledge/jax_extras.csv), by its name as pip
    normalises it (cuda12-pip and cuda12_pip are one extra), or None."""
    key = extra.strip().lower().replace("-", "_").replace(".", "_")
    return next((row for row in table("jax_extras") if row["extra"] == key), None)


def jax_extra_gone(extra: str, version: str = "") -> str:
    """The release from which jax no longer provides `extra`, when the jax installed (`version`; with none, the
    newest release, which pip takes) is that release or later; else ""."""
    row = jax_extra_row(extra)
    if row is None or (version_key(version or "") and version_key(version) < version_key(row["removed_in"])):
        return ""
    return row["removed_in"]


def soname_family(cuda: str) -> str | None:
    """The cuda_sonames family of a CUDA version: 12.5.1 → 12, 11.2 → 11, 11.0 → 11.0, 10.1 → 10.1.
    From 11.1 on a library's soname carries the major only; 11.0 and older name it by minor too."""
    k = version_key(cuda)
    if not k:
        return None
    if k[0] >= 12 or (k[0] == 11 and len(k) > 1 and k[1] > 0):
        return str(k[0])
    if len(k) == 1:
        return None  # "10" or "11" alone cannot tell 10.0 from 10.1
    return f"{k[0]}.{k[1]}"


def sonames(family: str, libs: tuple[str, ...] | None = None) -> dict[str, str]:
    """Library → the soname CUDA family `family` gives it (knowledge/cuda_sonames.csv)."""
    rows = [r for r in table("cuda_sonames") if r["cuda"] == family]
    out = {r["lib"]: r["soname"] for r in rows if libs is None or r["lib"] in libs}
    if rows and version_key(family) <= (10, 0):
        # Up to CUDA 10.0 every toolkit library carries the release's major.minor (the table's rows for 8.0-10.0
        # all do): a library without a row of its own is named by the same rule.
        out.update({lib: f"lib{lib}.so.{family}" for lib in (libs or ()) if lib not in out and lib in _TOOLKIT_LIBS})
    return out


_TOOLKIT_LIBS = ("cudart", "cublas", "cufft", "curand", "cusolver", "cusparse")


def release_row(name: str, version: str, key: str = "tensorflow", newest_for_newer: bool = True
                ) -> tuple[dict[str, str] | None, bool]:
    """The row of table `name` for a release series ('2.15.1' finds the row '2.15' in column `key`),
    and whether it is the newest row standing in for a release newer than the table."""
    if key == "tensorflow" and "+" in version:
        # TensorFlow's own wheels carry no local version label: a '+label' build (nvidia-tensorflow 1.15.5+nv23.03,
        # a community Windows wheel 1.13.1+nv) was made with its own CUDA and cuDNN, not those of the table
        return None, False
    rows = table(name)
    mm = version_key(version)[:2]
    for row in rows:
        if version_key(row[key])[:2] == mm:
            return row, False
    if newest_for_newer and rows:
        newest = max(rows, key=lambda r: version_key(r[key]))
        if mm > version_key(newest[key]):
            return newest, True
    return None, False


def gpu_compute_capability(text: str) -> tuple[str, str] | None:
    """(model, compute capability) of the first NVIDIA GPU model named in `text` (gpu_compute_capabilities.csv)."""
    for rx, name, cc in _gpu_patterns():
        if rx.search(text):
            return name, cc
    return None


@cache
def _gpu_patterns() -> tuple:
    """The GPU table's patterns, compiled once: re's own cache is shared with every other pattern a report meets."""
    import re

    return tuple((re.compile(r["pattern"], re.I), r["name"], r["compute_capability"])
                 for r in table("gpu_compute_capabilities"))


def driver_branch_only(v: str) -> bool:
    """Only a driver branch is known ("driver 470"): three digits, no release within it."""
    return v.isdigit() and 200 <= int(v) < 1000


def cuda_of_driver(driver: str, column: str = "linux_min", at_most: str | None = None) -> str | None:
    """The newest CUDA whose minimum driver (cuda_drivers.csv, `column`) this driver meets, no newer than `at_most`.
    A bare branch meets a minimum of its own branch: the minimums are each branch's first public release."""
    d = version_key(driver)
    n = 1 if driver_branch_only(driver) else None
    cap = version_key(at_most)[:2] if at_most else None
    fits = [r["cuda"] for r in table("cuda_drivers") if r[column] and version_key(r[column])[:n] <= d
            and (cap is None or version_key(r["cuda"])[:2] <= cap)]
    return max(fits, key=version_key, default=None)


def tensorflow_cudnn(row: dict | None, built: str | None = None) -> tuple[str | None, str | None]:
    """The cuDNN major a TensorFlow build loads and the lowest version of it that build accepts: the build's own
    cuDNN (`built`, from its build info) or else its release row's (tensorflow_releases.csv, the tested build
    table); the minimum only where the row is of that major."""
    major = (built or (row["cudnn"] if row else "")).split(".")[0] or None
    low = row.get("cudnn_min") if row and row.get("cudnn", "").split(".")[0] == major else None
    return major, low or None


def torch_arch_list(version: str, variant: str) -> tuple[str, ...] | None:
    """The architectures a torch release series' wheel of this CUDA variant carries (torch_arch_lists.csv)."""
    mm = version_key(version)[:2]
    for row in table("torch_arch_lists"):
        if version_key(row["torch"])[:2] == mm and row["variant"] == variant:
            return tuple(row["arch_list"].split())
    return None


def newest_tensorflow(dist: str, python: str) -> str | None:
    """The newest TensorFlow release (major.minor) that `pip install <dist>` can give on this Python, when
    the package name or the Python's supported range ends before today's release; None otherwise."""
    bounds = [r["last"] for r in table("tensorflow_dist_ends") if r["dist"] == dist]
    py = version_key(python)[:2]
    if len(py) == 2:
        rows = [r for r in table("tensorflow_releases")
                if version_key(r["python_min"])[:2] <= py <= version_key(r["python_max"])[:2]]
        newest = max((r["tensorflow"] for r in rows), key=version_key, default=None)
        latest = max((r["tensorflow"] for r in table("tensorflow_releases")), key=version_key)
        if newest is not None and newest != latest:
            bounds.append(newest)
    return min(bounds, key=version_key) if bounds else None


def image_key(image: str) -> str:
    i = image.strip().lower().split("@", 1)[0]
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        if i.startswith(prefix):
            i = i[len(prefix):]
    if i.startswith("library/"):
        i = i[len("library/"):]
    if i.startswith("nvcr.io/nvidia/cuda:"):
        i = i[len("nvcr.io/"):]
    if ":" not in i.rsplit("/", 1)[-1]:
        i += ":latest"
    return i


@cache
def image_row(image: str) -> dict | None:
    if not image or "$" in image:
        return None
    key = image_key(image)
    for row in table("container_images"):
        if fnmatch.fnmatchcase(key, row["pattern"]):
            return row
    return None
