"""A version the framework printed outranks the one an install command in the report asked for: the printed one is
what the failing environment holds (here torch's collect_env, whose "Could not collect" is a build without CUDA)."""

from __future__ import annotations

from whynogpu.triage.engine import triage

INSTALL = "!pip install torch==1.7.0+cu101 torchvision==0.8.1+cu101 -f https://download.pytorch.org/whl/torch_stable.html\n"
COLLECT_ENV = """\
```
Collecting environment information...
PyTorch version: 1.13.1
Is debug build: False
CUDA used to build PyTorch: Could not collect
ROCM used to build PyTorch: N/A

OS: Ubuntu 20.04.5 LTS (x86_64)
Python version: 3.10.6 (main, Nov 14 2022, 16:10:14) [GCC 11.3.0] (64-bit runtime)
Is CUDA available: False
```
"""


def test_the_printed_build_is_the_one_judged():
    r = triage("In Colab I installed torch with\n" + INSTALL + "but a script run with !python prints False. Its "
               "environment:\n" + COLLECT_ENV)
    assert r.verdict.root_cause == "cpu_only_package"
    assert any("1.13.1" in e.fact for e in r.findings[0].evidence)


def _torch(text: str) -> str:
    from whynogpu.facts.target import TargetFacts
    from whynogpu.triage.engine import snapshot

    return snapshot(text).get(TargetFacts).dist("torch").version


def test_without_printed_output_the_install_command_stands():
    assert _torch("In Colab I installed torch with\n" + INSTALL + "and torch.cuda.is_available() is False.") == "1.7.0+cu101"
    assert _torch("I installed torch with\n" + INSTALL + "Environment:\n" + COLLECT_ENV) == "1.13.1"


def test_a_framework_said_to_come_out_cpu_only_is_the_cpu_build_and_other_cpu_words_are_not():
    said = triage("micromamba image: the pytorch that ends up in the image is CPU only when conda-forge is listed first.")
    assert said.verdict.root_cause == "cpu_only_package" and said.findings[0].code == "WG828"
    other = triage("PyTorch runs fine, but the data loader is CPU bound and the GPU waits.")
    assert all(f.code != "WG828" for f in other.findings)  # (a usual-cause guess may still name the CPU build)
