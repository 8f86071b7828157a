"""Native Windows through the host seam: the Windows host helpers as pure functions, and the whole check
pipeline run with sys.platform patched to "win32" against Windows fixture hosts built from public captures
(tests/fixtures/hosts/win*/SOURCE.md). No Windows machine is needed; what only one can prove is marked
windows_only."""

from __future__ import annotations

import ast
import json
import os
import sys

import pytest

from whynogpu.facts.target import TargetFacts
from whynogpu.host.base import Uname
from whynogpu.host.fake import FakeHost
from whynogpu.host.windows import (
    WindowsFakeHost,
    nvidia_version_from_windows,
    parse_format_list,
    pci_ids,
    split_path_list,
    which,
    windows_release_name,
)
from whynogpu.parsers.cuda_files import dll_name
from whynogpu.pipeline import check
from whynogpu.probes import Options
from whynogpu.probes.windows_cuda import cuda_version_of_dll
from whynogpu.render.text import render

HOSTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "hosts")
SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "src", "whynogpu")
WINDOWS_MODULES = ("host/windows.py", "probes/windows_gpu.py", "probes/windows_cuda.py", "rules/windows.py")
LINUX_ONLY = ("/proc", "/sys", "/dev", "/etc", "/usr", "/lib", "ldconfig", "LD_LIBRARY_PATH")
WIN = Uname("Windows", "10", "10.0.19045", "AMD64", "pc")

# Format-List output of Get-WmiObject Win32_VideoController, as pasted in
# https://github.com/KhronosGroup/Vulkan-Loader/issues/283 (its first lines), with the PNPDeviceID of the
# RTX 2060 in https://github.com/microsoft/WSL/issues/6423 and that driver's file version 27.21.14.5541.
ADAPTERS = """
AdapterCompatibility         : NVIDIA
AdapterDACType               : Integrated RAMDAC
Caption                      : NVIDIA GeForce RTX 2060
ConfigManagerErrorCode       : 0
DriverVersion                : 27.21.14.5541
Name                         : NVIDIA GeForce RTX 2060
PNPDeviceID                  : PCI\\VEN_10DE&DEV_1F11&SUBSYS_126A1462&REV_A1\\4&1FF5DE47&0&0008
Status                       : OK
"""


def windows_check(folder: str, monkeypatch, **kw):
    monkeypatch.setattr(sys, "platform", "win32")
    host = FakeHost.from_folder(os.path.join(HOSTS, folder), **kw)
    assert isinstance(host, WindowsFakeHost)
    return host, check(host, Options(live=False))


def assert_windows_reads_only(host: WindowsFakeHost) -> None:
    assert host.reads, "the probes read nothing: the recording is broken"
    for kind, path in host.reads:
        assert not any(x in path for x in LINUX_ONLY), (kind, path)
        if kind != "run":
            assert path[1:3] == ":\\" or path[1:2] == ":", (kind, path)  # drive-letter paths only
    assert not any("ldconfig" in " ".join(c) for c in host.calls)


# --- the pure helpers ------------------------------------------------------------------------------

def test_path_lists_and_program_lookup():
    assert split_path_list('C:\\Windows\\system32;;"C:\\Program Files\\NVIDIA Corporation\\NVSMI";') == [
        "C:\\Windows\\system32", "C:\\Program Files\\NVIDIA Corporation\\NVSMI"]
    host = WindowsFakeHost(files={"/C/Program Files/NVIDIA Corporation/NVSMI/nvidia-smi.exe": ""},
                           env={"Path": "C:\\Windows\\system32;C:\\Program Files\\NVIDIA Corporation\\NVSMI"},
                           uname=WIN)
    # PATHEXT, no case, backslashes: what `where nvidia-smi` prints
    assert which(host, "nvidia-smi") == "C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvidia-smi.exe"
    assert host.which("NVIDIA-SMI") == "C:\\Program Files\\NVIDIA Corporation\\NVSMI\\NVIDIA-SMI.exe"
    assert host.exists("c:/program files/nvidia corporation/nvsmi/NVIDIA-SMI.EXE")
    assert host.listdir("C:\\Program Files\\NVIDIA Corporation\\NVSMI\\") == ["nvidia-smi.exe"]
    assert host.env()["PATH"].startswith("C:\\Windows")  # os.environ upper-cases names on Windows


def test_windows_names_and_numbers():
    assert windows_release_name("10", "10.0.22631") == "Windows 11 (build 22631)"
    assert windows_release_name("10", "10.0.19045") == "Windows 10 (build 19045)"
    records = parse_format_list(ADAPTERS)
    assert records[0]["Name"] == "NVIDIA GeForce RTX 2060"
    assert pci_ids(records[0]["PNPDeviceID"]) == ("0x10de", "0x1f11")
    assert nvidia_version_from_windows("27.21.14.5541") == "455.41"
    assert nvidia_version_from_windows("31.0.15.5599") == "555.99"
    assert dll_name("libcudart.so.11.0") == "cudart64_110.dll" and dll_name("libcufft.so.10") == "cufft64_10.dll"
    assert dll_name("libcudnn.so.8") == "cudnn64_8.dll" and dll_name("libcudart.so.12") == "cudart64_12.dll"
    assert cuda_version_of_dll("cudart64_110.dll") == "11.0" and cuda_version_of_dll("cudart64_12.dll") == "12"


def test_wmic_list_format_is_read_too():
    text = "\r\n\r\nDriverVersion=27.21.14.5541\r\nName=NVIDIA GeForce RTX 2060\r\nPNPDeviceID=PCI\\VEN_10DE&DEV_1F11\r\n\r\n"
    assert parse_format_list(text) == [{"DriverVersion": "27.21.14.5541", "Name": "NVIDIA GeForce RTX 2060",
                                        "PNPDeviceID": "PCI\\VEN_10DE&DEV_1F11"}]


# --- the whole pipeline on Windows fixture hosts ---------------------------------------------------

def test_tf_after_2_10_on_native_windows_end_to_end(monkeypatch):
    host, report = windows_check("win11-tf217-rtx4050-public", monkeypatch)
    assert report.verdict.root_cause == "windows_native_unsupported"
    f = next(f for f in report.findings if f.code == "WG101")
    cmds = "\n".join(f.fix.commands)
    # the three ways out, each with its source
    for needle in ("wsl --install -d Ubuntu", "tensorflow[and-cuda]", 'install "tensorflow<2.11"',
                   "cudatoolkit=11.2 cudnn=8.1.0", "tensorflow-directml-plugin",
                   "https://www.tensorflow.org/install/pip#windows-wsl2",
                   "https://www.tensorflow.org/install/pip#windows-native",
                   "https://github.com/microsoft/tensorflow-directml-plugin"):
        assert needle in cmds, needle
    assert "needs Python 3.10 or older, this is 3.11" in cmds
    # the driver layer came from NVML (nvcuda.dll/nvml.dll in System32), not from /proc or ldconfig
    text = render(report, color=False)
    assert "NVIDIA GeForce RTX 4050 ..., driver 555.99, CUDA 12.5" in text
    assert_windows_reads_only(host)


def test_cudart64_110_in_an_unactivated_conda_env(monkeypatch):
    host, report = windows_check("win10-tf29-conda-cudatoolkit-env-not-activated-public", monkeypatch)
    assert report.verdict.root_cause == "libs_not_on_path"
    f = next(f for f in report.findings if f.code == "WG305")
    evidence = " ".join(e.fact for e in f.evidence)
    assert "cudart64_110.dll" in evidence and "cudnn64_8.dll" in evidence
    assert "Library\\bin" in evidence
    assert f.fix.commands == ('conda activate "C:\\Users\\user\\miniconda3\\envs\\tf"',)
    assert_windows_reads_only(host)


def test_dll_in_cuda_path_but_not_on_path(monkeypatch):
    """CUDA_PATH_V11_2 is set by the installer, but LoadLibrary searches PATH, not CUDA_PATH: the Windows PATH
    fix in PowerShell and cmd syntax, and os.add_dll_directory (tensorflow#48868)."""
    folder = "win10-tf29-conda-cudatoolkit-env-not-activated-public"
    cuda = "C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v11.2"
    base = FakeHost.from_folder(os.path.join(HOSTS, folder))
    files = {k: v for k, v in base.files.items() if "Library/bin" not in k}
    files.update({f"{cuda}\\bin\\{n}": "" for n in ("cudart64_110.dll", "cublas64_11.dll", "cublasLt64_11.dll",
                                                     "cufft64_10.dll", "cusolver64_11.dll", "cusparse64_11.dll",
                                                     "cudnn64_8.dll")})
    env = dict(base.env(), CUDA_PATH=cuda, CUDA_PATH_V11_2=cuda)
    host = WindowsFakeHost(files=files, env=env, uname=base.uname(), user=base.user(), snippets=base.snippets,
                           python=base.python, own_python=base.own_python(), base_dir=base.base_dir)
    monkeypatch.setattr(sys, "platform", "win32")
    report = check(host, Options(live=False))
    assert report.verdict.root_cause == "libs_not_on_path"
    f = next(f for f in report.findings if f.code == "WG305")
    bin_dir = f"{cuda}\\bin"
    assert f'$env:Path = "{bin_dir};" + $env:Path' in f.fix.commands
    assert f'set "PATH={bin_dir};%PATH%"' in f.fix.commands
    assert any("os.add_dll_directory" in c for c in f.fix.commands)
    assert "CUDA_PATH_V11_2" in json.dumps(report.facts.get("environment", {}))
    assert_windows_reads_only(host)


def test_missing_cudart64_110_names_the_windows_install(monkeypatch):
    folder = "win10-tf29-conda-cudatoolkit-env-not-activated-public"
    host, report = windows_check(folder, monkeypatch)
    host = WindowsFakeHost(files={k: v for k, v in host.files.items() if "Library/bin" not in k}, env=host.env(),
                           uname=host.uname(), user=host.user(), snippets=host.snippets, python=host.python,
                           own_python=host.own_python(), base_dir=host.base_dir)
    report = check(host, Options(live=False))
    assert report.verdict.root_cause == "cuda_libs_missing"
    f = next(f for f in report.findings if f.code == "WG301")
    assert "cudart64_110.dll" in " ".join(e.fact for e in f.evidence)
    cmds = "\n".join(f.fix.commands)
    assert "conda install -c conda-forge cudatoolkit=11.2 cudnn=8.1" in cmds
    assert "tensorflow[and-cuda]" not in cmds  # no Windows CUDA wheels: that would install a CPU-only TF 2.11+
    assert '$env:Path = "C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v11.2\\bin;" + $env:Path' in cmds


def test_plain_pip_install_torch_on_windows_is_the_cpu_wheel(monkeypatch):
    """pytorch/pytorch#122924: Windows 11, `torch==2.2.2` from PyPI, 'CUDA used to build PyTorch: Could not
    collect', RTX 4080 Laptop GPU with driver 551.86: the PyPI Windows wheel is the CPU build."""
    prefix = "C:\\Users\\user\\anaconda3\\envs\\dl"
    site = f"{prefix}\\Lib\\site-packages"
    data = {"executable": f"{prefix}\\python.exe", "version": "3.10.13", "implementation": "CPython",
            "prefix": prefix, "base_prefix": prefix, "env_kind": "conda", "platform": "win32", "machine": "AMD64",
            "sys_path": [site], "owners": {}, "packages": {},
            "distributions": [{"name": "torch", "version": "2.2.2", "location": site, "installer": "pip",
                               "top_level": ["torch"], "requires": [], "lib_files": [], "direct_url": None}],
            "files": {"torch/version.py": "__version__ = '2.2.2'\ndebug = False\ncuda = None\n"
                                          "git_version = '39901f229520a5256505ec24782f716ee7ddc843'\nhip = None\n"}}
    host = WindowsFakeHost(env={"Path": "C:\\Windows\\system32", "CONDA_PREFIX": prefix}, uname=WIN,
                           files={"C:\\Windows\\System32\\nvcuda.dll": ""},
                           snippets={"inspect_target": {"stdout": json.dumps(data)}}, python=f"{prefix}\\python.exe",
                           own_python=f"{prefix}\\python.exe")
    monkeypatch.setattr(sys, "platform", "win32")
    report = check(host, Options(live=False))
    assert report.verdict.root_cause == "cpu_only_package"
    f = next(f for f in report.findings if f.code == "WG402")
    assert any("--index-url https://download.pytorch.org/whl/cu" in c for c in f.fix.commands)
    assert any(c.startswith(f"{prefix}\\python.exe -m pip") for c in f.fix.commands)  # no POSIX quoting
    assert_windows_reads_only(host)


def test_nvidia_adapter_without_nvidia_driver(monkeypatch):
    out = ADAPTERS.replace("Name                         : NVIDIA GeForce RTX 2060",
                           "Name                         : Microsoft Basic Display Adapter")
    argv = ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command",
            "Get-CimInstance -ClassName Win32_VideoController | Format-List "
            "Name,PNPDeviceID,DriverVersion,ConfigManagerErrorCode,Status"]
    host = WindowsFakeHost(env={"Path": "C:\\Windows\\system32"}, uname=WIN,
                           commands=[{"argv": argv, "stdout": out}],
                           snippets={"inspect_target": {"returncode": 1, "stderr": "no python"}})
    monkeypatch.setattr(sys, "platform", "win32")
    report = check(host, Options(live=False))
    assert report.verdict.root_cause == "driver_not_loaded"
    assert "WG107" in {f.code for f in report.findings}
    assert_windows_reads_only(host)


def test_no_nvidia_adapter(monkeypatch):
    intel = ("Name : Intel(R) UHD Graphics 630\nPNPDeviceID : PCI\\VEN_8086&DEV_3E92&SUBSYS_00000000&REV_00\\3&11583659&0&10"
             "\nConfigManagerErrorCode : 0\n")
    argv = ["powershell.exe", "-NoProfile", "-NonInteractive", "-Command",
            "Get-CimInstance -ClassName Win32_VideoController | Format-List "
            "Name,PNPDeviceID,DriverVersion,ConfigManagerErrorCode,Status"]
    host = WindowsFakeHost(env={"Path": "C:\\Windows\\system32"}, uname=WIN, commands=[{"argv": argv, "stdout": intel}],
                           snippets={"inspect_target": {"returncode": 1, "stderr": "no python"}})
    monkeypatch.setattr(sys, "platform", "win32")
    report = check(host, Options(live=False))
    assert report.verdict.root_cause == "no_nvidia_gpu"
    assert "WG106" in {f.code for f in report.findings}


# --- the Windows path has no POSIX-only calls ------------------------------------------------------

def test_windows_modules_use_no_posix_only_calls():
    banned_calls = {"killpg", "setsid", "getuid", "getgid", "getgroups", "sched_getaffinity", "major", "minor"}
    for rel in WINDOWS_MODULES:
        with open(os.path.join(SRC, rel), encoding="utf-8") as fh:
            source = fh.read()
        tree = ast.parse(source)
        compile(tree, rel, "exec")
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("os", "signal"):
                assert node.attr not in banned_calls and not node.attr.startswith("SIG"), (rel, node.attr)
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not node.value.startswith(("/proc", "/sys", "/dev/", "/etc/", "/usr/")), (rel, node.value)
        assert "posixpath.join" not in source or rel == "host/windows.py", rel  # ntpath on the Windows path


@pytest.mark.windows_only
@pytest.mark.skipif(sys.platform != "win32", reason="needs native Windows")
def test_real_windows_host():  # pragma: no cover - only on a Windows machine
    from whynogpu.host.real import RealHost

    host = RealHost()
    assert host.uname().system == "Windows"
    assert host.which("cmd") and host.which("cmd").lower().endswith("cmd.exe")
    res = host.run(["cmd", "/c", "echo", "ok"], timeout=10)
    assert res.ok and "ok" in res.stdout
    report = check(host, Options(live=False))
    assert report.target is not None
    assert isinstance(report.findings, tuple) and TargetFacts is not None
