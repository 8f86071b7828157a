"""Small helpers shared by rules: reading facts and phrasing fixes. No rules live here."""

from __future__ import annotations

import shlex

from whynogpu.facts.environment import EnvironmentFacts
from whynogpu.facts.frameworks import FrameworkBuildFacts
from whynogpu.facts.platform import PlatformFacts
from whynogpu.facts.target import TargetFacts
from whynogpu.knowledge import version_key
from whynogpu.model import Evidence, Snapshot


def platform(snap: Snapshot) -> PlatformFacts | None:
    return snap.get(PlatformFacts)


def target(snap: Snapshot) -> TargetFacts | None:
    return snap.get(TargetFacts)


def env_vars(snap: Snapshot) -> dict[str, str]:
    facts = snap.get(EnvironmentFacts)
    return dict(facts.variables) if facts else {}


def builds(snap: Snapshot) -> FrameworkBuildFacts | None:
    """What each framework's build can do, parsed once by probes/frameworks.py (or read from a report)."""
    return snap.get(FrameworkBuildFacts)


def pip(t: TargetFacts | None, args: str) -> str:
    """A pip command for the target interpreter, so it installs where the framework runs."""
    python = shlex.quote(t.python) if t and t.python else "python"
    if t and t.python and (t.python[1:3] == ":\\" or "\\" in t.python):  # a Windows path: cmd/PowerShell quoting
        python = f'"{t.python}"' if " " in t.python else t.python
    return f"{python} -m pip {args}"


def dist_evidence(t: TargetFacts, name: str) -> Evidence:
    d = t.dist(name)
    where = f"installed in {d.location}" if d else "not installed"
    version = f" {d.version}" if d else ""
    return Evidence(f"{name}{version} is {where}", f"package metadata of {t.python}")


def major_minor(v: str) -> str:
    return ".".join(str(x) for x in version_key(v)[:2])
