"""Launcher scripts: shell scripts (`*.sh`, `*.bash`), batch files (`*.bat`, `*.cmd`) and systemd service units.

People start GPU programs through them (`webui-user.sh`, `run.bat`, `ExecStart=…`), so the options a program is
started with, and the variables it inherits, are written here. Each logical line (continuation lines joined, here-
document bodies and comments left out) that runs a program becomes a Command; an assignment outside any condition
becomes an EnvVar. A line under `if`/`case` or inside a function is marked conditional: whether it runs depends on
something the scan cannot know (many launchers choose the CPU only when `nvidia-smi` is missing).
Nothing is run or expanded.
"""

from __future__ import annotations

import itertools
import posixpath
import re

from whynogpu.facts import files as K
from whynogpu.facts.files import Command, DeclaredFile, EnvVar, Requirement, Workload
from whynogpu.lint.common import spot
from whynogpu.lint.dockerfile import installs

MAX_LINES = 50_000
MAX_ITEMS = 10_000  # commands, and variables, kept from one file: a launcher has tens
# Commands that print, test or edit text rather than start a program: an option named in them is not passed to one.
_NOT_A_RUN = {"echo", "printf", "cat", "read", "rem", "::", "sed", "grep", "awk", "test", "[", "[[", "local",
              "return", "exit", "title", "pause", "goto", "shift", "unset", "alias", "trap", "usage", "help", "print",
              "write-host", "log", "info", "warn", "error", "die", "fi", "esac", "done", "export", "set", "cd",
              "source", ".", "pushd", "popd", "setlocal", "endlocal", ")", "}", "for", "case", "true", "false", ":"}
_SH_ASSIGN = re.compile(r"^(?:export\s+|declare\s+-x\s+|readonly\s+)?(?P<name>[A-Za-z_]\w*)=(?P<value>.*)$")
_BAT_ASSIGN = re.compile(r'^set\s+"?(?P<name>[A-Za-z_]\w*)=(?P<value>.*?)"?\s*$', re.I)
_UNIT_LINE = re.compile(r"^(?P<key>ExecStart|Environment)\s*=\s*(?P<value>.*)$")
_UNIT_PAIR = re.compile(r'"(?P<q>[A-Za-z_]\w*=[^"]*)"|(?P<p>[A-Za-z_]\w*=\S*)')
_HEREDOC = re.compile(r"<<-?\s*['\"]?([A-Za-z_]\w*)['\"]?")
_FUNCTION = re.compile(r"^(?:function\s+[\w.:-]+|[\w.:-]+\s*\(\s*\))\s*\{?\s*$")
_SEGMENT = re.compile(r";|&&|\|\|")


# A Slurm batch script's directives: `#SBATCH` lines before the first command (sbatch reads no later ones).
_SBATCH = re.compile(r"^#SBATCH\s+(?P<opts>.*)$")
# The options that ask Slurm for GPUs (sbatch(1): --gres=gpu[:type]:N, --gpus and its per-node/task/socket forms,
# -G, --tres-per-task=gres/gpu:N), and those that choose where the job runs.
_SLURM_GPUS = re.compile(r"(?:^|\s)(?:--gres[= ]\S*gpu\S*|--gpus(?:-per-\w+)?[= ]\S+|-G\s*\S+|--tres-per-\w+[= ]\S*gpu\S*)")
# A partition, constraint or QOS named for GPUs (gpu, gpu_a100, a100, h100, volta …): the job is meant for them.
GPU_PLACE = re.compile(r"gpu|cuda|nvidia|volta|ampere|hopper|[ahlv]100|h200|a40\b|l40|t4\b|rtx", re.I)
_SLURM_PLACE = re.compile(r"(?:^|\s)(?:--partition[= ]|-p\s*|--constraint[= ]|-C\s*|--qos[= ]|-q\s*)(?P<v>[\"']?[^\s\"']+)")


def _batch_job(lines: list[str]) -> Workload | None:
    """The job a Slurm batch script asks for, from its #SBATCH lines (None when it has none)."""
    first, where, request, places = None, None, "", []
    for i, raw in enumerate(lines[:MAX_LINES]):
        line = raw.strip()
        if not line or line.startswith("#!"):
            continue
        m = _SBATCH.match(line)
        if m is None:
            if line.startswith("#"):
                continue
            break  # the first command: sbatch reads no directive after it
        first = first or spot(lines, i + 1, 1)
        opts = _drop_comment(m.group("opts"))
        g = _SLURM_GPUS.search(opts)
        request = request or (g.group(0).strip() if g else "")
        found = [p.group(0).strip() for p in _SLURM_PLACE.finditer(opts)]
        if where is None and any(GPU_PLACE.search(f) for f in found):
            where = spot(lines, i + 1, 1)  # the job is shown where it says it runs on GPU nodes
        places += found
    if first is None:
        return None
    return Workload(K.SLURM, "batch job", "", where or first, gpu_request=request, placement=" ".join(places)[:200])


def script_kind(name: str) -> str | None:
    low = name.lower()
    if low.endswith((".sh", ".bash", ".sbatch", ".slurm")):
        return "sh"
    if low.endswith((".bat", ".cmd")):
        return "bat"
    if low.endswith(".service"):
        return "unit"
    return None


def _unquote(value: str) -> str:
    v = value.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
        return v[1:-1]
    return v


def _drop_comment(line: str) -> str:
    """The line without a trailing ` # comment` (a # inside quotes is kept)."""
    if "#" not in line:
        return line
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line


def _logical(lines: list[str], kind: str):
    """(1-based first line, joined text) of each logical line, here-document bodies and comments left out."""
    cont = "^" if kind == "bat" else "\\"
    i = 0
    while i < min(len(lines), MAX_LINES):
        first = i + 1
        parts = [lines[i].rstrip()]
        while parts[-1].endswith(cont) and i + 1 < len(lines):
            parts[-1] = parts[-1][:-1].rstrip()
            i += 1
            parts.append(lines[i].strip())
        i += 1
        stripped = " ".join(parts).strip()
        if kind == "bat":
            if not stripped or stripped.lower().startswith(("rem ", "rem\t", "::", "@rem")) or stripped.lower() == "rem":
                continue
            yield first, stripped.lstrip("@")
            continue
        if not stripped or stripped.startswith(("#", ";")):
            continue
        if kind == "sh":
            stripped = _drop_comment(stripped)
            doc = _HEREDOC.search(stripped)
            if doc:  # the body is data for the command (a file written, a usage text), not commands
                while i < len(lines) and lines[i].strip() != doc.group(1):
                    i += 1
                i += 1
        yield first, stripped


def runs_a_program(text: str) -> bool:
    """Whether a command line starts a program (not only echo, a test, an assignment, a cd …)."""
    heads = _first_words(text)
    return bool(heads) and not all(h in _NOT_A_RUN or h.startswith(("echo", "$(")) for h in heads)


def _first_words(text: str) -> list[str]:
    """The first word of each command of a line (`a; b && c`), past `then`, `else`, `do`, `exec` and the like."""
    out = []
    for seg in _SEGMENT.split(text):
        words = seg.split()
        while words and (words[0] in ("if", "elif", "while", "until", "then", "else", "do", "exec", "nohup", "sudo",
                                      "time", "!", "call", "start", "{", "(") or "=" in words[0] and not words[0].startswith("-")):
            words = words[1:]
        if words:
            out.append(words[0].lower())
    return out


class _Depth:
    """How deep a shell or batch line sits in conditions and function bodies."""

    def __init__(self, kind: str):
        self.kind, self.cond, self.func = kind, 0, 0

    def step(self, text: str) -> bool:
        """Whether this line is conditional; updates the depth for the lines after it."""
        if self.kind == "bat":
            low = text.lower()
            inside = self.cond > 0 or low.startswith("if ")
            if low.startswith("if ") and text.endswith("("):
                self.cond += 1
            elif low.startswith(")") and not text.endswith("(") and self.cond:
                self.cond -= 1
            return inside
        if _FUNCTION.match(text):
            self.func += 1
            return True
        if text.startswith("}") and self.func and not self.cond:
            self.func -= 1
            return True
        heads = [seg.split()[0] for seg in _SEGMENT.split(text) if seg.split()]
        words = text.split()
        opens = sum(1 for w in heads if w in ("if", "case"))
        closes = sum(1 for w in words if w.rstrip(";") in ("fi", "esac"))
        inside = self.cond > 0 or self.func > 0 or opens > 0
        self.cond = max(0, self.cond + opens - closes)
        return inside


def _assignment(text: str, kind: str) -> tuple[str, str] | None:
    """(name, value) when the line only assigns a variable; None for a command, also one run with a variable set
    before it (`CUDA_VISIBLE_DEVICES=0 python train.py`)."""
    m = (_BAT_ASSIGN if kind == "bat" else _SH_ASSIGN).match(text)
    if not m:
        return None
    value = m.group("value").strip()
    if kind == "sh":
        if value[:1] in ("'", '"'):
            close = value.find(value[0], 1)
            if close > 0 and value[close + 1:].strip(" ;"):
                return None
        elif len(value.split()) > 1:
            return None
    return m.group("name"), _unquote(value)


def read(path: str, text: str) -> DeclaredFile:
    kind = script_kind(posixpath.basename(path.replace("\\", "/"))) or "sh"
    lines = text.splitlines()
    depth = _Depth(kind)
    commands: list[Command] = []
    env: list[EnvVar] = []
    reqs: list[Requirement] = []
    for line, stripped in _logical(lines, kind):
        if len(commands) >= MAX_ITEMS or len(env) >= MAX_ITEMS:
            break
        where = spot(lines, line, len(lines[line - 1]) - len(lines[line - 1].lstrip()) + 1)
        if kind == "unit":
            m = _UNIT_LINE.match(stripped)
            if m and m.group("key") == "ExecStart":
                commands.append(Command(m.group("value").lstrip("-@+!:"), where, "ExecStart"))
            elif m:
                for p in itertools.islice(_UNIT_PAIR.finditer(m.group("value")), MAX_ITEMS):
                    name, _, value = (p.group("q") or p.group("p")).partition("=")
                    env.append(EnvVar(name, value, where))
            continue
        conditional = depth.step(stripped)
        assign = _assignment(stripped, kind)
        if assign:
            if not conditional:  # a value set only on one branch says nothing sure about the run
                env.append(EnvVar(assign[0], assign[1], where))
            continue
        if kind == "bat" and stripped.endswith("("):
            continue  # `if exist venv (`: the block's own lines are the commands
        if runs_a_program(stripped):
            commands.append(Command(stripped, where, "script", conditional))
            if not conditional and ("install" in stripped) and len(reqs) < MAX_ITEMS:
                reqs += installs(stripped, where, lines, f"script line {line}")
    job = _batch_job(lines) if kind == "sh" else None
    return DeclaredFile(path, K.SCRIPT, commands=tuple(commands), env=tuple(env), workloads=(job,) if job else (),
                        requirements=tuple(reqs))
