"""whynogpu: why is TensorFlow/Keras, PyTorch or JAX running on the CPU, and what to do about it."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from whynogpu.host.base import Host
    from whynogpu.model import Report


def check(python: str | None = None, live: bool = True, timeout: float = 60.0, host: Host | None = None) -> Report:
    """Diagnose this machine (or `host`) for the interpreter `python`; returns the report."""
    from whynogpu.pipeline import check as _check
    from whynogpu.probes import Options

    return _check(host, Options(python=python, live=live, timeout=timeout))


__all__ = ["__version__", "check"]
