"""Kubernetes manifests (also `helm template` output and multi-document files): every pod template.

A pod template is any mapping with a `containers` list, wherever it sits (Pod, Deployment, Job, CronJob,
Kubeflow/Ray/Argo resources …). A container asks for a GPU with an `nvidia.com/…` resource in its
limits or requests (the device plugin's `nvidia.com/gpu`, MIG `nvidia.com/mig-…`), or through dynamic
resource allocation (pod `resourceClaims`, container `resources.claims`).
"""

from __future__ import annotations

from dataclasses import replace

from whynogpu.facts import files as K
from whynogpu.facts.files import DeclaredFile, EnvVar, Workload
from whynogpu.lint.common import spot
from whynogpu.lint.compose import commands
from whynogpu.lint.yamlread import Budget, YMap, YScalar, YSeq, documents, env_pairs, text_of


def looks_like(text: str) -> bool:
    return "apiVersion" in text and "kind" in text


def _gpu_request(pod: YMap, c: YMap) -> str:
    res = c.get("resources")
    if isinstance(res, YMap):
        for part in ("limits", "requests"):
            m = res.get(part)
            if isinstance(m, YMap):
                for k, v in m.items:
                    if isinstance(k, YScalar) and k.value.startswith("nvidia.com/") and text_of(v) not in ("0", ""):
                        return f"resources.{part}.{k.value}: {text_of(v)}"
        if isinstance(res.get("claims"), YSeq) and res.get("claims").items:
            return "resources.claims (dynamic resource allocation)"
    if isinstance(pod.get("resourceClaims"), YSeq) and pod.get("resourceClaims").items:
        return "pod resourceClaims (dynamic resource allocation)"
    return ""


def _pods(node, budget: Budget, depth: int = 0):
    """Mappings holding a `containers` list, found anywhere in the document."""
    budget.spend()
    if depth > 60:
        return
    if isinstance(node, YMap):
        if isinstance(node.get("containers"), YSeq):
            yield node
        for _, v in node.items:
            yield from _pods(v, budget, depth + 1)
    elif isinstance(node, YSeq):
        for v in node.items:
            yield from _pods(v, budget, depth + 1)


def _command(lines: list[str], c: YMap) -> tuple:
    """The container's command and args as one command line (the image's entrypoint when only args are given)."""
    parts = commands(lines, [(f, c.get(f)) for f in ("command", "args")])
    if len(parts) < 2:
        return parts
    return (replace(parts[1], text=f"{parts[0].text} {parts[1].text}", where="command/args"),)


def read(path: str, text: str) -> DeclaredFile | None:
    """None when no document is a Kubernetes object (some other YAML file)."""
    lines = text.splitlines()
    docs = [d for d in documents(text) if isinstance(d, YMap) and d.get("apiVersion") is not None and d.get("kind")]
    if not docs:
        return None
    budget = Budget()
    workloads = []
    for doc in docs:
        meta = doc.get("metadata")
        obj = f"{text_of(doc.get('kind'))}/{text_of(meta.get('name')) if isinstance(meta, YMap) else ''}"
        for pod in _pods(doc, budget):
            for field, init in (("containers", False), ("initContainers", True)):
                seq = pod.get(field)
                if not isinstance(seq, YSeq):
                    continue
                for c in seq.items:
                    if not isinstance(c, YMap):
                        continue
                    image = c.get("image")
                    anchor = image if isinstance(image, YScalar) else c
                    env = tuple(EnvVar(n, v, spot(lines, ln, col)) for n, v, ln, col in env_pairs(c.get("env")))
                    cmds = _command(lines, c)
                    workloads.append(Workload(K.KUBERNETES, f"{obj}/{text_of(c.get('name'))}", text_of(image),
                                              spot(lines, anchor.line, anchor.column), _gpu_request(pod, c),
                                              env=env, init=init, commands=cmds))
    return DeclaredFile(path, K.KUBERNETES, workloads=tuple(workloads))
