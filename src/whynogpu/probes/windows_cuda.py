"""The CUDA/cuDNN DLLs on native Windows, and which copy each framework would load (called by
probes/cuda_libs.py there).

Nothing is loaded: copies are found by listing folders. Windows has no sonames and no loader cache; a
CUDA release names its DLLs by the same numbers as its Linux sonames (cudart64_110.dll is libcudart.so.11.0,
parsers.cuda_files.dll_name), and a DLL named without a path is searched, after the DLLs already loaded, in
the folder of the program (python.exe), System32, the Windows folder, the current folder and then every PATH
folder (Microsoft's "Dynamic-link library search order", standard order for desktop apps):

- TensorFlow up to 2.10 (the last native-Windows CUDA build) loads cudart64_110.dll, cudnn64_8.dll … at run
  time by name, so the folders that count are PATH's: the CUDA installer's bin (CUDA_PATH_V11_2\\bin), the
  cuDNN folder, or an activated conda env's Library\\bin. A CUDA_PATH that is set is not searched by itself.
- PyTorch's Windows CUDA wheels carry their CUDA DLLs in torch\\lib and add that folder with
  os.add_dll_directory before loading them; since Python 3.8 PATH is no longer searched for the load-time
  dependencies of extension modules (What's New in Python 3.8, bpo-36085), so PATH does not matter there.
- JAX publishes no CUDA build for native Windows (rules/windows.py says so).
"""

from __future__ import annotations

import ntpath
import re

from whynogpu.facts.cuda import CudaLibFacts, FrameworkLibs, LibCopy, ResolvedLib
from whynogpu.facts.frameworks import FrameworkBuildFacts
from whynogpu.facts.target import TargetFacts
from whynogpu.host.windows import path_key, split_path_list, system32, system_root
from whynogpu.knowledge import soname_family, sonames, table, tensorflow_cudnn
from whynogpu.parsers.cuda_files import cuda_version_of_dll, dll_name, parse_lib_name
from whynogpu.probes import Context

TOOLKITS = "C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA"
TORCH_LIBS = ("cudart", "cublas", "cublasLt", "cufft", "curand", "cusolver", "cusparse")
_CUDA_PATH_V = re.compile(r"^CUDA_PATH_V(\d+)_(\d+)$", re.I)
_FOLDER_V = re.compile(r"^v(\d+\.\d+)$", re.I)


class _Dlls:
    def __init__(self, ctx: Context) -> None:
        self.host = ctx.host
        self.copies: dict[tuple[str, str], LibCopy] = {}

    def add(self, path: str, origin: str, detail: str, version: str | None = None,
            version_from: str | None = None) -> None:
        name = parse_lib_name(ntpath.basename(path))
        if name is None:
            return
        directory = ntpath.dirname(path)
        key = (path_key(directory), name.soname.lower())
        if key not in self.copies:
            self.copies[key] = LibCopy(name.lib, name.soname, path, directory, version, version_from, origin, detail)

    def scan(self, directory: str, origin: str, detail: str, version: str | None = None,
             version_from: str | None = None) -> None:
        for file_name in self.host.listdir(directory) or ():
            if file_name.lower().endswith(".dll"):
                self.add(ntpath.join(directory, file_name), origin, detail, version, version_from)

    def in_dir(self, directory: str, dll: str) -> LibCopy | None:
        return self.copies.get((path_key(directory), dll.lower()))


def _toolkits(ctx: Context, env: dict[str, str]) -> list[tuple[str, str, str | None, str | None]]:
    """(bin folder, detail, version, where the version comes from) of every CUDA toolkit named or installed."""
    out = []
    for var, value in sorted(env.items()):
        m = _CUDA_PATH_V.match(var)
        if m and value:
            out.append((ntpath.join(value, "bin"), f"%{var}%", f"{m.group(1)}.{m.group(2)}", f"the name of %{var}%"))
    if env.get("CUDA_PATH"):
        m = _FOLDER_V.match(ntpath.basename(env["CUDA_PATH"].rstrip("\\/")))
        out.append((ntpath.join(env["CUDA_PATH"], "bin"), "%CUDA_PATH%", m.group(1) if m else None,
                    "the toolkit folder's name" if m else None))
    for name in ctx.host.listdir(TOOLKITS) or ():
        m = _FOLDER_V.match(name)
        out.append((ntpath.join(TOOLKITS, name, "bin"), ntpath.join(TOOLKITS, name), m.group(1) if m else None,
                    "the toolkit folder's name" if m else None))
    return out


def search_places(t: TargetFacts | None, env: dict[str, str]) -> list[tuple[str, str]]:
    """(folder, why it is searched) LoadLibrary walks for a bare DLL name in the framework's python.exe, in
    order. A venv's python.exe starts the base interpreter, so the program folder is the base prefix."""
    first = [(t.base_prefix or t.prefix, "python.exe's folder")] if t and (t.base_prefix or t.prefix) else []
    dirs = [*first, (system32(env), "System32"), (system_root(env), "the Windows folder"),
            *((d, "PATH") for d in split_path_list(env.get("PATH", "")))]
    seen, out = set(), []
    for d, via in dirs:
        if path_key(d) not in seen:
            seen.add(path_key(d))
            out.append((d, via))
    return out


def _find(dlls: _Dlls, lib: str, dll: str, places: list[tuple[str, str]]) -> ResolvedLib:
    for directory, via in places:
        c = dlls.in_dir(directory, dll)
        if c:
            return ResolvedLib(lib, dll, c.path, via, c.version, c.origin)
    return ResolvedLib(lib, dll, None, None, None, None)


def _tensorflow(dlls: _Dlls, t: TargetFacts, b: FrameworkBuildFacts | None, places: list[tuple[str, str]]
                ) -> FrameworkLibs | None:
    from whynogpu.probes.cuda_resolve import knowledge_row

    tf = b.tensorflow if b else None
    d = t.dist("tensorflow") or t.dist("tensorflow-gpu")
    if d is None or tf is None or tf.cuda_build is False:
        return None
    if tf.cuda_build is None and not _windows_cuda_release(d.name, d.version):
        return None  # no build_info read: the release's Windows wheel decides (knowledge/tensorflow_platforms.csv)
    row, note = knowledge_row("tensorflow_releases", d.version)
    cuda = tf.cuda_version or (row["cuda"] if row else None)
    family = soname_family(cuda or "")
    cudnn_major, cudnn_min = tensorflow_cudnn(row, tf.cudnn_version)
    libs = tuple(r["lib"] for r in table("tensorflow_cuda_libs") if r["lib"] != "cudnn")
    wanted = {lib: dll_name(s) for lib, s in (sonames(family, libs) if family else {}).items()}
    resolved = [_find(dlls, lib, dll, places) for lib, dll in wanted.items()]
    if cudnn_major:
        resolved.append(_find(dlls, "cudnn", f"cudnn64_{cudnn_major}.dll", places))
    return FrameworkLibs("tensorflow", d.version, cuda, family, cudnn_major, cudnn_min, False, (),
                         tuple(resolved), tuple([note] if note else []))


def _windows_cuda_release(dist: str, version: str) -> bool:
    """TensorFlow's Windows wheels had CUDA up to 2.10 (tensorflow_platforms.csv); the plain `tensorflow`
    package from 2.1 on (before, GPU support was the separate tensorflow-gpu)."""
    from whynogpu.knowledge import version_key

    v = version_key(version)[:2]
    if not v or (dist == "tensorflow" and v < (2, 1)):
        return False
    for row in table("tensorflow_platforms"):
        if row["platform"] == "windows" and row["gpu"] == "cuda":
            return version_key(row["first"])[:2] <= v <= version_key(row["last"])[:2]
    return False


def _torch(dlls: _Dlls, t: TargetFacts, b: FrameworkBuildFacts | None) -> FrameworkLibs | None:
    d = t.dist("torch")
    build = b.torch if b else None
    if d is None or build is None or not build.cuda_version:
        return None
    lib_dir = ntpath.join(d.location, "torch", "lib")
    family = soname_family(build.cuda_version)
    bundled = [c for c in dlls.copies.values() if c.origin == "bundled" and path_key(c.directory) == path_key(lib_dir)]
    wanted = {lib: dll_name(s) for lib, s in (sonames(family, TORCH_LIBS) if family else {}).items()}
    resolved = []
    for lib, dll in wanted.items():
        c = next((x for x in bundled if x.soname.lower() == dll.lower()), None)
        resolved.append(ResolvedLib(lib, dll, c.path, "torch\\lib (os.add_dll_directory)", c.version, c.origin) if c
                        else ResolvedLib(lib, dll, None, None, None, None))
    cudnn = next((c for c in bundled if c.lib == "cudnn" and re.match(r"cudnn64_\d+\.dll$", c.soname, re.I)), None)
    if cudnn:
        major = cudnn.soname.rsplit("_", 1)[-1].split(".")[0]
        resolved.append(ResolvedLib("cudnn", cudnn.soname, cudnn.path, "torch\\lib (os.add_dll_directory)",
                                    None, "bundled"))
    else:
        major = None
    return FrameworkLibs("torch", d.version, build.cuda_version, family, major, None, False, (lib_dir,),
                         tuple(resolved))


def gather(ctx: Context) -> CudaLibFacts:
    env = dict(ctx.host.env())
    t = ctx.get(TargetFacts)
    b = ctx.get(FrameworkBuildFacts)
    dlls = _Dlls(ctx)
    if t is not None:
        for d in t.distributions:
            key = d.name.lower().replace("_", "-")
            if key.startswith("nvidia-"):
                for rel in d.lib_files:
                    dlls.add(ntpath.join(d.location, *rel.split("/")), "pip", f"{d.name} {d.version}",
                             d.version, f"wheel {d.name}")
        torch = t.dist("torch")
        if torch is not None:
            dlls.scan(ntpath.join(torch.location, "torch", "lib"), "bundled", f"{torch.name} {torch.version}")
        if t.env_kind == "conda" and t.prefix:
            dlls.scan(ntpath.join(t.prefix, "Library", "bin"), "conda", t.prefix)
    for directory, detail, version, version_from in _toolkits(ctx, env):
        dlls.scan(directory, "cuda_home" if detail.startswith("%") else "toolkit", detail, version, version_from)
    places = search_places(t, env)
    for directory, via in places:
        if via == "PATH":
            dlls.scan(directory, "path", "%PATH%")
    facts = CudaLibFacts(
        os="windows",
        copies=tuple(dlls.copies.values()),
        ld_library_path=(),
        ld_library_dirs=(),
        ld_cache=(),
        ld_cache_read=False,
        default_dirs=tuple(d for d, via in places if via != "PATH"),
        nvcc=None,
        kernels=(),
        frameworks=(),
        env_kind=t.env_kind if t else None,
        prefix=t.prefix if t else None,
        conda_active=bool(t and t.prefix and env.get("CONDA_PREFIX") and path_key(env["CONDA_PREFIX"]) == path_key(t.prefix)),
        dll_search_path=tuple(d for d, _ in places),
    )
    if t is None:
        return facts
    from dataclasses import replace

    found = [f for f in (_tensorflow(dlls, t, b, places), _torch(dlls, t, b)) if f]
    return replace(facts, frameworks=tuple(found))


__all__ = ["gather", "search_places", "cuda_version_of_dll"]
