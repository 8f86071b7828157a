"""Command line: `whynogpu` (= `whynogpu check`), snapshot, rules, explain, and the commands
in whynogpu/commands/ (each module there adds itself to `main`).

Exit codes: 0 no error-severity finding, 1 at least one, 2 usage error, unreadable input,
or whynogpu itself failed (one line on stderr; the traceback only with -v), 130 interrupted.
"""

from __future__ import annotations

import math
import os
import sys

import click

from whynogpu import __version__


class UserError(click.ClickException):
    """A problem with what the user asked for: one line, exit 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"whynogpu: {self.message}", err=True)


def _command_modules() -> list[str]:
    import pkgutil

    from whynogpu import commands

    return [m.name for m in pkgutil.iter_modules(commands.__path__)]


class DefaultGroup(click.Group):
    """`whynogpu [OPTIONS]` runs `check`, so the bare command is the common case.

    Sub-commands in whynogpu/commands/ (one module each, named like the command) are imported
    only when used, so `whynogpu` itself starts without loading the scanner or triage.
    """

    def _load(self, name: str) -> None:
        if name not in self.commands and name in _command_modules():
            import importlib

            importlib.import_module(f"whynogpu.commands.{name}")

    def get_command(self, ctx, cmd_name):
        self._load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx):
        for name in _command_modules():
            self._load(name)
        return super().list_commands(ctx)

    def parse_args(self, ctx, args):
        known = set(self.commands) | set(_command_modules())
        if args and not args[0].startswith("-") and args[0] not in known:
            import difflib

            close = difflib.get_close_matches(args[0], sorted(known), n=1, cutoff=0.6)
            if close:  # a mistyped command, not an argument of the default one
                raise UserError(f"no command {args[0]!r}; did you mean `whynogpu {close[0]}`?")
        if not args or (args[0] not in known and args[0] not in ("--help", "-h", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)


def output_options(func):
    func = click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "html"]), default="text",
                        help="Output format (html: one self-contained page, redacted like markdown).")(func)
    # Kept in the context rather than passed as an argument, so no command's signature changes.
    func = click.option("-o", "--output", metavar="FILE", expose_value=False,
                        callback=lambda ctx, _p, value: ctx.meta.__setitem__("whynogpu.output", value),
                        help="Write the report to FILE (replaced if it exists) instead of standard output.")(func)
    func = click.option("--json", "as_json", is_flag=True, help="Same as --format json.")(func)
    func = click.option("--markdown", "as_md", is_flag=True, help="Same as --format markdown.")(func)
    func = click.option("--no-redact", is_flag=True,
                        help="Keep user names, home paths, host name and GPU UUIDs in JSON/Markdown.")(func)
    func = click.option("-v", "--verbose", is_flag=True, help="Show the facts behind every line.")(func)
    return func


def output_format(fmt: str, as_json: bool, as_md: bool) -> str:
    chosen = {f for f, on in (("json", as_json), ("markdown", as_md), (fmt, fmt != "text")) if on}
    if len(chosen) > 1:
        raise UserError(f"choose one output format, not {' and '.join(sorted(chosen))}")
    return chosen.pop() if chosen else "text"


def emit(report, fmt: str, as_json: bool, as_md: bool, no_redact: bool, verbose: bool, host=None,
         redactor=None) -> None:
    """Print the report. Shared formats are redacted with the identity of what was diagnosed: `redactor` for
    a pasted report or a saved snapshot, else this machine's."""
    fmt = output_format(fmt, as_json, as_md)
    if fmt == "text" or no_redact:
        redactor = None
    elif redactor is None:
        from whynogpu.host.real import RealHost
        from whynogpu.redact import for_host

        redactor = for_host(host or RealHost())
    output = click.get_current_context(silent=True)
    output = output.meta.get("whynogpu.output") if output else None
    if output:
        from whynogpu.render.to_file import write_report

        write_report(report, fmt, redactor, verbose, output)
    elif fmt == "html":
        from whynogpu.render.html import render

        click.echo(render(report, redactor), nl=False)
    elif fmt == "json":
        from whynogpu.render.json_report import render

        click.echo(render(report, redactor), nl=False)
    elif fmt == "markdown":
        from whynogpu.render.markdown import render

        click.echo(render(report, redactor), nl=False)
    else:
        from whynogpu.render.text import render

        color = sys.stdout.isatty()
        click.echo(render(report, verbose=verbose, color=color), nl=False)


def _preload_rich() -> None:
    """Import rich in a thread while the probes wait on child processes (saves ~0.1 s of start-up)."""
    import threading

    def load() -> None:
        try:
            import rich.console  # noqa: F401
        except Exception:
            pass

    threading.Thread(target=load, daemon=True).start()


def _warm_up(fmt: str) -> None:
    """Load the rules and the renderer while the live probe waits on its children, so that little
    is left to do once the slowest framework has answered."""
    import importlib

    from whynogpu.rules import load_all

    load_all()
    importlib.import_module({"json": "whynogpu.render.json_report", "markdown": "whynogpu.render.markdown"}
                            .get(fmt, "whynogpu.render.text"))


def _progress(name: str) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\rwhynogpu: checking {name}…\x1b[K")
        sys.stderr.flush()


def _end_progress() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[K")


def _options(python, no_probe, timeout, scan=()):
    from whynogpu.probes import Options

    if timeout is not None and not (timeout > 0 and math.isfinite(timeout)):
        raise UserError("--timeout must be a positive, finite number of seconds")
    if python and os.sep not in python and os.path.isfile(python):
        python = os.path.abspath(python)  # a file in this folder, as a user means it (not a name looked up on PATH)
    return Options(python=python, live=not no_probe, timeout=timeout or 60.0, scan_paths=tuple(scan))


def _check_target(snapshot, python) -> None:
    if not python:
        return
    res = snapshot.result("target")
    if res is not None and res.status.value in ("failed", "timed_out", "crashed"):
        msg = res.reason.message if res.reason else "cannot be inspected"
        raise UserError(f"--python {python}: {msg}")


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="whynogpu")
def main() -> None:
    """Why is TensorFlow/Keras, PyTorch or JAX running on the CPU? Run with no arguments to find out."""


@main.command()
@click.option("--python", "python", metavar="PATH", help="Inspect this interpreter (a venv, conda env, Jupyter kernel).")
@click.option("--no-probe", is_flag=True, help="Static facts only: no framework is imported anywhere.")
@click.option("--from", "from_file", metavar="SNAPSHOT.json", help="Diagnose a saved snapshot instead of this machine.")
@click.option("--replay", "replay_dir", metavar="DIR", help="Diagnose a folder made by `whynogpu capture` instead of this machine.")
@click.option("--timeout", type=float, default=None, metavar="SECONDS", help="Time limit per probe (default 60).")
@click.option("--scan", "scan_paths", multiple=True, metavar="PATH",
              help="Also scan this code (file, directory, notebook) for statements that hide the GPU; repeatable.")
@output_options
def check(python, no_probe, from_file, replay_dir, timeout, scan_paths, fmt, as_json, as_md, no_redact, verbose):
    """Diagnose this machine (the default command)."""
    from whynogpu.pipeline import report_from_snapshot

    if from_file and (python or no_probe or timeout is not None or scan_paths or replay_dir):
        raise UserError("--from diagnoses a saved snapshot: --python, --no-probe, --timeout, --scan and --replay do not apply")
    if replay_dir and (python or timeout is not None or scan_paths):
        raise UserError("--replay diagnoses a captured folder with the options it was captured with: "
                        "--python, --timeout and --scan do not apply")
    output_format(fmt, as_json, as_md)  # a usage error before any probing
    if replay_dir:
        from whynogpu.commands.capture import replay_report
        from whynogpu.redact import for_snapshot

        report, snapshot = replay_report(replay_dir, no_probe)
        emit(report, fmt, as_json, as_md, no_redact, verbose, redactor=for_snapshot(snapshot))
        sys.exit(report.exit_code)
    if from_file:
        from whynogpu.redact import for_snapshot
        from whynogpu.snapshot_io import SnapshotError, load

        try:
            snapshot = load(from_file)
        except SnapshotError as exc:
            raise UserError(str(exc)) from None
        report = report_from_snapshot(snapshot)
        emit(report, fmt, as_json, as_md, no_redact, verbose, redactor=for_snapshot(snapshot))
        sys.exit(report.exit_code)
    else:
        from whynogpu.host.real import RealHost
        from whynogpu.pipeline import report_from_snapshot
        from whynogpu.probes import gather

        host = RealHost()
        if fmt == "text" and not (as_json or as_md) and sys.stdout.isatty():
            _preload_rich()
        for p in scan_paths:
            if not host.exists(p):
                raise UserError(f"--scan {p}: no such file or directory")
        snapshot = gather(host, _options(python, no_probe, timeout, scan_paths), progress=_progress,
                          idle=lambda: _warm_up("json" if as_json else "markdown" if as_md else fmt))
        _end_progress()
        _check_target(snapshot, python)
        report = report_from_snapshot(snapshot)
    emit(report, fmt, as_json, as_md, no_redact, verbose)
    sys.exit(report.exit_code)


@main.command()
@click.option("--python", "python", metavar="PATH", help="Inspect this interpreter.")
@click.option("--no-probe", is_flag=True, help="Static facts only: no framework is imported anywhere.")
@click.option("--timeout", type=float, default=None, metavar="SECONDS", help="Time limit per probe.")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")
@click.option("--no-redact", is_flag=True, help="Keep user names, home paths, host name, GPU UUIDs and secrets.")
def snapshot(python, no_probe, timeout, output, no_redact):
    """Write the facts (no conclusions) as JSON, redacted to share; `check --from` reads them back."""
    import json

    from whynogpu.host.real import RealHost
    from whynogpu.probes import gather
    from whynogpu.redact import for_host
    from whynogpu.snapshot_io import to_data

    host = RealHost()
    snap = gather(host, _options(python, no_probe, timeout), progress=_progress)
    _end_progress()
    _check_target(snap, python)
    data = to_data(snap)
    if not no_redact:  # people are told to attach it to bug reports
        data = for_host(host).data(data)
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    if output:
        try:
            with open(output, "x", encoding="utf-8") as fh:  # never overwrite a user's file
                fh.write(text)
        except FileExistsError:
            raise UserError(f"{output} already exists; choose another name") from None
        except OSError as exc:
            raise UserError(f"cannot write {output}: {exc.strerror or exc}") from None
    else:
        click.echo(text, nl=False)


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def rules_cmd(fmt):
    """List every finding code with its category and title."""
    import json

    from whynogpu.rules import load_all

    infos = [r.info for _, r in sorted(load_all().items())]
    if fmt == "json":
        click.echo(json.dumps([{"code": i.code, "name": i.name, "category": i.category, "title": i.title}
                               for i in infos], indent=2))
        return
    for i in infos:
        click.echo(f"{i.code}  {i.category:<30} {i.name}: {i.title}")


@main.command()
@click.argument("code")
def explain(code):
    """Print the catalog entry of a finding CODE (or rule name)."""
    from whynogpu.catalog import entry_text, find

    info = find(code)
    if info is None:
        from whynogpu.rules import RETIRED, load_all

        load_all()
        if code.upper() in RETIRED:  # a code in an old report still says where its cause went
            click.echo(f"{code.upper()} is retired: {RETIRED[code.upper()]}")
            return
        raise UserError(f"no finding code or rule named {code!r}; `whynogpu rules` lists them")
    click.echo(entry_text(info))



def _as_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt  # a closed terminal, `timeout`, a CI cancel: end the children and clean up as for Ctrl-C


def run() -> None:
    """Entry point wrapper: whynogpu's own failures become one line and exit 2."""
    verbose = "-v" in sys.argv or "--verbose" in sys.argv
    import signal

    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            signal.signal(sig, _as_interrupt)
    try:
        main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if not isinstance(exc, UserError) else exc.exit_code)
    except click.exceptions.Abort:  # click's form of Ctrl-C (KeyboardInterrupt) and of EOF at a prompt
        click.echo("whynogpu: interrupted", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:
        if verbose:
            raise
        click.echo(f"whynogpu: internal error: {type(exc).__name__}: {exc} (run with -v for details)", err=True)
        sys.exit(2)
