"""`-o FILE`: the report in the chosen format, written to a file (cli.emit)."""

from __future__ import annotations

import os


def rendered(report, fmt: str, redactor, verbose: bool) -> str:
    if fmt == "html":
        from whynogpu.render.html import render

        return render(report, redactor)
    if fmt == "json":
        from whynogpu.render.json_report import render

        return render(report, redactor)
    if fmt == "markdown":
        from whynogpu.render.markdown import render

        return render(report, redactor)
    from whynogpu.render.text import render

    return render(report, verbose=verbose, color=False)


def write_report(report, fmt: str, redactor, verbose: bool, path: str) -> None:
    from whynogpu.cli import UserError

    text = rendered(report, fmt, redactor, verbose)
    tmp = f"{path}.whynogpu-tmp"
    try:  # whole or not at all: a half-written report would be attached to a ticket as if complete
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
