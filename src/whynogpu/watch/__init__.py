"""`whynogpu watch -- COMMAND`: run a command unchanged, watch what it does with the GPU, then say why
it did or did not use it. `whynogpu.watch()`: the same, inside the user's own process.

- runner.py: starts the command (same stdin/stdout/env/cwd; stderr passed through live and read for
  framework messages), forwards signals, and talks to the sampler child;
- sampler.py: the child that reads NVML (nvml.py) and the command's process tree (proctree.py) every
  interval and writes one JSON line per sample; nothing is ever loaded into the command;
- facts.py: what was seen, as frozen facts; summary.py: per-GPU numbers from the samples (pure);
- report.py: the facts through the watch rules (rules/watch.py) and, when the GPU was never touched,
  check's rules on this machine, into one Report; text.py and plot.py show it;
- inprocess.py: `with whynogpu.watch() as w:` / `@whynogpu.watch()` on this process, and
  `whynogpu.watch.keras_callback()`.

This package is itself callable — `whynogpu.watch(interval=1.0)` is `inprocess.watch` — because importing any
of its modules makes `whynogpu.watch` this package, so a function of that name in whynogpu would not last.
Importing it imports nothing else.
"""

from __future__ import annotations

import sys
import types


def keras_callback(interval: float = 1.0, *, show: bool = True, file=None, check: bool = True):
    """A Keras callback that watches model.fit() (on_train_begin to on_train_end), prints the report when
    show=True and keeps it as `.report`. Keras is imported when this is called, not before."""
    from whynogpu.watch.inprocess import keras_callback as make

    return make(interval, show=show, file=file, check=check)


def __getattr__(name: str):
    if name == "Watch":
        from whynogpu.watch.inprocess import Watch

        return Watch
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _CallableModule(types.ModuleType):
    def __call__(self, interval: float = 1.0, **options):
        """`with whynogpu.watch(interval=1.0) as w: ...`, `@whynogpu.watch()`: see whynogpu.watch.inprocess."""
        from whynogpu.watch.inprocess import watch

        return watch(interval, **options)


sys.modules[__name__].__class__ = _CallableModule
