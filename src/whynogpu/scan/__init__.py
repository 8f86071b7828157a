"""`whynogpu scan`: find the code that keeps the GPU idle, without running it.

Sources are parsed with the standard library's `ast` and never imported or executed.
`scan(host, paths)` (in engine.py) walks the paths through the Host seam and returns ScanFacts;
the rules in whynogpu/rules/code.py turn those facts into findings, both for `whynogpu scan`
and for `whynogpu check --scan PATH`.

The engine is imported on first use: `whynogpu check` loads the scan facts and rules on every
run but only scans when asked to, so the parser machinery stays out of its start-up time.
"""

from __future__ import annotations


def __getattr__(name: str):
    import importlib

    try:  # a submodule (`from whynogpu.scan import walker`) loads just itself, not the engine
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
    engine = importlib.import_module("whynogpu.scan.engine")  # `from . import engine` would recurse here
    try:
        return getattr(engine, name)
    except AttributeError:
        raise AttributeError(f"module 'whynogpu.scan' has no attribute {name!r}") from None
