"""The wheel index an install command names: PyTorch's CPU index holds CPU builds only
(https://pytorch.org/get-started/locally/), so torch installed from it has no CUDA whatever else the report shows."""

from __future__ import annotations

from whynogpu.triage.engine import triage

DOCKERFILE = """Training in my image runs on the CPU. The Dockerfile:
```
FROM python:3.10-slim
RUN pip install torch {index}
COPY . /app
CMD python /app/train.py
```
I start it with `docker run --gpus all myimg`.
"""


def test_torch_from_the_cpu_index_is_a_cpu_build():
    report = triage(DOCKERFILE.format(index="--index-url https://download.pytorch.org/whl/cpu"))
    assert report.verdict.root_cause == "cpu_only_package"
    assert "release is not shown" in report.findings[0].evidence[0].fact  # no torch version was printed


def test_torch_from_a_cuda_index_is_not_read_as_cpu():
    report = triage(DOCKERFILE.format(index="--index-url https://download.pytorch.org/whl/cu121"))
    assert report.verdict.root_cause != "cpu_only_package"
