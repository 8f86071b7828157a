"""`whynogpu triage FILE|-`: diagnose a pasted bug report instead of this machine."""

from __future__ import annotations

import sys

import click

from whynogpu.cli import UserError, emit, main, output_options

MAX_BYTES = 64 << 20  # larger inputs are read up to here; triage only needs the report's lines


def read_input(path: str):
    """The report as a ReportText read line by line (triage/source.py): a file is read again for each pass,
    standard input is spooled once. At most MAX_BYTES are read."""
    from whynogpu.inputfile import InputError, open_bounded
    from whynogpu.triage.source import ReportText

    try:
        report = ReportText.from_stdin(sys.stdin.buffer, MAX_BYTES) if path == "-" else \
            ReportText(stream=open_bounded(path), limit=MAX_BYTES)
    except InputError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None
    head = report.head()
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UserError(f"{path} looks like a binary file, not a text report")
    return report


@main.command()
@click.argument("report_file", metavar="FILE|-")
@output_options
def triage(report_file, fmt, as_json, as_md, no_redact, verbose):
    """Diagnose a pasted bug report: logs, nvidia-smi, pip/conda lists, env dumps, free text."""
    from whynogpu.redact import for_text
    from whynogpu.triage.engine import triage as run

    text = read_input(report_file)
    report = run(text)
    emit(report, fmt, as_json, as_md, no_redact, verbose, redactor=for_text(text))
    sys.exit(report.exit_code)  # as check: 1 when the verdict names something broken
