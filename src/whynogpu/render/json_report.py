from __future__ import annotations

import json

from whynogpu import serde
from whynogpu.model import Report
from whynogpu.redact import Redactor


def report_data(report: Report, redactor: Redactor | None) -> dict:
    data = serde.to_data(report)
    data["exit_code"] = report.exit_code
    return redactor.data(data) if redactor else data


def render(report: Report, redactor: Redactor | None = None) -> str:
    return json.dumps(report_data(report, redactor), indent=2, ensure_ascii=False) + "\n"
