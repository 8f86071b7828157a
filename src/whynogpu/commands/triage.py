"""`whynogpu triage FILE|-`: diagnose a pasted bug report instead of this machine."""

from __future__ import annotations

import sys

import click

from whynogpu.cli import UserError, emit, main, output_options

MAX_BYTES = 64 << 20  # larger inputs are read up to here; triage only needs the report's lines


def read_input(path: str) -> str:
    from whynogpu.inputfile import InputError, read_bounded
    from whynogpu.parsers.logs import decode

    try:
        data = sys.stdin.buffer.read(MAX_BYTES) if path == "-" else read_bounded(path, MAX_BYTES)
    except InputError as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UserError(f"{path} looks like a binary file, not a text report")
    return decode(data)


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
