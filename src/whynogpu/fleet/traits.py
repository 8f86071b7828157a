"""What should be alike on every node of a fleet, read from one node's snapshot.

Each trait is a short text that two nodes either share or do not; None means the snapshot cannot tell
(the probe failed or did not run), which is not a difference. Values name versions and models, never
paths or host names, so that nodes installed alike compare equal.
"""

from __future__ import annotations

from collections import Counter

from whynogpu.model import ProbeStatus, Snapshot

# The order the report lists them in.
TRAITS = ("driver", "GPU", "CUDA libraries", "frameworks", "visible devices", "Python")
VISIBLE = ("CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES")


def _facts(snapshot: Snapshot, name: str):
    r = snapshot.result(name)
    return r.facts if r is not None and r.status is ProbeStatus.OK else None


def driver(snapshot: Snapshot) -> str | None:
    d = _facts(snapshot, "driver")
    if d is None:
        return None
    return d.driver_version or "none"


def gpu(snapshot: Snapshot) -> str | None:
    d = _facts(snapshot, "driver")
    names: list[str] = []
    if d is not None and d.nvml is not None and d.nvml.gpus:
        names = [g.name or "unnamed NVIDIA GPU" for g in d.nvml.gpus]
    elif d is not None and d.smi is not None and d.smi.gpus:
        names = [getattr(g, "name", None) or "unnamed NVIDIA GPU" for g in d.smi.gpus]
    if names:
        return ", ".join(f"{n}× {name}" if n > 1 else name for name, n in sorted(Counter(names).items()))
    if d is not None and d.gpu_count is not None:
        return "none" if d.gpu_count == 0 else f"{d.gpu_count} NVIDIA GPU{'s' if d.gpu_count > 1 else ''}"
    g = _facts(snapshot, "gpu")
    if g is not None and g.pci_readable:  # no driver to ask: the PCI bus still says whether a GPU is there
        n = sum(1 for p in g.pci_devices if p.vendor.lower() == "0x10de" and p.pci_class.startswith("0x03"))
        return f"{n} NVIDIA GPU{'s' if n > 1 else ''} (no driver answer)" if n else "none"
    return None


def cuda_libraries(snapshot: Snapshot) -> str | None:
    """The CUDA libraries the frameworks would load (version each), as cuda_libs resolved them."""
    c = _facts(snapshot, "cuda_libs")
    if c is None:
        return None
    seen: dict[str, str] = {}
    for fw in c.frameworks:
        for lib in fw.libs:
            seen.setdefault(lib.lib, (lib.version or "unknown version") if lib.path else "missing")
    if not seen:
        return "none needed"  # no framework that loads CUDA libraries
    return ", ".join(f"{lib} {v}" for lib, v in sorted(seen.items()))


def frameworks(snapshot: Snapshot) -> str | None:
    f = _facts(snapshot, "frameworks")
    if f is None:
        t = snapshot.result("target")
        return None if t is None or t.status is not ProbeStatus.OK else "none"
    parts = []
    if f.tensorflow is not None:
        parts.append(f"{f.tensorflow.dist.replace('_', '-')} {f.tensorflow.version}")
    if f.torch is not None:
        parts.append(f"torch {f.torch.version}")
    if f.jax is not None:
        plugins = f" ({', '.join(f.jax.plugins)})" if f.jax.plugins else ""
        parts.append(f"jax {f.jax.jax}{plugins}")
    if f.keras is not None:
        parts.append(f"keras {f.keras.version} ({f.keras.backend})")
    return ", ".join(parts) or "none"


def visible_devices(snapshot: Snapshot) -> str | None:
    e = _facts(snapshot, "environment")
    if e is None:
        return None
    shown = [f"{k}={e.variables[k]}" for k in VISIBLE if k in e.variables]
    return ", ".join(shown) or "not set"


def python(snapshot: Snapshot) -> str | None:
    t = _facts(snapshot, "target")
    return None if t is None else f"{t.version} ({t.env_kind})"


READERS = {"driver": driver, "GPU": gpu, "CUDA libraries": cuda_libraries, "frameworks": frameworks,
           "visible devices": visible_devices, "Python": python}


def traits(snapshot: Snapshot) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in TRAITS:
        try:
            out[name] = READERS[name](snapshot)
        except (AttributeError, TypeError):  # facts of an older or partial snapshot: cannot tell
            out[name] = None
    return out
