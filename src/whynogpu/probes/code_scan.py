"""The user's code, for `whynogpu check --scan PATH`: what it does to GPU selection.

Reading the user's files goes through the Host like every other probe, so a test can
point it at a FakeHost or RealHost(root=tmpdir). Nothing is imported or executed.
"""

from __future__ import annotations

from whynogpu.facts.code import ScanFacts
from whynogpu.probes import Context, NotApplicable, probe


@probe("code_scan", facts=ScanFacts, order=90, layer="code")
def scan_code(ctx: Context) -> ScanFacts:
    if not ctx.options.scan_paths:
        raise NotApplicable("no --scan path given")
    from whynogpu.scan.engine import scan

    return scan(ctx.host, tuple(ctx.options.scan_paths))
