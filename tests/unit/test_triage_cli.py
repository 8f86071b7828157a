"""`whynogpu triage`: report contract, robustness on hostile input, and rules that must (not) fire."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import triage_on_evidence as triage  # the readings alone (WG836's vote: test_similar_reports.py)
from whynogpu.triage.extract import extract
from whynogpu.verdict import confidence

EXE = [sys.executable, "-m", "whynogpu"]

CUINIT_UNKNOWN = ("2019-03-01 10:00:00.000000: E tensorflow/stream_executor/cuda/cuda_driver.cc:300] failed call to "
                  "cuInit: CUDA_ERROR_UNKNOWN: unknown error\nThis started after waking the laptop from suspend.\n")


def run(args, stdin=b""):
    return subprocess.run(EXE + args, input=stdin, capture_output=True, timeout=60)


def test_json_report_with_candidates_and_line_numbers():
    res = run(["triage", "--json", "-"], CUINIT_UNKNOWN.encode())
    assert res.returncode == 1, res.stderr  # a broken root cause, as `check` exits
    data = json.loads(res.stdout)
    assert data["mode"] == "triage"
    assert data["verdict"]["root_cause"] == "nvidia_uvm_unavailable"
    assert data["candidates"][0]["category"] == "nvidia_uvm_unavailable"
    top = data["findings"][0]
    # The CUDA message names the cause (WG827) and the reporter's "after suspend" supports it (WG804).
    assert top["code"] in ("WG827", "WG804") and top["evidence"][0]["source"].startswith(("line 1 ", "line 2 "))
    assert {"WG827", "WG804"} <= {f["code"] for f in data["findings"]}


def test_unreadable_and_binary_input_exit_2(tmp_path):
    assert run(["triage", str(tmp_path / "nope.txt")]).returncode == 2
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    res = run(["triage", str(binary)])
    assert res.returncode == 2 and b"Traceback" not in res.stderr


def test_empty_input_is_unknown_with_missing_list():
    report = triage("")
    assert report.verdict.root_cause == "unknown"
    assert any("nvidia-smi" in m for m in report.missing)


def test_user_statement_weaker_than_program_output():
    text = ("OS: Windows 11\nTensorFlow version: 2.15\n"
            "UserWarning: CUDA initialization: The NVIDIA driver on your system is too old (found version 11040).\n")
    report = triage(text)
    def strength(cat):
        return max(confidence(f) for f in report.findings if f.category == cat)
    assert strength("driver_too_old") > strength("windows_native_unsupported")
    # the candidates are shown in rank order, and no later one reads as surer than an earlier one
    shown = [c.confidence for c in report.candidates]
    assert len(shown) >= 2 and shown == sorted(shown, reverse=True)


def test_windows_tf_210_is_not_flagged():
    text = "### TensorFlow version\n2.10.0\n### OS platform and distribution\nWindows 10\n"
    assert "windows_native_unsupported" not in {c.category for c in triage(text).candidates}


def test_keras_backend_before_import_does_not_fire():
    bad = 'import keras\nimport os\nos.environ["KERAS_BACKEND"] = "jax"\n'
    good = 'import os\nos.environ["KERAS_BACKEND"] = "jax"\nimport keras\n'
    assert triage(bad).verdict.root_cause == "keras_backend_other"
    assert triage(good).verdict.root_cause != "keras_backend_other"


def test_pasted_pip_list_runs_check_rules_and_triage_rules():
    text = "Package          Version\n---------------- -------\ntensorflow       2.15.0\ntensorflow-cpu   2.15.0\n"
    report = triage(text)
    assert report.verdict.root_cause == "package_conflict"
    assert any(f.code == "WG404" for f in report.findings)  # the check rule on the same snapshot


def test_benign_numa_lines_with_gpu_listed_is_no_problem():
    text = ("2021-09-26 15:29:11.893611: I tensorflow/stream_executor/cuda/cuda_gpu_executor.cc:937] successful NUMA "
            "node read from SysFS had negative value (-1), but there must be at least one NUMA node, so returning NUMA "
            "node zero\n[PhysicalDevice(name='/physical_device:GPU:0', device_type='GPU')]\n")
    assert triage(text).verdict.root_cause == "no_problem"


def test_crlf_ansi_and_many_logs_keep_line_numbers():
    text = "".join(f"hello\r\n\x1b[31mUserWarning: CUDA initialization: The NVIDIA driver on your system is too old "
                   f"(found version {11040 + i}).\x1b[0m\r\n" for i in range(10))
    f = extract(text)
    assert [m.line for m in f.log] == list(range(2, 21, 2))


def test_a_repeated_line_is_kept_once():
    f = extract("AssertionError: Torch not compiled with CUDA enabled\n" * 1000)
    assert [m.line for m in f.log] == [1]


def test_repeating_a_line_changes_neither_verdict_nor_evidence():
    line = ("W tensorflow/core/common_runtime/gpu/gpu_device.cc:1960] Cannot dlopen some GPU libraries. Please "
            "make sure the missing libraries mentioned above are installed properly if you would like to use GPU.\n")
    once, many = triage(line), triage(line * 10_000)
    assert once.verdict == many.verdict
    assert once.candidates == many.candidates
    assert [[e.fact for e in f.evidence] for f in once.findings] == [[e.fact for e in f.evidence] for f in many.findings]
    assert all(len(set(e.fact for e in f.evidence)) == len(f.evidence) for f in many.findings)


def test_real_tf_cpu_machine_stderr_points_at_driver_or_libs(real_fixtures):
    text = open(os.path.join(real_fixtures, "tf-cpu-machine", "stderr.vmodule.txt"), encoding="utf-8").read()
    top3 = [c.category for c in triage(text).candidates[:3]]
    assert "driver_not_loaded" in top3


def test_one_huge_line_is_read_to_its_end():
    text = "word " * 300_000 + "AssertionError: Torch not compiled with CUDA enabled\n"
    f = extract(text)
    assert [(m.id, m.line) for m in f.log] and f.log[0].line == 1


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_a_report(text):
    report = triage(text)
    assert report.verdict.root_cause
    for f in report.findings:
        if f.location:
            assert 1 <= f.location.line <= text.count("\n") + text.count("\r") + 1


def test_exit_code_follows_the_verdict():
    working = ("I tensorflow/core/common_runtime/gpu/gpu_device.cc:1525] Created device "
               "/job:localhost/replica:0/task:0/device:GPU:0 with 9621 MB memory:  -> device: 0, name: NVIDIA GeForce "
               "RTX 3080, pci bus id: 0000:01:00.0, compute capability: 8.6\n")
    assert run(["triage", "-"], working.encode()).returncode == 0
    assert run(["triage", "-"], b"no idea what is wrong").returncode == 0
    assert run(["triage", "-"], b"export CUDA_VISIBLE_DEVICES=-1\n").returncode == 1


def test_report_evidence_names_the_report_not_a_live_probe():
    text = triage("W tensorflow/core/common_runtime/gpu/gpu_device.cc:1960] Cannot dlopen some GPU libraries.\n").text()
    assert "live probe" not in text and "child process" not in text
    assert "TensorFlow None" not in text
    assert "in the report" in text


def test_ls_output_with_several_libraries_on_one_line_lists_each_copy():
    f = extract("/usr/local/cuda/lib64/libcublas.so  /usr/local/cuda/lib64/libcublas.so.9.1  "
                "/usr/local/cuda/lib64/libcublas.so.9.1.85")
    assert [s.value for s in f.all("lib_on_disk")] == ["libcublas.so", "libcublas.so.9.1", "libcublas.so.9.1.85"]


@pytest.mark.parametrize("text", [
    "poetry add torch\npython -c \"import torch\"\nImportError: libcudnn.so.8: cannot open shared object file: No such "
    "file or directory",
    "import tensorflow\nImportError: libcublas.so.9.0: cannot open shared object file: No such file or directory",
])
def test_a_report_without_versions_gets_fix_commands_that_run(text):
    report = triage(text)
    commands = [c for f in report.findings if f.fix for c in f.fix.commands]
    assert commands
    for c in commands:
        assert "==?" not in c and "None" not in c and not c.rstrip().endswith("/whl/cu")
    assert "was built for CUDA None" not in report.text() and " ? needs" not in report.text()
