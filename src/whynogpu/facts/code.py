"""What a code scan saw: statements that touch GPU selection, and the files it could not read.

These are facts, not findings: the rules in whynogpu/rules/code.py decide which of them
keep the GPU idle and how surely. Everything here is plain data so `check --scan` snapshots
round-trip through `check --from` like every other probe's facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Where a statement sits decides how surely it runs (see rules/code.py for the severities).
MODULE = "module"  # top level of a script or module, unconditional
MAIN = "main"  # inside `if __name__ == "__main__":`, i.e. what runs when the script runs
CONDITIONAL = "conditional"  # under an if/else, an except handler or a match case
FUNCTION = "function"  # inside a function body: runs only if something calls it
CLASS = "class"  # an attribute set in a class body (`device_type = "cpu"`): forces nothing until read
TEST = "test"  # anywhere in a test file (tests often pin the CPU on purpose)
SHELL = "shell"  # a notebook `!` line: affects that shell command only
COMMAND = "command"  # a command line that starts the program (a launcher, a service unit, a container's command)
ASKED = "asked"  # under a test of the program's own CPU choice (`if args.cpu:`): runs only when the user asks for it


@dataclass(frozen=True)
class CodeHit:
    pattern: str  # which statement shape was matched, e.g. "cuda_visible_devices"
    path: str  # as shown to the user; notebooks add ":cell N" like other linters do
    file: str  # the file on disk
    line: int  # 1-based; in a notebook, the line inside the cell
    column: int  # 1-based
    statement: str  # the source line as written
    context: str  # MODULE, MAIN, CONDITIONAL, FUNCTION, CLASS, TEST or SHELL
    value: str | None = None  # the constant the statement sets, when it could be worked out
    fixed: str | None = None  # the same line corrected, when a one-line correction exists
    cell: int | None = None  # notebooks: 1-based position of the cell among all cells
    ignored: tuple[str, ...] = ()  # codes silenced by `# whynogpu: ignore[...]` ("*" = all)
    extra: dict[str, str] = field(default_factory=dict)  # pattern-specific facts


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


@dataclass(frozen=True)
class ScanFacts:
    roots: tuple[str, ...]
    files_scanned: int
    hits: tuple[CodeHit, ...]
    skipped: tuple[SkippedFile, ...] = ()
    # Files that run a training loop or fit() without any multi-GPU strategy or wrapper:
    # on a machine with several GPUs they use one at most.
    single_device_training: tuple[str, ...] = ()
