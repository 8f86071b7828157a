"""`whynogpu fleet`: check every node of a Ray cluster, a Slurm allocation or a folder of saved snapshots,
group the nodes by verdict and name the odd ones out (whynogpu/fleet/)."""

from __future__ import annotations

import math
import sys

import click

from whynogpu.cli import UserError, main, output_format


def _progress(done: int, total: int, node) -> None:
    """One line per node that answers; on a terminal, one line rewritten in place."""
    how = "answered" if node.status == "answered" else node.status.replace("_", " ")
    msg = f"whynogpu fleet: {done}/{total} nodes done ({node.name}: {how})"
    if sys.stderr.isatty():
        sys.stderr.write(f"\r{msg}\x1b[K")
    else:
        sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def _end_progress() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[K")


def _save(folder: str, nodes) -> None:
    """Each answered node's snapshot as FOLDER/NODE.json, for `fleet --from FOLDER` or `check --from`."""
    import json
    import os

    from whynogpu.snapshot_io import to_data

    os.makedirs(folder, exist_ok=True)
    for node in nodes:
        if node.snapshot is None:
            continue
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in node.name) or "node"
        try:
            with open(os.path.join(folder, safe + ".json"), "x", encoding="utf-8") as fh:
                json.dump(to_data(node.snapshot), fh, indent=1, ensure_ascii=False)
        except FileExistsError:
            raise UserError(f"{folder}/{safe}.json already exists; choose an empty folder for --save") from None


@main.command()
@click.option("--ray", "ray_address", metavar="[ADDRESS|auto]", is_flag=False, flag_value="auto", default=None,
              help="Check every alive node of a Ray cluster (ray://…, host:port, or auto: the one this machine is in).")
@click.option("--slurm", is_flag=True, help="Check every node of the Slurm allocation this runs in (srun, one task per node).")
@click.option("--slurm-args", metavar='"ARGS"', help="srun options that request the nodes (implies --slurm), e.g. \"-N 8 -p gpu --gres=gpu:1\".")
@click.option("--from", "from_dir", metavar="DIR", help="Diagnose a folder of saved snapshots (NODE.json each).")
@click.option("--python", "python", metavar="PATH", help="Inspect this interpreter on every node (default: Ray's worker Python; whynogpu's choice under Slurm).")
@click.option("--no-probe", is_flag=True, help="Static facts only on the nodes: no framework is imported.")
@click.option("--timeout", type=float, default=120.0, show_default=True, metavar="SECONDS",
              help="Seconds each node has to answer; later, it is reported as not answering.")
@click.option("--save", "save_dir", metavar="DIR", help="Also write each node's snapshot to DIR/NODE.json.")
# Output options of its own (check's are shared by commands that print one report): the same names.
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", help="Output format.")
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--markdown", "as_md", is_flag=True, help="Same as --format markdown.")
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE instead of standard output.")
@click.option("--no-redact", is_flag=True, help="Keep user names, home paths, host names and GPU UUIDs of each "
              "node's report in JSON/Markdown (node names are always shown).")
@click.option("-v", "--verbose", is_flag=True, help="Every node's verdict and traits.")
def fleet(ray_address, slurm, slurm_args, from_dir, python, no_probe, timeout, save_dir, fmt, as_json, as_md,
          output, no_redact, verbose):
    """Check every node of a Ray cluster or Slurm allocation (or a folder of snapshots); group them by verdict
    and name the odd ones out."""
    from whynogpu.fleet import render
    from whynogpu.fleet.summary import summarize

    fmt = output_format(fmt, as_json, as_md)
    slurm = slurm or slurm_args is not None
    chosen = [name for name, on in (("--ray", ray_address), ("--slurm", slurm), ("--from", from_dir)) if on]
    if len(chosen) != 1:
        raise UserError("choose where the nodes are: --ray [ADDRESS], --slurm (or --slurm-args) or --from DIR"
                        if not chosen else f"choose one of {' and '.join(chosen)}")
    if not (timeout > 0 and math.isfinite(timeout)):
        raise UserError("--timeout must be a positive, finite number of seconds")
    if from_dir and (python or no_probe or save_dir):
        raise UserError("--from diagnoses saved snapshots: --python, --no-probe and --save do not apply")
    where, nodes = _gather(ray_address, slurm_args if slurm else None, slurm, from_dir, python, no_probe, timeout)
    if save_dir:
        _save(save_dir, nodes)
    result = summarize(where, nodes)
    if fmt == "json":
        out = render.as_json(result, no_redact)
    elif fmt == "markdown":
        out = render.markdown(result, no_redact)
    else:
        out = render.text(result, verbose)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(out)
        except OSError as exc:
            raise UserError(f"cannot write {output}: {exc.strerror or exc}") from None
    else:
        click.echo(out, nl=False)
    sys.exit(result.exit_code)


def _gather(ray_address, slurm_args, slurm, from_dir, python, no_probe, timeout):
    if from_dir:
        from whynogpu.fleet.folder import FolderError, read_folder

        try:
            return f"folder {from_dir}", read_folder(from_dir)
        except FolderError as exc:
            raise UserError(str(exc)) from None
    try:
        if ray_address:
            from whynogpu.fleet.ray_launch import RayError, gather

            try:
                return gather(ray_address, python, no_probe, timeout, progress=_progress)
            except RayError as exc:
                raise UserError(str(exc)) from None
        from whynogpu.fleet.slurm import SlurmError, gather

        try:
            return gather(slurm_args, python, no_probe, timeout, progress=_progress)
        except SlurmError as exc:
            raise UserError(str(exc)) from None
    finally:
        _end_progress()
