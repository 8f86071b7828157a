"""`whynogpu.watch()` inside the user's own process — a context manager and decorator — and the Keras callback.

    with whynogpu.watch(interval=1.0) as w:
        train()
    w.report          # the Report `whynogpu watch -- COMMAND` gives: verdict, WG9xx codes, check's on no GPU

The sampler child is the one `whynogpu watch` uses (sampler.py); it watches this process's tree (this process
and the workers it starts, less the sampler itself) from the start to the end of the block. No framework is
imported by whynogpu: the user's code imports its own. The process's stderr is left alone, so the framework
messages the code prints are not read, and the report says so (report.NOT_READ).

Nothing whynogpu does raises into the user's code: a sampler that cannot start gives a report that says why
(NVML: "the sampler child could not be started: …"); a report that cannot be built leaves `w.report` None and
`w.error` says why. An exception from the user's code goes on unchanged, after the report is made. The sampler
never outlives the process: it ends when its stdin closes, when it is sent "stop" (a worker forked from this
process may hold that pipe open), or when the watched process is gone.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
import weakref

MIN_INTERVAL, MAX_INTERVAL = 0.05, 3600.0


def _sampler_env() -> dict:
    """This process's environment, with the folder whynogpu is imported from first on PYTHONPATH: a script
    that put it on sys.path by hand still gets a sampler child that can import it."""
    import whynogpu

    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(whynogpu.__file__)))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def _command() -> tuple[str, ...]:
    argv = getattr(sys, "orig_argv", None) or [sys.executable or "python", *sys.argv]
    return tuple(str(a) for a in argv)


def _in_jupyter() -> bool:
    """A Jupyter kernel is running this code (IPython is never imported here: only looked up)."""
    ipython = sys.modules.get("IPython")
    try:
        shell = ipython.get_ipython() if ipython is not None else None
    except Exception:
        return False
    return shell is not None and getattr(shell, "kernel", None) is not None


def _stop_quietly(child) -> None:
    try:
        child.stop()
    except Exception:
        pass


class Watch(contextlib.ContextDecorator):
    """Watch this process's GPU use while a block (or a decorated function) runs; `.report` after it.

    interval: seconds between two samples. show: print the summary and the report when the block ends (to
    `file`, default stderr; in a Jupyter kernel without `file`, the report is displayed as HTML), and say at
    once when no GPU can be watched. check: when the GPU was never touched, run check's rules on this machine
    (static facts, about a second) so the root cause carries check's code, as `whynogpu watch` does.
    """

    def __init__(self, interval: float = 1.0, *, show: bool = False, file=None, check: bool = True,
                 sampler: list[str] | None = None) -> None:
        try:
            value = float(interval)
        except (TypeError, ValueError):
            value = math.nan
        if not (math.isfinite(value) and MIN_INTERVAL <= value <= MAX_INTERVAL):
            raise ValueError(f"interval must be a number of seconds from {MIN_INTERVAL:g} to {MAX_INTERVAL:g}, "
                             f"not {interval!r}")
        self.interval = value
        self.show = show
        self.file = file
        self.check = check
        self._sampler = sampler  # tests: a fake sampler command
        self.report = None
        self.facts = None
        self.error: str | None = None  # why whynogpu could not make the report (then .report is None)
        self._child = None
        self._finalizer = None
        self._started: float | None = None
        self._start_error: str | None = None

    # -- the context manager and decorator --------------------------------------------------------------------
    def __enter__(self) -> Watch:
        return self.start()

    def __exit__(self, exc_type, exc, tb) -> bool:
        self.stop(raised=exc_type)
        return False  # the user's exception, if any, goes on unchanged

    def __call__(self, func):
        """As a decorator: each call of `func` is watched; the function's `.watch` is this object."""
        wrapped = super().__call__(func)
        wrapped.watch = self
        return wrapped

    @property
    def running(self) -> bool:
        return self._started is not None

    def start(self) -> Watch:
        """Start the sampler child on this process (a no-op when already running)."""
        if self.running:
            return self
        self.report = self.facts = self.error = None
        self._start_error = None
        self._started = time.monotonic()
        try:
            from whynogpu.watch import runner

            command = self._sampler or runner.sampler_command(self.interval)
            child = runner.SamplerChild(command, notice=self._notice if self.show else None, env=_sampler_env(),
                                        keep_stderr=True)
            child.watch(os.getpid(), self._started, exclude=(child.proc.pid,))
            self._child = child
            # stopped if this object is dropped while running (a Keras fit that raised skips on_train_end)
            self._finalizer = weakref.finalize(self, _stop_quietly, child)
        except Exception as exc:
            self._start_error = f"the sampler child could not be started: {type(exc).__name__}: {exc}"
        return self

    def cancel(self) -> None:
        """Stop the sampler child without making a report."""
        child, self._child, self._started = self._child, None, None
        if child is not None:
            _stop_quietly(child)
            if self._finalizer is not None:
                self._finalizer.detach()

    def stop(self, raised=None):
        """Stop watching and make the report (returned, and kept in `.report`). `raised`: the exception (or
        its type) that ended the block, if one did."""
        if not self.running:
            return self.report
        started, self._started = self._started, None
        ended = time.monotonic()
        child, self._child = self._child, None
        start: dict = {"nvml": self._start_error} if self._start_error else {}
        samples: list[dict] = []
        if child is not None:
            _stop_quietly(child)
            if self._finalizer is not None:
                self._finalizer.detach()
            start, samples = dict(child.start), list(child.samples)
            if not start:
                why = child.failure()
                start = {"nvml": "the sampler child ended before it read NVML" + (f" ({why})" if why else "")}
        name = None
        if raised is not None:
            name = (raised if isinstance(raised, type) else type(raised)).__name__
        try:
            self._make_report(started, ended, start, samples, name)
        except Exception as exc:
            self.error = f"whynogpu could not make the report: {type(exc).__name__}: {exc}"
        if self.show:
            self._show()
        return self.report

    def _make_report(self, started, ended, start, samples, raised) -> None:
        import dataclasses

        from whynogpu.watch import report, runner

        outcome = runner.Outcome(0, started, ended, start, samples, [])
        facts = report.facts_from(_command(), outcome, self.interval)
        self.facts = facts = dataclasses.replace(facts, exit_code=None, in_process=True, raised=raised)
        machine = None
        if self.check and not facts.touched():
            try:
                machine = report.machine_snapshot(facts.command, python=sys.executable or None)
            except Exception as exc:  # the run's own verdict still stands
                self.error = f"check's rules on this machine could not run: {type(exc).__name__}: {exc}"
        self.report = report.build(facts, machine)

    # -- showing it -------------------------------------------------------------------------------------------
    def _notice(self, start: dict) -> None:
        if start.get("nvml") != "ok":
            try:
                out = self.file or sys.stderr
                out.write(f"whynogpu: no GPU can be watched here (NVML: {start.get('nvml')}); the code runs on, "
                          "the diagnosis follows when it ends\n")
                out.flush()
            except Exception:
                pass

    def text(self, verbose: bool = False, color: bool = False) -> str:
        """The terminal summary (a sparkline per GPU, the CPU) and the report, as `whynogpu watch` prints them."""
        if self.report is None:
            return f"whynogpu watch: {self.error or 'no report yet: the block has not ended'}\n"
        from whynogpu.render.text import render
        from whynogpu.watch import text

        return text.summary(self.facts) + "\n" + render(self.report, verbose=verbose, color=color)

    def _show(self) -> None:
        try:
            if self.file is None and self.report is not None and _in_jupyter():
                from IPython.display import display

                display(self.report)
                return
            out = self.file or sys.stderr
            color = bool(getattr(out, "isatty", lambda: False)())
            out.write("\n" + self.text(color=color))
            out.flush()
        except Exception:
            pass

    def __repr__(self) -> str:
        if self.running:
            return f"<whynogpu watch of this process: running, every {self.interval:g} s>"
        return f"<whynogpu watch of this process: {self.report!r}>" if self.report else \
            f"<whynogpu watch of this process: {self.error or 'not started'}>"

    def _repr_html_(self) -> str | None:
        return self.report._repr_html_() if self.report is not None else None

    def _repr_markdown_(self) -> str | None:
        return self.report._repr_markdown_() if self.report is not None else None


def watch(interval: float = 1.0, **options) -> Watch:
    """`with whynogpu.watch() as w: ...` or `@whynogpu.watch()` (also bare `@whynogpu.watch`); see Watch."""
    if callable(interval):  # @whynogpu.watch without parentheses: nowhere to read the report, so it is shown
        return Watch(**{"show": True, **options})(interval)
    return Watch(interval, **options)


_CALLBACKS: dict = {}


def _keras():
    """The Keras whose fit() will call the callback: tf_keras when TensorFlow is told to use it, else Keras."""
    if os.environ.get("TF_USE_LEGACY_KERAS", "").lower() in ("1", "true", "yes"):
        with contextlib.suppress(ImportError):
            import tf_keras

            return tf_keras
    try:
        import keras

        return keras
    except ImportError:
        from tensorflow import keras

        return keras


def keras_callback(interval: float = 1.0, *, show: bool = True, file=None, check: bool = True):
    """A `keras.callbacks.Callback` that watches this process from `on_train_begin` to `on_train_end`, then
    prints the report (show=True) and keeps it as `.report` (`.watch` is the Watch). Keras is imported here,
    when this is called, never when whynogpu is imported."""
    keras = _keras()
    cls = _CALLBACKS.get(keras.__name__)
    if cls is None:
        cls = _CALLBACKS[keras.__name__] = _callback_class(keras.callbacks.Callback)
    return cls(interval, show=show, file=file, check=check)


def _callback_class(base):
    class WhynogpuWatch(base):
        """Watches the GPU use of model.fit(); `.report` after it (whynogpu.watch.keras_callback)."""

        def __init__(self, interval: float = 1.0, *, show: bool = True, file=None, check: bool = True) -> None:
            super().__init__()
            self.watch = Watch(interval, show=show, file=file, check=check)
            self.report = None

        def on_train_begin(self, logs=None) -> None:
            self.watch.cancel()  # a fit that raised never reached on_train_end: end that watch first
            self.report = None
            self.watch.start()

        def on_train_end(self, logs=None) -> None:
            self.report = self.watch.stop()

    return WhynogpuWatch
