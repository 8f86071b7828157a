"""whynogpu on this real machine, without and with Debian's NVIDIA user-space driver.

The machine has no NVIDIA GPU and no kernel module. With libcuda1 / libnvidia-ml1 / nvidia-smi
installed (as in tests/fixtures/real/nvidia-userspace-no-kernel/command.txt: a private
APT_CONFIG that adds non-free; the system's sources are never touched), the honest verdict stays
"no NVIDIA GPU", with the libraries reported as present, and whynogpu must not create
/dev/nvidiactl (libcuda/NVML do that as root). Everything installed is purged afterwards and
the files the packages re-point (/dev/nvidiactl, the libGL.so link) are restored.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

pytestmark = pytest.mark.integration

PACKAGES = ("libcuda1", "libnvidia-ml1", "nvidia-smi")
SOURCES = """Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main contrib non-free non-free-firmware
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main contrib non-free non-free-firmware
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""
NVIDIACTL = "/dev/nvidiactl"
LIBGL = "/usr/lib/x86_64-linux-gnu/libGL.so"  # glx-diversions re-points it (see the fixture's apt-purge.txt)


def has_nvidia_pci() -> bool:
    root = "/sys/bus/pci/devices"
    for name in os.listdir(root) if os.path.isdir(root) else ():
        try:
            with open(os.path.join(root, name, "vendor")) as fh:
                if fh.read().strip() == "0x10de":
                    return True
        except OSError:
            pass
    return False


def whynogpu_json() -> dict:
    res = subprocess.run([sys.executable, "-m", "whynogpu", "check", "--json", "--no-probe"],
                         capture_output=True, text=True, timeout=300)
    assert res.stdout, res.stderr
    return json.loads(res.stdout)


def installed_packages() -> set[str]:
    out = subprocess.run(["dpkg-query", "-W", "-f", "${Package} ${Status}\n"], capture_output=True, text=True, check=True)
    return {ln.split()[0] for ln in out.stdout.splitlines() if ln.endswith(" installed")}


def assert_no_gpu_verdict(report: dict) -> dict:
    assert report["verdict"]["root_cause"] == "no_nvidia_gpu", report["verdict"]
    root = report["findings"][0]
    assert root["code"] == "WG201"
    # The cause is the missing device, never the libraries, and the fix installs nothing.
    assert not any("apt install" in c or "pip install" in c for c in root["fix"]["commands"])
    return root


@pytest.fixture
def no_gpu_here():
    if not sys.platform.startswith("linux") or has_nvidia_pci():
        pytest.skip("this test needs a Linux machine without an NVIDIA PCI device")


def test_this_machine_without_nvidia_libraries(no_gpu_here):
    if shutil.which("nvidia-smi") or os.path.exists(NVIDIACTL):
        pytest.skip("NVIDIA user-space pieces are installed here")
    root = assert_no_gpu_verdict(whynogpu_json())
    assert not any("libcuda" in e["fact"] for e in root["evidence"])


@pytest.fixture
def debian_nvidia_userspace(no_gpu_here):
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("installing Debian packages needs root")
    if not shutil.which("apt-get") or "bookworm" not in open("/etc/os-release").read():
        pytest.skip("needs Debian 12 (bookworm) with apt-get")
    before = installed_packages()
    if before & set(PACKAGES):
        pytest.skip("the NVIDIA user-space packages are already installed; not touching them")
    had_ctl = os.path.lexists(NVIDIACTL)
    libgl = os.readlink(LIBGL) if os.path.islink(LIBGL) else None
    work = tempfile.mkdtemp(prefix="whynogpu-apt-")
    for sub in ("sources.list.d", "lists/partial", "cache/archives/partial"):
        os.makedirs(os.path.join(work, sub))
    with open(os.path.join(work, "sources.list.d", "debian.sources"), "w") as fh:
        fh.write(SOURCES)
    conf = os.path.join(work, "apt.conf")
    with open(conf, "w") as fh:
        fh.write(f'Dir::Etc::SourceList "/dev/null";\nDir::Etc::SourceParts "{work}/sources.list.d";\n'
                 f'Dir::State::Lists "{work}/lists";\nDir::Cache "{work}/cache";\n')
    env = {**os.environ, "APT_CONFIG": conf, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        upd = subprocess.run(["apt-get", "update"], env=env, capture_output=True, text=True, timeout=600)
        if upd.returncode != 0:
            pytest.skip(f"apt cannot reach deb.debian.org: {upd.stderr.strip()[-200:]}")
        inst = subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *PACKAGES], env=env,
                              capture_output=True, text=True, timeout=900)
        if inst.returncode != 0:
            pytest.skip(f"apt could not install {' '.join(PACKAGES)}: {inst.stderr.strip()[-200:]}")
        yield had_ctl
    finally:
        added = sorted(installed_packages() - before)
        if added:
            subprocess.run(["apt-get", "purge", "-y", *added], env=env, capture_output=True, text=True, timeout=900)
        if not had_ctl and os.path.lexists(NVIDIACTL):
            os.remove(NVIDIACTL)
        if libgl is not None and (not os.path.islink(LIBGL) or os.readlink(LIBGL) != libgl):
            if os.path.lexists(LIBGL):
                os.remove(LIBGL)
            os.symlink(libgl, LIBGL)
        shutil.rmtree(work, ignore_errors=True)
        assert installed_packages() == before, "the purge left the package set changed"


def test_this_machine_with_debian_nvidia_userspace(debian_nvidia_userspace):
    had_ctl = debian_nvidia_userspace
    report = whynogpu_json()
    root = assert_no_gpu_verdict(report)
    facts = " ".join(e["fact"] for e in root["evidence"])
    assert "libcuda.so.1" in facts and "535." in facts  # the libraries are reported as present
    driver = report["facts"]["driver"]
    assert driver["skipped"] and driver["cuda"] is None and driver["nvml"] is None
    assert {c["name"] for c in driver["libraries"]} >= {"libcuda.so.1", "libnvidia-ml.so.1"}
    # Observe before touch: whynogpu loaded neither library, so (as root) no node appeared.
    assert os.path.lexists(NVIDIACTL) == had_ctl
