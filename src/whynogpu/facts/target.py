"""The target interpreter and the distributions installed in it.

Part of the snapshot schema (whynogpu.facts): filled by the probes on a machine and by triage/to_facts.py
from a pasted report; read by the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Distribution:
    name: str
    version: str
    location: str
    installer: str | None = None
    top_level: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    lib_files: tuple[str, ...] = ()  # shared libraries listed in the distribution's RECORD
    direct_url: str | None = None


@dataclass(frozen=True)
class ImportablePackage:
    name: str
    origin: str | None
    locations: tuple[str, ...]
    namespace: bool  # True when no __init__.py is found: a half-removed install


@dataclass(frozen=True)
class PackageOwner:
    package: str
    claimed_by: tuple[str, ...]
    owner: str | None  # whose files are on disk (None: cannot tell)
    missing_files: dict[str, int]  # per claiming distribution, sampled RECORD entries absent on disk
    files_checked: dict[str, int] = field(default_factory=dict)  # how many RECORD entries were sampled


@dataclass(frozen=True)
class TargetFacts:
    python: str
    version: str
    implementation: str
    prefix: str
    base_prefix: str
    env_kind: str  # venv, conda, system, pipx, uv-tool
    platform: str  # sys.platform
    machine: str
    chosen_because: str
    sys_path: tuple[str, ...]
    distributions: tuple[Distribution, ...]
    packages: dict[str, ImportablePackage]
    owners: dict[str, PackageOwner]
    files: dict[str, str]  # small files read from installed packages (build_info.py, version.py)

    def dist(self, name: str) -> Distribution | None:
        key = _norm(name)
        for d in self.distributions:
            if _norm(d.name) == key:
                return d
        return None

    @property
    def version_tuple(self) -> tuple[int, ...]:
        return tuple(int(p) for p in self.version.split(".")[:3] if p.isdigit())


def _norm(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")
