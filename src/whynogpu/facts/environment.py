"""Environment variables that change GPU use.

Part of the snapshot schema (whynogpu.facts): filled by the probes on a machine and by triage/to_facts.py
from a pasted report; read by the rules.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MissingPathEntry:
    variable: str
    entry: str


@dataclass(frozen=True)
class EnvironmentFacts:
    variables: dict[str, str]  # allow-listed variables that are set, with their values
    missing_path_entries: tuple[MissingPathEntry, ...]
