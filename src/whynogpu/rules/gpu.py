"""The bottom of the stack: is there an NVIDIA GPU, can this container or WSL reach it, and is
its kernel driver loaded and matched by its user-space libraries?

Peer tools start at nvidia-smi and so say "install the driver" on machines that have no GPU at
all. These rules look at the PCI bus first: it lists devices whether or not any driver exists.
"""

from __future__ import annotations

import posixpath
from collections import Counter

from whynogpu.facts.driver import DriverFacts, LibraryCopy
from whynogpu.facts.gpu import GpuFacts, PciDevice
from whynogpu.knowledge import table
from whynogpu.model import Evidence, Fix, Severity
from whynogpu.rules import rule, summary
from whynogpu.rules.common import env_vars, platform


def gpu(snap) -> GpuFacts | None:
    return snap.get(GpuFacts)


def driver(snap) -> DriverFacts | None:
    return snap.get(DriverFacts)


def vendor_name(vendor: str) -> str:
    row = next((r for r in table("pci_vendors") if r["vendor"] == vendor), None)
    return row["name"] if row else f"vendor {vendor}"


def vendor_counts(devices) -> str:
    counts = Counter(vendor_name(d.vendor) for d in devices)
    return ", ".join(f"{n} {name}" for name, n in counts.most_common())


def describe(d: PciDevice) -> str:
    if not d.address:  # a GPU a pasted report names, with no PCI listing of it
        return f"an {vendor_name(d.vendor)} GPU (named in the report)"
    bound = f"driver in use: {d.driver}" if d.driver else "no driver bound"
    return f"{vendor_name(d.vendor)} {d.vendor[2:]}:{d.device[2:]} at {d.address} ({bound})"


def linux_not_wsl(snap) -> bool:
    p = platform(snap)
    return p is not None and p.os == "linux" and not p.wsl


def nvml_or_smi_says(d: DriverFacts | None, kind: str) -> Evidence | None:
    """The NVML init failure or nvidia-smi message of the given class, as evidence."""
    if d is None:
        return None
    if d.nvml and d.nvml.init_kind == kind:
        return Evidence(f"NVML initialisation failed: {d.nvml.init_name} (code {d.nvml.init_code})",
                        f"nvmlInit in a child process ({d.nvml.source})")
    if d.smi and d.smi.failure and d.smi.failure.kind == kind:
        code = f" (exit {d.smi.exit_code})" if d.smi.exit_code is not None else ""
        return Evidence(f"nvidia-smi: {d.smi.failure.message}{code}", "nvidia-smi")
    return None


def gpu_lost(d: DriverFacts | None) -> bool:
    """NVML or nvidia-smi say a GPU fell off the bus or needs a reset."""
    if d is None:
        return False
    if any(nvml_or_smi_says(d, k) for k in ("gpu_is_lost", "reset_required", "device_handle_unknown")):
        return True
    gpus = d.nvml.gpus if d.nvml else ()
    return any("lost" in v.lower() or "requires" in v.lower() for x in gpus for v in (x.errors or {}).values())


def libraries_evidence(d: DriverFacts | None) -> list[Evidence]:
    out = []
    for c in d.libraries if d else ():
        version = f" (driver {c.version})" if c.version else ""
        out.append(Evidence(f"{c.name} -> {c.resolved}{version}", c.source))
    return out


@summary("gpu")
def gpu_summary(snap):
    g, d = gpu(snap), driver(snap)
    p = platform(snap)
    if d and d.nvml and d.nvml.init_code == 0 and d.nvml.gpus:
        names = Counter(x.name or "NVIDIA GPU" for x in d.nvml.gpus)
        shown = ", ".join(f"{n} × {name}" if n > 1 else name for name, n in names.items())
        cuda = f", CUDA {d.cuda_driver_version}" if d.cuda_driver_version else ""
        return f"{shown}, driver {d.driver_version}{cuda}"
    if g is None:
        return None
    if p and p.os == "windows":  # display adapters, no kernel module or /dev on Windows
        from whynogpu.rules.windows import windows_gpu_summary

        return windows_gpu_summary(snap)
    if g.nvidia_gpus:
        module = f"kernel module {g.kernel_module.version}" if g.kernel_module and g.kernel_module.version else "no NVIDIA kernel module"
        return f"{len(g.nvidia_gpus)} NVIDIA GPU(s) on PCI ({describe(g.nvidia_gpus[0])}); {module}"
    if p and p.wsl:
        dxg = "/dev/dxg present" if g.node("/dev/dxg") else "no /dev/dxg"
        lib = "Windows driver's libcuda mounted" if g.wsl_libcuda else "no /usr/lib/wsl/lib/libcuda.so"
        return f"WSL{p.wsl}: {dxg}, {lib}"
    if g.pci_readable:
        others = f" (PCI: {vendor_counts(g.pci_devices)} devices)" if g.pci_devices else ""
        return f"no NVIDIA GPU{others}"
    return "PCI bus not visible here"


@summary("gpu")
def driver_probe_note(snap):
    """Shown with -v: whether whynogpu loaded the NVIDIA libraries, since that can change the machine."""
    d = driver(snap)
    if d is None:
        return None
    if d.skipped:
        return f"libcuda/NVML not loaded: {d.skipped}"
    return "libcuda/NVML were loaded in child processes after the device nodes were recorded (side effects possible)"


@rule(
    "WG201", "no_nvidia_gpu", "no_nvidia_gpu",
    "This machine has no NVIDIA GPU",
    detects="The PCI bus is visible and lists no NVIDIA (vendor 0x10de) display device, and there is no "
            "/dev/nvidia* node or NVIDIA kernel module.",
    why="CUDA needs an NVIDIA GPU. The PCI bus lists hardware whether or not a driver is installed, so an empty "
        "answer is not a driver problem: installing drivers or CUDA cannot help. Containers see the host's PCI "
        "devices in sysfs, so a container on a GPU host would still list the NVIDIA device.",
    example="PCI: 1 Intel, 5 virtio devices; no /dev/nvidia*; no /proc/driver/nvidia/version",
    fix="Run on a machine or cloud instance with an NVIDIA GPU (or give this VM one by PCI passthrough). With an "
        "AMD GPU use the ROCm builds of the frameworks; on macOS use Metal.",
    references=("https://docs.nvidia.com/cuda/cuda-installation-guide-linux/#verify-you-have-a-cuda-capable-gpu",
                "https://pci-ids.ucw.cz/read/PC/10de"),
)
def no_nvidia_gpu(info, snap):
    g, d, p = gpu(snap), driver(snap), platform(snap)
    if g is None or not linux_not_wsl(snap) or not g.pci_readable:
        return
    if g.nvidia_gpus or g.gpu_nodes or g.proc_driver_present:
        return
    probed = g.knows("device_nodes")  # a machine read directly, not an lspci listing in a report
    evidence = [Evidence(f"the PCI bus lists {len(g.pci_devices)} devices, none from NVIDIA (vendor 0x10de): "
                         f"{vendor_counts(g.pci_devices)}", "/sys/bus/pci/devices/*/vendor" if probed else "lspci, in the report")]
    if probed:
        evidence.append(Evidence("no /dev/nvidia* device node and no NVIDIA kernel module (/proc/driver/nvidia/version "
                                 "is absent)", "/dev, /proc/driver/nvidia"))
    if p and p.container:
        evidence.append(Evidence(f"container markers ({'; '.join(p.container_evidence)}), but a container on a GPU host "
                                 "still sees the host's NVIDIA PCI device in sysfs, so the host has none either", "platform"))
    libs = libraries_evidence(d)
    if libs:
        evidence.append(Evidence("NVIDIA user-space driver libraries are installed, but there is no GPU for them to drive: "
                                 + "; ".join(e.fact for e in libs), "loader cache / LD_LIBRARY_PATH"))
    others = g.other_gpus
    paths = {r["vendor"]: r["gpu_path"] for r in table("pci_vendors")}
    cmds = ["grep -l 0x10de /sys/bus/pci/devices/*/vendor   # prints nothing: no NVIDIA device on this bus"]
    if others:
        shown = "; ".join(describe(o) for o in others)
        explanation = (f"The only GPU here is not an NVIDIA one ({shown}). CUDA builds cannot use it; "
                       "nothing you install on this machine will make CUDA work.")
        if any(paths.get(o.vendor) == "rocm" for o in others):
            cmds.append("# AMD GPU: install the ROCm build of your framework (see https://pytorch.org/get-started/locally/ → ROCm, "
                        "https://rocm.docs.amd.com)")
        if any(paths.get(o.vendor) == "oneapi" for o in others):
            cmds.append("# Intel GPU: PyTorch supports it as the 'xpu' device (https://pytorch.org/docs/stable/notes/get_start_xpu.html)")
    elif any(dev.vendor == "0x1af4" for dev in g.pci_devices):
        explanation = ("This is a virtual machine (virtio devices) and the hypervisor passes no GPU through, so the "
                       "frameworks correctly run on the CPU. No driver or CUDA install can change that.")
    else:
        explanation = "There is no GPU of any vendor here, so the frameworks correctly run on the CPU; no driver or CUDA install can change that."
    yield info.finding(
        Severity.ERROR,
        evidence,
        explanation,
        Fix("Use a machine or cloud instance that has an NVIDIA GPU (or attach one to this VM by PCI passthrough); "
            "to confirm what the bus holds:", tuple(cmds)),
    )


def _container_fix(kind: str | None) -> tuple[str, tuple[str, ...]]:
    if kind == "kubernetes":
        return ("Request a GPU in the pod spec (the NVIDIA device plugin must run on the node):",
                ("resources:", "  limits:", "    nvidia.com/gpu: 1"))
    if kind == "apptainer":
        return ("Start the container with --nv so Apptainer binds the host's GPU devices and driver libraries:",
                ("apptainer exec --nv image.sif python your_script.py",))
    if kind == "podman":
        return ("Give the container the GPU through CDI (generate the spec once on the host):",
                ("sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml",
                 "podman run --rm --device nvidia.com/gpu=all IMAGE nvidia-smi"))
    if kind == "lxc":
        return ("Add the GPU to the LXD container from the host:", ("lxc config device add CONTAINER gpu gpu",))
    return ("Restart the container with GPU access (the NVIDIA Container Toolkit must be installed on the host):",
            ("docker run --gpus all IMAGE ...",
             "# on a Jetson (JetPack 4 and 5, whose containers get CUDA from the host): docker run --runtime nvidia IMAGE ...",
             "# docker compose: under the service, add",
             "#   deploy: {resources: {reservations: {devices: [{driver: nvidia, count: all, capabilities: [gpu]}]}}}",
             "# on the host, once: sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker"))


@rule(
    "WG103", "container_started_without_gpu", "container_no_gpu",
    "This container was started without access to the GPU",
    detects="Container markers are present, no /dev/nvidia0 (or other GPU) node exists inside, and either the host's "
            "NVIDIA GPU is visible on the PCI bus or the bus is hidden; or the nodes are there but "
            "NVIDIA_DRIVER_CAPABILITIES lacks 'compute', so no libcuda was mounted.",
    why="A container only sees a GPU when its runtime passes the device nodes and the host's driver libraries in "
        "(docker --gpus, the NVIDIA runtime or CDI, a Kubernetes nvidia.com/gpu request, apptainer --nv). Installing "
        "a driver inside the container cannot help and usually causes a driver/library mismatch.",
    example="/.dockerenv exists; PCI 0000:01:00.0 is NVIDIA 10de:2204; no /dev/nvidia0; NVIDIA_VISIBLE_DEVICES unset",
    fix="`docker run --gpus all …`; compose `deploy.resources.reservations.devices`; Kubernetes "
        "`resources.limits: nvidia.com/gpu: 1`; Apptainer `--nv`; Podman `--device nvidia.com/gpu=all`.",
    references=("https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/docker-specialized.html",
                "https://docs.docker.com/compose/how-tos/gpu-support/",
                "https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/"),
)
def container_started_without_gpu(info, snap):
    g, p = gpu(snap), platform(snap)
    if g is None or p is None or not p.container or p.os != "linux":
        return
    if g.gpu_nodes or p.wsl:
        # (a container of Docker Desktop runs in WSL2's kernel and gets the GPU as /dev/dxg, never as /dev/nvidia*
        # nodes: only its capabilities can be read there)
        yield from _container_without_compute(info, snap)
        return
    if g.pci_readable and not g.nvidia_gpus:
        return  # the host has no NVIDIA GPU: WG201's case
    if not g.knows("device_nodes"):
        return  # a report that does not show the container's /dev
    env = env_vars(snap)
    report = snap.mode == "triage"  # a report shows how the container was started, not its /dev or its PCI bus
    evidence = [Evidence(f"running in a {p.container} container ({'; '.join(p.container_evidence)})", "platform"),
                Evidence("no /dev/nvidia0 (or any /dev/nvidiaN) node inside the container",
                         "inferred from how the report starts the container" if report else "/dev")]
    if g.nvidia_gpus:
        evidence.append(Evidence(f"the host's GPU: {describe(g.nvidia_gpus[0])}",
                                 "the report" if report else "/sys/bus/pci/devices"))
    elif not report:
        evidence.append(Evidence("the PCI bus is not visible from inside the container", "/sys/bus/pci/devices"))
    nvd = env.get("NVIDIA_VISIBLE_DEVICES")
    if nvd is None:
        if not report:
            evidence.append(Evidence("NVIDIA_VISIBLE_DEVICES is not set", "environment"))
    elif nvd.strip().lower() in ("", "void", "none"):
        evidence.append(Evidence(f"NVIDIA_VISIBLE_DEVICES={nvd!r} asks the NVIDIA runtime for no GPU", "environment"))
    text, cmds = _container_fix(p.container)
    why = ("The container runtime did not pass the GPU in, so no framework inside can see it. The fix is in how the "
           "container is started, not inside it: do not install an NVIDIA driver in the image.")
    if p.gpu_requested and p.container == "docker":
        # it was asked for the GPU and could not hand it over: what is missing is on the host
        evidence.insert(1, Evidence("the container was started with a GPU request (--gpus or the NVIDIA runtime)",
                                    "the report"))
        why = ("Docker was asked for the GPU and had nothing to hand it over with: the NVIDIA Container Toolkit is not "
               "installed on the host, or not registered with Docker. Do not install an NVIDIA driver in the image.")
        text, cmds = ("Install the NVIDIA Container Toolkit on the host, register it with Docker, then start the "
                      "container again with --gpus all:",
                      ("sudo apt-get install -y nvidia-container-toolkit   # after adding NVIDIA's repository: "
                       "https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html",
                       "sudo nvidia-ctk runtime configure --runtime=docker", "sudo systemctl restart docker"))
    yield info.finding(Severity.ERROR, evidence, why, Fix(text, cmds))


def _container_without_compute(info, snap):
    """GPU nodes were passed in, but NVIDIA_DRIVER_CAPABILITIES did not ask for libcuda ("compute")."""
    caps = env_vars(snap).get("NVIDIA_DRIVER_CAPABILITIES")
    d = driver(snap)
    report = snap.mode == "triage"
    if caps is None or (d.copies("libcuda.so.1") if d is not None else not report):
        return  # (a report never lists the container's libraries: its capabilities are the evidence)
    wanted = {c.strip().lower() for c in caps.split(",")}
    if wanted & {"compute", "all"}:
        return
    yield info.finding(
        Severity.ERROR,
        [Evidence(f"NVIDIA_DRIVER_CAPABILITIES={caps!r} (no 'compute')", "the report" if report else "environment"),
         Evidence("the container was started with the GPU" if report else
                  "GPU device nodes are present, but no libcuda.so.1 is on the loader path",
                  "the report" if report else "/dev, loader cache")],
        "The NVIDIA runtime passed the GPU in but mounted only the driver parts for the listed capabilities; without "
        "'compute' there is no libcuda, so CUDA cannot start (nvidia-smi may still work).",
        Fix("Start the container with the compute capability:",
            ("docker run --gpus all -e NVIDIA_DRIVER_CAPABILITIES=compute,utility IMAGE ...",
             "# docker compose: the reservation's list sets them, over the service's environment",
             "#   capabilities: [gpu, compute, utility]")),
        title="The container was given the GPU without the CUDA driver library (capabilities lack 'compute')",
    )


@rule(
    "WG104", "wsl_without_gpu", "wsl_gpu_not_enabled",
    "WSL cannot reach the GPU",
    detects="WSL1; or WSL2 without /dev/dxg (WSL or Windows too old for GPU compute); or WSL2 without the Windows "
            "driver's /usr/lib/wsl/lib/libcuda.so (no NVIDIA driver on the Windows side).",
    why="Under WSL2 the GPU is reached through /dev/dxg and the Windows NVIDIA driver's libcuda, which WSL mounts "
        "at /usr/lib/wsl/lib. WSL1 has no GPU support at all. No Linux NVIDIA driver may be installed inside WSL.",
    example="WSL2 kernel 5.15.153.1-microsoft-standard-WSL2, /dev/dxg present, /usr/lib/wsl/lib has no libcuda.so",
    fix="Install the current NVIDIA driver on Windows; run `wsl --update`; convert WSL1 distributions with "
        "`wsl --set-version <distro> 2`.",
    references=("https://docs.nvidia.com/cuda/wsl-user-guide/index.html",
                "https://learn.microsoft.com/en-us/windows/wsl/tutorials/gpu-compute"),
)
def wsl_without_gpu(info, snap):
    g, p = gpu(snap), platform(snap)
    if p is None or not p.wsl:
        return
    distro = env_vars(snap).get("WSL_DISTRO_NAME") or "<distro>"
    # a report may say "WSL1" without printing the kernel: then the kernel line says nothing
    kernel = [Evidence(f"kernel {p.kernel}", "uname / /proc/version")] if p.kernel else []
    if p.wsl == 1:
        yield info.finding(
            Severity.ERROR, [*kernel, Evidence("this is WSL1", "kernel release" if p.kernel else "the report")],
            "WSL1 translates Linux system calls and has no GPU support; only WSL2 can run CUDA.",
            Fix("Convert the distribution to WSL2 (in Windows PowerShell):", (f"wsl --set-version {distro} 2",)),
        )
        return
    if g is None:
        return
    if g.node("/dev/dxg") is None and g.knows("device_nodes"):
        yield info.finding(
            Severity.ERROR, [*kernel, Evidence("no /dev/dxg device node", "/dev")],
            "Without /dev/dxg this WSL2 kernel or Windows build has no GPU paravirtualisation, so CUDA finds no device.",
            Fix("Update WSL and Windows, then restart WSL (in Windows PowerShell):", ("wsl --update", "wsl --shutdown")),
        )
    elif not g.wsl_libcuda and g.knows("wsl_libcuda"):
        yield info.finding(
            Severity.ERROR, [*kernel, Evidence("/dev/dxg is present", "/dev"),
                             Evidence("no libcuda.so in /usr/lib/wsl/lib", "/usr/lib/wsl/lib")],
            "WSL2 can reach the GPU, but the Windows side has no NVIDIA driver, so there is no libcuda to use it.",
            Fix("Install the NVIDIA driver for Windows (not inside WSL), then restart WSL (in Windows PowerShell):",
                ("# https://www.nvidia.com/Download/index.aspx  (the normal Windows driver includes WSL support)",
                 "wsl --shutdown")),
        )


WSL_DRIVER_DIR = "/usr/lib/wsl/"  # lib/ (what the loader sees) and drivers/ (the Windows driver store it links into)


def _outside_wsl(path: str) -> bool:
    return not path.startswith(WSL_DRIVER_DIR)


@rule(
    "WG105", "wsl_linux_driver_installed", "driver_library_mismatch",
    "A Linux NVIDIA driver is installed inside WSL2 and shadows the Windows driver's libcuda",
    detects="Under WSL2 (not in a container), a libcuda.so.1 or libnvidia-ml.so.1 that the loader finds, or that "
            "CUDA was loaded from, lies outside /usr/lib/wsl: the files of a Linux NVIDIA driver (apt's "
            "nvidia-driver-*/libnvidia-*, or the .run installer) in /usr/lib/x86_64-linux-gnu.",
    why="Under WSL2 the driver is the Windows one: WSL mounts its libcuda at /usr/lib/wsl/lib, and it talks to the "
        "GPU through /dev/dxg. A Linux driver's libcuda expects /dev/nvidia* and a Linux kernel module, which WSL "
        "does not have; once it sits in the loader's default directories it is found instead of the WSL one, and "
        "CUDA finds no device. NVIDIA's guide says not to install any Linux display driver in WSL.",
    example="WSL2; ldconfig -p: libcuda.so.1 => /lib/x86_64-linux-gnu/libcuda.so.1 -> libcuda.so.535.183.01 "
            "(besides /usr/lib/wsl/lib/libcuda.so.1)",
    fix="Remove the Linux driver packages inside WSL (`sudo apt-get remove --purge '^nvidia-driver-.*' "
        "'^libnvidia-.*'`, or `sudo nvidia-uninstall` for the .run installer), then `wsl --shutdown` from Windows.",
    references=("https://docs.nvidia.com/cuda/wsl-user-guide/index.html",
                "https://learn.microsoft.com/en-us/windows/wsl/tutorials/gpu-compute"),
)
def wsl_linux_driver_installed(info, snap):
    p, d = platform(snap), driver(snap)
    if p is None or not p.wsl or p.wsl < 2 or d is None:
        return
    if p.container:
        return  # the NVIDIA container toolkit puts the WSL driver's own files into a container's lib folders
    foreign = [c for c in d.libraries if _outside_wsl(c.path) and _outside_wsl(c.resolved)]
    loaded = [x for x in (d.cuda.paths if d.cuda else ()) if _outside_wsl(x)]
    if not foreign and not loaded:
        return
    evidence = [Evidence(f"WSL{p.wsl}" + (f" (kernel {p.kernel})" if p.kernel else ""),
                         "uname / /proc/version" if p.kernel else "the report")]
    evidence += [Evidence(f"{c.name} -> {c.resolved}" + (f" is Linux driver {c.version}" if c.version else "")
                          + ", outside /usr/lib/wsl", c.source) for c in foreign]
    evidence += [Evidence(f"CUDA was loaded from {x}, not from /usr/lib/wsl/lib", "libcuda in a child process")
                 for x in loaded]
    wsl_copy = next((c for c in d.libraries if not _outside_wsl(c.path)), None)
    if wsl_copy:
        evidence.append(Evidence(f"the Windows driver's {wsl_copy.name} is at {wsl_copy.path}", wsl_copy.source))
    cmds = ["sudo apt-get remove --purge '^nvidia-driver-.*' '^libnvidia-.*' '^nvidia-dkms-.*' '^nvidia-utils-.*'",
            "# installed with the .run installer instead: sudo nvidia-uninstall",
            "sudo ldconfig"]
    for folder in sorted({posixpath.dirname(c.path) for c in foreign if c.source == "LD_LIBRARY_PATH"}):
        cmds.append(f"# and take {folder} out of LD_LIBRARY_PATH (a driver copy there is found first too)")
    cmds.append("wsl --shutdown")
    yield info.finding(
        Severity.ERROR,
        evidence,
        "A Linux NVIDIA driver was installed inside WSL. Its libcuda is found before the one WSL mounts from the "
        "Windows driver, and it cannot reach the GPU here (WSL has no NVIDIA kernel module or /dev/nvidia*), so "
        "CUDA fails or finds no device.",
        Fix("Remove the Linux driver from WSL (the Windows driver is the only one WSL needs; keep the CUDA toolkit), "
            "refresh the loader cache, then restart WSL from Windows PowerShell:", tuple(cmds)),
    )


def _driver_not_loaded_hints(snap, g: GpuFacts, d: DriverFacts | None) -> tuple[list[Evidence], str, list[str]]:
    p = platform(snap)
    distro = (p.distro or "").lower() if p else ""
    debian_like = any(x in distro for x in ("debian", "ubuntu", "mint", "pop"))
    rebuild_initramfs = "sudo update-initramfs -u" if debian_like or not distro else "sudo dracut --force"
    bound = {x.driver for x in g.nvidia_gpus}
    evidence: list[Evidence] = []
    blacklisted = [b for b in g.blacklisted if b.module == "nvidia"]
    if "nouveau" in bound:
        evidence.append(Evidence("the open-source nouveau driver has claimed the GPU", "/sys/bus/pci/devices/*/driver"))
        return evidence, "The nouveau driver holds the GPU, so the NVIDIA module cannot bind to it. Disable nouveau and reboot:", [
            "printf 'blacklist nouveau\\noptions nouveau modeset=0\\n' | sudo tee /etc/modprobe.d/blacklist-nouveau.conf",
            rebuild_initramfs, "sudo reboot"]
    if "vfio-pci" in bound:
        evidence.append(Evidence("the GPU is bound to vfio-pci (reserved for passthrough to a virtual machine)",
                                 "/sys/bus/pci/devices/*/driver"))
        return evidence, ("The GPU is reserved for a virtual machine. Use it inside that VM, or remove its id from the "
                          "vfio-pci configuration and reboot:"), ["grep -rn vfio /etc/modprobe.d /proc/cmdline"]
    if blacklisted:
        evidence.extend(Evidence(f"the nvidia module is blacklisted in {b.where}", b.where) for b in blacklisted)
        return evidence, "Something blacklists the NVIDIA module. Remove that line, then load it:", [
            f"sudo grep -n nvidia {blacklisted[0].where}", "sudo modprobe nvidia"]
    libs = bool(d and d.libraries)
    if g.module_files:
        evidence.append(Evidence(f"a module exists for this kernel: {g.module_files[0]}", "/lib/modules"))
        if g.secure_boot:
            evidence.append(Evidence("Secure Boot is enabled", "EFI variable SecureBoot"))
            return evidence, ("Secure Boot refuses modules not signed with an enrolled key. Enroll the DKMS signing key "
                              "(it asks for a password, then reboot and confirm it in the blue MOK screen):"), [
                "mokutil --sb-state", "sudo mokutil --import /var/lib/dkms/mok.pub", "sudo reboot"]
        return evidence, "The module is built but not loaded. Load it and read the kernel's reason if it fails:", [
            "sudo modprobe nvidia", "sudo dmesg | grep -i -E 'nvidia|nvrm' | tail -n 20"]
    if libs:
        evidence.append(Evidence("the user-space driver is installed, but no nvidia.ko exists for the running kernel "
                                 f"{p.kernel if p else ''}", "/lib/modules"))
        return evidence, ("The driver's kernel module was not built for this kernel (typically a kernel update without a "
                          "DKMS rebuild). Install the headers, rebuild, reboot:"), [
            "sudo apt install linux-headers-$(uname -r)" if debian_like else "# install the kernel headers for $(uname -r)",
            "sudo dkms autoinstall", "sudo reboot"]
    if "ubuntu" in distro:
        cmds = ["sudo ubuntu-drivers install", "sudo reboot"]
    elif "debian" in distro:
        cmds = ["# enable the non-free component in /etc/apt/sources.list, then:",
                "sudo apt update && sudo apt install nvidia-driver", "sudo reboot"]
    else:
        cmds = ["# install your distribution's NVIDIA driver package, or NVIDIA's from https://www.nvidia.com/Download/index.aspx"]
    return evidence, "No NVIDIA driver is installed. Install it and reboot:", cmds


@rule(
    "WG202", "nvidia_driver_not_loaded", "driver_not_loaded",
    "An NVIDIA GPU is present but its kernel driver is not loaded",
    detects="An NVIDIA display device on the PCI bus, and no /proc/driver/nvidia/version (no nvidia module loaded).",
    why="Everything CUDA does goes through the nvidia kernel module; without it libcuda finds no device and "
        "nvidia-smi cannot talk to the driver. Common causes: nouveau has the GPU, the module was not rebuilt "
        "after a kernel update, Secure Boot rejects the unsigned module, or no driver is installed.",
    example="PCI 0000:01:00.0 NVIDIA 10de:2204 (driver in use: nouveau); no /proc/driver/nvidia/version",
    fix="Depends on the evidence: blacklist nouveau; rebuild the DKMS module for the running kernel; enroll the "
        "module signing key for Secure Boot; or install the driver.",
    references=("https://docs.nvidia.com/cuda/cuda-installation-guide-linux/",
                "https://wiki.debian.org/NvidiaGraphicsDrivers"),
)
def nvidia_driver_not_loaded(info, snap):
    g, d, p = gpu(snap), driver(snap), platform(snap)
    if g is None or not linux_not_wsl(snap) or not g.nvidia_gpus or g.proc_driver_present:
        return
    if g.module_loaded("nvidia"):
        return
    if d and ((d.nvml and d.nvml.init_code == 0) or (d.cuda and d.cuda.init_code == 0)):
        return  # the driver answers; /proc/driver/nvidia is just hidden (some container setups)
    if p and p.container and not g.gpu_nodes:
        return  # a container without GPU access: WG103 says how to start it
    said = nvml_or_smi_says(d, "driver_not_loaded")
    if not g.pci_readable:  # a pasted report: what it showed, not a listing of the bus and /proc
        evidence = [Evidence("an NVIDIA GPU is in the machine", "the pasted report")] + ([said] if said else [])
        text, cmds = ("Find out why the module does not load (not installed, not built for this kernel, Secure Boot, "
                      "nouveau), then fix that and reboot:",
                      ["lsmod | grep -E 'nvidia|nouveau'", "sudo dmesg | grep -i -E 'nvidia|nvrm|nouveau' | tail -n 20",
                       "mokutil --sb-state", "sudo ubuntu-drivers install  # Ubuntu; or your distribution's package"])
        hints: list[Evidence] = []
        if any(x.driver in ("nouveau", "vfio-pci") for x in g.nvidia_gpus):  # the report's `lspci -k` shows who holds it
            hints, text, cmds = _driver_not_loaded_hints(snap, g, d)
    else:
        evidence = [Evidence(describe(x), "/sys/bus/pci/devices") for x in g.nvidia_gpus[:4]]
        evidence.append(Evidence("/proc/driver/nvidia/version does not exist: the nvidia kernel module is not loaded",
                                 "/proc/driver/nvidia"))
        if said:
            evidence.append(said)
        hints, text, cmds = _driver_not_loaded_hints(snap, g, d)
    yield info.finding(
        Severity.ERROR,
        evidence + hints,
        "The GPU is there, but no NVIDIA kernel driver runs it, so CUDA cannot start.",
        Fix(text, tuple(cmds)),
    )


def _mismatched_copies(g: GpuFacts, d: DriverFacts | None) -> list[LibraryCopy]:
    kernel = g.kernel_module.version if g.kernel_module else None
    if not kernel or d is None:
        return []
    return [c for c in d.libraries if c.version and c.version != kernel and c.source != "WSL"]


@rule(
    "WG203", "driver_library_version_mismatch", "driver_library_mismatch",
    "The NVIDIA kernel module and user-space libraries are different versions",
    detects="NVML or nvidia-smi report 'Driver/library version mismatch', cuInit returns "
            "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH, or the version in /proc/driver/nvidia/version differs from the "
            "libcuda/libnvidia-ml file version.",
    why="libcuda and NVML refuse to talk to a kernel module of another version. This happens after a driver "
        "upgrade without reboot (the old module stays loaded), when a container image ships its own driver "
        "libraries, or when LD_LIBRARY_PATH points at another driver's libraries.",
    example="kernel module 535.104.05; /lib/x86_64-linux-gnu/libcuda.so.1 -> libcuda.so.535.129.03",
    fix="Reboot (or unload and reload the nvidia modules). In a container: remove the driver packages from the image. "
        "With LD_LIBRARY_PATH: drop the directory holding the other driver's libraries.",
    references=("https://docs.nvidia.com/deploy/nvml-api/group__nvmlDeviceEnumvs.html",),
)
def driver_library_version_mismatch(info, snap):
    g, d, p = gpu(snap), driver(snap), platform(snap)
    if g is None or not linux_not_wsl(snap):
        return
    evidence = []
    said = nvml_or_smi_says(d, "lib_rm_version_mismatch")
    if said:
        evidence.append(said)
    if d and d.cuda and d.cuda.init_name == "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH":
        evidence.append(Evidence(f"cuInit(0) returned {d.cuda.init_name} ({d.cuda.init_code})", "libcuda in a child process"))
    wrong = _mismatched_copies(g, d)
    if not evidence and not wrong:
        return
    if g.kernel_module and g.kernel_module.version:
        evidence.append(Evidence(f"loaded kernel module: {g.kernel_module.version}", "/proc/driver/nvidia/version"))
    evidence.extend(Evidence(f"{c.name} -> {c.resolved} is driver {c.version}", c.source) for c in wrong)
    from_ldpath = [c for c in wrong if c.source == "LD_LIBRARY_PATH"]
    if from_ldpath:
        folder = posixpath.dirname(from_ldpath[0].path)
        fix = Fix(f"LD_LIBRARY_PATH puts another driver's libraries ({folder}) first. Remove that folder from it:",
                  (f"export LD_LIBRARY_PATH=$(echo \"$LD_LIBRARY_PATH\" | tr ':' '\\n' | grep -v -x '{folder}' | paste -sd:)",))
    elif p and p.container:
        fix = Fix("This image carries its own NVIDIA driver libraries; the container runtime must supply the host's. "
                  "Remove the driver packages from the image (keep the CUDA toolkit if you need it) and rebuild:",
                  ("# e.g. in the Dockerfile: RUN apt-get purge -y 'libnvidia-*' 'nvidia-driver-*' 'libcuda1*'",))
    else:
        fix = Fix("The driver was upgraded but the old kernel module is still loaded. Reboot, or reload the modules "
                  "(stop the display manager and GPU jobs first):",
                  ("sudo reboot", "# or: sudo rmmod nvidia_uvm nvidia_drm nvidia_modeset nvidia && sudo modprobe nvidia nvidia_uvm"))
    yield info.finding(
        Severity.ERROR,
        evidence,
        "The user-space driver libraries and the loaded kernel module come from different driver releases, so "
        "NVML and CUDA refuse to start.",
        fix,
    )


# cuInit results that other rules explain (Fabric Manager, compute mode, a mismatch, memory).
OTHER_RULES_CUINIT = ("CUDA_ERROR_SYSTEM_NOT_READY", "CUDA_ERROR_DEVICES_UNAVAILABLE", "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH",
                      "CUDA_ERROR_OUT_OF_MEMORY")


@rule(
    "WG204", "nvidia_uvm_not_available", "nvidia_uvm_unavailable",
    "The nvidia_uvm module or /dev/nvidia-uvm is missing or stale",
    detects="The nvidia driver is loaded but nvidia_uvm is not (or /dev/nvidia-uvm is absent), or cuInit fails with "
            "CUDA_ERROR_UNKNOWN (999) while the driver is loaded — the usual state after suspend/resume.",
    why="CUDA needs the unified-memory module as well as the main driver; nvidia-smi does not, so it looks healthy "
        "while every framework fails to initialise CUDA with an 'unknown error'.",
    example="nvidia 550.54.14 loaded; nvidia_uvm not in /proc/modules; cuInit → CUDA_ERROR_UNKNOWN (999)",
    fix="`sudo rmmod nvidia_uvm && sudo modprobe nvidia_uvm` (or `sudo nvidia-modprobe -u -c=0`); a reboot also works.",
    references=("https://docs.nvidia.com/cuda/cuda-installation-guide-linux/#runfile-verifications",),
)
def nvidia_uvm_not_available(info, snap):
    g, d, p = gpu(snap), driver(snap), platform(snap)
    if g is None or not linux_not_wsl(snap) or not g.proc_driver_present:
        return
    if nvml_or_smi_says(d, "lib_rm_version_mismatch") or _mismatched_copies(g, d):
        return  # a mismatch explains everything above it
    if gpu_lost(d):
        return  # a GPU that fell off the bus also makes cuInit fail with 999: WG207 reports it
    if p and p.container and g.knows("device_nodes") and not g.gpu_nodes:
        return  # a container given no GPU node at all lacks /dev/nvidia-uvm with the rest: WG103 reports that
    uvm_loaded = g.module_loaded("nvidia_uvm")
    node = g.node("/dev/nvidia-uvm")
    cuda = d.cuda if d else None
    if cuda is not None and cuda.init_code == 0:
        return  # cuInit worked: libcuda loaded nvidia_uvm itself through nvidia-modprobe
    ran = cuda is not None and cuda.init_code is not None
    if ran and cuda.init_name in OTHER_RULES_CUINIT:
        return
    unknown = ran and cuda.init_name == "CUDA_ERROR_UNKNOWN"
    evidence = []
    if uvm_loaded is False:
        evidence.append(Evidence("nvidia is loaded but nvidia_uvm is not", "/proc/modules"))
    if node is None and g.knows("device_nodes"):
        evidence.append(Evidence("/dev/nvidia-uvm does not exist", "/dev"))
    if not evidence and not unknown:
        return
    if ran:
        evidence.append(Evidence(f"cuInit(0) returned {cuda.init_name} ({cuda.init_code})", "libcuda in a child process"))
    # Before any CUDA program ran, a missing nvidia_uvm is normal (libcuda loads it on first use), so
    # without a failed cuInit this is only a warning.
    severity = Severity.ERROR if ran else Severity.WARNING
    if p and p.container and node is None:
        fix = Fix("The container was not given /dev/nvidia-uvm. Load the module on the host, then restart the container "
                  "with GPU access:", ("sudo nvidia-modprobe -u -c=0   # on the host", "docker run --gpus all IMAGE ..."))
    elif uvm_loaded and unknown:
        fix = Fix("nvidia_uvm is loaded but stale (typical after suspend/resume). Reload it (no GPU job may be running):",
                  ("sudo rmmod nvidia_uvm && sudo modprobe nvidia_uvm",))
    else:
        fix = Fix("Load the unified-memory module and create its device node:",
                  ("sudo modprobe nvidia_uvm", "sudo nvidia-modprobe -u -c=0"))
    yield info.finding(
        severity,
        evidence,
        "The main driver works (so nvidia-smi looks fine), but CUDA also needs nvidia_uvm; without a working one "
        "cuInit fails and the frameworks fall back to the CPU.",
        fix,
    )
