"""`--plot FILE.png`: utilisation and memory of each GPU over time, the command's CPU use beside them.

matplotlib is an optional extra (`pip install 'whynogpu[plot]'`) and is imported only here, only
when --plot is given.
"""

from __future__ import annotations

import importlib.util

from whynogpu.watch.facts import WatchFacts
from whynogpu.watch.summary import readings

MISSING = "--plot needs matplotlib: pip install 'whynogpu[plot]' (or pip install matplotlib)"


def available() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


def write(facts: WatchFacts, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")  # a file, never a window
    import matplotlib.pyplot as plt

    fig, (util_ax, mem_ax, cpu_ax) = plt.subplots(3, 1, sharex=True, figsize=(9, 7))
    for g in facts.gpus:
        rs = readings(facts, g.index)
        ts = [s.t for s in facts.samples for r in s.gpus if r.index == g.index]
        util_ax.plot(ts, [r.util for r in rs], label=f"GPU {g.index} {g.name or ''}".strip())
        mem_ax.plot(ts, [r.memory_used_mib for r in rs], label=f"GPU {g.index}: all processes")
        mem_ax.plot(ts, [r.tree_mib for r in rs], linestyle="--", label=f"GPU {g.index}: the command")
    util_ax.set_ylabel("GPU utilisation %")
    util_ax.set_ylim(0, 100)
    mem_ax.set_ylabel("GPU memory MiB")
    cpu_ax.plot([s.t for s in facts.samples], [s.cpu for s in facts.samples], color="tab:gray")
    cpu_ax.set_ylabel(f"CPU cores (of {facts.cpu_count})")
    cpu_ax.set_xlabel("seconds since the command started")
    if not facts.gpus:
        util_ax.text(0.5, 0.5, f"no GPU watched (NVML: {facts.nvml})", ha="center", va="center",
                     transform=util_ax.transAxes)
    for ax in (util_ax, mem_ax):
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper right", fontsize="small")
    fig.suptitle("whynogpu watch: " + " ".join(facts.command)[:80])
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
