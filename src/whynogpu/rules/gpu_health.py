"""A GPU that is there and driven, but that this process cannot use: permissions, compute mode,
MIG, memory held by others, hardware faults, and NVSwitch systems without Fabric Manager."""

from __future__ import annotations

from whynogpu.model import Evidence, Fix, Severity
from whynogpu.rules import rule
from whynogpu.rules.gpu import driver, gpu, linux_not_wsl, nvml_or_smi_says

COMPUTE_MODES = {0: "Default", 1: "Exclusive_Thread", 2: "Prohibited", 3: "Exclusive_Process"}
BUSY_SHARE = 0.9  # above this share of memory used by others, a new process will likely run out
FABRIC_STATES = {0: "not supported", 1: "not started", 2: "in progress", 3: "completed"}


def _label(x) -> str:
    return f"GPU {x.index} ({x.name or 'unknown name'})"


def _nvml_gpus(snap):
    d = driver(snap)
    return d.nvml.gpus if d and d.nvml and d.nvml.init_code == 0 else ()


@rule(
    "WG205", "gpu_access_restricted", "gpu_access_restricted",
    "The GPU is there, but this process is not allowed to use it",
    detects="An NVIDIA device node this user cannot open for reading and writing; NVML 'Insufficient Permissions'; "
            "every GPU in compute mode Prohibited, or Exclusive_Process with another process on it; MIG enabled with "
            "no MIG instance created.",
    why="CUDA opens /dev/nvidiactl, /dev/nvidiaN and /dev/nvidia-uvm; if it may not, or the GPU's compute mode "
        "refuses new contexts, or MIG mode leaves no instance to run on, the frameworks see no usable device.",
    example="/dev/nvidia0 crw-rw---- root:video, user not in group video",
    fix="Join the device nodes' group (or fix their mode); ask the administrator to set compute mode Default "
        "(`nvidia-smi -c DEFAULT`); create MIG instances or disable MIG.",
    references=("https://docs.nvidia.com/deploy/nvidia-smi/index.html",
                "https://docs.nvidia.com/datacenter/tesla/mig-user-guide/"),
)
def gpu_access_restricted(info, snap):
    g, d = gpu(snap), driver(snap)
    if g is not None and linux_not_wsl(snap):
        # Only the nodes CUDA opens: /dev/nvidia-caps/* are root-only by design (MIG administration).
        needed = set(g.gpu_nodes) | {n for n in g.device_nodes if n.path in ("/dev/nvidiactl", "/dev/nvidia-uvm")}
        blocked = sorted((n for n in needed if not n.usable), key=lambda n: n.path)
        if blocked:
            gids = sorted({n.gid for n in blocked})
            yield info.finding(
                Severity.ERROR,
                [Evidence(f"{n.path} has mode {oct(n.mode)[2:]} owned by {n.uid}:{n.gid}; user {g.user or g.uid} may not "
                          "open it for reading and writing", "stat of the device node") for n in blocked],
                "CUDA must open these device nodes; with no access it reports no device and the frameworks use the CPU.",
                Fix("Add yourself to the group that owns the nodes, then log in again:",
                    tuple(f"sudo usermod -aG $(getent group {gid} | cut -d: -f1) $USER" for gid in gids)),
            )
            return
    said = nvml_or_smi_says(d, "no_permission")
    if said:
        yield info.finding(
            Severity.ERROR, [said],
            "The driver refuses NVML to this user (device-node permissions, cgroups or SELinux in a container).",
            Fix("Check who may open the device nodes; in a Podman/SELinux container add --security-opt=label=disable:",
                ("ls -l /dev/nvidia*", "id")),
        )
        return
    gpus = _nvml_gpus(snap)
    refused = []
    for x in gpus:
        if x.compute_mode == 2:
            refused.append((x, "compute mode Prohibited: no process may create a CUDA context"))
        elif x.compute_mode == 1:
            # Exclusive_Thread (removed from drivers since CUDA 8): a context may be current in one thread only,
            # and TensorFlow's executor uses it from several (cuCtxSetCurrent fails with error 216).
            refused.append((x, "compute mode Exclusive_Thread: only one thread may use the GPU, and the frameworks use several"))
        elif x.compute_mode == 3 and x.processes:
            pids = ", ".join(str(pr.pid) for pr in x.processes)
            refused.append((x, f"compute mode Exclusive_Process and already used by pid {pids}"))
        elif x.mig_enabled and x.mig_devices == 0:
            refused.append((x, "MIG mode is enabled but no MIG instance exists, so CUDA has nothing to run on"))
    if not refused:
        return
    everyone = len(refused) == len(gpus)
    cmds = []
    for x, why in refused:
        if "MIG" in why:
            cmds += [f"sudo nvidia-smi mig -i {x.index} -cgi 0 -C   # create an instance (profile 0 = whole GPU; list with: nvidia-smi mig -lgip)",
                     f"# or disable MIG: sudo nvidia-smi -i {x.index} -mig 0"]
        elif "Prohibited" in why or "Exclusive" in why:  # DEFAULT (or EXCLUSIVE_PROCESS) lets the framework in
            cmds.append(f"sudo nvidia-smi -i {x.index} -c DEFAULT   # needs admin rights")
    free = [x.index for x in gpus if x not in [r[0] for r in refused]]
    if free:
        cmds.append(f"export CUDA_VISIBLE_DEVICES={','.join(str(i) for i in free)}   # use the GPUs that accept work")
    yield info.finding(
        Severity.ERROR if everyone else Severity.WARNING,
        [Evidence(f"{_label(x)}: {why}", "NVML") for x, why in refused],
        "The GPU is healthy and driven, but its configuration refuses work from this process."
        + ("" if everyone else " Other GPUs here accept work."),
        Fix("Ask the administrator to change the GPU's mode, or use another GPU:", tuple(cmds)),
    )


@rule(
    "WG206", "gpu_memory_held_by_others", "gpu_memory_exhausted",
    "Other processes hold most of the GPU's memory",
    detects="A GPU whose used memory is at least 90% of its total while compute processes hold it.",
    why="A new process cannot allocate what others hold; TensorFlow and JAX pre-allocate most of the memory by "
        "default, so a second framework process on the same GPU typically fails with out-of-memory or "
        "CUBLAS_STATUS_NOT_INITIALIZED and may fall back to the CPU.",
    example="GPU 0 (NVIDIA A100-SXM4-40GB): 40123 of 40960 MiB used; pid 4242 python 40100 MiB",
    fix="Stop the process holding the memory, use another GPU, or limit pre-allocation "
        "(TF_FORCE_GPU_ALLOW_GROWTH=true, XLA_PYTHON_CLIENT_PREALLOCATE=false).",
    references=("https://docs.jax.dev/en/latest/gpu_memory_allocation.html",
                "https://www.tensorflow.org/guide/gpu#limiting_gpu_memory_growth"),
)
def gpu_memory_held_by_others(info, snap):
    gpus = _nvml_gpus(snap)
    for x in gpus:
        if not x.memory_total_mib or x.memory_used_mib is None or not x.processes:
            continue
        if x.memory_used_mib < BUSY_SHARE * x.memory_total_mib:
            continue
        evidence = [Evidence(f"{_label(x)}: {x.memory_used_mib} of {x.memory_total_mib} MiB used", "NVML memory info")]
        for pr in x.processes:
            name = pr.name or "(name not visible from here: another container's or user's process)"
            used = f"{pr.used_mib} MiB" if pr.used_mib is not None else "memory not reported"
            evidence.append(Evidence(f"pid {pr.pid} {name}: {used}", "NVML compute processes"))
        others = [o.index for o in gpus if o is not x and o.memory_total_mib and o.memory_used_mib is not None
                  and o.memory_used_mib < 0.5 * o.memory_total_mib]
        cmds = ["nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv",
                "kill " + " ".join(str(pr.pid) for pr in x.processes) + "   # only if these are yours and may stop",
                "export TF_FORCE_GPU_ALLOW_GROWTH=true XLA_PYTHON_CLIENT_PREALLOCATE=false"]
        if others:
            cmds.append(f"export CUDA_VISIBLE_DEVICES={others[0]}   # a GPU with free memory")
        yield info.finding(
            Severity.WARNING,
            evidence,
            "Little memory is left on this GPU for a new process: allocations will fail or the framework will fall back.",
            Fix("Free the memory or go elsewhere:", tuple(cmds)),
        )


@rule(
    "WG207", "gpu_hardware_fault", "gpu_hardware_fault",
    "The GPU reports a hardware fault",
    detects="NVML 'GPU is lost' or 'GPU requires reset', nvidia-smi 'Unable to determine the device handle', a "
            "failed row remap, a pending row remap or page retirement, or uncorrected ECC errors.",
    why="A GPU that fell off the bus or has uncorrectable memory errors cannot run CUDA work until it is reset, "
        "and repeated faults mean failing hardware, power or cooling.",
    example="nvidia-smi: Unable to determine the device handle for GPU 0000:05:00.0: GPU is lost.  Reboot the system to recover this GPU",
    fix="Reboot (or `nvidia-smi -r` when nothing uses the GPU); check the kernel log for Xid errors; if it recurs, "
        "check power and cooling and have the card replaced.",
    references=("https://docs.nvidia.com/deploy/xid-errors/index.html",
                "https://docs.nvidia.com/deploy/a100-gpu-mem-error-mgmt/index.html"),
)
def gpu_hardware_fault(info, snap):
    d = driver(snap)
    if d is None:
        return
    errors, warnings = [], []
    for kind in ("gpu_is_lost", "reset_required", "device_handle_unknown"):
        said = nvml_or_smi_says(d, kind)
        if said:
            errors.append(said)
    for x in _nvml_gpus(snap):
        lost = [f"{k}: {v}" for k, v in (x.errors or {}).items() if "lost" in v.lower() or "requires" in v.lower()]
        if lost:
            errors.append(Evidence(f"{_label(x)}: {lost[0]}", "NVML"))
        if x.remap_failure:
            errors.append(Evidence(f"{_label(x)}: a row remapping failed (uncorrectable memory)", "NVML remapped rows"))
        if x.remap_pending:
            warnings.append(Evidence(f"{_label(x)}: a row remap is pending until the GPU is reset", "NVML remapped rows"))
        if x.retired_pages_pending:
            warnings.append(Evidence(f"{_label(x)}: page retirement is pending until the GPU is reset", "NVML retired pages"))
        if x.ecc_uncorrected_volatile:
            warnings.append(Evidence(f"{_label(x)}: {x.ecc_uncorrected_volatile} uncorrected ECC errors since the driver loaded",
                                     "NVML ECC counters"))
    if not errors and not warnings:
        return
    yield info.finding(
        Severity.ERROR if errors else Severity.WARNING,
        errors + warnings,
        "The GPU is unhealthy: " + ("it cannot run CUDA work until it is reset." if errors
                                    else "it still works but needs a reset to apply memory repairs."),
        Fix("Reset it, read the driver's error log, and replace the card if the faults come back:",
            ("sudo dmesg | grep -i -E 'xid|fallen off the bus|nvrm' | tail -n 20",
             "sudo nvidia-smi -r -i 0   # reset (no process may use the GPU); or: sudo reboot")),
    )


@rule(
    "WG208", "fabric_manager_not_running", "fabric_manager_not_running",
    "NVSwitch system without a running Fabric Manager",
    detects="NVSwitch devices on the PCI bus (or a GPU fabric state other than completed) and cuInit returning "
            "CUDA_ERROR_SYSTEM_NOT_READY (802), or GPUs whose fabric registration has not completed.",
    why="On HGX/DGX systems with NVSwitch the GPUs accept CUDA work only after the Fabric Manager service has set up "
        "the NVLink fabric; its version must equal the driver's.",
    example="4 NVIDIA bridge devices (NVSwitch, class 0x0680); cuInit → CUDA_ERROR_SYSTEM_NOT_READY (802)",
    fix="Install the Fabric Manager package of the same version as the driver and "
        "`sudo systemctl enable --now nvidia-fabricmanager`.",
    references=("https://docs.nvidia.com/datacenter/tesla/fabric-manager-user-guide/index.html",),
)
def fabric_manager_not_running(info, snap):
    g, d = gpu(snap), driver(snap)
    if d is None:
        return
    evidence = []
    if d.cuda and d.cuda.init_name == "CUDA_ERROR_SYSTEM_NOT_READY":
        evidence.append(Evidence(f"cuInit(0) returned {d.cuda.init_name} ({d.cuda.init_code})", "libcuda in a child process"))
    stuck = [x for x in _nvml_gpus(snap) if x.fabric_state in (1, 2)]
    evidence.extend(Evidence(f"{_label(x)}: fabric registration {FABRIC_STATES[x.fabric_state]}", "NVML GPU fabric info")
                    for x in stuck)
    switches = g.nvswitches if g else ()
    if not evidence or not (switches or stuck):
        return
    if switches:
        evidence.append(Evidence(f"{len(switches)} NVSwitch device(s) on the PCI bus", "/sys/bus/pci/devices"))
    branch = (d.driver_version or "").split(".")[0]
    pkg = f"nvidia-fabricmanager-{branch}" if branch else "nvidia-fabricmanager"
    yield info.finding(
        Severity.ERROR,
        evidence,
        "The GPUs wait for the NVLink fabric, which Fabric Manager sets up; until it runs, CUDA reports the system as not ready.",
        Fix(f"Install Fabric Manager for driver {d.driver_version or '(your driver version)'} and start it:",
            (f"sudo apt install {pkg}   # the package version must equal the driver's",
             "sudo systemctl enable --now nvidia-fabricmanager",
             "systemctl status nvidia-fabricmanager")),
    )
