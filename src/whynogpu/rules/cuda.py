"""The CUDA library layer: the CUDA/cuDNN copy each framework would load, and whether it is the one
its build needs (facts from probes/cuda_libs.py, search order from probes/cuda_resolve.py)."""

from __future__ import annotations

import posixpath
import shlex

from whynogpu.facts.cuda import CudaLibFacts, FrameworkLibs, LibCopy, ResolvedLib
from whynogpu.facts.driver import DriverFacts
from whynogpu.knowledge import table
from whynogpu.model import Evidence, Fix, Severity
from whynogpu.rules import rule, summary
from whynogpu.rules.common import pip, target, version_key
from whynogpu.rules.windows import install_fix as windows_install_fix
from whynogpu.rules.windows import path_fix as windows_path_fix
from whynogpu.rules.windows import searched as windows_searched
from whynogpu.rules.windows import windows_dlls

LABEL = {"tensorflow": "TensorFlow", "torch": "PyTorch", "jax": "JAX"}
NAMES = {"cudart": "CUDA runtime", "cudnn": "cuDNN"}  # what the layer line calls them
SOURCE = "CUDA library search (whynogpu's model of the loader)"


def cuda(snap) -> CudaLibFacts | None:
    return snap.get(CudaLibFacts)


def _mm(v: str | None) -> str:
    return ".".join(str(x) for x in version_key(v or "")[:2])


def _label(fw: FrameworkLibs) -> str:
    version = fw.version if fw.version and fw.version != "?" else ""
    return f"{LABEL.get(fw.framework, fw.framework)} {version}".strip()


def _built_for(fw: FrameworkLibs) -> str:
    """'TensorFlow 2.15 was built for CUDA 12.2 and' or, when the build's CUDA is not known, 'TensorFlow 2.15'."""
    return f"{_label(fw)} was built for CUDA {fw.cuda} and" if fw.cuda else _label(fw)


def classify(facts: CudaLibFacts, fw: FrameworkLibs) -> dict[str, list[tuple[ResolvedLib, list[LibCopy]]]]:
    """Sort the libraries a framework would not find by why: elsewhere on disk, in unsearched
    pip wheels, only in another major, or nowhere at all."""
    out: dict[str, list] = {"off_path": [], "pip_unfound": [], "other_major": [], "missing": []}
    for r in fw.libs:
        if r.path:
            continue
        same = [c for c in facts.copies_of(r.soname) if c.origin != "bundled"]
        pip_same = [c for c in same if c.origin == "pip"]
        other = [c for c in facts.copies if c.lib == r.lib and c.soname != r.soname and c.origin != "bundled"]
        if pip_same and not fw.finds_pip_wheels:
            out["pip_unfound"].append((r, pip_same))
        elif same:
            out["off_path"].append((r, same))
        elif other:
            out["other_major"].append((r, other))
        else:
            out["missing"].append((r, []))
    return out


def _where(facts: CudaLibFacts) -> str:
    return "file system scan" if facts.scanned else "the pasted report"


def _nowhere(facts: CudaLibFacts, fw: FrameworkLibs, text: str) -> list[Evidence]:
    """Evidence that no copy exists: searched on a machine; on a report, only that it shows none."""
    if not facts.scanned:
        return [Evidence("the framework says it could not load it, and the report shows no copy anywhere",
                         "the pasted report")]
    return [Evidence(text, "file system scan"), *_searched(facts, fw)]


def _searched(facts: CudaLibFacts, fw: FrameworkLibs) -> list[Evidence]:
    if not facts.scanned:
        return []
    if windows_dlls(facts):
        return windows_searched(facts, fw)
    places = [f"LD_LIBRARY_PATH ({':'.join(facts.ld_library_path) or 'unset'})"]
    places.append(f"{len(fw.pip_dirs)} pip wheel directories" if fw.finds_pip_wheels else
                  "no pip wheel directories (this release does not look there)")
    places.append("the loader cache" + ("" if facts.ld_cache_read else " (ldconfig -p could not be read)"))
    places.append("the default directories")
    return [Evidence("searched " + ", ".join(places), SOURCE)]


def _install_fix(snap, fw: FrameworkLibs) -> Fix:
    t = target(snap)
    if windows_dlls(cuda(snap)):  # DLLs on PATH, PowerShell/cmd, no [and-cuda] (no Windows CUDA wheels of TF)
        return windows_install_fix(snap, fw)
    known = bool(version_key(fw.version))  # a report may not say which release
    if fw.framework == "tensorflow" and (not known or version_key(fw.version) >= (2, 14)):
        pin = f"=={fw.version}" if known else ""
        if known and not fw.finds_pip_wheels:
            # its [and-cuda] wheels install, but this release does not look in them (tensorflow_pip_cuda.csv)
            return Fix(f"TensorFlow {fw.version} does not find the NVIDIA wheels its [and-cuda] extra installs; install "
                       "a release that does, with them:", (pip(t, "install -U 'tensorflow[and-cuda]'"),))
        return Fix("Install TensorFlow together with the NVIDIA libraries it was built for:",
                   (pip(t, f"install --force-reinstall 'tensorflow[and-cuda]{pin}'"),))
    if fw.framework == "tensorflow":
        return Fix(f"TensorFlow {fw.version} predates the pip CUDA wheels: install CUDA {fw.cuda} and cuDNN "
                   f"{fw.cudnn_min or fw.cudnn_major} system-wide (https://www.tensorflow.org/install/source#gpu), "
                   "or upgrade to a release that brings them:", (pip(t, "install -U 'tensorflow[and-cuda]'"),))
    if fw.framework == "torch":
        # the build's own CUDA when known, else the index the other torch fixes use (WG402, WG501)
        tag = "cu" + _mm(fw.cuda).replace(".", "") if fw.cuda else "cu128"
        pin = "==" + fw.version.split("+")[0] if known else ""
        return Fix("Reinstall PyTorch from its CUDA wheel index so its NVIDIA libraries come with it:",
                   (pip(t, f"install --force-reinstall torch{pin} --index-url https://download.pytorch.org/whl/{tag}"),))
    major = (fw.cuda or "12").split(".")[0]
    return Fix("Reinstall JAX with the NVIDIA wheels of its CUDA plugin:", (pip(t, f'install -U "jax[cuda{major}]"'),))


def _lib_list(items) -> str:
    return ", ".join(r.soname for r, _ in items)


def _copies_text(copies: list[LibCopy], limit: int = 4) -> str:
    shown = [f"{c.path} ({c.version or 'version unknown'}, {c.origin})" for c in copies[:limit]]
    return "; ".join(shown) + (f"; … {len(copies) - limit} more" if len(copies) > limit else "")


# Every nvidia-* wheel's lib folder of the Python that runs the code, found by that Python: for a report that shows
# the wheels are there but not where
_WHEEL_DIRS_EXPORT = ("export LD_LIBRARY_PATH=\"$(python -c \"import glob, os, nvidia; print(':'.join(glob.glob(os.path.join("
                      "nvidia.__path__[0], '*', 'lib'))))\")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}\"")


def _prepend(dirs: list[str]) -> str:
    return "export LD_LIBRARY_PATH=" + shlex.quote(":".join(dirs)) + "${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"


@summary("cuda")
def cuda_summary(snap):
    facts = cuda(snap)
    if facts is None:
        return None
    parts = []
    pip_v = {c.lib: c.version for c in facts.copies if c.origin == "pip" and c.lib in ("cudart", "cudnn")}
    if pip_v:
        parts.append("in pip wheels: " + ", ".join(f"{NAMES[k]} {_mm(v)}" for k, v in sorted(pip_v.items())))
    other = {(c.lib, _mm(c.version) or c.soname) for c in facts.copies
             if c.origin != "pip" and c.origin != "bundled" and c.lib in ("cudart", "cudnn")}
    if other:
        parts.append("installed system-wide: " + ", ".join(f"{NAMES[lib]} {v}" for lib, v in sorted(other)))
    if not parts:
        parts.append("no CUDA runtime or cuDNN found")
    wants = [f"{'TF' if f.framework == 'tensorflow' else LABEL[f.framework]} {_mm(f.version)} wants CUDA "
             f"{_mm(f.cuda) or '?'}" + (f", cuDNN {f.cudnn_major}" if f.cudnn_major else "") for f in facts.frameworks]
    return "; ".join(parts) + (f" ({'; '.join(wants)})" if wants else "")


def _framework_line(name: str):
    def line(snap):
        facts = cuda(snap)
        fw = facts.framework(name) if facts else None
        if fw is None:
            return None
        shown = [f"{r.soname} ← {r.path} ({r.via}{', ' + r.version if r.version else ''})" if r.path
                 else f"{r.soname} ← not found" for r in fw.libs if r.lib in ("cudart", "cublas", "cudnn")]
        return f"{_label(fw)} would load: " + "; ".join(shown) + "".join(f" [{n}]" for n in fw.notes)
    return line


for _name in LABEL:
    summary("cuda")(_framework_line(_name))


@rule(
    "WG301", "cuda_libs_missing", "cuda_libs_missing",
    "CUDA libraries the framework needs are not installed",
    detects="A CUDA build of TensorFlow, PyTorch or JAX needs CUDA libraries (libcudart, libcublas, libcufft, "
            "libcusolver, libcusparse …) of its CUDA release, and no copy of that soname exists anywhere: not in "
            "the pip wheels, conda, LD_LIBRARY_PATH, the loader cache, /usr/local/cuda* or CUDA_HOME.",
    why="TensorFlow dlopens these at start-up; if one fails it logs \"Cannot dlopen some GPU libraries\" and skips "
        "every GPU. PyTorch and JAX fail to initialise CUDA the same way.",
    example="TensorFlow 2.21.0 needs libcudart.so.12, libcublas.so.12 …; none found (tensorflow installed "
            "without [and-cuda])",
    fix="Install the framework with its NVIDIA wheels, e.g. `pip install 'tensorflow[and-cuda]==2.21.0'`.",
    references=("https://www.tensorflow.org/install/pip#linux", "https://pytorch.org/get-started/locally/",
                "https://docs.jax.dev/en/latest/installation.html"),
)
def cuda_libs_missing(info, snap):
    facts = cuda(snap)
    for fw in facts.frameworks if facts else ():
        missing = [(r, c) for r, c in classify(facts, fw)["missing"] if r.lib != "cudnn"]
        if not missing:
            continue
        yield info.finding(
            Severity.ERROR,
            [Evidence(f"{_built_for(fw)} needs {_lib_list(missing)}", SOURCE),
             *_nowhere(facts, fw, "no copy of these files exists on this machine")],
            f"Without these libraries {LABEL[fw.framework]} cannot start CUDA and runs on the CPU.",
            _install_fix(snap, fw),
        )


@rule(
    "WG302", "cuda_version_mismatch", "cuda_version_mismatch",
    "Only a different CUDA major is installed than the framework was built for",
    detects="The framework needs a CUDA library of its build's release family (libcudart.so.12 for CUDA 12), "
            "and the only copies present are of another family (libcudart.so.13, libcudart.so.11.0).",
    why="Each CUDA major has its own sonames and ABI: a build for CUDA 12 never loads a CUDA 13 library, so an "
        "installed toolkit of the wrong major counts for nothing.",
    example="TensorFlow 2.21.0 wants libcudart.so.12; found only /usr/local/cuda-13.0/lib/libcudart.so.13",
    fix="Install the CUDA major the build needs (for pip frameworks: their NVIDIA wheels), or a build for the "
        "CUDA you have.",
    references=("https://www.tensorflow.org/install/source#gpu",
                "https://docs.nvidia.com/deploy/cuda-compatibility/index.html"),
)
def cuda_version_mismatch(info, snap):
    facts = cuda(snap)
    for fw in facts.frameworks if facts else ():
        wrong = [(r, c) for r, c in classify(facts, fw)["other_major"] if r.lib != "cudnn"]
        if not wrong:
            continue
        found = [c for _, cs in wrong for c in cs]
        yield info.finding(
            Severity.ERROR,
            [Evidence(f"{_built_for(fw)} needs {_lib_list(wrong)}", SOURCE),
             Evidence(f"installed instead: {_copies_text(found)}", _where(facts))],
            f"The CUDA libraries on this machine are of another major release than {LABEL[fw.framework]} "
            f"was built for, so it cannot load them.",
            _install_fix(snap, fw),
        )


@rule(
    "WG303", "cudnn_missing", "cudnn_missing",
    "cuDNN is not installed where the framework looks",
    detects="The framework's build needs libcudnn.so.<major> and no copy of cuDNN of any version exists.",
    why="TensorFlow refuses to register a GPU without cuDNN (\"Cannot dlopen some GPU libraries\"); JAX and "
        "PyTorch fail on the first convolution (\"DNN library is not found\").",
    example="TensorFlow 2.21.0 needs libcudnn.so.9; no libcudnn found",
    fix="Install the framework's cuDNN wheel (nvidia-cudnn-cu12 for CUDA 12) or the [and-cuda] extra.",
    references=("https://docs.nvidia.com/deeplearning/cudnn/latest/support-matrix/index.html",),
)
def cudnn_missing(info, snap):
    facts = cuda(snap)
    for fw in facts.frameworks if facts else ():
        missing = [(r, c) for r, c in classify(facts, fw)["missing"] if r.lib == "cudnn"]
        if not missing:
            continue
        yield info.finding(
            Severity.ERROR,
            [Evidence(f"{_label(fw)} needs {missing[0][0].soname}"
                      + (f" (cuDNN {fw.cudnn_min} or newer)" if fw.cudnn_min else ""), SOURCE),
             *_nowhere(facts, fw, "no libcudnn of any version on this machine")],
            f"Without cuDNN {LABEL[fw.framework]} cannot use the GPU for convolutions and (TensorFlow) skips the GPU.",
            _install_fix(snap, fw),
        )


def _too_old(c: ResolvedLib, fw: FrameworkLibs) -> bool:
    return bool(fw.cudnn_min and c.version and version_key(c.version)[:2] < version_key(fw.cudnn_min)[:2])


def _older(a: str | None, b: str | None) -> bool:
    """a < b, compared on the components both name (a header's 9.28.0 equals a wheel's 9.28.0.42)."""
    ka, kb = version_key(a or ""), version_key(b or "")
    n = min(len(ka), len(kb))
    return n >= 2 and ka[:n] < kb[:n]


def _same(a: str | None, b: str | None) -> bool:
    ka, kb = version_key(a or ""), version_key(b or "")
    n = min(len(ka), len(kb))
    return n >= 2 and ka[:n] == kb[:n]


def _shadowed(facts: CudaLibFacts, fw: FrameworkLibs, r: ResolvedLib) -> list[LibCopy]:
    if r.via != "LD_LIBRARY_PATH" or not fw.finds_pip_wheels:
        return []
    return [c for c in facts.copies_of(r.soname) if c.directory in fw.pip_dirs and c.path != r.path]


@rule(
    "WG304", "cudnn_version_mismatch", "cudnn_version_mismatch",
    "The cuDNN the framework would load is not the version its build needs",
    detects="Only a different cuDNN major is installed (libcudnn.so.8 for a build wanting 9), or the copy the "
            "loader would pick is older than the minor the build was compiled with (cuDNN 9.1 for 9.3).",
    why="cuDNN must have the build's major version and at least its minor version; otherwise TensorFlow/XLA log "
        "\"Loaded runtime CuDNN library: X but source was compiled with: Y\" and DNN initialisation fails.",
    example="TensorFlow 2.21.0 compiled with cuDNN 9.3; would load /usr/lib/x86_64-linux-gnu/libcudnn.so.9 (9.1.0)",
    fix="Install the cuDNN the build needs (the framework's cuDNN wheel), or remove the old copy from the path.",
    references=("https://docs.nvidia.com/deeplearning/cudnn/latest/support-matrix/index.html",
                "https://www.tensorflow.org/install/source#gpu"),
)
def cudnn_version_mismatch(info, snap):
    facts = cuda(snap)
    for fw in facts.frameworks if facts else ():
        wrong = [(r, c) for r, c in classify(facts, fw)["other_major"] if r.lib == "cudnn"]
        old = [r for r in fw.libs if r.lib == "cudnn" and r.path and _too_old(r, fw) and not _shadowed(facts, fw, r)]
        if not wrong and not old:
            continue
        name = f"cudnn64_{fw.cudnn_major}.dll" if facts.os == "windows" else f"libcudnn.so.{fw.cudnn_major}"
        evidence = [Evidence(f"{_label(fw)} needs {name}"
                             + (f", version {fw.cudnn_min} or newer" if fw.cudnn_min else ""), SOURCE)]
        if wrong:
            evidence.append(Evidence(f"installed instead: {_copies_text([c for _, cs in wrong for c in cs])}",
                                     _where(facts)))
        for r in old:
            evidence.append(Evidence(f"would load {r.path} (cuDNN {r.version}, via {r.via})", SOURCE))
        yield info.finding(
            Severity.ERROR, evidence,
            "The cuDNN on this machine does not satisfy the build (same major, at least the compiled minor), so "
            "DNN initialisation fails or the GPU is skipped.",
            _install_fix(snap, fw),
        )


def _activation_fix(facts: CudaLibFacts, dirs: list[str]) -> Fix:
    if windows_dlls(facts):
        return windows_path_fix(facts, dirs)
    export = _prepend(dirs)
    if facts.env_kind == "conda" and facts.prefix:
        hook = posixpath.join(facts.prefix, "etc/conda/activate.d")
        return Fix("Make the conda environment put them on the loader path whenever it is activated "
                   "(then re-activate it):",
                   (f"mkdir -p {shlex.quote(hook)}",
                    f"echo {shlex.quote(export)} > {shlex.quote(posixpath.join(hook, 'cuda-libs.sh'))}"))
    if facts.env_kind == "venv" and facts.prefix:
        activate = posixpath.join(facts.prefix, "bin/activate")
        return Fix("Add them to the loader path in the virtual environment's activate script "
                   "(then run `deactivate` and activate it again):",
                   (f"echo {shlex.quote(export)} >> {shlex.quote(activate)}",))
    return Fix("Put them on the loader path of the shell (add the line to ~/.bashrc to keep it), or register the "
               "directory with the loader cache:",
               (export, f"echo {shlex.quote(dirs[0])} | sudo tee /etc/ld.so.conf.d/whynogpu-cuda.conf && sudo ldconfig"))


def _kernel_fix(t, kernel, value: str) -> str:
    code = ("import json,sys; p=sys.argv[1]; k=json.load(open(p)); "
            "k.setdefault('env', {})['LD_LIBRARY_PATH']=sys.argv[2]; json.dump(k, open(p, 'w'), indent=1)")
    python = shlex.quote(t.python) if t and t.python else "python3"
    return f"{python} -c {shlex.quote(code)} {shlex.quote(kernel.spec)} {shlex.quote(value)}"


@rule(
    "WG305", "libs_not_on_path", "libs_not_on_path",
    "The CUDA libraries are installed but not on the loader path of the process that runs the framework",
    detects="A library the framework needs exists with the right soname (conda env lib/, /usr/local/cuda-X/lib64, "
            "CUDNN_PATH …) but no directory the loader searches holds it; or it is found only through "
            "LD_LIBRARY_PATH of this shell while the Jupyter kernel of the same Python does not set it.",
    why="The loader only looks in LD_LIBRARY_PATH, the framework's RUNPATH, the ld cache and the default "
        "directories. A conda env without its activation hook, a venv, a Jupyter kernel or a service started "
        "elsewhere does not see libraries anywhere else.",
    example="libcudnn.so.8 in /home/u/miniconda3/envs/tf/lib, LD_LIBRARY_PATH unset",
    fix="Add the directory to LD_LIBRARY_PATH where that process starts: a conda activate.d hook, the venv's "
        "activate script, or the kernel.json `env`.",
    references=("https://www.tensorflow.org/install/pip#linux",
                "https://jupyter-client.readthedocs.io/en/stable/kernels.html#kernel-specs"),
)
def libs_not_on_path(info, snap):
    facts = cuda(snap)
    t = target(snap)
    for fw in facts.frameworks if facts else ():
        off = classify(facts, fw)["off_path"]
        if off:
            dirs = list(dict.fromkeys(cs[0].directory for _, cs in off))
            yield info.finding(
                Severity.ERROR,
                [Evidence(f"{_label(fw)} needs {_lib_list(off)}", SOURCE),
                 Evidence(f"they are installed in {', '.join(dirs)}",
                          _where(facts) if facts.scanned else "; ".join(dict.fromkeys(cs[0].detail for _, cs in off))),
                 *_searched(facts, fw)],
                f"The libraries exist, but the process that runs {LABEL[fw.framework]} does not look where they are.",
                _activation_fix(facts, dirs),
            )
            continue
        via_env = [r for r in fw.libs if r.via == "LD_LIBRARY_PATH" and not _shadowed(facts, fw, r)]
        python = t.python if t else None
        for kernel in facts.kernels:
            if not via_env or kernel.python != python or kernel.ld_library_path:
                continue
            value = ":".join(facts.ld_library_path)
            yield info.finding(
                Severity.WARNING,
                [Evidence(f"{_label(fw)} finds {_lib_list([(r, 0) for r in via_env])} only through "
                          f"LD_LIBRARY_PATH={value}", SOURCE),
                 Evidence(f"the Jupyter kernel {kernel.spec} runs {kernel.python} without LD_LIBRARY_PATH in its env",
                          kernel.spec)],
                "A notebook started from Jupyter inherits Jupyter's environment, not this shell's, so the "
                "kernel will not find these libraries and the framework will run on the CPU there.",
                Fix("Set the variable in the kernel's spec (then restart the kernel):", (_kernel_fix(t, kernel, value),)),
                title="The Jupyter kernel will not see the CUDA libraries this shell finds",
            )


@rule(
    "WG306", "pip_cuda_libs_not_found", "pip_cuda_libs_not_found",
    "NVIDIA pip wheels are installed but the framework does not find them",
    detects="The nvidia-* wheels in the target environment hold the sonames the framework needs, but the "
            "release does not search site-packages/nvidia (TensorFlow before 2.14, and 2.16.1 whose lookup "
            "failed for many), and LD_LIBRARY_PATH does not name the wheel directories.",
    why="Pip wheels put libraries in site-packages/nvidia/<component>/lib, which is not a loader directory; "
        "only a framework whose shared objects point there (RUNPATH) finds them by itself.",
    example="tensorflow 2.16.1 with nvidia-cudnn-cu12 8.9.7.29 …; tf.config.list_physical_devices('GPU') == []",
    fix="Upgrade to a release that finds the wheels, or export LD_LIBRARY_PATH with the wheel directories.",
    references=("https://github.com/tensorflow/tensorflow/issues/63362",
                "https://github.com/tensorflow/tensorflow/issues/65842"),
)
def pip_cuda_libs_not_found(info, snap):
    facts = cuda(snap)
    t = target(snap)
    for fw in facts.frameworks if facts else ():
        unfound = classify(facts, fw)["pip_unfound"]
        if not unfound:
            continue
        # only real folders: a report may show that the wheels are installed without saying where
        dirs = sorted({c.directory for c in facts.copies if c.origin == "pip" and c.directory.startswith("/")})
        wheels = sorted({c.detail for _, cs in unfound for c in cs})
        cmds = []
        if fw.framework == "tensorflow":
            cmds.append(pip(t, "install -U 'tensorflow[and-cuda]'"))
        if not dirs:
            cmds.append(_WHEEL_DIRS_EXPORT)
        else:
            cmds.append(_activation_fix(facts, dirs).commands[0] if facts.env_kind in ("venv", "conda") else _prepend(dirs))
        torch = fw.framework == "torch"
        yield info.finding(
            Severity.ERROR,
            [Evidence(f"{_label(fw)} needs {_lib_list(unfound)}", SOURCE),
             Evidence(f"they are in the pip wheels {', '.join(wheels)}", f"installed-file records of {t.python if t else 'the target'}"),
             Evidence("PyTorch looks for them only in the nvidia/ folder of its own site-packages (its RUNPATH and "
                      "_preload_cuda_deps)", "torch/__init__.py") if torch else
             Evidence(f"{_label(fw)} does not search site-packages/nvidia by itself", "knowledge base: tensorflow_pip_cuda")],
            (f"The right libraries are installed, but {LABEL[fw.framework]} {fw.version} did not find them where it "
             "looks (a layout that puts the wheels elsewhere: lib64 beside lib, another site-packages, a --target "
             "tree), so it reports them missing.") if torch else
            (f"The right libraries are installed, but {LABEL[fw.framework]} {fw.version} never looks in the pip wheels' "
             "directories, so it reports them missing."),
            Fix("Put the wheel directories on the loader path (or reinstall torch and its wheels into one "
                "site-packages):" if torch else
                "Upgrade to a release that finds its wheels, or put the wheel directories on the loader path:", tuple(cmds)),
        )


@rule(
    "WG307", "system_libs_shadow_pip_libs", "system_libs_shadow_pip_libs",
    "A CUDA library on LD_LIBRARY_PATH overrides the copy the framework's pip wheels bring",
    detects="The framework would find a library in its pip wheels, but an LD_LIBRARY_PATH directory holding "
            "another copy of the same soname comes first in the search.",
    why="LD_LIBRARY_PATH is searched before the framework's RUNPATH, so an older system or conda cuDNN/CUDA "
        "replaces the version the wheels pinned (\"Loaded runtime CuDNN library: 9.1.0 but source was compiled "
        "with: 9.3.0\").",
    example="libcudnn.so.9 from /usr/local/cuda-12.2/lib64 (9.1.0) shadows nvidia-cudnn-cu12 9.28.0.42",
    fix="Remove the system CUDA directories from LD_LIBRARY_PATH for this environment.",
    references=("https://docs.jax.dev/en/latest/installation.html",),
)
def system_libs_shadow_pip_libs(info, snap):
    facts = cuda(snap)
    for fw in facts.frameworks if facts else ():
        pairs = [(r, s) for r in fw.libs for s in _shadowed(facts, fw, r)[:1]]
        pairs = [(r, s) for r, s in pairs if not _same(r.version, s.version)]
        if not pairs:
            continue
        bad = any(_too_old(r, fw) or (r.lib == "cudnn" and _older(r.version, s.version))
                  for r, s in pairs)
        shadow_dirs = {posixpath.dirname(r.path) for r, _ in pairs}
        keep = [e for e, real in zip(facts.ld_library_path, facts.ld_library_dirs, strict=True)
                if e not in shadow_dirs and real not in shadow_dirs]
        cmd = "export LD_LIBRARY_PATH=" + shlex.quote(":".join(keep)) if keep else "unset LD_LIBRARY_PATH"
        yield info.finding(
            Severity.ERROR if bad else Severity.WARNING,
            [Evidence(f"{r.soname}: would load {r.path} ({r.version or 'version unknown'}) instead of "
                      f"{s.path} ({s.version}, {s.detail})", SOURCE) for r, s in pairs],
            f"LD_LIBRARY_PATH comes before the pip wheels in {LABEL[fw.framework]}'s search, so the "
            + ("older copy is loaded and fails the build's version check." if bad else
               "versions the wheels pinned are not the ones that run."),
            Fix("Drop the shadowing directories from LD_LIBRARY_PATH before starting Python:", (cmd,)),
        )


def _driver_need(fw: FrameworkLibs, driver_cuda: tuple[int, ...], driver: str | None) -> str | None:
    """Why the driver cannot run this build, or None when it can (minor-version compatibility aware)."""
    build = version_key(fw.cuda or "")[:2]
    if not build or not driver_cuda or driver_cuda >= build:
        return None
    if build[0] >= 11 and driver_cuda[0] == build[0]:
        row = next((r for r in table("cuda_minor_compat") if r["cuda_major"] == str(build[0])), None)
        if row and driver and version_key(driver) >= version_key(row["linux_min"]):
            return None  # minor-version compatibility covers it
        return f"CUDA {build[0]}.x minor-version compatibility needs driver {row['linux_min'] if row else '?'}"
    return f"the driver's newest CUDA is {'.'.join(map(str, driver_cuda))}, older than the build's {'.'.join(map(str, build))}"


@rule(
    "WG308", "driver_too_old", "driver_too_old",
    "The NVIDIA driver is too old for the CUDA this framework build uses",
    detects="The CUDA version the driver supports (nvidia-smi's \"CUDA Version\") is older than the framework "
            "build's CUDA, and minor-version compatibility (same major, driver >= 525.60.13 for 12.x, >= 580 for "
            "13.x, >= 450.80.02 for 11.x) does not cover it.",
    why="A CUDA runtime refuses to start on a driver older than its release family allows (\"CUDA driver version "
        "is insufficient for CUDA runtime version\").",
    example="driver 470.199.02 (CUDA 11.4) with torch 2.9.1+cu128",
    fix="Update the NVIDIA driver, or install a framework build for the CUDA your driver supports.",
    references=("https://docs.nvidia.com/deploy/cuda-compatibility/minor-version-compatibility.html",
                "https://docs.nvidia.com/cuda/cuda-toolkit-release-notes/index.html"),
)
def driver_too_old(info, snap):
    facts = cuda(snap)
    driver = snap.get(DriverFacts)
    if facts is None or driver is None or not driver.cuda_driver_version:
        return
    d = version_key(driver.cuda_driver_version)[:2]
    t = target(snap)
    for fw in facts.frameworks:
        why = _driver_need(fw, d, driver.driver_version or driver.branch)  # a branch is its first release, at least
        if why is None:
            continue
        need = next((r for r in table("cuda_drivers") if version_key(r["cuda"]) == version_key(fw.cuda or "")[:2]), None)
        cmds = ["nvidia-smi"]
        if fw.framework == "torch":
            tag = next((r["variant"] for r in sorted(table("torch_cuda_variants"), key=lambda r: version_key(r["cuda"]),
                                                      reverse=True) if version_key(r["cuda"])[:1] == d[:1]), None)
            if tag:
                cmds.append(pip(t, f"install --force-reinstall torch --index-url https://download.pytorch.org/whl/{tag}"))
        if fw.framework == "jax" and d[0] == 12:
            cmds.append(pip(t, 'install -U "jax[cuda12]"'))
        yield info.finding(
            Severity.ERROR,
            [Evidence(f"driver {driver.driver_version or (driver.branch and f'{driver.branch} (its branch)') or '?'} "
                      f"supports CUDA {driver.cuda_driver_version}", "driver layer"),
             Evidence(f"{_label(fw)} was built for CUDA {fw.cuda}", SOURCE), Evidence(why, "knowledge base")],
            f"The driver cannot run CUDA {_mm(fw.cuda)} code, so {LABEL[fw.framework]} finds no usable GPU.",
            Fix(f"Install an NVIDIA driver >= {need['linux_min'] if need else 'the one for CUDA ' + _mm(fw.cuda)} "
                "(your distribution's driver package), then check it; or use a build for your driver's CUDA:", tuple(cmds)),
        )


@rule(
    "WG309", "nvcc_version_is_not_framework_cuda", "cuda_version_mismatch",
    "nvcc's CUDA version is not the CUDA your framework uses",
    detects="`nvcc --version` reports a CUDA toolkit whose version differs from the CUDA the installed framework "
            "was built for and loads (usually from its pip wheels).",
    why="nvcc is the compiler of a locally installed toolkit. Pip-installed TensorFlow, PyTorch and JAX bring "
        "or look for their own CUDA runtime; the toolkit's version says nothing about what they load.",
    example="nvcc 13.0.88 at /usr/local/bin/nvcc; TensorFlow 2.21.0 uses libcudart.so.12 (12.9.79) from pip",
    fix="Compare the framework's build CUDA with the driver (nvidia-smi) instead of nvcc.",
    references=("https://docs.nvidia.com/deploy/cuda-compatibility/index.html",),
)
def nvcc_version_is_not_framework_cuda(info, snap):
    facts = cuda(snap)
    if facts is None or facts.nvcc is None or not facts.nvcc.version:
        return
    for fw in facts.frameworks:
        if not fw.cuda or _mm(fw.cuda) == _mm(facts.nvcc.version):
            continue
        cudart = next((r for r in fw.libs if r.lib == "cudart"), None)
        uses = (f"{cudart.soname} from {cudart.path} ({cudart.via})" if cudart and cudart.path
                else f"a CUDA {_mm(fw.cuda)} runtime it has not found")
        yield info.finding(
            Severity.HINT,
            [Evidence(f"nvcc {facts.nvcc.version} at {facts.nvcc.path}", f"{facts.nvcc.path} --version"),
             Evidence(f"{_label(fw)} was built for CUDA {fw.cuda} and uses {uses}", SOURCE)],
            f"The CUDA {_mm(facts.nvcc.version)} toolkit's nvcc is irrelevant to {LABEL[fw.framework]}: what matters is "
            f"the CUDA {_mm(fw.cuda)} runtime it loads and the driver's CUDA version.",
            Fix("Check what the framework really uses, and the driver's CUDA (the header of nvidia-smi):",
                ("nvidia-smi", "whynogpu -v")),
        )
