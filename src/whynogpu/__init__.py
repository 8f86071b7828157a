"""whynogpu: why is TensorFlow/Keras, PyTorch or JAX running on the CPU, and what to do about it."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from whynogpu.host.base import Host
    from whynogpu.model import Report


class TargetError(ValueError):
    """The interpreter asked for (`python=`) cannot be inspected; the message says why."""


def check(python: str | None = None, live: bool = True, timeout: float = 60.0, host: Host | None = None) -> Report:
    """Diagnose this machine (or `host`) for the interpreter `python`; returns the report
    (`report.text()`, `.markdown()`, `.json()` render it). Raises TargetError when `python` cannot be inspected."""
    from whynogpu.pipeline import report_from_snapshot
    from whynogpu.probes import Options, gather

    if host is None:
        from whynogpu.host.real import RealHost

        host = RealHost()
    snapshot = gather(host, Options(python=python, live=live, timeout=timeout))
    res = snapshot.result("target")
    if python and res is not None and res.status.value in ("failed", "timed_out", "crashed"):
        raise TargetError(f"{python}: {res.reason.message if res.reason else 'cannot be inspected'}")
    return report_from_snapshot(snapshot)


def triage_text(text: str) -> Report:
    """Diagnose a pasted bug report (logs, nvidia-smi, package lists, code, free text); returns the report."""
    from whynogpu.triage.engine import triage as _triage

    return _triage(text)


triage = triage_text  # the name the notebook docs use: whynogpu.triage(text)


def load_ipython_extension(ipython) -> None:
    """`%load_ext whynogpu`: adds the `%whynogpu` line magic (whynogpu/jupyter.py)."""
    from whynogpu.jupyter import load_ipython_extension as load

    load(ipython)


def __getattr__(name: str):
    # `whynogpu.watch(...)` / `with whynogpu.watch() as w:`: the subpackage whynogpu.watch is callable
    # (whynogpu/watch/__init__.py); imported on first use, so `import whynogpu` stays as light as it was.
    if name == "watch":
        import importlib

        return importlib.import_module("whynogpu.watch")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["__version__", "TargetError", "check", "triage", "triage_text", "watch"]
