"""The files beside the user's code, for `whynogpu check --scan PATH`: Dockerfiles, compose files,
Kubernetes manifests and package lists (whynogpu/lint/). Read through the Host; nothing is run."""

from __future__ import annotations

from whynogpu.facts.files import FileScanFacts
from whynogpu.probes import Context, NotApplicable, probe


@probe("file_scan", facts=FileScanFacts, order=91, layer="code")
def scan_files(ctx: Context) -> FileScanFacts:
    if not ctx.options.scan_paths:
        raise NotApplicable("no --scan path given")
    from whynogpu.lint import lint

    return lint(ctx.host, tuple(ctx.options.scan_paths))
