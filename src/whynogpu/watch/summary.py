"""Numbers about one GPU over a run, from the samples (pure; shared by the rules, the text and the plot)."""

from __future__ import annotations

from dataclasses import dataclass

from whynogpu.watch.facts import GpuReading, HeldMemory, WatchFacts


@dataclass(frozen=True)
class GpuUse:
    index: int
    samples: int  # samples with a utilisation reading
    held: int  # samples in which the command held memory on it
    busy_pct: float | None  # mean utilisation over the whole run: NVML's utilisation is already the share of time a kernel ran
    mean_util_held: float | None  # mean utilisation while the command held memory
    peak_util: int | None
    peak_tree_mib: int
    peak_used_mib: int | None
    pids: tuple[int, ...]  # the command's processes seen on it
    others: tuple[HeldMemory, ...]  # other processes, each at its largest


def readings(facts: WatchFacts, index: int) -> list[GpuReading]:
    return [g for s in facts.samples for g in s.gpus if g.index == index]


def gpu_use(facts: WatchFacts, index: int) -> GpuUse:
    rs = readings(facts, index)
    utils = [g.util for g in rs if g.util is not None]
    held = [g for g in rs if g.tree_pids or g.tree_mib]
    held_utils = [g.util for g in held if g.util is not None]
    used = [g.memory_used_mib for g in rs if g.memory_used_mib is not None]
    others: dict[int, HeldMemory] = {}
    for g in rs:
        for o in g.others:
            if o.pid not in others or (o.used_mib or 0) > (others[o.pid].used_mib or 0):
                others[o.pid] = o
    return GpuUse(
        index=index, samples=len(utils), held=len(held),
        busy_pct=round(sum(utils) / len(utils), 1) if utils else None,
        mean_util_held=round(sum(held_utils) / len(held_utils), 1) if held_utils else None,
        peak_util=max(utils) if utils else None,
        peak_tree_mib=max((g.tree_mib for g in rs), default=0),
        peak_used_mib=max(used) if used else None,
        pids=tuple(sorted({p for g in held for p in g.tree_pids})),
        others=tuple(sorted(others.values(), key=lambda o: -(o.used_mib or 0))),
    )


def mean_cpu(facts: WatchFacts) -> float | None:
    """Mean CPU cores the command's processes used (1.0 = one core busy all the time)."""
    cs = [s.cpu for s in facts.samples if s.cpu is not None]
    return round(sum(cs) / len(cs), 2) if cs else None


def visible_indices(facts: WatchFacts) -> tuple[int, ...] | None:
    """NVML indices CUDA_VISIBLE_DEVICES names, when it is a plain list of indices (None otherwise)."""
    v = facts.cuda_visible_devices
    if v is None:
        return None
    parts = [p.strip() for p in v.split(",") if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)
