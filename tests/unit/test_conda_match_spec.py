"""conda's match specs as conda splits them into version and build (conda/models/match_spec.py)."""

from __future__ import annotations

import pytest

from whynogpu.facts.files import Spot
from whynogpu.lint.common import conda_requirement


@pytest.mark.parametrize("text, spec, build", [
    ("tensorflow>=2.10", ">=2.10", ""),
    ("pytorch >= 1.13", ">=1.13", ""),  # (DiT's environment.yml: conda drops the space after an operator)
    ("cudatoolkit>=11.2,<11.3", ">=11.2,<11.3", ""),
    ("pytorch=2.1", "==2.1.*", ""),  # one `=`: conda's fuzzy match
    ("pytorch==1.13.1", "==1.13.1", ""),
    ("pytorch=*=*cuda*", "", "*cuda*"),
    ("pytorch=1.13.1=py3.9_cuda11.7_cudnn8.5.0_0", "==1.13.1", "py3.9_cuda11.7_cudnn8.5.0_0"),
    ("pytorch 2.1.0 py3.10_cuda11.8_cudnn8.7.0_0", "==2.1.0", "py3.10_cuda11.8_cudnn8.7.0_0"),
    ("pytorch", "", ""),
])
def test_a_match_specs_version_and_build(text, spec, build):
    r = conda_requirement(text, Spot(1, 1, text))
    assert (r.specifier, r.url) == (spec, f"conda build {build}" if build else "")
