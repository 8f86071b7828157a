"""Parsers of the machine's own output take time linear in its size (issue 14, item 6).

Each input below is shaped like the output a parser reads, at a size where the old quadratic
regexes took about ten seconds; a linear parser reads it in milliseconds, so one second is a
generous bound even on a slow CI machine.
"""

from __future__ import annotations

import time

import pytest

from whynogpu.parsers.cuda_files import cudart_header_version, cudnn_header_version
from whynogpu.parsers.ldconfig import parse_ldconfig_p
from whynogpu.parsers.nvidia_smi import parse_header

ENTRY = "\tlibcudart.so.12 (libc6,x86-64) => /usr/local/cuda/lib64/libcudart.so.12"

CASES = {
    "ldconfig path then spaces": (parse_ldconfig_p, ENTRY + " " * 40_000 + "x"),
    "ldconfig OS ABI then spaces": (parse_ldconfig_p, "\tlibx.so.1 (libc6) OS ABI:" + " " * 40_000 + "x"),
    "cudnn header of blank lines": (cudnn_header_version, "\n" * 40_000),
    "cudart header of blank lines": (cudart_header_version, "\n" * 60_000),
    "cudnn header of blank lines with a define": (cudnn_header_version, "\n" * 40_000 + "#define CUDNN_MAJOR 9\n"),
    "nvidia-smi line of many NVIDIA-SMI": (parse_header, "NVIDIA-SMI 1 " * 8_000),
}


@pytest.mark.parametrize("name", CASES)
def test_long_runs_are_read_in_linear_time(name):
    parse, text = CASES[name]
    start = time.perf_counter()
    parse(text)
    assert time.perf_counter() - start < 1.0, name


def test_results_are_unchanged_on_real_shapes():
    (e,) = parse_ldconfig_p("536 libs found in cache `/etc/ld.so.cache'\n" + ENTRY + "   \n")
    assert (e.soname, e.flags, e.path) == ("libcudart.so.12", "libc6,x86-64", "/usr/local/cuda/lib64/libcudart.so.12")
    (e,) = parse_ldconfig_p("\tlibc.so.6 (libc6,x86-64, OS ABI: Linux 3.2.0) => /lib/x86_64-linux-gnu/libc.so.6")
    assert e.flags == "libc6,x86-64, OS ABI: Linux 3.2.0"
    (e,) = parse_ldconfig_p("\tlibold.so.1 (libc6) OS ABI: Linux 2.6.32 => /lib/libold.so.1")
    assert e.path == "/lib/libold.so.1"
    header = "/* cuDNN */\n\n#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 1\r\n#  define CUDNN_PATCHLEVEL 0\n"
    assert cudnn_header_version(header) == "9.1.0"
    assert cudart_header_version("#define CUDART_VERSION 12040\n") == "12.4"
    h = parse_header("| NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: 12.2     |\n")
    assert (h.smi_version, h.driver_version, h.cuda_version) == ("535.104.05", "535.104.05", "12.2")
