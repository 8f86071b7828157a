"""Snapshot round trip, verdict ordering, inspector compatibility, target selection."""

from __future__ import annotations

import ast
import json

from helpers import host_with_site, make_dist, run_inspector
from whynogpu import serde
from whynogpu.host.base import snippet_source
from whynogpu.host.fake import FakeHost
from whynogpu.model import Evidence, Finding, Severity
from whynogpu.pipeline import check, report_from_snapshot
from whynogpu.probes import Options, gather
from whynogpu.snapshot_io import SnapshotError, from_data, to_data
from whynogpu.verdict import decide, rank


def test_snapshot_round_trip_gives_same_report(tmp_path):
    make_dist(tmp_path, "tensorflow-cpu", "2.21.0", {"tensorflow/__init__.py": "",
              "tensorflow/python/platform/build_info.py": "build_info = {'is_cuda_build': False}\n"},
              top_level=["tensorflow"])
    host = host_with_site(str(tmp_path), env={"PATH": "/usr/bin", "CUDA_VISIBLE_DEVICES": "-1"})
    snap = gather(host, Options(live=False))
    text = json.dumps(to_data(snap))
    again = from_data(json.loads(text))
    assert again == snap
    assert report_from_snapshot(again) == report_from_snapshot(snap)


def test_bad_snapshot_is_a_clean_error():
    for bad in ({}, {"probes": [], "schema_version": 99}, {"schema_version": 1, "probes": [{"name": "target"}]}):
        try:
            from_data(bad)
        except SnapshotError as exc:
            assert str(exc)
        else:
            raise AssertionError(f"accepted {bad}")


def _f(code, category, severity):
    return Finding(code, code.lower(), severity, category, f"title {code}", (Evidence("x", "y"),), "because")


def test_lowest_broken_layer_is_the_root_cause():
    findings = [
        _f("WG401", "cpu_only_package", Severity.ERROR),
        _f("WG601", "cuda_visible_devices_hidden", Severity.ERROR),
        _f("WG201", "no_nvidia_gpu", Severity.ERROR),
        _f("WG604", "unknown", Severity.HINT),
    ]
    ordered, verdict = decide(findings)
    assert verdict.root_cause == "no_nvidia_gpu" and verdict.gpu_usable is False
    assert [f.code for f in ordered] == ["WG201", "WG401", "WG601", "WG604"]
    assert "2 more problems" in verdict.summary


def test_alternatives_fill_the_candidates_after_every_finding_and_never_lead():
    found = [_f("WG402", "cpu_only_package", Severity.WARNING)]
    alt = [("cpu_only_package", 0.5), ("code_forces_cpu", 0.3), ("no_problem", 0.15), ("driver_too_old", 0.05)]
    _, verdict, cands = rank(found, alt)
    assert verdict.root_cause == "cpu_only_package"
    assert [c.category for c in cands] == ["cpu_only_package", "code_forces_cpu", "no_problem"]
    # weaker than the finding they follow, and weaker the smaller their share
    assert cands[0].confidence > cands[1].confidence > cands[2].confidence > 0
    # findings come first however large an alternative's share
    two = found + [_f("WG827", "driver_too_old", Severity.WARNING)]
    assert [c.category for c in rank(two, [("code_forces_cpu", 0.9)])[2]][2:] == ["code_forces_cpu"]
    # with no finding naming a cause, the report stays unknown: no candidates from wording alone
    _, verdict, cands = rank([_f("WG604", "unknown", Severity.HINT)], alt)
    assert verdict.root_cause == "unknown" and cands == ()


def test_working_gpu_is_the_verdict_when_nothing_is_broken():
    ordered, verdict = decide([_f("WG604", "unknown", Severity.HINT), _f("WG599", "no_problem", Severity.INFO)])
    assert verdict.gpu_usable is True and verdict.root_cause == "no_problem" and ordered[0].code == "WG599"


def test_warnings_only_and_nothing():
    _, v = decide([_f("WG404", "package_conflict", Severity.WARNING)])
    assert v.root_cause == "package_conflict" and v.gpu_usable is None
    _, v = decide([])
    assert v.root_cause == "unknown" and v.gpu_usable is None


def test_inspector_parses_as_python_3_7():
    ast.parse(snippet_source("inspect_target"), feature_version=(3, 7))


def test_every_snippet_parses_as_python_3_7():
    from importlib import resources

    for p in resources.files("whynogpu.probes.snippets").iterdir():
        if p.name.endswith(".py"):
            ast.parse(p.read_text(), filename=p.name, feature_version=(3, 7))


def test_inspector_reports_distributions_and_files(tmp_path):
    make_dist(tmp_path, "torch", "2.13.0+cpu", {"torch/__init__.py": "", "torch/version.py": "__version__ = 'x'\n",
              "torch/lib/libtorch_cpu.so": b"\x7fELF"}, top_level=["torch"])
    data = json.loads(run_inspector(str(tmp_path)))
    torch = next(d for d in data["distributions"] if d["name"] == "torch")
    assert torch["version"] == "2.13.0+cpu" and torch["lib_files"] == ["torch/lib/libtorch_cpu.so"]
    assert data["files"]["torch/version.py"] == "__version__ = 'x'\n"
    assert data["owners"]["torch"]["owner"] == "torch"


def test_target_prefers_active_virtualenv(tmp_path):
    inspected = run_inspector(str(tmp_path))
    host = FakeHost(
        env={"VIRTUAL_ENV": "/home/u/venv", "PATH": "/home/u/venv/bin:/usr/bin"},
        files={"/home/u/venv/bin/python": ""},
        snippets={"inspect_target@/home/u/venv/bin/python": {"stdout": inspected}},
    )
    report = check(host, Options(live=False))
    assert "active virtual environment" in report.target.why


def test_target_falls_back_to_python3_on_path_when_own_env_is_isolated(tmp_path):
    make_dist(tmp_path / "user", "tensorflow", "2.21.0", {"tensorflow/__init__.py": ""}, top_level=["tensorflow"])
    (tmp_path / "own").mkdir()
    own = json.loads(run_inspector(str(tmp_path / "own")))
    own["executable"] = "/opt/whynogpu/bin/python"
    host = FakeHost(
        env={"PATH": "/usr/bin"},
        commands=[{"argv": ["/usr/bin/python3"], "returncode": 0}],
        snippets={"inspect_target@/opt/whynogpu/bin/python": {"stdout": json.dumps(own)},
                  "inspect_target@/usr/bin/python3": {"stdout": run_inspector(str(tmp_path / "user"))}},
    )
    report = check(host, Options(live=False))
    assert report.target.why.startswith("python3 on PATH")
    assert any(d["name"] == "tensorflow" for d in report.facts["target"]["distributions"])


def test_under_uvx_python3_of_its_own_env_first_on_path_is_skipped(tmp_path):
    # uvx prepends its throw-away environment's bin/ to PATH (seen with uv 0.13.9: PATH starts with
    # ~/.cache/uv/archive-v0/<id>/bin), where python3 is whynogpu's own interpreter again.
    make_dist(tmp_path / "user", "tensorflow", "2.21.0", {"tensorflow/__init__.py": ""}, top_level=["tensorflow"])
    (tmp_path / "own").mkdir()
    own = json.loads(run_inspector(str(tmp_path / "own")))
    own["executable"], own["prefix"] = "/root/.cache/uv/archive-v0/abc/bin/python", "/root/.cache/uv/archive-v0/abc"
    host = FakeHost(
        env={"PATH": "/root/.cache/uv/archive-v0/abc/bin:/usr/bin"},
        commands=[{"argv": ["/root/.cache/uv/archive-v0/abc/bin/python3"], "returncode": 0},
                  {"argv": ["/usr/bin/python3"], "returncode": 0}],
        snippets={"inspect_target@/root/.cache/uv/archive-v0/abc/bin/python": {"stdout": json.dumps(own)},
                  "inspect_target@/root/.cache/uv/archive-v0/abc/bin/python3": {"stdout": json.dumps(own)},
                  "inspect_target@/usr/bin/python3": {"stdout": run_inspector(str(tmp_path / "user"))}},
    )
    host.own_python = lambda: "/root/.cache/uv/archive-v0/abc/bin/python"
    report = check(host, Options(live=False))
    assert report.target.why.startswith("python3 on PATH")
    assert any(d["name"] == "tensorflow" for d in report.facts["target"]["distributions"])


def test_broken_python_is_a_failed_probe_with_reason():
    host = FakeHost(snippets={"inspect_target": {"returncode": 1, "stderr": "SyntaxError: invalid syntax\n"}})
    snap = gather(host, Options(python="/usr/bin/python2", live=False))
    r = snap.result("target")
    assert r.status.value == "failed"
    assert "not a working Python" in r.reason.message and r.reason.stderr_tail == "SyntaxError: invalid syntax"


def test_crashing_probe_does_not_hide_other_layers(monkeypatch):
    from whynogpu.probes import REGISTRY, load_all

    load_all()
    spec = REGISTRY["environment"]

    def boom(ctx):
        raise RuntimeError("kaboom")

    monkeypatch.setitem(REGISTRY, "environment", spec.__class__(**{**spec.__dict__, "func": boom}))
    snap = gather(FakeHost(), Options(live=False))
    assert snap.result("environment").status.value == "crashed"
    assert "kaboom" in snap.result("environment").reason.message
    assert snap.result("platform").status.value == "ok"


def test_serde_rejects_wrong_types():
    from whynogpu.model import Evidence

    try:
        serde.from_data(Evidence, {"fact": 1, "source": "x"})
    except serde.SerdeError:
        pass
    else:
        raise AssertionError


def test_live_probe_snippets_run_where_the_framework_is_missing():
    """The spliced snippets must be whole programs: a missing framework is reported as JSON, not a NameError."""
    import subprocess
    import sys

    for name in ("probe_tensorflow", "probe_torch", "probe_jax", "probe_keras"):
        out = subprocess.run([sys.executable, "-I", "-c", snippet_source(name)], capture_output=True, text=True,
                             timeout=60)
        last = json.loads(out.stdout.strip().splitlines()[-1])
        text = json.dumps(last)
        assert "ModuleNotFoundError" in text and "NameError" not in text, (name, text[:300])


def test_python_api_returns_the_report(tmp_path):
    import whynogpu
    from helpers import host_with_site

    make_dist(tmp_path, "tensorflow-cpu", "2.21.0", {"tensorflow/__init__.py": "",
              "tensorflow/python/platform/build_info.py": "build_info = {'is_cuda_build': False}\n"},
              top_level=["tensorflow"])
    report = whynogpu.check(live=False, host=host_with_site(str(tmp_path)))
    assert report.mode == "check" and "WG401" in [f.code for f in report.findings]
    assert report.exit_code == 1


def test_a_finding_may_take_another_category_only_where_its_rule_says_from_where():
    import pytest

    from whynogpu.model import Severity
    from whynogpu.rules import RuleInfo

    plain = RuleInfo("WG999", "x", "unknown", "t", "d", "w", "e", "f")
    assert plain.finding(Severity.ERROR, (), "because").category == "unknown"
    with pytest.raises(ValueError):
        plain.finding(Severity.ERROR, (), "because", category="driver_too_old")
    varying = RuleInfo("WG999", "x", "unknown", "t", "d", "w", "e", "f", category_from="a log line")
    assert varying.finding(Severity.ERROR, (), "because", category="driver_too_old").category == "driver_too_old"
    with pytest.raises(ValueError):
        varying.finding(Severity.ERROR, (), "because", category="not_a_vocabulary_id")


def test_importing_the_code_rules_does_not_load_the_scan_engine():
    import subprocess
    import sys

    code = "import sys, whynogpu.rules.code; print('whynogpu.scan.engine' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"  # `whynogpu check` registers the code rules on every run
