"""The wheel index an install command names: PyTorch's CPU index holds CPU builds only
(https://pytorch.org/get-started/locally/), so torch installed from it has no CUDA whatever else the report shows."""

from __future__ import annotations

from helpers import triage_on_evidence as triage  # the readings alone (WG836's vote: test_similar_reports.py)

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


def test_an_install_named_with_its_extra_gives_the_release():
    # TensorFlow 2.16.1's [and-cuda] wheels are installed but not looked for (knowledge/tensorflow_pip_cuda.csv)
    text = ("I installed tensorflow[and-cuda]==2.16.1 on Ubuntu 22.04. pip list shows nvidia-cudnn-cu12 and "
            "nvidia-cublas-cu12, but TensorFlow prints this and lists no GPU:\n```\n"
            "W tensorflow/core/common_runtime/gpu/gpu_device.cc:2251] Cannot dlopen some GPU libraries. Please make "
            "sure the missing libraries mentioned above are installed properly if you would like to use GPU.\n```\n")
    assert triage(text).verdict.root_cause == "pip_cuda_libs_not_found"


def test_jax_with_a_local_cuda_brings_no_nvidia_wheels():
    from whynogpu.facts.report import TriageFacts
    from whynogpu.triage.engine import snapshot
    from whynogpu.triage.signals import _pip_libs

    local = snapshot("I use `pip install jax[cuda12_local]==0.4.30` on our cluster.").get(TriageFacts)
    wheels = snapshot("I use `pip install jax[cuda12]==0.4.30` on our cluster.").get(TriageFacts)
    assert (_pip_libs(local), _pip_libs(wheels)) == (False, True)


def test_conda_tensorflow_of_the_mkl_variant_is_a_cpu_build():
    listing = ("No GPU in TensorFlow in my conda env (Ubuntu, RTX 3080):\n```\n$ conda list | grep tensorflow\n"
               "tensorflow                2.10.0          {build}\ntensorflow-base           2.10.0          {build}\n```\n")
    assert triage(listing.format(build="mkl_py39h353a54e_0")).verdict.root_cause == "cpu_only_package"
    assert triage(listing.format(build="gpu_py39h8236f22_0")).verdict.root_cause != "cpu_only_package"


# JAX's own wording when its CUDA plugin cannot start (jax/_src/xla_bridge.py)
JAX_NO_BACKEND = ("RuntimeError: Unable to initialize backend 'cuda': FAILED_PRECONDITION: No visible GPU devices. (you "
                  "may need to uninstall the failing plugin package, or set JAX_PLATFORMS=cpu to skip this backend.)")


def test_a_message_advising_a_setting_is_not_that_setting():
    report = triage(f"JAX fails at start:\n```\n{JAX_NO_BACKEND}\n```\n")
    assert "code_forces_cpu" not in [c.category for c in report.candidates]


def test_jax_named_with_its_cuda_extra_over_an_old_driver():
    text = (f"JAX fails at start:\n```\n{JAX_NO_BACKEND}\n```\nnvidia-smi: Driver Version: 470.82.01 CUDA Version: 11.4. "
            "I installed jax[cuda12] 0.4.30.")
    assert triage(text).verdict.root_cause == "driver_too_old"


def test_build_info_as_an_ordered_dict_of_pairs():
    text = ("```\n>>> tf.sysconfig.get_build_info()\nOrderedDict([('cpu_compiler', '/usr/bin/gcc-5'), "
            "('is_cuda_build', False), ('is_rocm_build', False)])\n```\nUbuntu 20.04, RTX 3090, tensorflow 2.4.")
    assert triage(text).verdict.root_cause == "cpu_only_package"


def test_the_cuda_a_release_was_built_for_past_its_own_dots():
    from whynogpu.facts.report import TriageFacts
    from whynogpu.triage.engine import snapshot

    facts = snapshot("Setup: Windows 11, PyTorch 1.12.1 with CUDA 11.6, sentence-transformers 2.2.2.").get(TriageFacts)
    assert [s.value for s in facts.all("torch_build_cuda")] == ["11.6"]
    assert not facts.all("cuda")  # the build's CUDA, not a toolkit installed
