"""The running Jupyter kernel beside the user's login shell (read only by `%whynogpu` inside a kernel).

Part of the snapshot schema (whynogpu.facts): filled by probes/jupyter_kernel.py; read by rules/jupyter.py.
Variables are the environment probe's allow-list only, so no secret is ever recorded.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KernelSpec:
    path: str  # its kernel.json
    name: str  # the folder name Jupyter lists it by
    argv: tuple[str, ...]
    env: dict[str, str]  # its "env", allow-listed variables only


@dataclass(frozen=True)
class KernelFacts:
    python: str  # sys.executable of the kernel
    prefix: str  # sys.prefix of the kernel
    argv: tuple[str, ...]  # the kernel process's command line
    env: dict[str, str]  # the kernel's allow-listed variables, as it sees them
    shell: str | None  # the login shell that was asked ($SHELL -l), None when it could not be run
    shell_python: str | None  # `python3` (else `python`) on the login shell's PATH
    shell_jupyter: str | None  # `jupyter` on the login shell's PATH
    shell_env: dict[str, str]  # the login shell's allow-listed variables
    specs: tuple[KernelSpec, ...]  # installed kernel specs that start this interpreter
