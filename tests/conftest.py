from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

# Real captured outputs copied into the repository (fixtures/real/SOURCE.md): no test needs anything beside it.
REAL = os.path.join(os.path.dirname(__file__), "fixtures", "real")


@pytest.fixture
def real_fixtures() -> str:
    return REAL
