"""`%whynogpu` in a notebook: the kernel against a fresh login shell ("works in the terminal, not in the notebook").

The kernel's own variables are already judged by the environment rules (the magic inspects the kernel's
process); these findings say where a difference comes from and how to fix it where the kernel starts.
"""

from __future__ import annotations

import posixpath
import shlex

from whynogpu.facts.jupyter import KernelFacts
from whynogpu.model import Evidence, Fix, Severity
from whynogpu.rules import rule

# Variables that decide whether a framework finds and uses the GPU (PATH, VIRTUAL_ENV and log levels
# differ between any two processes and change nothing about the GPU).
COMPARED = ("CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER", "NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES",
            "LD_LIBRARY_PATH", "LD_PRELOAD", "CUDA_HOME", "CUDA_PATH", "CUDA_ROOT", "CUDNN_PATH",
            "KERAS_BACKEND", "TF_USE_LEGACY_KERAS", "XLA_FLAGS", "JAX_PLATFORMS", "JAX_PLATFORM_NAME",
            "HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "PYTHONPATH", "PYTHONHOME")
# Read by the dynamic loader when the process starts: changing os.environ in a running kernel is too late.
AT_START = ("LD_LIBRARY_PATH", "LD_PRELOAD")
SHELL_SOURCE = "a fresh login shell ($SHELL -l)"

_EDIT = ("import json,sys; p,n,v=sys.argv[1:4]; k=json.load(open(p)); e=k.setdefault('env',{}); "
         "e.pop(n,None) if v=='-' else e.__setitem__(n,v); json.dump(k,open(p,'w'),indent=1)")


def kernel(snap) -> KernelFacts | None:
    return snap.get(KernelFacts)


def _shown(value: str | None) -> str:
    return "unset" if value is None else repr(value)


def spec_edit(k: KernelFacts, path: str, name: str, value: str | None) -> str:
    """A command that sets (or, with None, removes) one variable in a kernel.json, run with the kernel's Python."""
    return " ".join(shlex.quote(a) for a in (k.python, "-c", _EDIT, path, name, "-" if value is None else value))


@rule(
    "WG640", "kernel_env_differs_from_shell", "unknown",
    "The Jupyter kernel sees other GPU-related variables than your terminal",
    detects="Inside a notebook (`%whynogpu`): a variable that decides GPU use (CUDA_VISIBLE_DEVICES, LD_LIBRARY_PATH, "
            "CUDA_HOME, KERAS_BACKEND, JAX_PLATFORMS, PYTHONPATH …) has another value in the running kernel than in a "
            "fresh login shell, set by the kernel spec (kernel.json `env`) or inherited from whatever started Jupyter.",
    why="A kernel is started by the Jupyter server (or VS Code, JupyterHub, a service), not by your terminal: it "
        "gets the server's environment plus its kernel.json `env`, never your shell profile. What works in the "
        "terminal can then fail in the notebook, or the other way round.",
    example="kernel.json sets CUDA_VISIBLE_DEVICES='-1'; the shell does not set it",
    fix="Change the variable where the kernel starts: in its kernel.json `env` (then restart the kernel), or start "
        "Jupyter from the terminal where the GPU works.",
    references=("https://jupyter-client.readthedocs.io/en/stable/kernels.html#kernel-specs",),
    modes=("check",),
)
def kernel_env_differs(info, snap):
    k = kernel(snap)
    if k is None or k.shell is None:
        return
    diffs = [(n, k.env.get(n), k.shell_env.get(n)) for n in COMPARED if k.env.get(n) != k.shell_env.get(n)]
    if not diffs:
        return
    only = k.specs[0] if len(k.specs) == 1 else None
    evidence, commands, restart_only, edited = [], [], [], []
    for name, in_kernel, in_shell in diffs:
        # Specs were kept only when their variables agree with the kernel's: one that sets this one explains it.
        setting = [s for s in k.specs if name in s.env]
        spec = setting[0] if setting else only
        where = f"kernel.json {spec.path}" if setting else "inherited from what started Jupyter"
        evidence.append(Evidence(f"{name} is {_shown(in_kernel)} in the kernel, {_shown(in_shell)} in the login shell",
                                 where))
        if spec is not None and (setting or in_shell is not None):
            commands.append(spec_edit(k, spec.path, name, in_shell))
            edited.append(spec)
        elif name in AT_START:
            restart_only.append(name)
        elif in_shell is None:
            commands.append(f"import os; os.environ.pop({name!r}, None)  # first cell, before any framework import")
        else:
            commands.append(f"%env {name}={in_shell}  # first cell, before any framework import")
    if edited and len(edited) == len(diffs):
        text = f"Make the kernel spec {edited[0].name!r} match the terminal, then restart the kernel:"
    elif edited:
        text = (f"Make the kernel spec {edited[0].name!r} match the terminal (then restart the kernel), and set the "
                "rest in the notebook's first cell, before any framework is imported:")
    elif k.specs:
        text = (f"Several kernel specs start this Python ({', '.join(s.name for s in k.specs)}): set it in the one "
                "you use, or in the notebook's first cell, before any framework is imported:")
    else:
        text = "Set it in the notebook's first cell, before any framework is imported:"
    if restart_only:
        text += (f" {', '.join(restart_only)} is read when the process starts: put it in the kernel.json `env`, or "
                 "start Jupyter from the terminal where the GPU works.")
    names = ", ".join(n for n, _, _ in diffs)
    yield info.finding(
        Severity.WARNING, evidence,
        f"The kernel does not run with your terminal's environment: {names} "
        f"{'differs' if len(diffs) == 1 else 'differ'}, so a framework in the notebook can see another GPU setup than "
        "in the terminal.",
        Fix(text, tuple(commands)),
    )


@rule(
    "WG641", "kernel_python_differs_from_shell", "unknown",
    "The Jupyter kernel runs another Python than `python3` in your terminal",
    detects="Inside a notebook (`%whynogpu`): the kernel's interpreter is not in the folder of the `python3` (or "
            "`python`) a fresh login shell finds on its PATH.",
    why="Packages installed with the terminal's `pip` go to the terminal's Python; a GPU framework that works there "
        "may be missing, or a CPU-only build, in the kernel's.",
    example="kernel: ~/envs/tf/bin/python; terminal: /usr/bin/python3",
    fix="Install into the kernel's own Python (`%pip install …` in the notebook), or register the terminal's Python "
        "as a kernel (`python3 -m ipykernel install --user --name NAME`) and pick it in the notebook.",
    references=("https://ipython.readthedocs.io/en/stable/install/kernel_install.html",),
    modes=("check",),
)
def kernel_python_differs(info, snap):
    k = kernel(snap)
    if k is None or k.shell is None:
        return
    kernel_dir = posixpath.dirname(k.python)
    if k.shell_python and posixpath.dirname(k.shell_python) == kernel_dir:
        return
    evidence = [Evidence(f"the kernel runs {k.python} (prefix {k.prefix})", "sys.executable in the kernel"),
                Evidence(f"`python3` is {k.shell_python or 'not found'} on the login shell's PATH", SHELL_SOURCE)]
    if k.shell_jupyter:
        evidence.append(Evidence(f"`jupyter` is {k.shell_jupyter}", SHELL_SOURCE))
    for s in k.specs:
        evidence.append(Evidence(f"kernel spec {s.name!r} starts it: {' '.join(s.argv)}", s.path))
    commands = [f"%pip install <package>  # in the notebook: installs into {k.python}"]
    if k.shell_python:
        commands.append(f"whynogpu --python {shlex.quote(k.python)}  # in the terminal: the kernel's Python")
        commands.append(f"{shlex.quote(k.shell_python)} -m ipykernel install --user --name terminal-python")
    yield info.finding(
        Severity.HINT, evidence,
        "What you install or test in the terminal is another environment than the notebook's.",
        Fix("Install into the kernel's Python, or make the terminal's Python a kernel and select it:", tuple(commands)),
    )
