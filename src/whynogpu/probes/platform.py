"""Platform facts: operating system, architecture, WSL, containers."""

from __future__ import annotations

from whynogpu.facts.platform import PlatformFacts  # noqa: F401 (the facts it makes)
from whynogpu.probes import Context, probe


def _os_name(system: str) -> str:
    return {"Linux": "linux", "Windows": "windows", "Darwin": "macos"}.get(system, system.lower())


def _os_release(text: str | None) -> str | None:
    for line in (text or "").splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip().strip('"')
    return None


def detect_wsl(kernel: str, proc_version: str | None) -> int | None:
    text = f"{kernel} {proc_version or ''}"
    if "microsoft-standard" in text.lower() or "WSL2" in text:
        return 2
    if "Microsoft" in text:  # WSL1 kernels report e.g. 4.4.0-19041-Microsoft
        return 1
    return None


def detect_container(ctx: Context) -> tuple[str | None, tuple[str, ...]]:
    host = ctx.host
    env = host.env()
    found: list[tuple[str, str]] = []
    if env.get("KUBERNETES_SERVICE_HOST"):
        found.append(("kubernetes", "KUBERNETES_SERVICE_HOST is set"))
    if env.get("APPTAINER_CONTAINER") or env.get("SINGULARITY_CONTAINER") or host.exists("/.singularity.d"):
        found.append(("apptainer", "Apptainer/Singularity environment"))
    if host.exists("/run/.containerenv"):
        found.append(("podman", "/run/.containerenv exists"))
    if host.exists("/.dockerenv"):
        found.append(("docker", "/.dockerenv exists"))
    cgroup = host.read_text("/proc/1/cgroup") or ""
    for marker, kind in (("kubepods", "kubernetes"), ("docker", "docker"), ("libpod", "podman"), ("lxc", "lxc")):
        if marker in cgroup:
            found.append((kind, f"/proc/1/cgroup mentions {marker}"))
            break
    if env.get("container") and not found:
        found.append((env["container"], "the 'container' environment variable is set"))
    if not found:
        return None, ()
    return found[0][0], tuple(e for _, e in found)


@probe("platform", facts=PlatformFacts, order=10)
def gather_platform(ctx: Context) -> PlatformFacts:
    u = ctx.host.uname()
    os_name = _os_name(u.system)
    wsl = None
    container, evidence = None, ()
    distro = None
    if os_name == "linux":
        wsl = detect_wsl(u.release, ctx.host.read_text("/proc/version"))
        container, evidence = detect_container(ctx)
        distro = _os_release(ctx.host.read_text("/etc/os-release"))
    elif os_name == "windows":
        from whynogpu.host.windows import windows_release_name

        distro = windows_release_name(u.release, u.version)
    elif os_name == "macos":
        distro = "macOS"
    return PlatformFacts(
        os=os_name,
        kernel=u.release,
        distro=distro,
        arch=u.machine,
        wsl=wsl,
        container=container,
        container_evidence=evidence,
        hostname=u.node,
    )
