"""Files pasted into a report → the file scan's facts (the same DeclaredFile `whynogpu scan` gives for a file).

People paste the file that starts their job: a Slurm batch script, a Dockerfile, a compose file, a Kubernetes
manifest, a conda environment. Each such block is read by the reader `whynogpu scan` uses for that kind
(whynogpu/lint), so the rules that judge a file judge the pasted one. A block's kind comes from its content, as
people paste without the file name. Its lines keep the report's numbering: findings point at the report.
Directives retold in a sentence ("my script has #SBATCH --partition=gpu and #SBATCH --time=4:00:00") are read
as the lines they name. Nothing is run.
"""

from __future__ import annotations

import dataclasses
import re
import textwrap
from itertools import takewhile

from whynogpu.facts import files as K
from whynogpu.facts.files import DeclaredFile
from whynogpu.lint import read
from whynogpu.triage.code import MAX_BLOCK_CHARS, MAX_BLOCK_LINES, MAX_BLOCKS, MAX_INLINE_LINES, PATH, fences
from whynogpu.triage.source import ReportText

# What a pasted file's content looks like, per kind (first match wins; a file is one of these or none).
_SBATCH = re.compile(r"^#SBATCH\s+-", re.M)
_DOCKERFILE = re.compile(r"^FROM\s+[\w${}./:@-]+(?:\s+(?:AS|as)\s+\w+)?\s*$", re.M)
_DOCKER_STEP = re.compile(r"^(?:RUN|ENV|ARG|COPY|ADD|WORKDIR|CMD|ENTRYPOINT|USER|LABEL|EXPOSE)\s", re.M)
_K8S = re.compile(r"^apiVersion:\s*\S+", re.M)
_K8S_KIND = re.compile(r"^kind:\s*\w+", re.M)
_COMPOSE = re.compile(r"^services:\s*$", re.M)
_CONDA = re.compile(r"^dependencies:\s*$", re.M)
# A directive named inside a sentence: the option after each `#SBATCH`.
_SAID_SBATCH = re.compile(r"#SBATCH\s+(-[-\w]+(?:[= ][^\s,;`'\"]+)?)")


def _kind(text: str) -> str | None:
    if _SBATCH.search(text):
        return K.SCRIPT
    if _DOCKERFILE.search(text) and _DOCKER_STEP.search(text):
        return K.DOCKERFILE
    if _K8S.search(text) and _K8S_KIND.search(text):
        return K.KUBERNETES
    if _COMPOSE.search(text):
        return K.COMPOSE
    if _CONDA.search(text):
        return K.CONDA_ENV
    return None


# A line that goes on an unfenced paste: an instruction, a comment, an indented or YAML line, a list item, or a
# shell command; the first line of prose ends it.
_GOES_ON = re.compile(r"^(?:\s|#|-|[a-z_][\w.-]*:(?:\s|$)|[A-Z]{2,}\s|(?:module|ml|srun|python3?|source|conda|export|cd|"
                      r"echo|nvidia-smi|torchrun|accelerate|bash|sh|mpirun|deepspeed)\b)")
_STARTS = ("FROM ", "#SBATCH", "#!/", "apiVersion:", "services:", "version:", "dependencies:", "name:", "channels:")


def _blocks(numbered):
    """(first line number, lines) of each fenced block and of each unfenced paste that starts like a file; a
    Slurm script retold in a sentence as one more."""
    made, bare, start = 0, None, 0
    for n, item, fenced in fences(numbered):
        if made >= MAX_BLOCKS:
            return
        if bare is not None:
            if not fenced and (not item.strip() or _GOES_ON.match(item)) and len(bare) < MAX_BLOCK_LINES:
                bare.append(item)
                continue
            made += 1
            yield start, bare
            bare = None
        if fenced:
            made += 1
            yield n, item
        elif item.startswith(_STARTS):
            bare, start = [item], n
        elif "#SBATCH" in item:
            said = _SAID_SBATCH.findall(item)
            if said:
                made += 1
                yield n, [f"#SBATCH {opt}" for opt in said[:20]]
    if made < MAX_BLOCKS and bare:
        yield start, bare


def pasted_files(report: str | ReportText) -> tuple[DeclaredFile, ...]:
    text = report if isinstance(report, ReportText) else ReportText(report)
    out = []
    head = takewhile(lambda item: item[0] <= MAX_INLINE_LINES, text.numbered())  # the reporter's part
    for first, lines in _blocks(head):
        body = textwrap.dedent("\n".join(lines))[:MAX_BLOCK_CHARS]
        kind = _kind(body)
        if kind is None:
            continue
        aligned = "\n" * (first - 1) + body  # the reader's line numbers are then the report's
        try:
            df = read(kind, "job.sh" if kind == K.SCRIPT else PATH, aligned)
        except Exception:  # a pasted fragment that its reader cannot take is simply not a file
            continue
        if df is not None:
            out.append(dataclasses.replace(df, path=PATH))
    return tuple(out)
