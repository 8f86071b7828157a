"""The framework layer, live half: what each installed framework really does when imported.

The `frameworks_live` probe imports each framework in the target interpreter, one child process
per framework, all at once, each with a time limit, and collects what it saw: GPUs, where a
matmul ran, how fast, which CUDA libraries it loaded, and its complete stderr for the log rules.
Keras rides along in the process of its backend, because a second TensorFlow import would
double the wall time on a small machine. The imports may get a head start (start_imports)
before the target inspection has answered; see docs/architecture.md, "Order and timing".
"""

from __future__ import annotations

import json
import posixpath
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from whynogpu.facts.frameworks import (  # noqa: F401 (the facts it makes)
    FrameworkRun,
    GpuDevice,
    KerasLive,
    LiveFacts,
    LogLine,
    MatmulCheck,
    MatmulTiming,
)
from whynogpu.host.base import CommandResult, RunningSnippet
from whynogpu.parsers.keras_config import config_path
from whynogpu.parsers.logs import interpret
from whynogpu.probes import Context, NotApplicable, probe
from whynogpu.probes.frameworks import FrameworkBuildFacts
from whynogpu.probes.target import TargetFacts

PROBED = ("tensorflow", "torch", "jax")  # frameworks with a snippet of their own; keras rides along
STDERR_KEEP = 30000  # characters of a child's stderr kept in the snapshot (its end, where errors are)

# The child gets the user's environment (CUDA_VISIBLE_DEVICES, LD_LIBRARY_PATH, KERAS_BACKEND act as
# they do for the user) plus: full TF logging and the vmodule set that makes TF say *why* cuInit
# failed (the set used for tests/fixtures/real), no GPU memory grabbing, no .pyc writes.
CHILD_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "0",
    "TF_FORCE_GPU_ALLOW_GROWTH": "true",
    "XLA_PYTHON_CLIENT_PREALLOCATE": "false",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
}
CHILD_ENV_DEFAULTS = {
    "TF_CPP_VMODULE": "dso_loader=2,cuda_driver=2,cuda_diagnostics=2,cuda_platform=2,cuda_executor=2,cudart_stub=2",
}

def _last_json(stdout: str) -> dict | None:
    for line in reversed(stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except ValueError:
                return None
            return data if isinstance(data, dict) else None
    return None


def _text(v) -> str:
    return v if isinstance(v, str) else json.dumps(v)


def _log(*texts: str | None) -> tuple[LogLine, ...]:
    out = []
    for text in texts:
        for m in interpret(text or ""):
            if m.kind != "benign":
                out.append(LogLine(m.id, m.kind, tuple(m.categories), m.text[:400]))
    return tuple(out)


def run_from_result(framework: str, res: CommandResult) -> FrameworkRun:
    """Turn a child's exit status and JSON into a FrameworkRun; never raises on odd output."""
    base = dict(framework=framework, duration_s=round(res.duration_s, 3), command=_short(res.argv),
                exit_code=res.returncode, signal=res.signal, stderr=res.stderr[-STDERR_KEEP:])
    data = None if res.not_found or res.timed_out else _last_json(res.stdout)
    base["log"] = _log(res.stderr, (data or {}).get("error"), ((data or {}).get("matmul") or {}).get("error"))
    if res.not_found:
        return FrameworkRun(status="not_started", error=res.stderr.strip() or None, **base)
    if res.timed_out:
        return FrameworkRun(status="timed_out", **base)
    if data is None:
        return FrameworkRun(status="crashed" if res.returncode != 0 else "no_answer", **base)
    k = data.get("keras")
    m = data.get("matmul")
    tm = data.get("timing")
    timing = None
    if isinstance(tm, dict) and tm.get("gpu_s") and tm.get("cpu_s"):
        timing = MatmulTiming(int(tm.get("n", 0)), float(tm["gpu_s"]), float(tm["cpu_s"]))
    libs = data.get("loaded_libs")
    return FrameworkRun(
        status="error" if data.get("error") else "ok",
        version=data.get("version"),
        cuda_build=data.get("cuda_build"),
        build={str(key): _text(v) for key, v in (data.get("build") or {}).items() if v is not None},
        arch_list=tuple(str(a) for a in data.get("arch_list") or ()),
        gpus=tuple(GpuDevice(int(g.get("index", i)), g.get("name"), g.get("compute_capability"), g.get("memory_mb"))
                   for i, g in enumerate(data.get("gpus") or ())),
        gpu_error=data.get("gpu_backend_error"),
        warnings=tuple(str(w) for w in data.get("warnings") or ()),
        matmul=MatmulCheck(str(m.get("asked")), m.get("device"), m.get("correct"), m.get("error")) if isinstance(m, dict) else None,
        timing=timing,
        loaded_libs=tuple(libs) if isinstance(libs, list) else None,
        keras=KerasLive(k.get("version"), k.get("backend"), k.get("matmul_device"), k.get("error")) if isinstance(k, dict) else None,
        error=data.get("error"),
        import_s=data.get("import_s"),
        device_scan_skipped=bool(data.get("device_scan_skipped")),
        **base,
    )


def _short(argv: tuple[str, ...]) -> tuple[str, ...]:
    # argv[2] is the whole snippet source (python -c SOURCE): name it instead of repeating it
    return tuple(a if len(a) < 200 else "<snippet>" for a in argv)


def plan(builds: FrameworkBuildFacts | None, t: TargetFacts) -> list[tuple[str, tuple[str, ...]]]:
    """Which snippets to run, with their arguments: one per framework, Keras inside its backend's."""
    present = [n for n in PROBED if (builds and getattr(builds, n)) or (n == "tensorflow" and "tensorflow" in t.packages)]
    jobs = [(n, ()) for n in present]
    keras = builds.keras if builds else None
    if keras is not None:
        if keras.backend in present:
            jobs = [(n, ("--keras",) if n == keras.backend else args) for n, args in jobs]
        else:
            jobs.append(("keras", ()))
    return jobs


def device_scan_is_harmless(ctx: Context) -> bool:
    """False when listing devices would change the machine: as root, with no NVIDIA kernel driver and no
    device node, cuInit creates /dev/nvidiactl (seen with Debian's libcuda1 and no module). There is no
    GPU to find then anyway; the driver layer has already said why."""
    from whynogpu.probes.driver import DriverFacts, kernel_side_visible
    from whynogpu.probes.gpu import GpuFacts

    gpu, driver = ctx.get(GpuFacts), ctx.get(DriverFacts)
    if gpu is None or kernel_side_visible(gpu):
        return True
    if driver is not None and not driver.copies("libcuda.so.1"):
        return True  # without libcuda nothing calls cuInit: the scan is safe and shows where work runs
    return ctx.host.user().uid != 0


def child_env(ctx: Context, keras_home: str | None) -> dict[str, str]:
    env = dict(ctx.host.env())
    env.update(CHILD_ENV)
    for k, v in CHILD_ENV_DEFAULTS.items():
        env.setdefault(k, v)
    if keras_home:
        env["KERAS_HOME"] = keras_home
    return env


def _as_run(res: CommandResult, flags: tuple[str, ...]) -> CommandResult:
    """The command as it ran in effect: a head-started child got some flags on stdin, not as
    arguments; the report shows them as arguments, so that the command can be run again by hand."""
    argv = tuple(a for a in res.argv if a != "--gate")
    return replace(res, argv=(*argv, *(f for f in flags if f not in argv)))


def lanes(names: list[str], cores: int) -> list[list[str]]:
    """Probe children split into lanes that run side by side, each lane's children one after the other.

    The names come slowest import first (TensorFlow). With as many cores as children, each has a lane; with
    fewer, the slowest get a lane each and the quickest share the last one: on 2 cores TensorFlow runs alone
    while torch and then JAX run beside it, so the wall time is TensorFlow's. No child is niced: a niced
    child starves for as long as anything else keeps the CPUs busy (a training run fallen back to the CPU),
    not only while its sibling runs."""
    k = max(1, min(cores, len(names)))
    return [[n] for n in names[: k - 1]] + [names[k - 1:]] if names else []


class HeadStart:
    """Framework imports begun before the target inspection is done (see start_imports)."""

    def __init__(self, ctx: Context, python: str, scratch: str | None, names: list[str]) -> None:
        self.host, self.scratch = ctx.host, scratch
        self.env = child_env(ctx, scratch)
        self.started = time.monotonic()
        # the first child of each lane; the others start when their lane is free (gather_live)
        self.running: dict[str, RunningSnippet] = {
            lane[0]: ctx.host.start_snippet(f"probe_{lane[0]}", python, ("--gate",), self.env)
            for lane in lanes(names, ctx.host.cpu_count())
        }

    def take(self, name: str) -> RunningSnippet | None:
        return self.running.pop(name, None)

    def cancel(self) -> None:
        for r in self.running.values():
            r.cancel()
        self.running.clear()
        if self.scratch:
            self.host.remove_scratch_dir(self.scratch)
            self.scratch = None


def _installed_guess(ctx: Context, python: str) -> list[str]:
    """The frameworks whose package folder is in the interpreter's own site-packages (venv or conda layout),
    before the inspection says for sure; all of them when that folder is not where it usually is."""
    prefix = posixpath.dirname(posixpath.dirname(python))
    for lib in ("lib", "Lib"):
        for sub in [d for d in ctx.host.listdir(posixpath.join(prefix, lib)) or () if d.startswith("python")] or [""]:
            site = ctx.host.listdir(posixpath.join(prefix, lib, sub, "site-packages"))
            if site is not None:
                return [n for n in PROBED if n in site]
    return list(PROBED)


def start_imports(ctx: Context) -> HeadStart | None:
    """Start importing every framework a snippet exists for while the target is still being
    inspected: the imports are nearly all of the live probe's time, and they need nothing but the
    interpreter. Only when the user named that interpreter (--python, an active venv or conda env);
    otherwise which one is probed is known only after inspection. Each child waits after its import
    (--gate) for gather_live to say how to go on, or to skip a framework that is not installed."""
    from whynogpu.probes.target import named_target

    named = named_target(ctx)
    if named is None or not posixpath.basename(named[0].replace("\\", "/")).lower().startswith("python"):
        # Until the inspection has answered, a --python that is not named like an interpreter may
        # not be one: a snippet given to a shell as `sh -c SOURCE` would run its lines as commands.
        return None
    names = _installed_guess(ctx, named[0])
    return HeadStart(ctx, named[0], _keras_scratch(ctx), names) if names else None


def _keras_scratch(ctx: Context, keras_may_be_installed: bool = True) -> str | None:
    """Keras writes a default keras.json on first import; when the user has none, it writes into a
    throw-away folder instead of their home (the backend choice is the same: no file = default)."""
    if not keras_may_be_installed or ctx.host.exists(config_path(ctx.host.env(), ctx.host.user().home)):
        return None
    return ctx.host.make_scratch_dir("whynogpu-keras-")


@probe("frameworks_live", facts=LiveFacts, order=65, live=True, layer="frameworks", head_start=start_imports,
       side_effects="imports each installed framework in a child process; with a GPU, runs a small matmul "
                    "on it (memory growth on, no pre-allocation). A framework's device scan calls cuInit, which, "
                    "run as root where libcuda.so.1 exists, can create /dev/nvidiactl even with no kernel "
                    "module: so as root with no kernel driver the frameworks are imported but their devices "
                    "are not listed")
def gather_live(ctx: Context) -> LiveFacts:
    head: HeadStart | None = ctx.take_head_start("frameworks_live")
    try:
        return _probe_live(ctx, head)
    finally:
        if head:
            head.cancel()  # children it started that were not used, and its scratch folder


def _probe_live(ctx: Context, head: HeadStart | None) -> LiveFacts:
    t = ctx.get(TargetFacts)
    if t is None:
        raise NotApplicable("the target interpreter could not be inspected")
    builds = ctx.get(FrameworkBuildFacts)
    jobs = plan(builds, t)
    if not jobs:
        raise NotApplicable("no ML framework is installed in the target")
    scan = device_scan_is_harmless(ctx)
    scratch = None
    if head is None:
        scratch = _keras_scratch(ctx, bool(builds and builds.keras))
        env = child_env(ctx, scratch)
    else:
        env = head.env
    start = head.started if head else time.monotonic()
    flags_of = {name: args if scan else (*args, "--no-device-scan") for name, args in jobs}
    started: list[RunningSnippet] = []
    lock = threading.Lock()

    def run_lane(lane: list[str]) -> list[FrameworkRun]:
        out = []
        for name in lane:
            flags = flags_of[name]
            child = head.take(name) if head else None
            if child is not None:
                child.send(" ".join(flags) or "--go")  # it has been importing since before the inspection
            else:
                child = ctx.host.start_snippet(f"probe_{name}", t.python, flags, env)
            with lock:
                started.append(child)
            out.append(run_from_result(name, _as_run(child.result(ctx.options.timeout), flags)))
        return out

    order = [name for name, _ in jobs]
    try:
        plan_lanes = lanes(order, ctx.host.cpu_count())
        with ThreadPoolExecutor(max_workers=len(plan_lanes)) as pool:
            futures = [pool.submit(run_lane, lane) for lane in plan_lanes]
            try:
                ctx.while_waiting()
                done = {r.framework: r for f in futures for r in f.result()}
            except BaseException:  # Ctrl-C, or a bug: the children have sessions of their own, so end them here
                with lock:
                    for child in started:
                        child.cancel()
                raise
        runs = tuple(done[n] for n in order)
    finally:
        if scratch:
            ctx.host.remove_scratch_dir(scratch)
    return LiveFacts(python=t.python, runs=runs, wall_s=round(time.monotonic() - start, 3))
