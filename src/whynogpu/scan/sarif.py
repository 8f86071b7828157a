"""SARIF 2.1.0 for `whynogpu scan --format sarif`, the format GitHub code scanning reads.

One run, one result per finding, a rule descriptor per code that fired, and the files
that could not be scanned as tool notifications (they are not results: nothing was found
in them). Notebook findings point at the .ipynb file with the cell in the message and in
the result's properties, since a region in a notebook's JSON text would mean nothing.
"""

from __future__ import annotations

import json
import os
import re
from urllib.parse import quote

from whynogpu import __version__
from whynogpu.model import Finding, Report, Severity
from whynogpu.rules import RuleInfo, load_all

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.HINT: "note", Severity.INFO: "note"}
_CELL = re.compile(r"^(.*):cell (\d+)$")


def _uri(path: str) -> str:
    # The file name's own bytes, percent-encoded: a name that is not UTF-8 (os.listdir gives it as
    # surrogate escapes) still points at the right file.
    raw = os.fsencode(path)
    if raw.startswith(b"/"):
        return "file://" + quote(raw)
    return quote(raw[2:] if raw.startswith(b"./") else raw)


def _text(value):
    """`value` with every string made encodable as UTF-8: a non-UTF-8 file name's bytes as `\\xff`.

    SARIF is UTF-8 JSON; a lone surrogate from such a name would stop the whole log from being written.
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            pass
        try:
            return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a lone surrogate that no file name gave
            return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_text(k): _text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_text(v) for v in value]
    return value


def _split(path: str) -> tuple[str, int | None]:
    m = _CELL.match(path)
    return (m.group(1), int(m.group(2))) if m else (path, None)


def _descriptor(info: RuleInfo) -> dict:
    return {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": info.detects},
        "help": {"text": f"{info.why}\n\nFix: {info.fix}"},
        "helpUri": info.references[0] if info.references else None,
        "properties": {"category": info.category, "tags": [info.category]},
    }


def _result(f: Finding, index: int) -> dict:
    file, cell = _split(f.location.path) if f.location else ("", None)
    text = f"{f.title}. {f.explanation}"
    if f.fix:
        text += f" Fix: {f.fix.text} " + " ".join(f.fix.commands)
    if cell:
        text = f"(cell {cell}) {text}"
    result: dict = {
        "ruleId": f.code,
        "ruleIndex": index,
        "level": LEVEL[f.severity],
        "message": {"text": text.strip()},
        "properties": {"category": f.category, "severity": f.severity.value},
    }
    if f.location and file:
        region = {"startLine": max(f.location.line, 1)}
        if f.location.column >= 1:
            region["startColumn"] = f.location.column
        if f.evidence and f.evidence[0].fact.startswith("`"):
            region["snippet"] = {"text": f.evidence[0].fact.split("`")[1]}
        result["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": _uri(file)}, "region": region}}]
    if cell:
        result["properties"]["cell"] = cell
    return result


def render(report: Report) -> str:
    rules = load_all()
    results = [f for f in report.findings if f.severity is not Severity.INFO]
    skipped = [f for f in report.findings if f.severity is Severity.INFO]
    codes = sorted({f.code for f in results})
    descriptors = []
    for code in codes:
        d = _descriptor(rules[code].info)
        descriptors.append({k: v for k, v in d.items() if v is not None})
    notifications = []
    for f in skipped:
        note: dict = {"level": "note", "message": {"text": f"not scanned: {f.evidence[0].fact}" if f.evidence else f.title}}
        if f.location:
            file, _ = _split(f.location.path)
            note["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": _uri(file)}}}]
        notifications.append(note)
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "whynogpu", "version": __version__, "semanticVersion": __version__,
                                "rules": descriptors}},
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
            "results": [_result(f, codes.index(f.code)) for f in results],
        }],
    }
    return json.dumps(_text(log), indent=2, ensure_ascii=False) + "\n"
