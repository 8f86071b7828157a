"""Every parser takes any text without raising, returns its documented type, and stays fast (issue 14, item 16).

Inputs are arbitrary text plus text shaped like each parser's real input with its values garbled (huge
and non-ASCII numbers, missing fields, odd literals). The settings keep this file to a few seconds and
make it deterministic in CI; `WHYNOGPU_FUZZ_LONG=1` runs many more (random) examples.
"""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from whynogpu.parsers import (
    build_info,
    cuda_files,
    cuda_visible_devices,
    driver_libs,
    keras_config,
    ldconfig,
    logs,
    nvidia_smi,
    proc_driver,
    proc_modules,
    torch_version,
)

settings.register_profile("fuzz", max_examples=120, deadline=timedelta(seconds=2), derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("fuzz-long", max_examples=5000, deadline=timedelta(seconds=2),
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FUZZ = settings.get_profile("fuzz-long" if os.environ.get("WHYNOGPU_FUZZ_LONG") else "fuzz")

# Numbers that broke int(): too many digits, digits that are not ASCII, superscripts, fractions.
ODD_NUMBERS = st.sampled_from(["0", "1", "-1", "9" * 5000, "\u0661\u0662", "\u00b2", "\u00bd", "1e999", "nan",
                               "12.0.0", "1.2.3.4.5", "", " ", "0x1f", "\u221e", "١٢.٣"])
WORDS = st.sampled_from(["NVRM version:", "NVIDIA UNIX x86_64 Kernel Module", "Open Kernel Module for x86_64",
                         "GCC version:", "NVIDIA-SMI", "Driver Version:", "CUDA Version:", "N/A", "(libc6,x86-64)",
                         "=>", "OS ABI:", "#define", "CUDNN_MAJOR", "CUDNN_MINOR", "CUDNN_PATCHLEVEL",
                         "CUDART_VERSION", "Cuda compilation tools, release", ", V", "Live", "nvidia", "-", ",",
                         "GPU-", "MIG-", "libcudart.so.", "libcudnn_ops.so.", "cudart64_", ".dll", "libcuda.so.",
                         "Failed to initialize NVML: Unknown Error", "No devices were found", "\t", " ", "\n",
                         "\r\n", "\x00", "\x1b[31m", "\u2028", "\u0130", "\udcff"])
SHAPED = st.lists(st.one_of(WORDS, ODD_NUMBERS, st.text(max_size=8)), max_size=40).map(" ".join)
TEXT = st.one_of(st.text(max_size=400), SHAPED)

# Python literals as build_info.py / torch/version.py might hold them, damaged.
LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=10),
                 st.sampled_from(["__BIG__", "__BIG__-"]))  # become integers of 5000 digits in _source
LITERAL = st.recursive(LEAF, lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                                                      st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                       max_leaves=12)
NAMES = st.sampled_from(["build_info", "cuda_version", "cudnn_version", "cuda_version_number", "is_cuda_build",
                         "is_rocm_build", "cuda_compute_capabilities", "__version__", "cuda", "hip", "x"])


def _source(pairs) -> str:
    lines = []
    for name, value, wrap in pairs:
        text = repr(value).replace("'__BIG__-'", "-" + "9" * 5000).replace("'__BIG__'", "9" * 5000)
        if wrap == "ordered":
            text = f"collections.OrderedDict({text})"
        elif wrap == "annotated":
            name += ": object"
        lines.append(f"{name} = {text}")
    return "\n".join(lines) + "\n"


PY_SOURCE = st.one_of(
    st.lists(st.tuples(NAMES, LITERAL, st.sampled_from(["plain", "ordered", "annotated"])), max_size=6).map(_source),
    TEXT,
    st.sampled_from(["(" * 200 + ")" * 200, "x = " + "[" * 300 + "]" * 300, "\x00", "def f(:\n", "x = 1\n" * 3]),
)


@FUZZ
@given(TEXT)
def test_ldconfig(text):
    entries = ldconfig.parse_ldconfig_p(text)
    assert isinstance(entries, list)
    for e in entries:
        assert isinstance(e, ldconfig.CacheEntry) and e.path and isinstance(ldconfig.is_64bit(e), bool)


@FUZZ
@given(TEXT)
def test_nvidia_smi(text):
    failure = nvidia_smi.classify_failure(text)
    assert failure is None or isinstance(failure, nvidia_smi.SmiFailure)
    header = nvidia_smi.parse_header(text)
    assert header is None or isinstance(header, nvidia_smi.SmiHeader)
    assert all(isinstance(g, nvidia_smi.SmiGpu) for g in nvidia_smi.parse_query_gpu(text))


@FUZZ
@example("\u00b2, A100, 550.1, 1, 1, 8.0")  # crashes the fuzzing found, kept as fixed examples
@example("0, A100, 550.1, " + "9" * 400 + ", 1, 8.0")
@given(st.lists(st.lists(st.one_of(ODD_NUMBERS, st.text(max_size=6)), min_size=6, max_size=6).map(", ".join),
                max_size=4).map("\n".join))
def test_nvidia_smi_query_rows_with_odd_numbers(text):
    for g in nvidia_smi.parse_query_gpu(text):
        assert isinstance(g.index, int)
        assert g.memory_total_mib is None or isinstance(g.memory_total_mib, int)


@FUZZ
@given(TEXT)
def test_proc_driver(text):
    v = proc_driver.parse_proc_driver_version(text)
    assert v is None or isinstance(v, proc_driver.KernelModuleVersion)


@FUZZ
@example("nvidia 56500224 \u00b2 - Live 0x0")
@example("nvidia 56500224 " + "9" * 5000 + " - Live 0x0")
@given(st.one_of(TEXT, st.lists(st.lists(st.one_of(ODD_NUMBERS, WORDS), min_size=5, max_size=7).map(" ".join),
                                 max_size=5).map("\n".join)))
def test_proc_modules(text):
    mods = proc_modules.parse_proc_modules(text)
    assert isinstance(mods, tuple)
    assert all(isinstance(m, proc_modules.LoadedModule) and (m.refcount is None or isinstance(m.refcount, int))
               for m in mods)


@FUZZ
@example("cuda_version = " + "9" * 5000 + "\ncuda_compute_capabilities = [" + "9" * 5000 + "]\n")
@example("build_info = collections.OrderedDict([1, (2,), ('a', 1, 2), ('is_cuda_build', True)])\n")
@example("x = 1\x00\n")
@given(PY_SOURCE)
def test_build_info(text):
    info = build_info.parse_build_info(text)
    assert info is None or isinstance(info, build_info.TFBuildInfo)
    if info is not None:
        assert info.cuda_version is None or isinstance(info.cuda_version, str)
        assert all(isinstance(c, str) for c in info.compute_capabilities)


@FUZZ
@example("__version__ = " + "9" * 5000 + "\n")
@given(PY_SOURCE)
def test_torch_version(text):
    build = torch_version.parse_torch_version(text)
    assert build is None or isinstance(build, torch_version.TorchBuild)
    if build is not None:
        assert all(v is None or isinstance(v, str) for v in (build.version, build.cuda, build.hip))


@FUZZ
@example("#define CUDNN_MAJOR " + "9" * 5000 + "\n#define CUDNN_MINOR 1\n#define CUDART_VERSION " + "9" * 5000, 0, "cudnn")
@given(TEXT, st.integers(min_value=-(10 ** 30), max_value=10 ** 30), st.sampled_from(["cudart", "cudnn", "cublas"]))
def test_cuda_files(text, number, lib):
    for word in text.split()[:20] + [text[:100]]:
        name = cuda_files.parse_lib_name(word)
        assert name is None or isinstance(name, cuda_files.LibName)
    for parse in (cuda_files.cudnn_header_version, cuda_files.cudart_header_version, cuda_files.nvcc_version):
        v = parse(text)
        assert v is None or isinstance(v, str)
    assert isinstance(cuda_files.encoded_version(number, lib), str)


@FUZZ
@example("9" * 5000, 0)
@example("\u0661\u0662", 2)
@given(st.one_of(TEXT, st.lists(st.one_of(ODD_NUMBERS, WORDS, st.text(max_size=5)), max_size=8).map(",".join)),
       st.one_of(st.none(), st.integers(min_value=0, max_value=64)))
def test_cuda_visible_devices(value, count):
    v = cuda_visible_devices.parse_visible_devices(value, count)
    assert isinstance(v, cuda_visible_devices.VisibleDevices) and isinstance(v.hides_all, bool)
    assert all(isinstance(e, str) for e in v.accepted + v.dropped)


@FUZZ
@given(TEXT, st.sampled_from(["libcuda", "libnvidia-ml", ""]))
def test_driver_libs(text, stem):
    v = driver_libs.version_from_filename(text, stem)
    assert v is None or isinstance(v, str)


JSONISH = st.one_of(TEXT, st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
                                       lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                               st.dictionaries(st.sampled_from(["backend", "x"]), inner,
                                                                               max_size=2)),
                                       max_leaves=8).map(lambda v: __import__("json").dumps(v)),
                    st.sampled_from(["[" * 100000 + "]" * 100000, '{"backend": ' + "9" * 5000 + "}", "\ufeff{}"]))


@FUZZ
@example("[" * 100000 + "]" * 100000, {}, 3)
@given(st.one_of(st.none(), JSONISH), st.dictionaries(st.sampled_from(["KERAS_BACKEND", "KERAS_HOME"]),
                                                       st.text(max_size=10), max_size=2),
       st.sampled_from([None, 2, 3]))
def test_keras_config(text, env, major):
    choice = keras_config.choose_backend(env, "/home/u", lambda path: text, major)
    assert isinstance(choice, keras_config.KerasBackendChoice) and isinstance(choice.backend, str)
    assert choice.config_error is None or isinstance(choice.config_error, str)


@FUZZ
@given(st.one_of(TEXT, st.binary(max_size=300).map(lambda b: logs.decode(b))))
def test_logs(text):
    matches = logs.interpret(text)
    assert isinstance(matches, tuple) and all(isinstance(m, logs.LogMatch) for m in matches)
    assert all(isinstance(m.meaning, str) for m in matches)


@FUZZ
@given(st.binary(max_size=300))
def test_logs_decode(data):
    assert isinstance(logs.decode(data), str)
