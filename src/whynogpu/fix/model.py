"""The plan's data: plain frozen dataclasses, so that `--json` is just their fields."""

from __future__ import annotations

from dataclasses import dataclass

from whynogpu.fix.installer import Installer


@dataclass(frozen=True)
class Action:
    """One change an automatic step makes: a command (`argv`), or a variable set (`value`) or unset
    (value None) where the target's processes start: a kernel.json (`where` = "kernel") or a conda env's
    activation scripts (`where` = "conda", `path` is the env's prefix)."""

    argv: tuple[str, ...] = ()
    cwd: str | None = None
    where: str | None = None
    path: str | None = None
    name: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class Step:
    number: int
    automatic: bool
    title: str
    codes: tuple[str, ...]  # the findings it answers
    category: str
    why: str
    commands: tuple[str, ...]  # what to run (automatic: what whynogpu runs; manual: what the user runs)
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class Plan:
    target: str | None
    installer: Installer | None
    root_cause: str
    summary: str
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = ()

    @property
    def automatic(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.automatic)
