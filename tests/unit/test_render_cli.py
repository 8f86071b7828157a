"""Renderers (every severity, failed/crashed/timed-out probes), redaction, the CLI contract, the catalog."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import resources

import jsonschema
import pytest

from whynogpu.host.base import Uname, UserInfo
from whynogpu.host.fake import FakeHost
from whynogpu.model import (
    Evidence,
    Finding,
    Fix,
    Location,
    ProbeReason,
    ProbeStatus,
    ProbeSummary,
    Report,
    Severity,
    Target,
)
from whynogpu.pipeline import check
from whynogpu.probes import Options
from whynogpu.redact import for_host
from whynogpu.render import json_report, markdown, text
from whynogpu.verdict import decide

SCHEMA = json.loads(resources.files("whynogpu").joinpath("report.schema.json").read_text())


def sample_report() -> Report:
    findings = [
        Finding("WG401", "tensorflow_cpu_build", Severity.ERROR, "cpu_only_package", "CPU build",
                (Evidence("tensorflow-cpu 2.21.0 in /home/alice/venv", "metadata"),), "why",
                Fix("replace it", ("/home/alice/venv/bin/python -m pip install 'tensorflow[and-cuda]'",))),
        Finding("WG404", "framework_variants_side_by_side", Severity.WARNING, "package_conflict", "two builds",
                (Evidence("a", "b"),), "why"),
        Finding("WG604", "tf_log_level_hides_diagnosis", Severity.HINT, "unknown", "log level", (), "why"),
        Finding("WG701", "x_info", Severity.INFO, "code_forces_cpu", "code info", (), "why",
                location=Location("/home/alice/train.py", 3, 4)),
    ]
    ordered, verdict = decide(findings)
    return Report(
        schema_version=1, tool={"name": "whynogpu", "version": "0.1.0"}, mode="check",
        target=Target("/home/alice/venv/bin/python", "3.11.7", "venv", "the active virtual environment"),
        verdict=verdict, findings=tuple(ordered),
        probes=(
            ProbeSummary("platform", ProbeStatus.OK, 0.01),
            ProbeSummary("driver", ProbeStatus.OK, 0.02, None, "loads libcuda.so.1 in a child process"),
            ProbeSummary("nvml", ProbeStatus.CRASHED, 0.2, ProbeReason("RuntimeError: boom")),
            ProbeSummary("tensorflow", ProbeStatus.TIMED_OUT, 60.0,
                         ProbeReason("no answer in 60 s", ("/home/alice/venv/bin/python", "-c", "…"), None, "last line")),
            ProbeSummary("target", ProbeStatus.FAILED, 0.1, ProbeReason("not python", ("x",), 1, "err")),
        ),
        facts={"platform": {"hostname": "alice-laptop", "os": "linux"},
               "gpu": {"uuid": "GPU-8a1b2c3d-1111-2222-3333-444455556666"}},
    )


def test_text_shows_every_severity_and_probe_state():
    out = text.render(sample_report(), verbose=True, color=False)
    assert out.index("Root cause") < out.index("Also found")
    for word in ("CPU build", "two builds", "log level", "code info", "crashed", "timed_out", "failed",
                 "RuntimeError: boom", "| last line", "/home/alice/train.py:3:4",
                 "may change the machine: loads libcuda.so.1 in a child process"):
        assert word in out, word
    assert "pip install 'tensorflow[and-cuda]'" in out


def test_markdown_and_json_are_redacted():
    red = for_host(FakeHost(user=UserInfo(1000, 1000, (), "alice", "/home/alice"),
                            uname=Uname("Linux", "6", "#1", "x86_64", "alice-laptop")))
    for out in (markdown.render(sample_report(), red), json_report.render(sample_report(), red)):
        assert "/home/alice" not in out and "alice-laptop" not in out
        assert "8a1b2c3d-1111" not in out
        assert "~/venv/bin/python" in out


def test_json_report_validates_against_schema():
    data = json.loads(json_report.render(sample_report()))
    jsonschema.validate(data, SCHEMA)
    assert data["exit_code"] == 1 and data["findings"][0]["code"] == "WG401"


def test_live_check_json_validates_and_hides_secrets(tmp_path):
    from helpers import host_with_site

    host = host_with_site(str(tmp_path), env={"PATH": "/usr/bin", "AWS_SECRET_ACCESS_KEY": "s3cr3t-value",
                                               "LD_LIBRARY_PATH": "/home/user/cuda/lib64"})
    report = check(host, Options(live=False))
    out = json_report.render(report, for_host(host))
    jsonschema.validate(json.loads(out), SCHEMA)
    assert "s3cr3t-value" not in out and "AWS_SECRET" not in out and "/home/user" not in out


def cli(*args, env=None, cwd=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "whynogpu", *args], capture_output=True, text=True, env=e,
                          timeout=120, cwd=cwd)


def test_cli_bad_python_is_one_line_exit_2(tmp_path):
    r = cli("--no-probe", "--python", str(tmp_path / "nope"))
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr and "--python" in r.stderr


def test_cli_python_that_is_not_python(tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho hello\n")
    fake.chmod(0o755)
    r = cli("--no-probe", "--python", str(fake))
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_cli_from_unreadable_and_bad_snapshot(tmp_path):
    r = cli("check", "--from", str(tmp_path / "missing.json"))
    assert r.returncode == 2 and "cannot read" in r.stderr and "Traceback" not in r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    r = cli("--from", str(bad))
    assert r.returncode == 2 and "not JSON" in r.stderr


def test_cli_snapshot_then_from_gives_same_verdict(tmp_path):
    snap = tmp_path / "snap.json"
    r = cli("snapshot", "--no-probe", "-o", str(snap))
    assert r.returncode == 0, r.stderr
    a = cli("--no-probe", "--json")
    b = cli("--from", str(snap), "--json")
    ja, jb = json.loads(a.stdout), json.loads(b.stdout)
    assert ja["verdict"] == jb["verdict"] and [f["code"] for f in ja["findings"]] == [f["code"] for f in jb["findings"]]
    assert a.returncode == b.returncode
    again = cli("snapshot", "--no-probe", "-o", str(snap))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_cli_usage_errors_exit_2():
    assert cli("--format", "yaml").returncode == 2
    assert cli("--timeout", "-1", "--no-probe").returncode == 2
    r = cli("explain", "WG999")
    assert r.returncode == 2 and "whynogpu rules" in r.stderr


def test_cli_version_rules_explain():
    assert cli("--version").stdout.startswith("whynogpu, version")
    rules = cli("rules", "--format", "json")
    data = json.loads(rules.stdout)
    assert any(r["code"] == "WG401" and r["category"] == "cpu_only_package" for r in data)
    out = cli("explain", "WG401").stdout
    for section in ("What it detects", "Why it keeps the GPU idle", "Example evidence", "Fix", "References"):
        assert section in out
    assert cli("explain", "tensorflow_cpu_build").returncode == 0


@pytest.mark.parametrize("fmt", ["--json", "--markdown"])
def test_cli_formats_run_on_this_machine(fmt):
    r = cli("--no-probe", fmt)
    assert r.returncode in (0, 1), r.stderr
    assert "Traceback" not in r.stderr
    if fmt == "--json":
        jsonschema.validate(json.loads(r.stdout), SCHEMA)


def test_catalog_complete_and_every_rule_tested():
    from whynogpu.catalog import SECTIONS
    from whynogpu.catalog import markdown as catalog_md
    from whynogpu.categories import CATEGORY_IDS
    from whynogpu.rules import load_all

    here = os.path.dirname(os.path.dirname(__file__))
    corpus = ""
    for root, _, files in os.walk(here):
        for f in files:
            if f.endswith(".py") and f != os.path.basename(__file__):
                with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fh:
                    corpus += fh.read()
    for code, r in load_all().items():
        assert re.fullmatch(r"WG\d{3}", code)
        assert r.info.category in CATEGORY_IDS
        assert re.fullmatch(r"[a-z0-9_]+", r.info.name)
        for s in SECTIONS:
            assert getattr(r.info, s).strip(), f"{code} lacks {s}"
        assert code in corpus, f"{code} has no test of its own"
    docs = os.path.join(here, "..", "docs", "findings.md")
    with open(docs, encoding="utf-8") as fh:
        assert fh.read() == catalog_md(), "docs/findings.md is stale: python -m whynogpu.catalog > docs/findings.md"


def test_plain_text_matches_what_rich_prints_without_colour():
    """Piped output skips rich; it must say exactly what the coloured terminal says."""
    report = sample_report()
    coloured = text.render(report, verbose=True, color=True, width=1000)
    stripped = re.sub(r"\x1b\[[0-9;]*m", "", coloured)
    assert stripped == text.render(report, verbose=True, color=False)
    assert "[WG401 cpu_only_package]" in stripped


def test_user_text_with_brackets_and_backslashes_prints_the_same_with_and_without_rich():
    import io

    from rich.console import Console

    # a Windows folder ends in a backslash; reports quote paths, markup-like text and escapes
    for t in ("C:\\Users\\x\\", "foo\\[bold]x", "[1] cuda:0", "path [/usr]", "a\\\\[b]", "x\\y"):
        markup = f"[bold]{text.escape(t)}[/bold] tail"
        buf = io.StringIO()
        Console(file=buf, force_terminal=False, width=200, color_system=None).print(markup)
        assert buf.getvalue().rstrip("\n") == text.plain(markup) == f"{t} tail", t
