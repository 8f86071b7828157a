"""A program's own option that asks for the CPU (knowledge/cpu_flags.csv), found in a command line.

One place reads the table, for every path that meets a command: a pasted report (triage), a Dockerfile's CMD, a
compose `command:`, a Kubernetes container's args, a launcher script's line, or a launcher's arguments variable
(`COMMANDLINE_ARGS`, knowledge/launcher_args.csv).
"""

from __future__ import annotations

import re
from functools import cache

from whynogpu.facts import code as F
from whynogpu.facts.code import CodeHit
from whynogpu.knowledge import table


@cache
def pattern() -> re.Pattern:
    """Any of the table's options, as one pattern."""
    return re.compile("|".join(f"(?:{r['pattern']})" for r in table("cpu_flags")))


@cache
def _rows() -> tuple[tuple[re.Pattern, dict], ...]:
    return tuple((re.compile(r["pattern"]), r) for r in table("cpu_flags"))


def find(command: str) -> tuple[str, str] | None:
    """(the option as written, what it means with the program it belongs to) for the first CPU option in the
    command, or None."""
    if "cpu" not in command:
        return None
    m = pattern().search(command)
    if not m:
        return None
    row = next((r for rx, r in _rows() if rx.search(m.group(0))), None)
    meaning = f"{row['program']}: {row['meaning']}" if row else f"{m.group(0)} asks for the CPU"
    return m.group(0), meaning


def without(command: str, option: str) -> str:
    """The command as it should be: without the option, or naming the GPU where it names a device. Also for an
    exec-form list (`CMD ["python", "main.py", "--cpu"]`, Kubernetes args). Unchanged when the option is not in it."""
    if option.startswith("--device"):
        listed = re.search(r"""(["']?--device["']?\s*,\s*["']?)cpu(?=["']?\s*[\],])""", command)
        if listed:
            return command[:listed.end(1)] + "cuda" + command[listed.end():]
        return command.replace(option, re.sub(r"cpu\b", "cuda", option), 1)
    at = re.escape(option)
    listed = re.search(r"""\s*,\s*(["']?)""" + at + r"""\1(?=\s*[\],])""", command)
    if listed:
        return command[:listed.start()] + command[listed.end():]
    # the option and the space after it ("--cpu --listen" → "--listen"), or the space before it at the end
    fixed = re.sub(at + r"\s+", "", command, count=1) if re.search(at + r"\s", command) else \
        re.sub(r"\s*" + at, "", command, count=1)
    return fixed.strip()


def hit(command: str, path: str, line: int, column: int, *, shown: str = "", context: str = F.COMMAND,
        where: str = "", cell: int | None = None) -> CodeHit:
    """A command that passes a program's CPU option as the code hit WG718 reads, whoever found it (a report, a
    notebook's `!` line, a Dockerfile, a launcher script). `shown` is the line as written when the command spans more;
    the fix corrects that line, or the whole command when the option sits on another of its lines."""
    option, meaning = find(command)  # callers pass commands find() accepts
    statement = shown or command
    fixed = without(statement, option)
    if fixed == statement:
        fixed = without(command, option)
    extra = {"meaning": meaning, **({"where": where} if where else {})}
    return CodeHit("cpu_option", f"{path}:cell {cell}" if cell else path, path, line, column, statement[:200], context,
                   option, fixed, cell=cell, extra=extra)


@cache
def launcher_variables() -> frozenset[str]:
    """Environment variables whose value a launcher appends to the program's own options."""
    return frozenset(r["variable"] for r in table("launcher_args"))
