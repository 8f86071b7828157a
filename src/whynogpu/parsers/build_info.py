"""TensorFlow's generated `tensorflow/python/platform/build_info.py`, read without importing TF.

Formats differ by release (module variables up to 2.2, a dict in 2.3, an OrderedDict from
2.4 on); all are literals, so `ast` reads every one of them.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class TFBuildInfo:
    is_cuda_build: bool | None
    is_rocm_build: bool | None
    cuda_version: str | None
    cudnn_version: str | None
    compute_capabilities: tuple[str, ...]  # e.g. ("sm_60", "compute_90"); empty when not recorded


def _literal(node: ast.AST):
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, RecursionError, MemoryError):
        return None


def _text(value) -> str | None:
    """A version-like value as text; None for containers, and for numbers too long to print
    (str() of an int of 5000 digits raises)."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    if isinstance(value, int) and value.bit_length() > 200:
        return None
    return str(value)


def parse_build_info(text: str) -> TFBuildInfo | None:
    """The build facts of a build_info.py; None when it is damaged beyond reading (never raises)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # ValueError: NUL bytes before 3.12
        return None
    values: dict[str, object] = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign) or len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name):
            continue
        name = node.targets[0].id
        if name == "build_info":
            value = node.value
            if isinstance(value, ast.Call) and value.args:  # collections.OrderedDict([...])
                pairs = _literal(value.args[0])
                if isinstance(pairs, list):
                    values.update(p for p in pairs if isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str))
            else:
                d = _literal(value)
                if isinstance(d, dict):
                    values.update(d)
        else:
            v = _literal(node.value)
            if v is not None:
                values[name] = v
    if not values:
        return None
    cuda = values.get("cuda_version", values.get("cuda_version_number"))
    cudnn = values.get("cudnn_version", values.get("cudnn_version_number"))
    caps = values.get("cuda_compute_capabilities") or ()
    return TFBuildInfo(
        is_cuda_build=values.get("is_cuda_build") if isinstance(values.get("is_cuda_build"), bool) else None,
        is_rocm_build=values.get("is_rocm_build") if isinstance(values.get("is_rocm_build"), bool) else None,
        cuda_version=_text(cuda) or None,
        cudnn_version=_text(cudnn) or None,
        compute_capabilities=tuple(t for t in map(_text, caps) if t) if isinstance(caps, (list, tuple)) else (),
    )
