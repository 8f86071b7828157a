"""Every copy of the CUDA/cuDNN libraries a framework may load, and which copy each would load.

Copies are found without loading anything: the target's NVIDIA pip wheels (their RECORD),
libraries bundled inside framework wheels, the conda env's lib/, LD_LIBRARY_PATH, the loader
cache (`ldconfig -p`) and its default directories, /usr/local/cuda*, and CUDA_HOME/CUDA_PATH/
CUDNN_PATH. A version comes from the wheel's metadata, the file name, a header next to the
library, or, as a last resort, a version call made in a short-lived child process.

Which copy each framework would load is modelled in probes/cuda_resolve.py.
"""

from __future__ import annotations

import json
import posixpath

from whynogpu.facts.cuda import (  # noqa: F401 (the facts it makes)
    CacheLib,
    CudaLibFacts,
    FrameworkLibs,
    JupyterKernel,
    LibCopy,
    Nvcc,
    ResolvedLib,
)
from whynogpu.parsers.cuda_files import (
    cudart_header_version,
    cudnn_header_version,
    nvcc_version,
    parse_lib_name,
)
from whynogpu.parsers.ldconfig import is_64bit, parse_ldconfig_p
from whynogpu.probes import Context, NotApplicable, probe
from whynogpu.probes.driver import ldconfig_exe
from whynogpu.probes.target import TargetFacts

# The loader's built-in directories after the cache (glibc's system dirs; Debian multiarch first).
DEFAULT_DIRS = ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
                "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib")
TOOLKIT_SUBDIRS = ("lib64", "lib", "targets/x86_64-linux/lib", "targets/sbsa-linux/lib")
HOME_VARS = ("CUDA_HOME", "CUDA_PATH", "CUDA_ROOT", "CUDNN_PATH")
FRAMEWORK_DISTS = ("torch", "jaxlib", "tensorflow", "jax-cuda12-plugin", "jax-cuda13-plugin",
                   "jax-cuda12-pjrt", "jax-cuda13-pjrt")


class _Inventory:
    def __init__(self, ctx: Context) -> None:
        self.host = ctx.host
        self.copies: dict[tuple[str, str], LibCopy] = {}

    def add(self, path: str, origin: str, detail: str, version: str | None = None,
            version_from: str | None = None) -> None:
        name = parse_lib_name(posixpath.basename(path))
        if name is None:
            return
        directory = self.host.realpath(posixpath.dirname(path))
        path = posixpath.join(directory, posixpath.basename(path))  # one name per copy, however it was reached
        key = (directory, name.soname)
        if key in self.copies:
            return  # already found through a more specific source
        if version is None and name.version:
            version, version_from = name.version, "file name"
        if version is None:
            real = parse_lib_name(posixpath.basename(self.host.realpath(path)))
            if real and real.version:
                version, version_from = real.version, f"file name ({posixpath.basename(self.host.realpath(path))})"
        self.copies[key] = LibCopy(name.lib, name.soname, path, directory, version, version_from, origin, detail)

    def scan_dir(self, directory: str, origin: str, detail: str) -> None:
        names = self.host.listdir(directory) or []
        # Soname-named entries first, so a symlink libcudart.so.12 wins over libcudart.so.12.9.79.
        for file_name in sorted(names, key=lambda n: (len(n), n)):
            self.add(posixpath.join(directory, file_name), origin, detail)


def _pip_and_bundled(inv: _Inventory, t: TargetFacts) -> None:
    for d in t.distributions:
        key = d.name.lower().replace("_", "-")
        if key.startswith("nvidia-") or key.startswith("tensorrt"):
            origin = "pip"
        elif key in FRAMEWORK_DISTS:
            origin = "bundled"
        else:
            continue
        for rel in d.lib_files:
            inv.add(posixpath.join(d.location, rel), origin, f"{d.name} {d.version}",
                    version=d.version if origin == "pip" else None,
                    version_from=f"wheel {d.name}" if origin == "pip" else None)


def _toolkit_dirs(ctx: Context, env: dict) -> list[tuple[str, str, str]]:
    dirs = []
    for var in HOME_VARS:
        root = env.get(var)
        if root:
            for sub in ("", *TOOLKIT_SUBDIRS, "bin"):
                dirs.append((posixpath.join(root, sub) if sub else root, "cuda_home", f"${var}"))
    for name in ctx.host.listdir("/usr/local") or []:
        if name == "cuda" or name.startswith("cuda-"):
            root = f"/usr/local/{name}"
            for sub in TOOLKIT_SUBDIRS:
                dirs.append((posixpath.join(root, sub), "toolkit", root))
    return dirs


def _ld_cache(ctx: Context) -> tuple[list[CacheLib], bool]:
    exe = ldconfig_exe(ctx.host)
    if exe:
        res = ctx.run_once((exe, "-p"), timeout=10)
        if res.ok:
            found = [CacheLib(e.soname, e.path) for e in parse_ldconfig_p(res.stdout)
                     if is_64bit(e) and parse_lib_name(e.soname)]
            return found, True
    return [], False


def _header_versions(inv: _Inventory) -> None:
    """Fill versions the file names did not give from headers installed next to the library."""
    for key, c in list(inv.copies.items()):
        if c.version:
            continue
        if c.lib == "cudnn":
            candidates = [posixpath.join(c.directory, "..", "include", "cudnn_version.h"),
                          "/usr/include/cudnn_version.h", "/usr/include/x86_64-linux-gnu/cudnn_version_v9.h",
                          "/usr/include/x86_64-linux-gnu/cudnn_version_v8.h"]
            parse, header = cudnn_header_version, "cudnn_version.h"
        elif c.lib == "cudart":
            candidates = [posixpath.join(c.directory, "..", "include", "cuda_runtime_api.h")]
            parse, header = cudart_header_version, "cuda_runtime_api.h"
        else:
            continue
        for path in candidates:
            text = inv.host.read_text(posixpath.normpath(path), limit=1 << 18)
            v = parse(text) if text else None
            if v and v.split(".")[0] == c.soname.rsplit(".so.", 1)[-1].split(".")[0]:
                inv.copies[key] = LibCopy(c.lib, c.soname, c.path, c.directory, v, f"{header} ({posixpath.normpath(path)})",
                                          c.origin, c.detail)
                break


def _version_calls(ctx: Context, inv: _Inventory) -> None:
    """Ask the libraries still without a version, in a child process (never in whynogpu's own)."""
    pending = [(k, c) for k, c in inv.copies.items() if not c.version and c.lib in ("cudart", "cudnn", "cublas")]
    if not pending:
        return
    res = ctx.host.run_snippet("cuda_lib_versions", None, timeout=min(ctx.options.timeout, 20.0),
                               args=[c.path for _, c in pending][:20])
    try:
        answers = json.loads(res.stdout) if res.ok else {}
    except ValueError:
        answers = {}
    for key, c in pending:
        v = (answers.get(c.path) or {}).get("version")
        if isinstance(v, str) and v:
            inv.copies[key] = LibCopy(c.lib, c.soname, c.path, c.directory, v, "version call in a child process",
                                      c.origin, c.detail)


def _nvcc(ctx: Context, env: dict) -> Nvcc | None:
    candidates = [ctx.host.which("nvcc")]
    candidates += [posixpath.join(env[v], "bin", "nvcc") for v in ("CUDA_HOME", "CUDA_PATH") if env.get(v)]
    candidates.append("/usr/local/cuda/bin/nvcc")
    for exe in candidates:
        if exe and ctx.host.exists(exe):
            res = ctx.host.run([exe, "--version"], timeout=10)
            return Nvcc(exe, nvcc_version(res.stdout) if res.ok else None)
    return None


def _kernels(ctx: Context, t: TargetFacts | None) -> list[JupyterKernel]:
    roots = [posixpath.join(ctx.host.user().home, ".local/share/jupyter/kernels"),
             "/usr/local/share/jupyter/kernels", "/usr/share/jupyter/kernels"]
    if t and t.prefix:
        roots.insert(1, posixpath.join(t.prefix, "share/jupyter/kernels"))
    found = []
    for root in roots:
        for name in ctx.host.listdir(root) or []:
            spec = posixpath.join(root, name, "kernel.json")
            try:
                data = json.loads(ctx.host.read_text(spec) or "")
            except ValueError:
                continue
            argv = data.get("argv") if isinstance(data, dict) else None
            if not argv or not isinstance(argv[0], str):
                continue
            env = data.get("env") if isinstance(data.get("env"), dict) else {}
            found.append(JupyterKernel(spec, argv[0], env.get("LD_LIBRARY_PATH")))
    return found


@probe("cuda_libs", facts=CudaLibFacts, order=45, layer="cuda")
def gather_cuda_libs(ctx: Context) -> CudaLibFacts:
    from whynogpu.probes.cuda_resolve import resolve_frameworks
    from whynogpu.probes.frameworks import FrameworkBuildFacts

    uname = ctx.host.uname()
    if uname.system == "Windows":  # DLLs on PATH/CUDA_PATH/torch\lib, no loader cache (probes/windows_cuda.py)
        from whynogpu.probes.windows_cuda import gather as gather_windows_dlls

        return gather_windows_dlls(ctx)
    if uname.system != "Linux":
        raise NotApplicable(f"the CUDA library search is modelled for Linux (and WSL2) only, not {uname.system}")
    env = dict(ctx.host.env())
    t = ctx.get(TargetFacts)
    inv = _Inventory(ctx)
    if t is not None:
        _pip_and_bundled(inv, t)
        if t.env_kind == "conda" and t.prefix:
            inv.scan_dir(posixpath.join(t.prefix, "lib"), "conda", t.prefix)
    for directory, origin, detail in _toolkit_dirs(ctx, env):
        inv.scan_dir(directory, origin, detail)
    ld_path = tuple(e for e in env.get("LD_LIBRARY_PATH", "").split(":") if e)
    for entry in ld_path:
        inv.scan_dir(entry, "ld_library_path", "$LD_LIBRARY_PATH")
    cache, cache_read = _ld_cache(ctx)
    for entry in cache:
        inv.add(entry.path, "system", "loader cache (ldconfig -p)")
    for directory in DEFAULT_DIRS:
        inv.scan_dir(directory, "system", "default loader directory")
    _header_versions(inv)
    _version_calls(ctx, inv)
    prefix = t.prefix if t else None
    facts = CudaLibFacts(
        os="linux",
        copies=tuple(inv.copies.values()),
        ld_library_path=ld_path,
        ld_library_dirs=tuple(ctx.host.realpath(e) for e in ld_path),
        ld_cache=tuple(cache),
        ld_cache_read=cache_read,
        default_dirs=tuple(dict.fromkeys(ctx.host.realpath(d) for d in DEFAULT_DIRS if ctx.host.is_dir(d))),
        nvcc=_nvcc(ctx, env),
        kernels=tuple(_kernels(ctx, t)),
        frameworks=(),
        env_kind=t.env_kind if t else None,
        prefix=prefix,
        conda_active=bool(prefix and env.get("CONDA_PREFIX")
                          and ctx.host.realpath(env["CONDA_PREFIX"]) == ctx.host.realpath(prefix)),
    )
    return resolve_frameworks(facts, t, ctx.get(FrameworkBuildFacts), ctx.host.realpath)
