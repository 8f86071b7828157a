"""Cached virtual environments for benchmarks (built once per machine, reused afterwards)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

CACHE = os.path.expanduser(os.environ.get("WHYNOGPU_BENCH_CACHE", "~/.cache/whynogpu-bench"))


def env_with(*requirements: str) -> str:
    """Path of a venv's python with `requirements` installed (built on first use)."""
    key = hashlib.sha256(" ".join(sorted(requirements)).encode()).hexdigest()[:12]
    root = os.path.join(CACHE, key)
    python = os.path.join(root, "bin", "python")
    marker = os.path.join(root, ".complete")
    if not os.path.exists(marker):
        subprocess.run([sys.executable, "-m", "venv", "--clear", root], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", *requirements], check=True)
        open(marker, "w").close()
    return python


def env_with_steps(name: str, *steps: tuple[str, ...]) -> str:
    """Path of a venv's python built by several pip installs in order (e.g. two variants over each other)."""
    key = hashlib.sha256(repr((name, steps)).encode()).hexdigest()[:12]
    root = os.path.join(CACHE, f"{name}-{key}")
    python = os.path.join(root, "bin", "python")
    marker = os.path.join(root, ".complete")
    if not os.path.exists(marker):
        subprocess.run([sys.executable, "-m", "venv", "--clear", root], check=True)
        for step in steps:
            subprocess.run([python, "-m", "pip", "install", "-q", *step], check=True)
        open(marker, "w").close()
    return python
