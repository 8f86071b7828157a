from __future__ import annotations

import os
import signal
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

# A test run started in the background (`cmd &`, nohup, some CI runners) inherits SIGINT ignored, and every
# process it starts would ignore it too: the tests that send Ctrl-C to whynogpu would then test nothing. A
# handler (unlike "ignored") is reset to the default in each child that execs, so the children get Ctrl-C
# back as a terminal would deliver it.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# Real captured outputs copied into the repository (fixtures/real/SOURCE.md): no test needs anything beside it.
REAL = os.path.join(os.path.dirname(__file__), "fixtures", "real")


@pytest.fixture
def real_fixtures() -> str:
    return REAL
