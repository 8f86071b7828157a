"""What a pasted report shows, as facts: matched log lines, stated values and free-text cues.

Every item keeps the line number it came from, so a finding can quote its evidence, and
whether a person wrote it (an issue-template field, a sentence) or a program printed it
(a log line, nvidia-smi, pip list): program output is stronger evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from whynogpu.facts.gpu import PciDevice
from whynogpu.parsers.logs import LogMatch


@dataclass(frozen=True)
class StatedFact:
    key: str  # tf_version, torch_version, jax_version, os, python, cuda, cudnn, gpu, driver, smi_cuda, nvcc_cuda, …
    value: str
    line: int
    text: str  # the line it was read from
    stated_by_user: bool  # True for template fields and prose, False for program output


@dataclass(frozen=True)
class Cue:
    id: str  # a row of triage.cues.CUES
    line: int
    text: str
    stated_by_user: bool = True


@dataclass(frozen=True)
class ListedPackage:
    name: str
    version: str
    build: str  # conda build string or pip's local version label, "" when none
    line: int
    text: str


@dataclass(frozen=True)
class Resemblance:
    """A confirmed report of whynogpu's corpus that reads like this one (triage/similar.py)."""

    source: str  # the public thread it was rewritten from
    category: str  # the cause confirmed there
    also: tuple[str, ...]  # causes a careful reader could also defend there
    similarity: float  # cosine of the two reports' word weights, 0..1


@dataclass(frozen=True)
class Signal:
    """One line of a report that supports a cause no check rule can see (a cue, a message with no fact behind it)."""

    category: str
    severity: str  # error (it names the failure), warning (consistent with it), info (the GPU works)
    origin: str  # program, stated, inferred, similar or usual (verdict.ORIGINS)
    line: int
    text: str
    why: str
    source: str = "account"  # "message": a program's message (WG827); "account": the reporter's words or a statement
    row: str = ""  # for a message: its row id in knowledge/log_messages.csv
    use: str = ""  # what the fix should name, when the report shows it (the backend Keras should run on)


@dataclass(frozen=True)
class TriageFacts:
    lines: int
    formats: tuple[str, ...]  # kinds of output recognised: tf_log, nvidia_smi, pip_list, conda_list, collect_env, …
    log: tuple[LogMatch, ...]
    stated: tuple[StatedFact, ...]
    cues: tuple[Cue, ...]
    packages: tuple[ListedPackage, ...]
    prose_log_lines: tuple[int, ...] = ()  # lines of log messages quoted in prose (a title, a sentence)
    pci: tuple[PciDevice, ...] = ()  # devices an lspci listing in the report shows (parsers/lspci.py)
    signals: tuple[Signal, ...] = ()  # what only a report shows, per cause (triage/signals.py); check's rules see the rest
    resembles: tuple[Resemblance, ...] = ()  # the corpus reports nearest to this one, nearest first (triage/similar.py)

    def first(self, key: str, program_only: bool = False) -> StatedFact | None:
        for s in self.stated:
            if s.key == key and not (program_only and s.stated_by_user):
                return s
        return None

    def all(self, key: str) -> tuple[StatedFact, ...]:
        return tuple(s for s in self.stated if s.key == key)

    def framework_runs(self) -> tuple[StatedFact, ...]:
        """The `docker run` lines that start the work: not `docker run --gpus all nvidia/cuda nvidia-smi`, the check
        that the NVIDIA runtime hands the GPU in, which says nothing of how the framework's own container was started
        (unless it is the only one there is)."""
        runs = self.all("docker_run")
        return tuple(r for r in runs if "nvidia-smi" not in r.text) or runs

    def package(self, *names: str) -> ListedPackage | None:
        wanted = {n.lower().replace("_", "-") for n in names}
        for p in self.packages:
            if p.name.lower().replace("_", "-") in wanted:
                return p
        return None

    def has_log(self, *ids: str) -> tuple[LogMatch, ...]:
        return tuple(m for m in self.log if m.id in ids)

    def has_cue(self, *ids: str) -> tuple[Cue, ...]:
        return tuple(c for c in self.cues if c.id in ids)
