"""Probes gather facts through the host seam and never judge.

Each probe is a function registered with `@probe`, living in its own module of this
package; every module here is imported by `load_all()`, so adding a probe never means
editing a central list. A probe returns its own frozen facts dataclass, raises
`NotApplicable` when its layer does not exist on this machine, or `ProbeFailed` with the
command and stderr that let a user reproduce the failure.
"""

from __future__ import annotations

import importlib
import pkgutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from whynogpu.host.base import CommandResult, Host
from whynogpu.model import ProbeReason, ProbeResult, ProbeStatus, Snapshot


class NotApplicable(Exception):
    """The probed layer does not exist here (e.g. NVML on macOS)."""


class ProbeFailed(Exception):
    def __init__(self, reason: ProbeReason) -> None:
        super().__init__(reason.message)
        self.reason = reason

    @classmethod
    def from_command(cls, message: str, result: CommandResult) -> ProbeFailed:
        return cls(
            ProbeReason(
                message=message,
                command=tuple(a if len(a) < 200 else a[:60] + "…" for a in result.argv),
                exit_code=result.returncode,
                stderr_tail=result.stderr_tail() or None,
            )
        )


class ProbeTimedOut(ProbeFailed):
    pass


@dataclass(frozen=True)
class Options:
    python: str | None = None  # --python
    live: bool = True  # False with --no-probe: no framework is imported anywhere
    timeout: float = 60.0  # per probe that runs a child process
    scan_paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProbeSpec:
    name: str
    facts_type: type
    func: Callable[[Context], Any]
    order: int
    live: bool = False  # imports a framework in a child process
    side_effects: str | None = None
    layer: str = "platform"  # which overview line its failures show on
    early: bool = False  # needs nothing but the host and options: started before the other probes load
    # Starts the probe's slow part before the facts it depends on are in (see gather()); returns a
    # handle with cancel(), which the probe takes back with Context.take_head_start.
    head_start: Callable[[Context], Any] | None = None


class Context:
    """What a probe gets: the host, the options, and the facts gathered before it."""

    def __init__(self, host: Host, options: Options) -> None:
        self.host = host
        self.options = options
        self.results: list[ProbeResult] = []
        self._once: dict[tuple[str, ...], CommandResult] = {}
        self.head_starts: dict[str, Any] = {}
        self.idle: Callable[[], None] | None = None  # work to do while a live probe waits on its children

    def take_head_start(self, name: str) -> Any:
        return self.head_starts.pop(name, None)

    def while_waiting(self) -> None:
        """Called where whynogpu is about to wait on a child process (an early probe, the live
        probe's children): its own remaining start-up work (loading rules, renderers) then overlaps
        with the wait. Runs once."""
        idle, self.idle = self.idle, None
        if idle:
            idle()

    def get(self, facts_type: type) -> Any:
        for r in self.results:
            if isinstance(r.facts, facts_type):
                return r.facts
        return None

    def run_once(self, argv: tuple[str, ...], timeout: float) -> CommandResult:
        """Run a read-only command once per check, however many probes ask (e.g. `ldconfig -p`)."""
        key = tuple(argv)
        if key not in self._once:
            self._once[key] = self.host.run(list(argv), timeout=timeout)
        return self._once[key]


REGISTRY: dict[str, ProbeSpec] = {}


def probe(name: str, facts: type, order: int, live: bool = False, side_effects: str | None = None,
          layer: str = "platform", early: bool = False, head_start: Callable[[Context], Any] | None = None):
    def register(func: Callable[[Context], Any]) -> Callable[[Context], Any]:
        if name in REGISTRY:
            raise ValueError(f"probe {name!r} registered twice")
        REGISTRY[name] = ProbeSpec(name, facts, func, order, live, side_effects, layer, early, head_start)
        return func

    return register


_loaded = False
# Modules whose probes are `early`: imported first so their child processes can start while the
# rest of whynogpu is still loading.
EARLY_MODULES = ("target",)


def load_all() -> dict[str, ProbeSpec]:
    global _loaded
    if not _loaded:
        for mod in pkgutil.iter_modules(__path__):
            if mod.name != "snippets":
                importlib.import_module(f"{__name__}.{mod.name}")
        _loaded = True
    return REGISTRY


def facts_type_for(name: str) -> type | None:
    spec = load_all().get(name)
    return spec.facts_type if spec else None


def snapshot_of(*facts: Any, mode: str = "check", origin: str | None = None) -> Snapshot:
    """A snapshot holding just these facts, each under the name of the probe that makes its type: the way to
    test a rule (`report_from_snapshot(snapshot_of(EnvironmentFacts({...}, ())))`) without a host."""
    names = {spec.facts_type: spec.name for spec in load_all().values()}
    probes = []
    for f in facts:
        name = names.get(type(f))
        if name is None:
            raise TypeError(f"no probe makes {type(f).__name__}")
        probes.append(ProbeResult(name, ProbeStatus.OK, 0.0, facts=f, origin=origin))
    return Snapshot(schema_version=1, tool_version="test", mode=mode, probes=tuple(probes))


def run_one(spec: ProbeSpec, ctx: Context) -> ProbeResult:
    start = time.monotonic()
    facts, status, reason = None, ProbeStatus.OK, None
    try:
        facts = spec.func(ctx)
    except NotApplicable as exc:
        status, reason = ProbeStatus.NOT_APPLICABLE, ProbeReason(str(exc))
    except ProbeTimedOut as exc:
        status, reason = ProbeStatus.TIMED_OUT, exc.reason
    except ProbeFailed as exc:
        status, reason = ProbeStatus.FAILED, exc.reason
    except Exception as exc:  # a bug in a probe must not hide the other layers
        status = ProbeStatus.CRASHED
        reason = ProbeReason(f"{type(exc).__name__}: {exc}")
    return ProbeResult(
        name=spec.name,
        status=status,
        duration_s=round(time.monotonic() - start, 4),
        reason=reason,
        facts=facts,
        side_effects=spec.side_effects,
    )


def gather(host: Host, options: Options, only: set[str] | None = None, progress=None,
           idle: Callable[[], None] | None = None) -> Snapshot:
    from whynogpu import __version__

    ctx = Context(host, options)
    ctx.idle = idle
    started = _start_early(ctx, only)
    specs = [s for s in sorted(load_all().values(), key=lambda s: (s.order, s.name)) if only is None or s.name in only]
    heads_started = False
    try:
        for spec in specs:
            if spec.live and not options.live:
                ctx.results.append(
                    ProbeResult(spec.name, ProbeStatus.NOT_APPLICABLE, 0.0, ProbeReason("skipped: --no-probe"))
                )
                continue
            if spec.name in started and not heads_started:
                # About to wait for an early probe (the target inspection): the probes before it
                # have recorded the GPU and device facts, so the head starts may go now.
                heads_started = True
                _start_heads(ctx, specs)
            if progress:
                progress(spec.name)
            if spec.name in started:
                future = started.pop(spec.name)
                if not future.done():
                    ctx.while_waiting()
                ctx.results.append(future.result())
            else:
                ctx.results.append(run_one(spec, ctx))
    except BaseException:  # Ctrl-C: probe children run in sessions of their own and would outlive us
        host.end_children()
        raise
    finally:
        for handle in ctx.head_starts.values():  # not taken back: the probe did not run, or failed early
            handle.cancel()
    return Snapshot(schema_version=1, tool_version=__version__, mode="check", probes=tuple(ctx.results))


def _start_heads(ctx: Context, specs: list[ProbeSpec]) -> None:
    for spec in specs:
        if spec.head_start and (ctx.options.live or not spec.live):
            try:
                handle = spec.head_start(ctx)
            except Exception:  # a head start is only an optimisation: the probe starts its own way
                handle = None
            if handle is not None:
                ctx.head_starts[spec.name] = handle


def _start_early(ctx: Context, only: set[str] | None) -> dict:
    """Start the early probes in threads; they mostly wait on a child process, so they overlap
    with importing the other probe and rule modules. Results still enter in probe order."""
    from concurrent.futures import ThreadPoolExecutor

    for name in EARLY_MODULES:
        importlib.import_module(f"{__name__}.{name}")
    specs = [s for s in REGISTRY.values() if s.early and (only is None or s.name in only)]
    if not specs:
        return {}
    pool = ThreadPoolExecutor(max_workers=len(specs), thread_name_prefix="whynogpu-early")
    futures = {s.name: pool.submit(run_one, s, Context(ctx.host, ctx.options)) for s in specs}
    pool.shutdown(wait=False)
    return futures
