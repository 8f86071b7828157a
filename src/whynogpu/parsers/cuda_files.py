"""Names and small text files of CUDA libraries: what each file is and which version it holds.

Nothing here opens a library. The version comes from the file name when it carries one
(`libcudnn.so.8.9.7`), from a header next to the library, or from `nvcc --version`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Libraries a framework may need, by the stem of their file name. cuDNN 9 splits into
# libcudnn_<part>.so.9; TensorRT's core library is libnvinfer.
LIBS = ("cudart", "cublas", "cublasLt", "cufft", "curand", "cusolver", "cusparse", "cudnn", "nccl", "nvrtc",
        "nvJitLink", "cupti", "nvinfer")

# libcudart.so.12, libcudart.so.12.9.79, libcudnn_ops.so.9, and torch's bundled copies with a hash:
# libcudart-9335f6a2.so.12. The plain development symlink libcudart.so is not a loadable soname.
_SO = re.compile(r"^lib(?P<stem>[A-Za-z]+(?:_[a-z_]+)?)(?:-[0-9a-f]{8})?\.so\.(?P<ver>\d+(?:\.\d+)*)$")
# Windows: cudart64_110.dll, cublas64_11.dll, cudnn64_8.dll, cudnn_ops64_9.dll, nvJitLink_120_0.dll
_DLL = re.compile(r"^(?P<stem>[A-Za-z]+(?:_[a-z]+)?)64_(?P<ver>\d+)\.dll$", re.I)


@dataclass(frozen=True)
class LibName:
    lib: str  # "cudart", "cudnn", "cudnn_ops", …
    soname: str  # what a loader asks for: libcudart.so.12, libcudnn.so.9, cudart64_110.dll
    major: str  # the soname's version: "12", "11.0", "9", "110"
    version: str | None  # full version when the file name carries it: "12.9.79"


def _known(stem: str) -> str | None:
    for lib in LIBS:
        if stem == lib or (lib == "cudnn" and stem.startswith("cudnn_")):
            return stem
    return None


# Every name parse_lib_name can accept starts with one of these: a cheap test that lets a folder of
# thousands of other libraries (/usr/lib/x86_64-linux-gnu) through without a regex each.
_STARTS = tuple(sorted({p.lower() for lib in LIBS for p in (f"lib{lib}", lib)}))


def parse_lib_name(file_name: str) -> LibName | None:
    if not file_name[:16].lower().startswith(_STARTS):  # .dll names may come in capitals
        return None
    m = _SO.match(file_name)
    if m:
        lib = _known(m["stem"])
        if lib is None:
            return None
        parts = m["ver"].split(".")
        if len(parts) <= 2:  # a soname as a loader asks for it: libcudart.so.12, libcudart.so.11.0
            return LibName(lib, f"lib{m['stem']}.so.{m['ver']}", m["ver"], None)
        # A fully versioned real file. CUDA 10.x and 11.x name the runtime's soname with two
        # components (libcudart.so.10.1, libcudart.so.11.0); every other library with one.
        major = parts[0]
        if lib == "cudart" and parts[0] == "11":
            major = "11.0"
        elif lib == "cudart" and parts[0] == "10":
            major = f"10.{parts[1]}"
        return LibName(lib, f"lib{m['stem']}.so.{major}", major, m["ver"])
    m = _DLL.match(file_name)
    if m:
        lib = _known(m["stem"])
        if lib is None:
            return None
        return LibName(lib, file_name, m["ver"], None)
    return None


# Blanks within one line only: with `\s`, `^\s*` at each of n blank lines ran over all the rest
# of them before failing, and a header of many blank lines took seconds (quadratic).
_DEFINE = r"^[ \t]*#[ \t]*define[ \t]+{}[ \t]+([0-9]{{1,9}})[ \t\r\f\v]*$"


def _define(text: str, name: str) -> int | None:
    m = re.search(_DEFINE.format(name), text, re.M)
    return int(m.group(1)) if m else None


def cudnn_header_version(text: str) -> str | None:
    """x.y.z from cudnn_version.h (cuDNN ≥ 8) or cudnn.h (cuDNN ≤ 7)."""
    major, minor, patch = (_define(text, n) for n in ("CUDNN_MAJOR", "CUDNN_MINOR", "CUDNN_PATCHLEVEL"))
    if major is None or minor is None:
        return None
    return f"{major}.{minor}.{patch or 0}"


def cudart_header_version(text: str) -> str | None:
    """major.minor from CUDART_VERSION in cuda_runtime_api.h (e.g. 13000 → 13.0)."""
    v = _define(text, "CUDART_VERSION")
    return None if v is None else f"{v // 1000}.{(v % 1000) // 10}"


def encoded_version(value: int, lib: str) -> str:
    """The integers CUDA libraries report: cudart 12090 → 12.9; cuDNN 92800 → 9.28.0, 8907 → 8.9.7."""
    if lib.startswith("cudnn"):
        if value >= 90000:
            return f"{value // 10000}.{(value % 10000) // 100}.{value % 100}"
        return f"{value // 1000}.{(value % 1000) // 100}.{value % 100}"
    return f"{value // 1000}.{(value % 1000) // 10}"


_NVCC = re.compile(r"Cuda compilation tools, release (\d+\.\d+), V(\d+(?:\.\d+)+)")


def nvcc_version(text: str) -> str | None:
    """Full toolkit version from `nvcc --version` ("…release 13.0, V13.0.88" → 13.0.88)."""
    m = _NVCC.search(text)
    return m.group(2) if m else None


def dll_name(soname: str) -> str:
    """The Windows DLL of a Linux soname: NVIDIA numbers both alike (libcudart.so.11.0 is cudart64_110.dll,
    libcublas.so.11 is cublas64_11.dll, libcudnn.so.8 is cudnn64_8.dll, libcudart.so.12 is cudart64_12.dll).
    Probes and triage (pasted Windows logs) both name DLLs with it."""
    lib, _, number = soname.partition(".so.")
    return f"{lib[3:]}64_{number.replace('.', '')}.dll" if lib.startswith("lib") and number else soname


def cuda_version_of_dll(name: str) -> str | None:
    """'11.0' for cudart64_110.dll, '12' for cudart64_12.dll: the release family a runtime DLL belongs to."""
    m = re.match(r"^cudart64_(\d+)\.dll$", name, re.I)
    if not m:
        return None
    digits = m.group(1)
    return digits if len(digits) <= 2 else f"{digits[:-1]}.{digits[-1]}"
