"""`%load_ext whynogpu` and the `%whynogpu` line magic.

    %whynogpu                 diagnose the running kernel's own Python and environment
    %whynogpu --no-probe      static facts only (no framework imported anywhere)
    %whynogpu triage          diagnose the last cell that raised: its code and its traceback

No framework is ever imported into the kernel: whynogpu's probes import them in child processes, which
inherit the kernel's environment, so LD_LIBRARY_PATH and CUDA_VISIBLE_DEVICES are the kernel's own.
IPython is imported only by `load_ipython_extension`, which IPython itself calls.
"""

from __future__ import annotations

import dataclasses
import shlex
import sys
import traceback

from whynogpu.host.real import RealHost

USAGE = "usage: %whynogpu [--no-probe] [--timeout SECONDS] | %whynogpu triage"
WHY = "the interpreter of this Jupyter kernel (sys.executable)"


class KernelHost(RealHost):
    """This machine, seen from inside a kernel: the jupyter_kernel probe runs only on such a host."""

    def jupyter_kernel(self) -> dict:
        argv = list(getattr(sys, "orig_argv", None) or [sys.executable, *sys.argv])
        return {"python": sys.executable, "prefix": sys.prefix, "argv": argv}


def parse(line: str) -> dict:
    """The magic's arguments; ValueError with the usage on anything else."""
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise ValueError(f"{exc}; {USAGE}") from None
    args = {"triage": False, "live": True, "timeout": 60.0}
    if words and words[0] == "triage":
        args["triage"] = True
        words = words[1:]
    while words:
        w = words.pop(0)
        if w == "--no-probe" and not args["triage"]:
            args["live"] = False
        elif w == "--timeout" and words and not args["triage"]:
            try:
                args["timeout"] = float(words.pop(0))
            except ValueError:
                raise ValueError(f"--timeout needs a number of seconds; {USAGE}") from None
            if not args["timeout"] > 0:
                raise ValueError(f"--timeout must be positive; {USAGE}")
        else:
            raise ValueError(f"unknown argument {w!r}; {USAGE}")
    return args


def check_kernel(live: bool = True, timeout: float = 60.0):
    """The report for the running kernel: its interpreter, its environment, and how both compare with a login
    shell and the kernel spec that starts it."""
    from whynogpu import check

    report = check(python=sys.executable, live=live, timeout=timeout, host=KernelHost())
    return dataclasses.replace(report, target=dataclasses.replace(report.target, why=WHY))


def last_error_text(shell) -> str | None:
    """The code of the last cell that raised and its traceback, as a pasted report would show them; None when
    no cell has raised in this session."""
    exc = getattr(sys, "last_exc", None) or getattr(sys, "last_value", None)
    if exc is None:
        return None
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__ or getattr(sys, "last_traceback", None))
    cell = ""
    inputs = shell.user_ns.get("In", []) if shell is not None else []
    if len(inputs) >= 2:
        cell = inputs[-2]  # In[-1] is the cell running this magic
    return f"{cell}\n\n{''.join(lines)}" if cell else "".join(lines)


def magic(line: str, shell=None):
    from IPython.core.error import UsageError

    try:
        args = parse(line)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args["triage"]:
        from whynogpu import triage_text

        text = last_error_text(shell)
        if text is None:
            raise UsageError("no cell has raised an error in this kernel yet; paste a log with "
                             "whynogpu.triage_text(text) instead")
        return triage_text(text)
    return check_kernel(live=args["live"], timeout=args["timeout"])


def load_ipython_extension(ipython) -> None:
    ipython.register_magic_function(lambda line: magic(line, ipython), magic_kind="line", magic_name="whynogpu")
