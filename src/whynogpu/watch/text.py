"""The terminal summary of a watched run: one line per GPU with a utilisation sparkline, one for the CPU."""

from __future__ import annotations

import shlex

from whynogpu.watch.facts import WatchFacts
from whynogpu.watch.summary import gpu_use, mean_cpu, readings

BARS = "▁▂▃▄▅▆▇█"
WIDTH = 40


def sparkline(values: list[float | None], top: float, width: int = WIDTH) -> str:
    """Values as bars scaled to `top`, averaged into at most `width` buckets; a gap where nothing was read."""
    if not values:
        return ""
    n = len(values)
    buckets = [values[i * n // width:(i + 1) * n // width] for i in range(width)] if n > width else [[v] for v in values]
    out = []
    for b in buckets:
        known = [v for v in b if v is not None]
        if not known:
            out.append(" ")
            continue
        share = min(1.0, max(0.0, sum(known) / len(known) / top)) if top > 0 else 0.0
        out.append(BARS[round(share * (len(BARS) - 1))])
    return "".join(out)


def _ended(facts: WatchFacts) -> str:
    if facts.in_process:
        return f"ended by {facts.raised}" if facts.raised else "ended"
    if facts.signal is not None:
        return f"was ended by signal {facts.signal}"
    return f"exited {facts.exit_code}"


def summary(facts: WatchFacts) -> str:
    cmd = " ".join(shlex.join(facts.command).split())  # a multi-line `-c` program on one line
    if len(cmd) > 60:
        cmd = cmd[:57] + "..."
    what = f"the block watched in this process (`{cmd}`)" if facts.in_process else f"`{cmd}`"
    lines = [f"whynogpu watch: {what} {_ended(facts)} after {facts.duration_s:.1f} s "
             f"({len(facts.samples)} sample{'s' if len(facts.samples) != 1 else ''}, every {facts.interval_s:g} s)"]
    if facts.in_process:
        lines.append("  its messages on stderr were not read (whynogpu.watch() leaves the process's stderr alone)")
    if facts.nvml != "ok":
        lines.append(f"  no GPU to watch (NVML: {facts.nvml})")
    for g in facts.gpus:
        u = gpu_use(facts, g.index)
        name = f"GPU {g.index} {g.name or ''}".strip()[:24]
        spark = sparkline([r.util for r in readings(facts, g.index)], 100)
        if u.held:
            what = (f"busy {u.busy_pct:.0f} % of the run · {u.mean_util_held or 0:.0f} % while held · "
                    f"peak {u.peak_util or 0} % · {u.peak_tree_mib} MiB held")
        else:
            what = "never used by the command"
        lines.append(f"  {name:<24} {spark:<{WIDTH}}  {what}")
    cpu = mean_cpu(facts)
    if cpu is not None:
        spark = sparkline([s.cpu for s in facts.samples], float(facts.cpu_count))
        who = "CPU (this process)" if facts.in_process else "CPU (the command)"
        lines.append(f"  {who:<24} {spark:<{WIDTH}}  {cpu:g} cores on average of {facts.cpu_count}")
    return "\n".join(lines) + "\n"
