"""kernel-metadata.json: the settings `kaggle kernels push` runs a notebook or script on Kaggle with.

Kaggle gives the kernel an accelerator only when this file asks for one: `"enable_gpu": true` (the default is false,
and `kaggle kernels init` writes false), or a `machine_shape` naming an NVIDIA machine (NvidiaTeslaP100,
NvidiaTeslaT4, NvidiaL4 …; kaggle-api #856, kaggle-cli docs/kernels.md). Without either the kernel runs on a machine
with no GPU (https://github.com/Kaggle/kaggle-api/wiki/Kernel-Metadata). The kernel is kept as one workload whose
gpu_request says how it asks, and whose spot is the `enable_gpu` line (else the `id`).
"""

from __future__ import annotations

import json
import re

from whynogpu.facts import files as K
from whynogpu.facts.files import DeclaredFile, Workload
from whynogpu.lint.common import Unreadable, spot


def _line(text: str, key: str) -> int:
    m = re.search(r'"' + re.escape(key) + r'"\s*:', text)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def read(path: str, text: str) -> DeclaredFile | None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise Unreadable("not valid JSON") from None
    if not isinstance(data, dict) or "id" not in data and "code_file" not in data:
        return None  # another JSON file of that name: not Kaggle's
    lines = text.splitlines()
    gpu = str(data.get("enable_gpu", "false")).strip().lower() == "true"
    shape = str(data.get("machine_shape") or "")
    asks = "enable_gpu: true" if gpu else f"machine_shape: {shape}" if shape.lower().startswith("nvidia") else ""
    where = _line(text, "enable_gpu" if "enable_gpu" in data else "id")
    name = str(data.get("id") or data.get("code_file") or "kernel")[:200]
    return DeclaredFile(path, K.KAGGLE, workloads=(Workload(K.KAGGLE, name, "", spot(lines, where, 1),
                                                            gpu_request=asks),))
