"""A node of the fleet and the fleet's summary: plain dataclasses, built by launch and summary, read by render."""

from __future__ import annotations

from dataclasses import dataclass, field

from whynogpu.model import Report, Snapshot

ANSWERED = "answered"
NO_ANSWER = "no_answer"  # timed out, died, or cancelled before it sent a snapshot
FAILED = "failed"  # it answered, but `whynogpu snapshot` failed there (not installed, bad --python)
UNREADABLE = "unreadable"  # --from: the file is not a whynogpu snapshot


@dataclass
class Node:
    name: str  # as the launcher names it: Ray's host name (with the node id when hosts repeat), SLURMD_NODENAME, file name
    status: str = ANSWERED
    address: str | None = None  # Ray: the node's IP; --from: the file
    node_id: str | None = None  # Ray's node id
    reason: str | None = None  # why there is no report
    snapshot: Snapshot | None = None
    report: Report | None = None
    traits: dict[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Group:
    """Nodes with one verdict (answered) or one status (no answer, failed, unreadable)."""

    key: str  # a root cause ("no_problem", "driver_library_mismatch", …) or a status
    status: str
    summary: str  # the verdict's words most of its nodes share
    nodes: tuple[str, ...]


@dataclass(frozen=True)
class Outlier:
    node: str
    trait: str
    value: str
    majority: str
    majority_count: int


@dataclass(frozen=True)
class Mixed:
    """A trait on which no value is shared by more than half of the nodes: no node is the odd one out."""

    trait: str
    values: tuple[tuple[str, tuple[str, ...]], ...]  # (value, nodes), most nodes first


@dataclass
class Fleet:
    source: str  # "Ray cluster at …", "Slurm allocation 1234", "folder …"
    nodes: list[Node]
    groups: list[Group] = field(default_factory=list)
    outliers: list[Outlier] = field(default_factory=list)
    mixed: list[Mixed] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for n in self.nodes if n.status == status)

    @property
    def exit_code(self) -> int:
        """1 when a node has an error-severity finding, did not answer or could not be read, or is an outlier."""
        bad = any(n.status != ANSWERED or (n.report is not None and n.report.exit_code) for n in self.nodes)
        return 1 if bad or self.outliers else 0
