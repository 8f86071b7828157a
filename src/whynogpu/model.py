"""The typed data that flows through whynogpu: probe results, snapshot, findings, verdict, report.

Everything here is a frozen dataclass of plain types so it can be written to JSON
(`serde.to_data`) and read back (`serde.from_data`) without loss.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1


class Severity(str, enum.Enum):
    ERROR = "error"  # the GPU cannot be used
    WARNING = "warning"  # usable, but degraded or about to break
    HINT = "hint"
    INFO = "info"

    @property
    def rank(self) -> int:
        return ["error", "warning", "hint", "info"].index(self.value)


class ProbeStatus(str, enum.Enum):
    OK = "ok"
    NOT_APPLICABLE = "not_applicable"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    CRASHED = "crashed"


@dataclass(frozen=True)
class ProbeReason:
    """Why a probe did not produce facts: enough to reproduce it by hand."""

    message: str
    command: tuple[str, ...] | None = None
    exit_code: int | None = None
    stderr_tail: str | None = None


@dataclass(frozen=True)
class ProbeResult:
    name: str
    status: ProbeStatus
    duration_s: float
    reason: ProbeReason | None = None
    facts: Any = None  # the probe's own frozen dataclass; typed through probes.registry
    side_effects: str | None = None  # what running this probe may change on the machine
    # Facts read from a pasted report: the weakest origin of what went into them ("program" output,
    # "stated" by the reporter, "inferred"). None for facts a probe read on the machine.
    origin: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """Everything whynogpu learned about one target, and nothing it concluded."""

    schema_version: int
    tool_version: str
    mode: str  # "check" or "triage"
    probes: tuple[ProbeResult, ...]

    def result(self, name: str) -> ProbeResult | None:
        for r in self.probes:
            if r.name == name:
                return r
        return None

    def get(self, facts_type: type) -> Any:
        """The facts of the given type, or None when that probe did not run or failed."""
        for r in self.probes:
            if isinstance(r.facts, facts_type):
                return r.facts
        return None


@dataclass(frozen=True)
class Evidence:
    fact: str  # what was observed, in words a user can check
    source: str  # where it was observed: a file, a command, an environment variable, a log line


@dataclass(frozen=True)
class Fix:
    text: str
    commands: tuple[str, ...] = ()


@dataclass(frozen=True)
class Location:
    """Where in a file a finding points (scan and triage)."""

    path: str
    line: int
    column: int = 0


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    category: str
    title: str
    evidence: tuple[Evidence, ...]
    explanation: str
    fix: Fix | None = None
    location: Location | None = None
    # Where the facts behind it came from, for a pasted report: "program" (output a program printed),
    # "stated" (the reporter's words) or "inferred" (from how the stack behaves). None on a probed machine.
    origin: str | None = None


@dataclass(frozen=True)
class Verdict:
    gpu_usable: bool | None
    root_cause: str  # a category id, "no_problem" or "unknown"
    summary: str


@dataclass(frozen=True)
class Target:
    python: str | None
    version: str | None
    env_kind: str | None
    why: str | None = None  # why this interpreter was chosen


@dataclass(frozen=True)
class ProbeSummary:
    name: str
    status: ProbeStatus
    duration_s: float
    reason: ProbeReason | None = None
    side_effects: str | None = None  # what running the probe may change on the machine


@dataclass(frozen=True)
class LayerLine:
    """One line of the doctor-style overview."""

    layer: str
    title: str
    mark: str  # "ok", "warning", "error", "unknown", "skipped"
    status: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """Triage: one possible root cause and how strongly the report supports it (0–1)."""

    category: str
    confidence: float


@dataclass(frozen=True)
class Report:
    schema_version: int
    tool: dict[str, str]
    mode: str
    target: Target
    verdict: Verdict
    findings: tuple[Finding, ...]
    probes: tuple[ProbeSummary, ...]
    layers: tuple[LayerLine, ...] = ()
    facts: dict[str, Any] = field(default_factory=dict)
    missing: tuple[str, ...] = ()  # triage: what would settle the question
    candidates: tuple[Candidate, ...] = ()  # triage: ranked possible root causes

    @property
    def exit_code(self) -> int:
        return 1 if any(f.severity is Severity.ERROR for f in self.findings) else 0

    def __repr__(self) -> str:  # the dataclass repr is one line of many kilobytes
        usable = {True: "yes", False: "no", None: "unknown"}[self.verdict.gpu_usable]
        return (f"<whynogpu Report ({self.mode}): GPU usable {usable}, root cause {self.verdict.root_cause}, "
                f"{len(self.findings)} finding{'s' if len(self.findings) != 1 else ''}>")

    def text(self, verbose: bool = False) -> str:
        from whynogpu.render.text import render

        return render(self, verbose=verbose, color=False)

    def markdown(self) -> str:
        from whynogpu.render.markdown import render

        return render(self)

    def json(self) -> str:
        from whynogpu.render.json_report import render

        return render(self)

    def html(self) -> str:
        from whynogpu.render.html import render

        return render(self)

    # Rich display in Jupyter/IPython (whynogpu.jupyter). A notebook keeps its outputs and gets shared,
    # so these forms are redacted like --markdown; the plain-text form is the terminal report.
    def _repr_html_(self) -> str:
        from whynogpu.render.html import fragment

        return fragment(self, _notebook_redactor())

    def _repr_markdown_(self) -> str:
        from whynogpu.render.markdown import render

        return render(self, _notebook_redactor())

    def _repr_pretty_(self, p, cycle: bool) -> None:
        p.text(repr(self) if cycle else _notebook_redactor().text(self.text()))


def _notebook_redactor():
    from whynogpu.host.real import RealHost
    from whynogpu.redact import for_host

    return for_host(RealHost())
