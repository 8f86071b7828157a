"""`torch/version.py`, read without importing torch: plain (annotated) assignments."""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class TorchBuild:
    version: str | None  # e.g. "2.9.1+cu128"
    cuda: str | None  # torch.version.cuda: None for CPU (and ROCm) builds
    hip: str | None


def parse_torch_version(text: str) -> TorchBuild | None:
    """torch's version facts; None when the file is damaged beyond reading (never raises)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # ValueError: NUL bytes before 3.12
        return None
    values: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name, value = node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            name, value = node.target.id, node.value
        else:
            continue
        try:
            values[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError, TypeError, RecursionError, MemoryError):
            continue
    if "__version__" not in values:
        return None

    def s(key: str) -> str | None:
        v = values.get(key)
        if v is None or isinstance(v, int) and v.bit_length() > 200:  # str() of 5000 digits raises
            return None
        return str(v)

    return TorchBuild(version=s("__version__"), cuda=s("cuda"), hip=s("hip"))
