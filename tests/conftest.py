from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

REAL = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "shared", "fixtures", "real"))


@pytest.fixture
def real_fixtures() -> str:
    if not os.path.isdir(REAL):
        pytest.skip("../shared/fixtures/real is not beside this checkout")
    return REAL
