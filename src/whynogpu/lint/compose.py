"""docker-compose.yml / compose.yaml: each service's image or build, how it asks for a GPU, its environment and
the command it starts with.

A service asks for a GPU with a device reservation whose capabilities include `gpu`
(deploy.resources.reservations.devices, the Compose spec's way), `gpus:`, `runtime: nvidia`, or a CDI
device `nvidia.com/gpu=…` under `devices:`.
"""

from __future__ import annotations

import posixpath

from whynogpu.facts import files as K
from whynogpu.facts.files import Command, DeclaredFile, EnvVar, Workload
from whynogpu.lint.common import spot
from whynogpu.lint.yamlread import YMap, YScalar, YSeq, documents, env_pairs, text_of


def _flat(node) -> list[str]:
    if isinstance(node, YScalar):
        return [node.value]
    if isinstance(node, YSeq):
        return [v for item in node.items for v in _flat(item)]
    return []


def _gpu_reservation(svc: YMap) -> YMap | None:
    """The device reservation whose capabilities include `gpu`."""
    deploy = svc.get("deploy")
    res = deploy.get("resources") if isinstance(deploy, YMap) else None
    reservations = res.get("reservations") if isinstance(res, YMap) else None
    devices = reservations.get("devices") if isinstance(reservations, YMap) else None
    for d in devices.items if isinstance(devices, YSeq) else ():
        if isinstance(d, YMap) and "gpu" in [c.lower() for c in _flat(d.get("capabilities"))]:
            return d
    return None


# The NVIDIA driver capabilities among a reservation's: Docker's daemon sets NVIDIA_DRIVER_CAPABILITIES to them, after
# the service's own environment, so they decide which driver libraries are mounted (moby daemon/nvidia_linux.go)
DRIVER_CAPS = ("compute", "compat32", "graphics", "utility", "video", "display")


def _reserved_caps(lines: list[str], svc: YMap) -> tuple[EnvVar, ...]:
    d = _gpu_reservation(svc)
    node = d.get("capabilities") if d is not None else None
    caps = [c.lower() for c in _flat(node) if c.lower() in DRIVER_CAPS]
    return (EnvVar("NVIDIA_DRIVER_CAPABILITIES", ",".join(caps), spot(lines, node.line, node.column)),) if caps else ()


def gpu_request(svc: YMap) -> str:
    if _gpu_reservation(svc) is not None:
        return "deploy.resources.reservations.devices with capabilities [gpu]"
    if svc.get("gpus") is not None:
        return "gpus:"
    if text_of(svc.get("runtime")).lower() == "nvidia":
        return "runtime: nvidia"
    for d in _flat(svc.get("devices")):
        if d.startswith("nvidia.com/gpu"):
            return f"CDI device {d}"
    return ""


def _dockerfile(path: str, build) -> str:
    here = posixpath.dirname(path)
    if isinstance(build, YScalar):
        context, dockerfile = build.value, "Dockerfile"
    elif isinstance(build, YMap):
        context = text_of(build.get("context")) or "."
        dockerfile = text_of(build.get("dockerfile")) or "Dockerfile"
    else:
        return ""
    if "://" in context or context.startswith("git@"):
        return ""
    return posixpath.normpath(posixpath.join(here, context, dockerfile))


def _build_args(build) -> tuple[str, ...]:
    """The values of a build's `args` (a map, or a list of NAME=value), as written."""
    args = build.get("args") if isinstance(build, YMap) else None
    return tuple(v for _, v, _, _ in env_pairs(args))[:64] if args is not None else ()


def commands(lines: list[str], fields: list[tuple[str, object]]) -> tuple[Command, ...]:
    """The command lines a service or container starts with, from its command-like fields (a string, or a list
    of words joined with spaces), each at the field's value."""
    out = []
    for where, node in fields:
        words = _flat(node)
        if words and isinstance(node, (YScalar, YSeq)):
            out.append(Command(" ".join(words), spot(lines, node.line, node.column), where))
    return tuple(out)


def read(path: str, text: str) -> DeclaredFile:
    lines = text.splitlines()
    workloads = []
    for doc in documents(text):
        services = doc.get("services") if isinstance(doc, YMap) else None
        if not isinstance(services, YMap):
            continue
        for key, svc in services.items:
            if not isinstance(key, YScalar) or not isinstance(svc, YMap):
                continue
            image = svc.get("image")
            anchor = image if isinstance(image, YScalar) else key
            env = tuple(EnvVar(n, v, spot(lines, ln, col)) for n, v, ln, col in env_pairs(svc.get("environment")))
            env += _reserved_caps(lines, svc)
            cmds = commands(lines, [(f, svc.get(f)) for f in ("entrypoint", "command")])
            workloads.append(Workload(K.COMPOSE, key.value, text_of(image), spot(lines, anchor.line, anchor.column),
                                      gpu_request(svc), _dockerfile(path, svc.get("build")), env, commands=cmds,
                                      build_args=_build_args(svc.get("build"))))
    return DeclaredFile(path, K.COMPOSE, workloads=tuple(workloads))
