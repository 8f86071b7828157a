"""The GPU as the kernel sees it: PCI devices, device nodes, the NVIDIA kernel modules.

Everything here is read from sysfs, /proc and /dev without loading any NVIDIA library, and
runs before probes/driver.py does: loading libcuda or NVML as root can itself create
/dev/nvidiactl (captured in tests/fixtures/real/nvidia-userspace-no-kernel), so the
nodes are recorded as they were before whynogpu touched anything.
"""

from __future__ import annotations

import posixpath
import stat as _stat

from whynogpu.facts.gpu import NVIDIA, Blacklist, DeviceNode, GpuFacts, PciDevice  # noqa: F401 (the facts it makes)
from whynogpu.host.base import FileStat, UserInfo
from whynogpu.parsers.proc_driver import parse_proc_driver_version
from whynogpu.parsers.proc_modules import parse_proc_modules
from whynogpu.probes import Context, NotApplicable, probe

PCI_ROOT = "/sys/bus/pci/devices"

# Kernel modules whose presence decides the diagnosis; others in /proc/modules are not kept.
MODULES = ("nvidia", "nvidia_uvm", "nvidia_drm", "nvidia_modeset", "nvidia_peermem", "nouveau", "amdgpu", "i915",
           "vfio_pci")
MODPROBE_DIRS = ("/etc/modprobe.d", "/usr/lib/modprobe.d", "/lib/modprobe.d", "/run/modprobe.d")
# Where distribution packages and DKMS put nvidia.ko for a kernel (relative to /lib/modules/<release>).
MODULE_DIRS = ("updates/dkms", "kernel/drivers/video", "extra", "updates", "kernel/drivers/gpu/drm/nouveau",
               "kernel/nvidia", "video")
SECURE_BOOT_VAR = "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e0c9fe44e3f5"
WSL_LIB = "/usr/lib/wsl/lib"
MAX_PCI = 512  # big servers have a few hundred functions; stop there rather than read thousands


def _read_hex(host, path: str) -> str | None:
    text = host.read_text(path, limit=64)
    return text.strip().lower() if text and text.strip() else None


def read_pci(host) -> tuple[bool, tuple[PciDevice, ...]]:
    names = host.listdir(PCI_ROOT)
    if not names:
        return False, ()
    out = []
    for name in names[:MAX_PCI]:
        base = f"{PCI_ROOT}/{name}"
        vendor = _read_hex(host, f"{base}/vendor")
        if vendor is None:
            continue
        entries = host.listdir(base) or []
        driver = posixpath.basename(host.realpath(f"{base}/driver")) if "driver" in entries else None
        out.append(PciDevice(name, vendor, _read_hex(host, f"{base}/device") or "", _read_hex(host, f"{base}/class") or "",
                             driver))
    return True, tuple(out)


def _usable(st: FileStat, user: UserInfo) -> bool:
    if user.uid == 0:
        return True
    if st.uid == user.uid:
        bits = (st.mode >> 6) & 0o6
    elif st.gid == user.gid or st.gid in user.groups:
        bits = (st.mode >> 3) & 0o6
    else:
        bits = st.mode & 0o6
    return bits == 0o6


def read_nodes(host, user: UserInfo) -> tuple[DeviceNode, ...]:
    paths = [f"/dev/{n}" for n in (host.listdir("/dev") or []) if n.startswith("nvidia") or n == "dxg"]
    paths += [f"/dev/nvidia-caps/{n}" for n in (host.listdir("/dev/nvidia-caps") or [])]
    out = []
    for path in sorted(set(paths)):
        st = host.stat(path)
        if st is None or _stat.S_ISDIR(st.mode):
            continue
        out.append(DeviceNode(path, _stat.S_ISCHR(st.mode), _stat.S_IMODE(st.mode), st.uid, st.gid, st.rdev,
                              _usable(st, user)))
    return tuple(out)


def read_blacklists(host) -> tuple[Blacklist, ...]:
    found = []
    for d in MODPROBE_DIRS:
        for name in host.listdir(d) or []:
            if not name.endswith(".conf"):
                continue
            path = f"{d}/{name}"
            for line in (host.read_text(path, limit=1 << 16) or "").splitlines():
                words = line.split("#", 1)[0].split()
                if len(words) >= 2 and words[0] == "blacklist" and words[1] in MODULES:
                    found.append(Blacklist(words[1], path))
                # `install nvidia /bin/false` also keeps a module out
                if len(words) >= 3 and words[0] == "install" and words[1] in MODULES and words[2] in ("/bin/false", "/bin/true"):
                    found.append(Blacklist(words[1], path))
    cmdline = host.read_text("/proc/cmdline", limit=1 << 14) or ""
    for word in cmdline.split():
        key, _, value = word.partition("=")
        if key in ("module_blacklist", "modprobe.blacklist"):
            found.extend(Blacklist(m, "/proc/cmdline") for m in value.split(",") if m in MODULES)
    return tuple(found)


def read_module_files(host, release: str) -> tuple[str, ...]:
    base = f"/lib/modules/{release}"
    found = []
    for rel in MODULE_DIRS:
        d = f"{base}/{rel}"
        for name in host.listdir(d) or []:
            if name.startswith("nvidia") and ".ko" in name:
                found.append(f"{d}/{name}")
    return tuple(sorted(set(found)))


def read_secure_boot(host) -> bool | None:
    # efivars: 4 attribute bytes, then the value byte (1 = enabled).
    raw = host.read_text(SECURE_BOOT_VAR, limit=16)
    if not raw:
        return None
    return raw[-1] == "\x01"


@probe("gpu", facts=GpuFacts, order=12, layer="gpu")
def gather_gpu(ctx: Context) -> GpuFacts:
    host = ctx.host
    u = host.uname()
    if u.system == "Windows":  # display adapters, not sysfs (probes/windows_gpu.py)
        from whynogpu.probes.windows_gpu import gather_gpu as gather_windows_gpu

        return gather_windows_gpu(ctx)
    if u.system != "Linux":
        raise NotApplicable(f"PCI, device nodes and kernel modules are read on Linux only (this is {u.system})")
    user = host.user()
    pci_readable, devices = read_pci(host)
    proc_text = host.read_text("/proc/driver/nvidia/version")
    modules_text = host.read_text("/proc/modules")
    loaded = None
    if modules_text is not None:
        loaded = tuple(m.name for m in parse_proc_modules(modules_text) if m.name in MODULES)
    sys_version = host.read_text("/sys/module/nvidia/version", limit=64)
    return GpuFacts(
        pci_readable=pci_readable,
        pci_devices=devices,
        device_nodes=read_nodes(host, user),
        kernel_module=parse_proc_driver_version(proc_text) if proc_text else None,
        proc_driver_present=proc_text is not None,
        sys_module_version=sys_version.strip() if sys_version and sys_version.strip() else None,
        loaded_modules=loaded,
        blacklisted=read_blacklists(host),
        module_files=read_module_files(host, u.release),
        secure_boot=read_secure_boot(host),
        wsl_libcuda=tuple(f"{WSL_LIB}/{n}" for n in (host.listdir(WSL_LIB) or []) if n.startswith("libcuda.so")),
        user=user.name,
        uid=user.uid,
    )
