import os

import pynvml
import pytest


def use_cpu_backend_when_no_gpu() -> None:
    try:
        pynvml.nvmlInit()
        pynvml.nvmlShutdown()
    except pynvml.NVMLError:
        # NVML cannot start: there is no NVIDIA GPU here.
        os.environ["JAX_PLATFORMS"] = "cpu"


def pytest_configure(config: pytest.Config) -> None:
    use_cpu_backend_when_no_gpu()
