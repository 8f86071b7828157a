"""`whynogpu scan`: exit codes, --select/--ignore, formats, SARIF against a schema, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import jsonschema

from whynogpu.host.real import RealHost
from whynogpu.model import Report

HERE = os.path.dirname(__file__)
SCAN = os.path.normpath(os.path.join(HERE, "..", "fixtures", "scan"))
with open(os.path.join(SCAN, "sarif-2.1.0-structure.schema.json"), encoding="utf-8") as _fh:
    SARIF_SCHEMA = json.load(_fh)


def report_for(*paths: str, select=(), ignore=()) -> Report:
    from whynogpu.commands.scan import scan_report

    report, _, _ = scan_report(RealHost(), tuple(paths), select, ignore)
    return report


def run(*args: str, cwd: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "whynogpu", "scan", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=60)


def test_error_finding_exits_1_with_path_line_col():
    r = run(os.path.join(SCAN, "notebook-env-magics"))
    assert r.returncode == 1, r.stderr
    assert "experiments.ipynb:cell 1:1:1: WG701 error" in r.stdout
    assert '%env CUDA_VISIBLE_DEVICES=0' in r.stdout  # the corrected line


def test_warnings_without_errors_exit_0():
    # CUDA_VISIBLE_DEVICES = "1": the second GPU, which a one-GPU machine lacks (a warning, not an error)
    r = run(os.path.join(SCAN, "comosvc-train-py-cvd-1"))
    assert r.returncode == 0, r.stderr
    assert "train.py:6:1: WG701 warning" in r.stdout


def test_select_and_ignore_by_code_and_prefix():
    path = os.path.join(SCAN, "notebook-env-magics")
    assert {f.code for f in report_for(path).findings} == {"WG701", "WG711", "WG798"}
    assert {f.code for f in report_for(path, select=("WG71",)).findings} == {"WG711"}
    assert {f.code for f in report_for(path, ignore=("WG701", "WG798")).findings} == {"WG711"}
    assert run(path, "--ignore", "WG70,WG71").returncode == 0


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    for args in (["/no/such/dir"], [str(tmp_path), "--select", "E501"]):
        r = run(*args)
        assert r.returncode == 2 and "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_json_and_markdown_use_the_report_renderers():
    path = os.path.join(SCAN, "keras-core-backend-after-import")
    data = json.loads(run(path, "--json").stdout)
    assert data["mode"] == "scan" and data["findings"][0]["code"] == "WG702"
    assert data["findings"][0]["location"]["line"] == 4
    md = run(path, "--format", "markdown").stdout
    assert "WG702" in md and "train.py:4:1" in md


def test_sarif_is_valid_and_points_at_files_and_cells():
    r = run("notebook-env-magics", "unreadable-sources", "project-with-venv-and-gitignore", "--format", "sarif", cwd=SCAN)
    assert r.returncode == 1, r.stderr
    log = json.loads(r.stdout)
    jsonschema.validate(log, SARIF_SCHEMA, format_checker=jsonschema.FormatChecker())
    run0 = log["runs"][0]
    rules = [d["id"] for d in run0["tool"]["driver"]["rules"]]
    for res in run0["results"]:
        assert rules[res["ruleIndex"]] == res["ruleId"]
    cells = [(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], res["properties"].get("cell"))
             for res in run0["results"]]
    assert ("notebook-env-magics/experiments.ipynb", 1) in cells
    assert ("project-with-venv-and-gitignore/src/train.py", None) in cells
    levels = {res["ruleId"]: res["level"] for res in run0["results"]}
    assert levels["WG711"] == "error"
    notes = run0["invocations"][0]["toolExecutionNotifications"]
    assert any("not UTF-8" in n["message"]["text"] for n in notes)


def test_sarif_schema_rejects_a_broken_log():
    """The schema must be able to fail: a result without a message is not SARIF."""
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "WG701"}]}]}
    try:
        jsonschema.validate(bad, SARIF_SCHEMA)
    except jsonschema.ValidationError:
        return
    raise AssertionError("schema accepted a result without a message")
