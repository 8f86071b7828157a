"""The CUDA library layer: the CUDA/cuDNN copies on the machine and the ones each framework would load.

Part of the snapshot schema (whynogpu.facts): filled by the probes on a machine and by triage/to_facts.py
from a pasted report; read by the rules.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LibCopy:
    lib: str  # cudart, cublas, cudnn, cudnn_ops, …
    soname: str  # libcudart.so.12
    path: str  # the file as found
    directory: str  # its directory with symlinks resolved, used to match search paths
    version: str | None  # 12.9.79
    version_from: str | None  # "wheel nvidia-cuda-runtime-cu12", "file name", "cudnn_version.h", "version call"
    origin: str  # pip, bundled, conda, toolkit, cuda_home, ld_library_path, system
    detail: str  # nvidia-cuda-runtime-cu12 12.9.79, /usr/local/cuda-13.0, $CUDA_HOME, …


@dataclass(frozen=True)
class CacheLib:
    soname: str
    path: str


@dataclass(frozen=True)
class Nvcc:
    path: str
    version: str | None  # 13.0.88


@dataclass(frozen=True)
class JupyterKernel:
    spec: str  # path of kernel.json
    python: str  # argv[0]
    ld_library_path: str | None  # from its "env", None when the kernel does not set it


@dataclass(frozen=True)
class ResolvedLib:
    lib: str
    soname: str
    path: str | None  # None: no copy on this framework's search path
    via: str | None  # LD_LIBRARY_PATH, pip wheels (RPATH), loader cache, default directory, bundled
    version: str | None
    origin: str | None


@dataclass(frozen=True)
class FrameworkLibs:
    framework: str  # tensorflow, torch, jax
    version: str
    cuda: str | None  # the CUDA the build was made for (12.5.1)
    cuda_family: str | None  # soname family: 12, 11, 11.0, 10.1
    cudnn_major: str | None
    cudnn_min: str | None  # lowest cuDNN the build accepts (9.3)
    finds_pip_wheels: bool
    pip_dirs: tuple[str, ...]  # the wheel directories it searches
    libs: tuple[ResolvedLib, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CudaLibFacts:
    os: str
    copies: tuple[LibCopy, ...]
    ld_library_path: tuple[str, ...]  # entries as set
    ld_library_dirs: tuple[str, ...]  # the same, symlinks resolved
    ld_cache: tuple[CacheLib, ...]  # CUDA libraries in the loader cache (64-bit)
    ld_cache_read: bool
    default_dirs: tuple[str, ...]
    nvcc: Nvcc | None
    kernels: tuple[JupyterKernel, ...]
    frameworks: tuple[FrameworkLibs, ...]
    env_kind: str | None  # the target's: conda, venv, system…
    prefix: str | None
    conda_active: bool  # CONDA_PREFIX names the target's env (its activate.d hooks ran)
    scanned: bool = True  # the machine's folders were searched; False for a pasted report (copies it shows only)
    # Native Windows only: the folders LoadLibrary searches for a DLL named without a path, in order (the
    # application folder, System32, the Windows folder, then PATH); empty on Linux.
    dll_search_path: tuple[str, ...] = ()

    def copies_of(self, soname: str) -> tuple[LibCopy, ...]:
        return tuple(c for c in self.copies if c.soname == soname)

    def framework(self, name: str) -> FrameworkLibs | None:
        return next((f for f in self.frameworks if f.framework == name), None)
