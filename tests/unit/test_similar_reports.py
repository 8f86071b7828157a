"""WG836: a report whose facts decide nothing gets the cause confirmed in the corpus reports that read most like it."""

from __future__ import annotations

import dataclasses
import os
import sys

import pytest

from whynogpu.facts.report import Resemblance, TriageFacts
from whynogpu.knowledge import table
from whynogpu.model import ProbeResult, ProbeStatus, Severity, Snapshot
from whynogpu.rules import load_all
from whynogpu.triage.engine import snapshot, triage
from whynogpu.triage.similar import MIN_SHARE, parse_terms, resemblances, vote, words

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests", "triage"))

from corpus_cases import CORPUS, FROZEN, cases, meta  # noqa: E402


def near(*pairs: tuple[str, float]) -> tuple[Resemblance, ...]:
    return tuple(Resemblance(f"https://github.com/o/r/issues/{i}", cat, (), sim) for i, (cat, sim) in enumerate(pairs))


def report_of(resembles: tuple[Resemblance, ...]) -> Snapshot:
    """A report's snapshot that holds nothing but the reports it resembles."""
    f = TriageFacts(lines=1, formats=(), log=(), stated=(), cues=(), packages=(), resembles=resembles)
    return Snapshot(1, "test", "triage", (ProbeResult("triage", ProbeStatus.OK, 0.0, facts=f),))


def wg836(snap):
    return list(load_all()["WG836"].func(snap))


def test_the_table_is_written_from_the_dev_split_as_it_stands():
    import build_similar  # tools/build_similar.py

    path = os.path.join(ROOT, "src", "whynogpu", "knowledge", "similar_reports.csv")
    with open(path, encoding="utf-8") as fh:
        assert fh.read() == build_similar.render(), "run tools/build_similar.py"


def test_no_frozen_report_is_remembered():
    remembered = {row["source"] for row in table("similar_reports")}
    frozen = {m["source"] for m in meta(FROZEN).values()}
    dev = {m["source"] for m in meta(CORPUS).values()}
    assert remembered == dev
    assert not (remembered - dev)
    assert len(remembered & frozen) < 0.02 * len(frozen)  # a thread in both splits is a rare duplicate, not the rule


def test_words_are_lower_case_names_and_versions_of_three_characters_or_more():
    got = words("TensorFlow could not load libcudnn.so.8 on CUDA 11.2, it is on my GPU")
    assert got["tensorflow"] == 1 and got["libcudnn.so.8"] == 1 and got["11.2"] == 1 and got["gpu"] == 1
    assert "it" not in got and "on" not in got and "my" not in got


def test_terms_field_round_trips():
    assert parse_terms("cuda:2 libcudnn.so.8:1") == {"cuda": 2, "libcudnn.so.8": 1}


def test_a_case_of_the_corpus_finds_its_own_thread_first_unless_left_out():
    name, _want, _also, body = cases(CORPUS)[0]
    source = meta(CORPUS)[name]["source"]
    found = resemblances(body)
    assert found[0].source == source and found[0].similarity > 0.9
    assert source not in {r.source for r in resemblances(body, leave_out=frozenset([source]))}


def test_unrelated_text_resembles_nothing():
    assert resemblances("Lorem ipsum dolor sit amet, consectetur adipiscing elit.") == ()
    assert resemblances("") == ()


def test_the_vote_is_weighed_by_similarity_and_needs_a_share():
    assert vote(near(("cudnn_version_mismatch", 0.5), ("cpu_only_package", 0.2), ("cpu_only_package", 0.2))) == \
        ("cudnn_version_mismatch", pytest.approx(0.5 / 0.9))
    scattered = near(*[(c, 0.3) for c in ("a_cause", "b_cause", "c_cause", "d_cause", "e_cause")])
    assert 1 / 5 < MIN_SHARE and vote(scattered) is None
    assert vote(near(("no_problem", 0.6), ("driver_too_old", 0.4)), exclude=("no_problem",)) == \
        ("driver_too_old", pytest.approx(0.4))


def test_the_rule_names_the_cause_and_the_threads_it_rests_on():
    snap = report_of(near(("cudnn_version_mismatch", 0.4), ("cudnn_version_mismatch", 0.3), ("driver_too_old", 0.2)))
    [f] = wg836(snap)
    assert (f.category, f.origin, f.severity) == ("cudnn_version_mismatch", "similar", Severity.WARNING)
    assert len(f.evidence) == 2 and "issues/0" in f.evidence[0].fact and "0.40" in f.evidence[0].fact
    assert f.fix.commands == ("whynogpu",)  # a command to paste, not only advice


def test_no_working_gpu_is_concluded_from_wording():
    assert wg836(report_of(near(("no_problem", 0.9)))) == []


def test_a_report_that_decides_keeps_its_verdict():
    # the words resemble other threads, but the printed message decides: the resemblance is not even listed
    text = ("PyTorch on Windows 11, torch.cuda.is_available() is False. Output:\n"
            "AssertionError: Torch not compiled with CUDA enabled\n")
    report = triage(text)
    assert report.verdict.root_cause == "cpu_only_package"
    assert all(f.code != "WG836" for f in report.findings)


def test_the_resemblance_leads_only_where_the_report_decides_nothing():
    # a dev case left out of the table it is in: its own words resemble other threads of the same cause
    info = meta(CORPUS)
    led = 0
    for name, _want, _also, body in cases(CORPUS)[:300]:
        report = triage(body, leave_out=frozenset([info[name]["source"]]))
        if report.findings and report.findings[0].code == "WG836":
            led += 1
            assert report.findings[0].origin == "similar"
            # (a hint decides nothing either: "the code sets KERAS_BACKEND to 'cntk'" only says which framework runs)
            assert all(f.origin in ("similar", "usual") or f.category == "unknown" or
                       f.severity in (Severity.INFO, Severity.HINT) for f in report.findings[1:])
            assert report.missing  # what would decide is still asked for
    assert led > 0


def test_the_snapshot_carries_the_nearest_reports():
    snap = snapshot("TensorFlow 2.4 on Windows 10 with CUDA 11.0 and cuDNN 8.0: the GPU is not used.")
    got = snap.get(TriageFacts).resembles
    assert 0 < len(got) <= 10
    assert [r.similarity for r in got] == sorted((r.similarity for r in got), reverse=True)


def _resembling(text: str, resembles: tuple[Resemblance, ...]) -> Snapshot:
    """The snapshot of a real report's text, with the reports it resembles replaced by these."""
    snap = snapshot(text, resemble=False)
    probes = tuple(dataclasses.replace(p, facts=dataclasses.replace(p.facts, resembles=resembles))
                   if p.name == "triage" else p for p in snap.probes)
    return dataclasses.replace(snap, probes=probes)


@pytest.mark.parametrize("text, ruled_out, kept", [
    # TensorFlow's lost native-Windows GPU is no cause of a PyTorch report, nor of TensorFlow 2.10 or older there
    ("PyTorch 2.1 on Windows 11 with an RTX 4080: torch.cuda.is_available() is False.",
     "windows_native_unsupported", "cpu_only_package"),
    ("TensorFlow 2.10 on Windows 10 with a GTX 1650: no GPU in the list of devices.",
     "windows_native_unsupported", "cpu_only_package"),
    # a Linux kernel module is no cause on Windows, nor a missing Windows driver for WSL on a Mac
    ("PyTorch 2.1 on Windows 11 with an RTX 4080: torch.cuda.is_available() is False.",
     "nvidia_uvm_unavailable", "cpu_only_package"),
    ("JAX on macOS: jax.devices() shows only the CPU.", "wsl_gpu_not_enabled", "macos_no_cuda"),
])
def test_the_vote_never_names_a_cause_the_setup_rules_out(text, ruled_out, kept):
    snap = _resembling(text, near((ruled_out, 0.5), (ruled_out, 0.4), (kept, 0.35)))
    found = [f.category for f in wg836(snap)]
    assert ruled_out not in found
    # the same words on a report that names no platform or framework: nothing is ruled out
    assert [f.category for f in wg836(report_of(near((ruled_out, 0.5), (ruled_out, 0.4), (kept, 0.35))))] == [ruled_out]


def test_a_cuda_build_at_work_rules_out_a_cpu_only_one():
    text = "torch.cuda.is_available()\nTrue\nbut training is still slow and nvidia-smi shows 0 %"
    snap = _resembling(text, near(("cpu_only_package", 0.5), ("cpu_only_package", 0.4), ("code_forces_cpu", 0.35)))
    assert "cpu_only_package" not in [f.category for f in wg836(snap)]
