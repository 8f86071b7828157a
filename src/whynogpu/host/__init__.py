"""The host seam: the only way any probe touches the machine.

A probe receives a `Host` and reads files, environment variables, runs commands and runs
small stdlib-only Python snippets (in the target interpreter, or in a throw-away child of
whynogpu's own interpreter for NVML and ctypes calls) through it. Tests swap in `FakeHost`,
built from a fixture folder, so every probe can be exercised without a GPU, root or a
particular machine.
"""

from whynogpu.host.base import CommandResult, FileStat, Host, Uname, UserInfo
from whynogpu.host.real import RealHost

__all__ = ["CommandResult", "FileStat", "Host", "RealHost", "Uname", "UserInfo"]
