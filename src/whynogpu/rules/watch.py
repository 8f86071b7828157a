"""What only `whynogpu watch` sees: how the command's processes used the GPUs while it ran (WG9xx).

The facts are the sampler's NVML readings matched against the command's process tree and the known
messages it printed (whynogpu.watch.facts). When the GPU was never touched, `watch` also runs check's
rules on the machine, and the lowest broken layer among them is the root cause (verdict.py).
"""

from __future__ import annotations

from whynogpu.model import Evidence, Fix, Severity
from whynogpu.rules import rule
from whynogpu.watch.facts import WatchFacts
from whynogpu.watch.summary import gpu_use, mean_cpu, visible_indices

MODES = ("watch",)
SOURCE = "NVML every interval (nvidia-ml-py), matched against the command's processes in /proc"
IDLE_PCT = 30  # below this mean utilisation while the command held the GPU, it mostly waited
SATURATED_CORES = 0.9  # at least one core busy on average: the CPU side is the bottleneck
FULL_SHARE = 0.9  # holding this share of a GPU's memory is a framework's preallocation, not a working set
OTHERS_SHARE = 0.05  # memory held by others that is worth naming
SPOKEN = 5  # utilisation at or above which a GPU counts as computed on
# Messages that only say "the lines above name the library": the named line is the cause when there is one.
SUMMARY_LINES = {"tf_cannot_dlopen_gpu_libs"}

MEMORY_FIX = (
    "# TensorFlow: allocate on demand instead of mapping nearly all memory at start "
    "(https://www.tensorflow.org/guide/gpu#limiting_gpu_memory_growth)",
    "export TF_FORCE_GPU_ALLOW_GROWTH=true",
    "#   or in code: for g in tf.config.list_physical_devices('GPU'): tf.config.experimental.set_memory_growth(g, True)",
    "# JAX: no 75 % preallocation (https://jax.readthedocs.io/en/latest/gpu_memory_allocation.html)",
    "export XLA_PYTHON_CLIENT_PREALLOCATE=false",
    "# PyTorch: less fragmentation; then a smaller batch "
    "(https://pytorch.org/docs/stable/notes/cuda.html#optimizing-memory-usage-with-pytorch-cuda-alloc-conf)",
    "export PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True",
)
INPUT_FIX = (
    "# tf.data: parallel map and prefetch (https://www.tensorflow.org/guide/data_performance)",
    "ds = ds.map(f, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)",
    "# PyTorch: load batches in worker processes into pinned memory "
    "(https://pytorch.org/docs/stable/data.html#multi-process-data-loading)",
    "DataLoader(ds, batch_size=..., num_workers=4, pin_memory=True, persistent_workers=True)",
    "# more work per step: a larger batch size; mixed precision "
    "(https://www.tensorflow.org/guide/mixed_precision, https://pytorch.org/docs/stable/amp.html)",
    "keras.mixed_precision.set_global_policy('mixed_float16')   # or: with torch.autocast('cuda'): ...",
)


def watched(snap) -> WatchFacts | None:
    return snap.get(WatchFacts)


def label(facts: WatchFacts, index: int) -> str:
    g = facts.gpu(index)
    return f"GPU {index} ({g.name})" if g and g.name else f"GPU {index}"


def _pct(x: float | None) -> str:
    return "?" if x is None else f"{x:.0f} %"


def _run(facts: WatchFacts) -> str:
    return f"{len(facts.samples)} samples over {facts.duration_s:.1f} s, every {facts.interval_s:g} s"


def computed_on(facts: WatchFacts) -> list[int]:
    return [i for i in facts.touched() if (gpu_use(facts, i).mean_util_held or 0) >= SPOKEN]


def _lines(facts: WatchFacts, kinds: tuple[str, ...], limit: int = 3) -> list[Evidence]:
    return [Evidence(f"the command printed: {ln.text[:300]}", "the command's stderr")
            for ln in facts.log if ln.kind in kinds][:limit]


def _oom_lines(facts: WatchFacts):
    return [ln for ln in facts.log if ln.kind == "error" and ln.categories[:1] == ("gpu_memory_exhausted",)]


@rule(
    "WG901", "watch_gpu_used", "no_problem",
    "The command computed on the GPU",
    detects="While the command ran, its processes held memory on a GPU (NVML's list of compute processes) and "
            "that GPU's utilisation rose above zero.",
    why="This is the proof asked for: the command's own processes had a context on the GPU and kernels ran on it.",
    example="GPU 0 (Tesla V100-SXM2-16GB): busy 51 % of the run, 71 % on average while held, peak 99 %, "
            "10633 MiB held by PID 4242",
    fix="Nothing to fix. A low share of the run busy is explained by the findings next to this one.",
    references=("https://docs.nvidia.com/deploy/nvml-api/group__nvmlDeviceQueries.html",),
    modes=MODES,
)
def watch_gpu_used(info, snap):
    facts = watched(snap)
    for i in computed_on(facts) if facts else ():
        u = gpu_use(facts, i)
        ev = [Evidence(f"{label(facts, i)}: busy {_pct(u.busy_pct)} of the run, {_pct(u.mean_util_held)} on average "
                       f"while the command held it, peak {_pct(u.peak_util)}; {u.peak_tree_mib} MiB held at most by "
                       f"PID {', '.join(map(str, u.pids))}", f"{SOURCE} ({_run(facts)})")]
        ev += _lines(facts, ("success",), 2)
        yield info.finding(
            Severity.INFO, ev,
            f"The command's processes held memory on {label(facts, i)} in {u.held} of {len(facts.samples)} samples "
            "and kernels ran on it.",
            title=f"The command computed on {label(facts, i)}: busy {_pct(u.busy_pct)} of the run, "
                  f"peak {_pct(u.peak_util)}, {u.peak_tree_mib} MiB",
        )


@rule(
    "WG902", "watch_gpu_never_touched", "unknown",
    "The command never used a GPU: it ran on the CPU",
    detects="No process of the command's tree was ever among the processes NVML lists as holding GPU memory, "
            "or NVML could not be read at all.",
    why="A framework that computes on a GPU creates a context, and so holds memory, from its first GPU operation "
        "on. A command that never does ran on the CPU. watch then runs check's rules on this machine to say why.",
    example="60 samples over 60.2 s: none of the command's processes held memory on the 1 GPU; it used 1.9 CPU cores",
    fix="The root cause is the finding ranked first (check's rules on this machine and what the command printed).",
    references=("https://docs.nvidia.com/deploy/nvml-api/group__nvmlDeviceQueries.html",),
    modes=MODES,
)
def watch_gpu_never_touched(info, snap):
    facts = watched(snap)
    if facts is None or facts.touched():
        return
    severity = Severity.ERROR
    if facts.nvml != "ok":
        ev = [Evidence(f"NVML could not be read: {facts.nvml}; no GPU could be watched, and a framework finds none "
                       "either", "nvidia-ml-py in the sampler child")]
    else:
        ev = [Evidence(f"{_run(facts)}: none of the command's processes held memory on any of the "
                       f"{len(facts.gpus)} GPU(s)", SOURCE)]
        hidden = sorted({o.pid for s in facts.samples for g in s.gpus for o in g.others if o.name is None})
        if hidden:  # in a container NVML reports the host's pids, which cannot be matched here
            severity = Severity.WARNING
            ev.append(Evidence(f"NVML lists processes not visible here (PID {', '.join(map(str, hidden[:5]))}): in "
                               "another PID namespace (a container?), the command's own may be among them", SOURCE))
    cpu = mean_cpu(facts)
    if cpu is not None:
        ev.append(Evidence(f"the command used {cpu:g} CPU cores on average (of {facts.cpu_count})", "/proc/PID/stat"))
    ev += _lines(facts, ("error", "warning"))
    yield info.finding(
        severity, ev,
        "The command ran without a GPU. The other findings are check's rules on this machine and the messages "
        "the command printed; the first of them is the root cause.",
        Fix("Fix the root cause named first, then run `whynogpu watch` again."),
    )


@rule(
    "WG903", "watch_gpu_mostly_idle", "no_problem",
    "The GPU was mostly idle while the command held it",
    detects=f"The command held memory on a GPU, but its utilisation averaged under {IDLE_PCT} % while it did; "
            f"when the command's processes used at least {SATURATED_CORES:g} CPU cores on average at the same time, "
            "the training step waits on the CPU side (input-bound).",
    why="The GPU works, but it waits for batches prepared on the CPU (decoding, augmentation, Python loops), so "
        "training is no faster than on the CPU alone.",
    example="GPU 0 (Tesla T4): 12 % on average while held; the command used 1.0 CPU cores of 2",
    fix="Prepare batches in parallel and ahead of the GPU: tf.data `map(num_parallel_calls=AUTOTUNE)` and "
        "`prefetch`, PyTorch DataLoader `num_workers`/`pin_memory`; a larger batch; mixed precision.",
    references=("https://www.tensorflow.org/guide/data_performance",
                "https://pytorch.org/docs/stable/data.html#multi-process-data-loading",
                "https://www.tensorflow.org/guide/mixed_precision", "https://pytorch.org/docs/stable/amp.html"),
    modes=MODES,
)
def watch_gpu_mostly_idle(info, snap):
    facts = watched(snap)
    if facts is None:
        return
    cpu = mean_cpu(facts)
    busy_cpu = cpu is not None and cpu >= SATURATED_CORES
    for i in facts.touched():
        u = gpu_use(facts, i)
        if u.mean_util_held is None or u.mean_util_held >= IDLE_PCT or u.held < 2:
            continue  # one sample is the start-up, not a pattern
        ev = [Evidence(f"{label(facts, i)}: {_pct(u.mean_util_held)} on average in the {u.held} samples the command "
                       f"held it, peak {_pct(u.peak_util)}", f"{SOURCE} ({_run(facts)})")]
        if cpu is not None:
            ev.append(Evidence(f"the command used {cpu:g} CPU cores on average (of {facts.cpu_count})", "/proc/PID/stat"))
        title = (f"Input-bound: {label(facts, i)} was busy {_pct(u.mean_util_held)} of the time while the CPU "
                 f"side used {cpu:g} cores" if busy_cpu else
                 f"{label(facts, i)} was busy only {_pct(u.mean_util_held)} of the time the command held it")
        yield info.finding(
            Severity.WARNING, ev,
            "The GPU waited most of the time: batches are prepared on the CPU slower than the GPU consumes them."
            if busy_cpu else "The GPU waited most of the time; the CPU was not saturated either, so the step also "
            "waits on I/O, synchronisation or small kernels.",
            Fix("Feed the GPU faster and give it more work per step (each line is sourced):", INPUT_FIX),
            title=title,
        )


@rule(
    "WG904", "watch_memory_held_by_others", "gpu_memory_exhausted",
    "Other processes held memory on the GPU",
    detects=f"Processes outside the command's tree held at least {OTHERS_SHARE:.0%} of a GPU's memory that the "
            "command used (or of any GPU, when the command used none).",
    why="Memory held by another training run, a notebook kernel or a stale process is not available to this one: "
        "frameworks fail to allocate (out of memory, CUBLAS_STATUS_NOT_INITIALIZED) or fall back.",
    example="PID 2165 (python3) held 30884 MiB of GPU 1's 32480 MiB",
    fix="End the processes that are done, or run on a free GPU with CUDA_VISIBLE_DEVICES.",
    references=("https://docs.nvidia.com/deploy/nvidia-smi/index.html",),
    modes=MODES,
)
def watch_memory_held_by_others(info, snap):
    facts = watched(snap)
    if facts is None:
        return
    failed = bool(_oom_lines(facts))
    for i in facts.touched() or tuple(g.index for g in facts.gpus):
        u, total = gpu_use(facts, i), (facts.gpu(i).memory_total_mib if facts.gpu(i) else None)
        held = sum(o.used_mib or 0 for o in u.others)
        if not u.others or (total and held < OTHERS_SHARE * total and not failed):
            continue
        ev = [Evidence(f"PID {o.pid} ({o.name or 'not visible here'}) held "
                       f"{'?' if o.used_mib is None else o.used_mib} MiB on {label(facts, i)}"
                       + (f" of {total} MiB" if total else ""), SOURCE) for o in u.others[:6]]
        yield info.finding(
            Severity.ERROR if failed else Severity.WARNING, ev,
            f"{held} MiB of {label(facts, i)} belonged to other processes while the command ran.",
            Fix("See who holds the GPU, end what is finished, or pick a free GPU:",
                ("nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv",
                 "CUDA_VISIBLE_DEVICES=<a free GPU's index> " + " ".join(facts.command[:3]) + " ...")),
            title=f"Other processes held {held} MiB on {label(facts, i)}",
        )


@rule(
    "WG905", "watch_out_of_memory", "gpu_memory_exhausted",
    "The command ran out of GPU memory",
    detects="The command printed an out-of-memory message (TensorFlow 'OOM when allocating', CUDA_ERROR_OUT_OF_MEMORY, "
            "PyTorch 'CUDA out of memory', CUBLAS_STATUS_NOT_INITIALIZED) — knowledge/log_messages.csv.",
    why="Memory, not compute, is the problem: TensorFlow and JAX map nearly all GPU memory when they start, so a "
        "second framework or process finds none, and a batch too large fails in any framework.",
    example="the command printed: RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB",
    fix="Let TensorFlow grow its memory (TF_FORCE_GPU_ALLOW_GROWTH=true or set_memory_growth), stop JAX's "
        "preallocation (XLA_PYTHON_CLIENT_PREALLOCATE=false), a smaller batch.",
    references=("https://www.tensorflow.org/guide/gpu#limiting_gpu_memory_growth",
                "https://jax.readthedocs.io/en/latest/gpu_memory_allocation.html",
                "https://pytorch.org/docs/stable/notes/cuda.html#optimizing-memory-usage-with-pytorch-cuda-alloc-conf"),
    modes=MODES,
)
def watch_out_of_memory(info, snap):
    facts = watched(snap)
    lines = _oom_lines(facts) if facts else []
    if not lines:
        return
    ev = [Evidence(f"the command printed: {ln.text[:300]}", "the command's stderr") for ln in lines[:3]]
    for i in facts.touched():
        u, g = gpu_use(facts, i), facts.gpu(i)
        if g and g.memory_total_mib:
            ev.append(Evidence(f"the command held up to {u.peak_tree_mib} of {g.memory_total_mib} MiB on "
                               f"{label(facts, i)}", SOURCE))
    yield info.finding(
        Severity.ERROR, ev,
        "The GPU had no memory left for an allocation the command made.",
        Fix("Allocate GPU memory on demand, then lower the batch size if it still fails (each line is sourced):",
            MEMORY_FIX),
    )


@rule(
    "WG906", "watch_memory_preallocated", "gpu_memory_exhausted",
    "The command reserved nearly all of a GPU's memory it did not need",
    detects=f"The command held at least {FULL_SHARE:.0%} of a GPU's memory while computing nothing on it, or while "
            "another process also needed that GPU.",
    why="TensorFlow (without memory growth) and JAX map nearly all memory of every GPU they see at start. Other "
        "processes, or a second framework in the same process, then find the GPU full.",
    example="GPU 1 (Tesla V100-PCIE-32GB): the command held 30884 of 32480 MiB and computed nothing on it",
    fix="Memory growth for TensorFlow (TF_FORCE_GPU_ALLOW_GROWTH=true), XLA_PYTHON_CLIENT_PREALLOCATE=false for "
        "JAX; CUDA_VISIBLE_DEVICES to show the command only the GPUs it uses.",
    references=("https://www.tensorflow.org/guide/gpu#limiting_gpu_memory_growth",
                "https://jax.readthedocs.io/en/latest/gpu_memory_allocation.html"),
    modes=MODES,
)
def watch_memory_preallocated(info, snap):
    facts = watched(snap)
    if facts is None or _oom_lines(facts):
        return  # WG905 gives the same fix for a failure
    for i in facts.touched():
        u, g = gpu_use(facts, i), facts.gpu(i)
        if not g or not g.memory_total_mib or u.peak_tree_mib < FULL_SHARE * g.memory_total_mib:
            continue
        idle = (u.mean_util_held or 0) < SPOKEN
        if not idle and not u.others:
            continue  # a working GPU used alone: holding its memory costs nothing
        why = "and computed nothing on it" if idle else "while other processes needed it too"
        yield info.finding(
            Severity.WARNING,
            [Evidence(f"{label(facts, i)}: the command held {u.peak_tree_mib} of {g.memory_total_mib} MiB {why}",
                      f"{SOURCE} ({_run(facts)})")],
            "Nearly all of the GPU's memory was reserved up front: a framework's preallocation, not the model's needs.",
            Fix("Allocate on demand, and show the command only the GPUs it uses (each line is sourced):",
                (*MEMORY_FIX, "export CUDA_VISIBLE_DEVICES=" + ",".join(map(str, computed_on(facts) or [0])))),
            title=f"The command reserved {u.peak_tree_mib * 100 // g.memory_total_mib} % of {label(facts, i)}'s "
                  f"memory {why}",
        )


@rule(
    "WG907", "watch_one_of_many_gpus", "no_problem",
    "Only one of several GPUs did the work",
    detects="Two or more GPUs were visible to the command, and it computed on only one of them.",
    why="Frameworks use one GPU unless the code distributes the work: a tf.distribute strategy, PyTorch "
        "DistributedDataParallel (torchrun), or JAX sharding.",
    example="the command computed on GPU 0 only; GPUs 1, 2 were visible",
    fix="Distribute the training (MirroredStrategy, DDP with torchrun, jax.sharding), or give the other GPUs to "
        "other jobs with CUDA_VISIBLE_DEVICES.",
    references=("https://www.tensorflow.org/guide/distributed_training",
                "https://pytorch.org/tutorials/intermediate/ddp_tutorial.html",
                "https://jax.readthedocs.io/en/latest/notebooks/Distributed_arrays_and_automatic_parallelization.html"),
    modes=MODES,
)
def watch_one_of_many_gpus(info, snap):
    facts = watched(snap)
    if facts is None:
        return
    chosen = visible_indices(facts)
    visible = [g.index for g in facts.gpus if chosen is None or g.index in chosen]
    used = computed_on(facts)
    if len(visible) < 2 or len(used) != 1:
        return
    idle = [i for i in visible if i not in used]
    yield info.finding(
        Severity.HINT,
        [Evidence(f"the command computed on {label(facts, used[0])} only; GPU {', '.join(map(str, idle))} "
                  f"{'was' if len(idle) == 1 else 'were'} visible to it", f"{SOURCE} ({_run(facts)})")],
        "One GPU did all the work; the others idled (or only held memory).",
        Fix("Distribute the work over the GPUs, or leave them to other jobs (each line is sourced):",
            ("# TensorFlow/Keras (https://www.tensorflow.org/guide/distributed_training)",
             "with tf.distribute.MirroredStrategy().scope(): model = build_model()",
             "# PyTorch (https://pytorch.org/tutorials/intermediate/ddp_tutorial.html)",
             f"torchrun --nproc_per_node={len(visible)} train.py   # with DistributedDataParallel in the script",
             "# or only the GPU it uses, leaving the rest to other jobs",
             f"CUDA_VISIBLE_DEVICES={used[0]} " + " ".join(facts.command[:3]) + " ...")),
        title=f"Only {label(facts, used[0])} of {len(visible)} visible GPUs did the work",
    )


@rule(
    "WG908", "watch_other_gpu_than_intended", "cuda_visible_devices_hidden",
    "The command ran on another GPU than CUDA_VISIBLE_DEVICES names in nvidia-smi's numbering",
    detects="CUDA_VISIBLE_DEVICES lists GPU indices, CUDA_DEVICE_ORDER is not PCI_BUS_ID, and the command held "
            "memory on a GPU whose nvidia-smi index is not in that list.",
    why="CUDA numbers GPUs fastest first unless CUDA_DEVICE_ORDER=PCI_BUS_ID, while nvidia-smi and NVML number "
        "them in PCI bus order: on a machine with different GPUs, index 1 is not the same card for both.",
    example="CUDA_VISIBLE_DEVICES=1; the command held memory on GPU 0 (NVIDIA GeForce RTX 3090)",
    fix="export CUDA_DEVICE_ORDER=PCI_BUS_ID so CUDA's indices match nvidia-smi's.",
    references=("https://docs.nvidia.com/cuda/cuda-c-programming-guide/index.html#env-vars",),
    modes=MODES,
)
def watch_other_gpu_than_intended(info, snap):
    facts = watched(snap)
    chosen = visible_indices(facts) if facts else None
    if chosen is None or (facts.cuda_device_order or "").upper() == "PCI_BUS_ID":
        return
    wrong = [i for i in facts.touched() if i not in chosen]
    if not wrong:
        return
    yield info.finding(
        Severity.WARNING,
        [Evidence(f"CUDA_VISIBLE_DEVICES={facts.cuda_visible_devices}", "the command's environment"),
         Evidence(f"the command held memory on {', '.join(label(facts, i) for i in wrong)} (nvidia-smi's numbering)",
                  SOURCE)],
        "CUDA's default order (fastest first) differs from nvidia-smi's PCI order, so the index chose another GPU.",
        Fix("Make CUDA number the GPUs as nvidia-smi does:",
            ("export CUDA_DEVICE_ORDER=PCI_BUS_ID",)),
    )


@rule(
    "WG909", "watch_command_printed_gpu_failure", "unknown",
    "The command printed why it has no GPU",
    detects="A known error message (knowledge/log_messages.csv) in what the command printed on stderr, in a run "
            "that never used the GPU: a library that failed to load, a device the build ignores, a failed cuInit.",
    why="The framework says why it registered no GPU device; the message's cause is the row's first category.",
    example="the command printed: Could not load dynamic library 'libcudnn.so.8'",
    fix="The fix of the message's cause; check's finding for the same cause gives the commands.",
    references=("https://github.com/tensorflow/tensorflow/issues/60646",),
    modes=MODES,
    category_from="the message's row in knowledge/log_messages.csv",
)
def watch_command_printed_gpu_failure(info, snap):
    facts = watched(snap)
    if facts is None or facts.touched():
        return
    errors = [ln for ln in facts.log
              if ln.kind == "error" and ln.categories and ln.categories[0] != "gpu_memory_exhausted"]
    if any(ln.id not in SUMMARY_LINES for ln in errors):
        errors = [ln for ln in errors if ln.id not in SUMMARY_LINES]
    seen = set()
    for ln in errors:
        if ln.id in seen:
            continue
        seen.add(ln.id)
        from whynogpu.parsers.logs import row

        r = row(ln.id)
        yield info.finding(
            Severity.ERROR, [Evidence(f"the command printed: {ln.text[:300]}", f"the command's stderr ({r.source})")],
            f"{r.meaning[:1].upper()}{r.meaning[1:]}.",
            Fix(r.fix) if r.fix else None,
            title=f"The command printed: {r.meaning}",
            category=ln.categories[0],
        )
