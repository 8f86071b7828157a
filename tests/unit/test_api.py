"""The Python API: short repr, renderings on the report, a clear exception for an interpreter that cannot run."""

from __future__ import annotations

import json

import pytest

import whynogpu


def test_report_repr_is_short_and_renders_itself():
    report = whynogpu.triage_text("export CUDA_VISIBLE_DEVICES=-1\n")
    assert len(repr(report)) < 200 and "cuda_visible_devices_hidden" in repr(report)
    assert "root cause: cuda_visible_devices_hidden" in report.text()
    assert json.loads(report.json())["verdict"]["root_cause"] == "cuda_visible_devices_hidden"
    assert report.markdown().startswith("## whynogpu")


def test_check_with_an_interpreter_that_cannot_run_raises(tmp_path):
    with pytest.raises(whynogpu.TargetError, match="nonexistent"):
        whynogpu.check(python=str(tmp_path / "nonexistent"), live=False)
