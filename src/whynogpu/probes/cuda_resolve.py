"""Which copy of each CUDA library a framework would load, in the order the loader looks.

Frameworks dlopen CUDA libraries by soname from their own shared objects, so on Linux the
search is: LD_LIBRARY_PATH, then the RUNPATH of the calling object (TensorFlow >= 2.14,
PyPI torch and the JAX CUDA plugins point theirs at site-packages/nvidia/*/lib), then the
loader cache, then the default directories. That is why a system CUDA on LD_LIBRARY_PATH
shadows the pip wheels (the JAX install guide warns about exactly this), and why a wheel
that no RUNPATH points at (TensorFlow < 2.14, 2.16.1) is never found without LD_LIBRARY_PATH.

Libraries bundled inside a framework wheel with hashed names (older torch) are loaded from
next to the framework and are taken as they are.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import replace

from whynogpu.facts.cuda import CudaLibFacts, FrameworkLibs, LibCopy, ResolvedLib
from whynogpu.facts.frameworks import FrameworkBuildFacts
from whynogpu.facts.target import TargetFacts
from whynogpu.knowledge import release_row, soname_family, sonames, table, tensorflow_cudnn, version_key

TORCH_LIBS = ("cudart", "cublas", "cublasLt", "cufft", "curand", "cusolver", "cusparse")
JAX_LIBS = ("cudart", "cublas", "cublasLt", "cufft", "cusolver", "cusparse", "cupti")


def knowledge_row(name: str, version: str) -> tuple[dict | None, str | None]:
    """The row for a TF release, or the newest row with a note when the release is newer than the table."""
    row, newer = release_row(name, version)
    if row is not None and newer:
        mm = ".".join(map(str, version_key(version)[:2]))
        return row, f"TensorFlow {mm} is newer than this knowledge base; assuming the {row['tensorflow']} row"
    return row, None


class _Search:
    """The ordered directories one framework's loader walks, and the copies in them."""

    def __init__(self, facts: CudaLibFacts, pip_dirs: tuple[str, ...], bundled: tuple[LibCopy, ...]) -> None:
        self.facts = facts
        self.order: list[tuple[str, str]] = [(d, "LD_LIBRARY_PATH") for d in facts.ld_library_dirs]
        self.order += [(d, "pip wheels (RPATH)") for d in pip_dirs]
        self.bundled = bundled
        self.by_place = {(c.directory, c.soname): c for c in facts.copies}

    def find(self, lib: str, soname: str) -> ResolvedLib:
        for c in self.bundled:
            if c.soname == soname:
                return ResolvedLib(lib, soname, c.path, "bundled with the framework", c.version, c.origin)
        for directory, via in self.order:
            c = self.by_place.get((directory, soname))
            if c:
                return ResolvedLib(lib, soname, c.path, via, c.version, c.origin)
        for entry in self.facts.ld_cache:
            if entry.soname == soname:
                c = next((x for x in self.facts.copies if x.path == entry.path or
                          (x.soname == soname and x.directory == posixpath.dirname(entry.path))), None)
                return ResolvedLib(lib, soname, entry.path, "loader cache", c.version if c else None,
                                   c.origin if c else "system")
        for directory in self.facts.default_dirs:
            c = self.by_place.get((directory, soname))
            if c:
                return ResolvedLib(lib, soname, c.path, "default directory", c.version, c.origin)
        return ResolvedLib(lib, soname, None, None, None, None)


def _pip_dirs(facts: CudaLibFacts, location: str, realpath: Callable[[str], str]) -> tuple[str, ...]:
    site = realpath(location)
    dirs = []
    for c in facts.copies:
        if c.origin == "pip" and c.directory.startswith(site.rstrip("/") + "/nvidia/") and c.directory not in dirs:
            dirs.append(c.directory)
    return tuple(sorted(dirs))


def _resolve(facts, framework, version, cuda, family, libs, cudnn_major, cudnn_min, finds_pip, location,
             realpath, bundled=(), notes=()) -> FrameworkLibs:
    pip_dirs = _pip_dirs(facts, location, realpath) if finds_pip else ()
    search = _Search(facts, pip_dirs, bundled)
    wanted = sonames(family, libs) if family else {}
    resolved = [search.find(lib, soname) for lib, soname in wanted.items()]
    if cudnn_major:
        resolved.append(search.find("cudnn", f"libcudnn.so.{cudnn_major}"))
    return FrameworkLibs(framework, version, cuda, family, cudnn_major, cudnn_min, finds_pip, pip_dirs,
                         tuple(resolved), tuple(notes))


def _tensorflow(facts, t, b, realpath) -> FrameworkLibs | None:
    tf = b.tensorflow if b else None
    d = t.dist("tensorflow") or t.dist("tf-nightly") or t.dist("tensorflow-gpu")
    if d is None or tf is None or not tf.cuda_build:
        return None
    row, note = knowledge_row("tensorflow_releases", d.version)
    notes = [note] if note else []
    cuda = tf.cuda_version or (row["cuda"] if row else None)
    family = soname_family(cuda or "") or (soname_family(row["cuda"]) if row else None)
    pip_row, pip_note = knowledge_row("tensorflow_pip_cuda", d.version) if version_key(d.version) >= (2, 12) else (None, None)
    finds_pip = bool(pip_row and pip_row["finds_pip_wheels"] == "yes")
    cudnn_major, cudnn_min = tensorflow_cudnn(row, tf.cudnn_version)
    libs = tuple(r["lib"] for r in table("tensorflow_cuda_libs") if r["lib"] != "cudnn")
    return _resolve(facts, "tensorflow", d.version, cuda, family, libs, cudnn_major, cudnn_min, finds_pip,
                    d.location, realpath, notes=notes)


def _torch(facts, t, b, realpath) -> FrameworkLibs | None:
    d = t.dist("torch")
    build = b.torch if b else None
    if d is None or build is None or not build.cuda_version:
        return None
    requires = " ".join(d.requires).lower()
    finds_pip = "nvidia-" in requires or "cuda-toolkit" in requires
    m = re.search(r"nvidia-cudnn-cu\d+\s*(?:==|>=)\s*(\d+)", requires)
    bundled = tuple(c for c in facts.copies if c.origin == "bundled" and c.detail.startswith(f"{d.name} "))
    cudnn = m.group(1) if m else next((c.soname.rsplit(".", 1)[-1] for c in bundled if c.lib == "cudnn"), None)
    return _resolve(facts, "torch", d.version, build.cuda_version, soname_family(build.cuda_version), TORCH_LIBS,
                    cudnn, None, finds_pip, d.location, realpath, bundled=bundled)


def _jax(facts, t, realpath) -> FrameworkLibs | None:
    for row in table("jax_cuda_plugins"):
        d = t.dist(row["plugin"])
        if d is None:
            continue
        return _resolve(facts, "jax", d.version, row["cuda"], row["cuda"], JAX_LIBS, row["cudnn_min"].split(".")[0],
                        row["cudnn_min"], True, d.location, realpath)
    return None


def resolve_frameworks(facts: CudaLibFacts, t: TargetFacts | None, b: FrameworkBuildFacts | None,
                       realpath: Callable[[str], str]) -> CudaLibFacts:
    if t is None:
        return facts
    found = [f for f in (_tensorflow(facts, t, b, realpath), _torch(facts, t, b, realpath), _jax(facts, t, realpath)) if f]
    return replace(facts, frameworks=tuple(found))
