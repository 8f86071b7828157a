"""Weigh a framework's candidates against the machine: the newest build that works here, the newest that needs a
newer driver (and which one), or why none can and the way out. The check's verdict comes first: on a machine
without an NVIDIA GPU nothing "works", and the answer is what hardware the wanted release needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from whynogpu.fix import choose
from whynogpu.knowledge import table, version_key
from whynogpu.recommend import candidates as cands
from whynogpu.recommend.candidates import LABELS, Candidate
from whynogpu.recommend.machine import Machine
from whynogpu.rules.frameworks import kernel_support

# why a candidate cannot run here; "driver" alone is cured by a driver upgrade (unless the GPU's last driver is older)
CONSTRAINTS = ("platform", "python", "gpu", "driver", "broken")


@dataclass(frozen=True)
class Install:
    """One build and the exact command that installs it in the target environment."""

    label: str
    release: str
    cuda: str
    specs: tuple[str, ...]
    index: str | None
    commands: tuple[str, ...]
    argv: tuple[tuple[str, ...], ...]
    min_driver: str | None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Advice:
    framework: str
    status: str  # works, driver_upgrade, no_build, no_gpu
    summary: str
    works: Install | None = None  # the newest build that runs here as it is
    upgrade: Install | None = None  # the newest (newer) build that needs a newer driver
    upgrade_driver: str | None = None
    blocked: tuple[str, ...] = ()  # why the newest (or the asked-for) release cannot run here
    ways_out: tuple[str, ...] = ()
    hardware: str | None = None  # on a machine without an NVIDIA GPU: what the wanted release needs
    cpu: Install | None = None  # on a machine without an NVIDIA GPU: what to install to test on the CPU
    wanted: Install | None = None  # on a machine without an NVIDIA GPU: the GPU build to install where there is one
    notes: tuple[str, ...] = field(default_factory=tuple)


def _cc_key(cc: str) -> tuple[int, int]:
    k = version_key(cc)
    return (k[0], k[1] if len(k) > 1 else 0) if k else (-1, -1)


def last_driver_branch(cc: str) -> tuple[str, str] | None:
    """(architecture, last driver branch) for a GPU whose architecture no current driver supports."""
    for r in table("gpu_driver_branches"):
        if _cc_key(r["cc_min"]) <= _cc_key(cc) <= _cc_key(r["cc_max"]):
            return r["architecture"], r["last_branch"]
    return None


def architecture(cc: str) -> str | None:
    return next((r["architecture"] for r in table("gpu_compute_capabilities") if r["compute_capability"] == cc), None)


def kernels(c: Candidate, cc: str) -> str | None:
    """sass / ptx / none for this GPU: from the build's architecture list, else its CUDA major's floor."""
    if c.archs:
        return kernel_support(cc, c.archs)
    floor = cands.cuda_floor(c.cuda)
    if floor is None:
        return None
    return "sass" if _cc_key(cc) >= _cc_key(floor) else "none"


def failures(c: Candidate, m: Machine, platform: str | None = None, gpu: bool = True) -> dict[str, str]:
    """What stops candidate `c` on machine `m` (constraint -> in words); empty when it runs."""
    platform = platform or m.platform
    out: dict[str, str] = {}
    ok, note = cands.platform_gpu(c.framework, platform, c.release)
    if not ok:
        out["platform"] = f"{c.label} has no NVIDIA GPU build for {_platform_words(platform)}" + (f" ({note})" if note else "")
    if m.python and c.python_min and not choose.python_ok({"python_min": c.python_min, "python_max": c.python_max or ""},
                                                          m.python):
        rng = f"{c.python_min}–{c.python_max}" if c.python_max else f"{c.python_min} or newer"
        out["python"] = f"{c.label} supports Python {rng}, not {'.'.join(m.python.split('.')[:2])}"
    if c.broken:
        out["broken"] = c.broken
    if not gpu:
        return out
    ccs = m.capabilities
    if ccs:
        support = {cc: kernels(c, cc) for cc in ccs}
        if all(s == "none" for s in support.values()):
            low = c.min_compute_capability
            out["gpu"] = (f"{c.label} has no kernels for compute capability {', '.join(ccs)}"
                          + (f" (its oldest is {low})" if low else ""))
    need = c.min_driver(m.windows_driver or platform in ("windows", "wsl"))
    if need and m.driver and not choose.driver_ok(m.driver, need):
        out["driver"] = f"{c.label} needs driver {need} or newer, this machine has {m.driver}"
    if need:
        for cc in ccs:
            end = last_driver_branch(cc)
            if end and version_key(need)[:1] > (int(end[1]),):
                out["gpu"] = (f"{c.label} needs driver {need} or newer, but the {end[1]} branch is the last driver for "
                              f"{end[0]} GPUs (compute capability {cc})")
    return out


def _platform_words(platform: str) -> str:
    return {"windows": "native Windows", "macos": "macOS", "wsl": "WSL2", "wsl1": "WSL1", "linux": "Linux"}.get(
        platform, platform)


def install(c: Candidate, m: Machine, windows: bool | None = None, specs: tuple[str, ...] | None = None,
            index: str | None = None, use_index: bool = True) -> Install:
    inst = m.installer
    specs = specs or c.specs
    index = index if index is not None else (c.index if use_index else None)
    if inst is not None and inst.kind == "conda":
        inst = inst.for_package("pip")  # a version and an index are pip's words: the env's own pip installs them
    if inst is None:
        from whynogpu.fix.installer import Installer

        inst = Installer("pip", m.python_path or "python3", "")
    argvs = inst.install(list(specs), index=index, source_name=c.source_name)
    from whynogpu.fix.installer import shown

    need = c.min_driver(m.windows_driver if windows is None else windows)
    return Install(c.label, c.release, c.cuda, specs, index, tuple(shown(a) for a in argvs),
                   tuple(tuple(a) for a in argvs), need, c.notes)


def _hardware(c: Candidate, m: Machine) -> str:
    cc = c.min_compute_capability
    arch = architecture(cc) if cc else None
    need = c.min_driver(m.windows_driver)
    parts = [f"{c.label} needs an NVIDIA GPU"]
    if cc:
        parts.append(f" of compute capability {cc} or newer" + (f" ({arch} or newer)" if arch else ""))
    if need:
        parts.append(f" and a{' Windows' if m.windows_driver else ' Linux'} driver {need} or newer (CUDA {c.cuda})")
    return "".join(parts) + ": any machine or cloud instance with such a GPU"


def _newer_without(cs: list[Candidate], works: Candidate, m: Machine, constraint: str) -> Candidate | None:
    for c in cs:
        if c is works:
            return None
        if constraint in failures(c, m):
            return c
    return None


def _ways_out(cs: list[Candidate], m: Machine) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    # a way out that needs nothing else first (the driver as it is), then one that also needs a newer driver
    ordered = [c for c in cs if "driver" not in failures(c, m)] + [c for c in cs if "driver" in failures(c, m)]
    for c in ordered:
        f = failures(c, m)
        rest = set(f) - {"driver"}
        if rest == {"python"} and "python" not in seen:
            seen.add("python")
            rng = f"{c.python_min}–{c.python_max}" if c.python_max else f"{c.python_min} or newer"
            drv = f" (with driver {c.min_driver(m.windows_driver)} or newer)" if "driver" in f else ""
            out.append(f"a different Python: {c.label} runs here on Python {rng}{drv}; make a venv with such a "
                       f"Python and install {' '.join(c.specs)} there")
        elif rest == {"platform"} and "platform" not in seen and m.platform in ("windows", "wsl1"):
            seen.add("platform")
            out.append(f"WSL2: {c.label} uses the GPU under WSL2 with the Windows NVIDIA driver (no Linux driver "
                       "inside WSL); install it in a WSL2 Linux distribution")
        elif rest == {"gpu"} and "gpu" not in seen:
            seen.add("gpu")
            out.append(f"a newer GPU: {_hardware(c, m)}")
    if m.platform == "windows" and "platform" not in seen:
        wsl = next((c for c in cs if not (set(failures(c, m, platform="wsl")) - {"driver"})), None)
        if wsl is not None:
            out.append(f"WSL2: {wsl.label} uses the GPU under WSL2 with the Windows NVIDIA driver; install it in a "
                       "WSL2 Linux distribution")
    if m.platform == "macos":
        out.append("a Linux machine or cloud instance with an NVIDIA GPU (no framework has CUDA builds for macOS)")
    return out


def advise(framework: str, m: Machine, version: str | None = None) -> Advice:
    fw = "tensorflow" if framework == "keras" else framework
    label = LABELS[framework]
    cs = cands.for_framework(fw, m.platform, version)
    notes: list[str] = []
    if framework == "keras":
        notes.append("Keras 3 runs on TensorFlow, JAX or PyTorch; this is TensorFlow's GPU build, which installs "
                     "Keras as its dependency (`whynogpu recommend jax` or `torch` for another backend)")
    if not cs:
        what = f"{label} {version}" if version else label
        return Advice(framework, "no_build", f"The knowledge base lists no GPU build of {what}",
                      blocked=(f"no row for {what} in the knowledge tables",), notes=tuple(notes))
    if m.nvidia_gpu is False:
        return _no_gpu(framework, fw, label, cs, m, version, notes)
    if m.nvidia_gpu is None:
        notes.append("whynogpu could not tell whether this machine has an NVIDIA GPU: the builds below are what would "
                     "run if it has one (and its driver is new enough)")
    if m.gpus and not m.capabilities:
        notes.append("the GPU's compute capability is unknown here, so kernels for it were not checked")
    if m.nvidia_gpu and not m.driver:
        notes.append("the driver's version is unknown, so the driver each build needs was not checked")
    works = next((c for c in cs if not failures(c, m)), None)
    upgrade = next((c for c in cs if set(failures(c, m)) == {"driver"}), None)
    if works is not None and upgrade is not None and cs.index(upgrade) > cs.index(works):
        upgrade = None  # an older build that would need a newer driver is no upgrade
    if works is not None and cs[0] is not works:
        older_gpu = _newer_without(cs, works, m, "gpu")
        if older_gpu is not None:
            notes.append(f"{failures(older_gpu, m)['gpu']}: {works.label} is the newest that runs on this GPU")
        older_py = _newer_without(cs, works, m, "python")
        if older_py is not None and older_gpu is None:
            notes.append(f"{failures(older_py, m)['python']}: a newer Python would get a newer {label}")
        if works.framework == "tensorflow" and any("broken" in failures(c, m) for c in cs[:cs.index(works)]):
            notes.extend(failures(c, m)["broken"] for c in cs[:cs.index(works)] if "broken" in failures(c, m))
    if works is not None:
        jit = [cc for cc in m.capabilities if kernels(works, cc) == "ptx"]
        if jit:
            notes.append(f"{works.label} has only PTX for compute capability {', '.join(jit)} ({' '.join(works.archs or ())}): "
                         "the driver JIT-compiles every kernel on first use, which is slow and can fail (WG505)")
    ins = install(works, m) if works else None
    up = install(upgrade, m) if upgrade else None
    if works is not None:
        summary = f"{works.label} works here: {ins.commands[-1]}"
        if upgrade is not None:
            summary += f" (a driver {up.min_driver} or newer would allow {upgrade.label})"
        return Advice(framework, "works", summary, ins, up, up.min_driver if up else None, notes=tuple(notes))
    if upgrade is not None:
        return Advice(framework, "driver_upgrade",
                      f"No {label} GPU build runs with driver {m.driver}; {upgrade.label} needs driver "
                      f"{up.min_driver} or newer", None, up, up.min_driver,
                      blocked=tuple(failures(cs[0], m).values()), ways_out=tuple(_ways_out(cs, m)), notes=tuple(notes))
    what = f"{label} {version}" if version else label
    return Advice(framework, "no_build",
                  f"No GPU build of {what} exists for this combination ({_combo(m)})",
                  blocked=tuple(failures(cs[0], m).values()), ways_out=tuple(_ways_out(cs, m)), notes=tuple(notes))


def _combo(m: Machine) -> str:
    parts = [_platform_words(m.platform)]
    if m.python:
        parts.append(f"Python {'.'.join(m.python.split('.')[:2])}")
    if m.capabilities:
        parts.append(f"compute capability {', '.join(m.capabilities)}")
    if m.driver:
        parts.append(f"driver {m.driver}")
    return ", ".join(parts)


def _no_gpu(framework: str, fw: str, label: str, cs: list[Candidate], m: Machine, version: str | None,
            notes: list[str]) -> Advice:
    wanted = next((c for c in cs if not failures(c, m, platform="linux" if m.platform == "macos" else None, gpu=False)),
                  cs[0])
    hardware = _hardware(wanted, m)
    cpu = None
    if fw == "tensorflow" and m.python:
        choice = choose.tensorflow(version, m.python, None, False)
        if not isinstance(choice, str):
            cpu = install(wanted, m, specs=choice.specs, index=choice.index)
    elif fw == "jax":
        src = choose.source("jax", "pip")
        cpu = install(wanted, m, specs=((src["spec"] if src else "jax") + (f"=={version}" if version else ""),),
                      use_index=False)
    elif fw == "torch":
        cpu = install(wanted, m, use_index=False)
    if cpu is not None:
        cpu = Install(cpu.label, cpu.release, cpu.cuda, cpu.specs, cpu.index, cpu.commands, cpu.argv, None,
                      ("runs on the CPU here; on a machine with an NVIDIA GPU install the GPU build",))
    title = m.no_gpu_finding.title if m.no_gpu_finding else "This machine has no NVIDIA GPU"
    return Advice(framework, "no_gpu", f"{title}: no {label} build can use a GPU here",
                  blocked=(title,), hardware=hardware, cpu=cpu, notes=tuple(notes),
                  wanted=install(wanted, m, windows=m.windows_driver))
