"""The inventory on real NVIDIA wheels: the small -cu12 wheels that `tensorflow[and-cuda]` pulls in are
installed once into a cached venv (~/.cache/whynogpu-it/), and whynogpu must find their libraries
with the versions pip recorded. Needs network on the first run; CI's integration tier."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv

import pytest

from whynogpu.host.real import RealHost
from whynogpu.probes import Options, gather
from whynogpu.probes.cuda_libs import CudaLibFacts

pytestmark = pytest.mark.integration

# Small members of tensorflow[and-cuda]'s pins (cuDNN and cuBLAS are hundreds of MB).
WHEELS = ("nvidia-cuda-runtime-cu12", "nvidia-cuda-cupti-cu12", "nvidia-nvjitlink-cu12")
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "whynogpu-it", "nvidia-cu12")


@pytest.fixture(scope="module")
def wheel_env():
    python = os.path.join(CACHE, "bin", "python")
    if not os.path.exists(os.path.join(CACHE, ".complete")):
        venv.EnvBuilder(with_pip=True, clear=True).create(CACHE)
        res = subprocess.run([python, "-m", "pip", "install", "-q", *WHEELS], capture_output=True, text=True)
        if res.returncode != 0:
            pytest.skip(f"could not install the NVIDIA wheels: {res.stderr.strip()[-300:]}")
        open(os.path.join(CACHE, ".complete"), "w").close()
    listed = subprocess.run([python, "-m", "pip", "list", "--format", "json"], capture_output=True, text=True, check=True)
    return python, {d["name"].lower(): d["version"] for d in json.loads(listed.stdout)}


def test_inventory_finds_the_wheel_libraries_with_pip_versions(wheel_env):
    python, versions = wheel_env
    snap = gather(RealHost(), Options(python=python), only={"platform", "environment", "target", "frameworks", "cuda_libs"})
    facts = snap.get(CudaLibFacts)
    assert facts is not None, [r.reason for r in snap.probes]
    pip = {c.soname: c for c in facts.copies if c.origin == "pip"}
    assert pip["libcudart.so.12"].version == versions["nvidia-cuda-runtime-cu12"]
    assert pip["libcupti.so.12"].version == versions["nvidia-cuda-cupti-cu12"]
    assert pip["libnvJitLink.so.12"].version == versions["nvidia-nvjitlink-cu12"]
    assert pip["libcudart.so.12"].path.endswith("/nvidia/cuda_runtime/lib/libcudart.so.12")
    assert os.path.isfile(pip["libcudart.so.12"].path)


def test_the_version_call_snippet_agrees_with_the_wheel(wheel_env):
    """cudaRuntimeGetVersion in a child process gives the wheel's CUDA major.minor (no GPU needed)."""
    python, versions = wheel_env
    snap = gather(RealHost(), Options(python=python), only={"platform", "environment", "target", "frameworks", "cuda_libs"})
    path = next(c.path for c in snap.get(CudaLibFacts).copies if c.soname == "libcudart.so.12" and c.origin == "pip")
    out = subprocess.run([sys.executable, "-m", "whynogpu.probes.snippets.cuda_lib_versions", path],
                         capture_output=True, text=True, check=True)
    got = json.loads(out.stdout)[path]["version"]
    assert got == ".".join(versions["nvidia-cuda-runtime-cu12"].split(".")[:2])
