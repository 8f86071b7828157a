"""A PyTorch program that makes a model and runs it, and never puts anything on a GPU.

PyTorch creates modules and tensors on the CPU and computes where they are; it never moves them by itself
(https://pytorch.org/docs/stable/notes/cuda.html). `from_pretrained` of transformers, diffusers and pyannote loads
the weights on the CPU too unless asked for a device (`device_map`, `.to("cuda")`). So a program that runs a model and
holds no placement anywhere (`.to(...)`, `.cuda()`, a `device=` argument, a library that places models itself) runs
on the CPU however well the GPU stack works.

Judged on the program's text as a whole, because placement can sit anywhere in it: a file, a notebook's cells, or the
code blocks of a pasted report. Nothing is executed. A false "never placed" is worse than a missed one, so anything
that may place a model counts as placing it.
"""

from __future__ import annotations

import ast
import itertools
import re
import warnings

from whynogpu.facts import code as F
from whynogpu.facts.code import CodeHit

MAX_MODELS = 50
_TORCH = re.compile(r"^\s*(?:import torch\b|from torch\b)|\bfrom_pretrained\(|\bnn\.Module\b|\btorch\.(?:hub\.)?load\(", re.M)
# where a model comes from: a pretrained checkpoint, a module class of the program, a model zoo, a saved model
_MADE = re.compile(r"^[ \t]*(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<call>[\w.]+\.from_pretrained\(|torchvision\.models\.\w+\(|"
                   r"models\.\w+\(|timm\.create_model\(|torch\.hub\.load\(|torch\.load\()", re.M)
_NOT_A_MODEL = re.compile(r"Tokenizer|Processor|FeatureExtractor|Config\b|Config\.|Scheduler")  # from_pretrained of these
_MODULE_CLASS = re.compile(r"^[ \t]*class\s+(\w+)\s*\([^)]*\bModule\)\s*:", re.M)
# the model at work: a training step, generation, or the model called on data
_RUNS = re.compile(r"\.backward\(|\.generate\(|\boptimizer\.step\(|\btorch\.no_grad\(|\binference_mode\(")
# anything that may place a model or tensors on a device, or a library that does it itself (transformers' pipeline
# factory is called with a task name; an object named pipeline called on data is the program's own model)
_SETUP = r"(?:load_state_dict|state_dict|eval|train|parameters|named_parameters|modules|children|requires_grad_|" \
         r"half|float|double|zero_grad|register_\w+)"
_PLACED = re.compile(r"\.cuda\(|\.to\(|[(,]\s*device\s*=|\bdevice_map\b|set_default_device|set_default_tensor_type|"
                     r"\baccelerate\b|\bAccelerator\b|lightning|\bTrainer\b|ultralytics|DataParallel|deepspeed|"
                     r"\bpipeline\(\s*(?:task\s*=\s*)?[\"']|\.to_empty\(|\bmps\b|\bxla\b|\bipex\b|torch_directml")


def never_placed(source: str) -> tuple[int, str] | None:
    """(1-based line, statement) where the program makes the model it runs, when nothing in it places anything on
    a device; None otherwise."""
    if not ("torch" in source or "from_pretrained" in source or "Module" in source) or not _TORCH.search(source):
        return None
    # (a few of each: a program makes a handful of models; a generated file of thousands is not read further)
    made = [(m.start(), m.group("name")) for m in itertools.islice(_MADE.finditer(source), MAX_MODELS)
            if not _NOT_A_MODEL.search(m.group(0))]
    classes = {re.escape(c.group(1)) for c in itertools.islice(_MODULE_CLASS.finditer(source), MAX_MODELS)}
    if classes:  # an instance of one of the program's own Module classes
        uses = re.compile(r"^[ \t]*(?P<name>[A-Za-z_]\w*)\s*=\s*(?:" + "|".join(sorted(classes)) + r")\(", re.M)
        made += [(u.start(), u.group("name")) for u in itertools.islice(uses.finditer(source), MAX_MODELS)]
    # a program, not a library: the model is made at the top level, or the file runs as a script (a library's
    # methods and docstring examples make models for their callers)
    script = "__main__" in source
    made = [m for m in made if script or source[m[0]:m[0] + 1] not in (" ", "\t")]
    if not made:
        return None
    if _RUNS.search(source):
        runs = made
    else:  # the model at work after it is made, found in one pass over the text
        # (called itself, or a method of it that computes: a hub model's .translate(), a forecaster's .predict(),
        # not one that only sets it up)
        calls = re.compile(r"\b(" + "|".join(sorted({re.escape(name) for _, name in made})) + r")(?:\.(?!" +
                           _SETUP + r"\()\w+)?\(")
        last = {}
        for c in calls.finditer(source):
            last[c.group(1)] = c.start()
        runs = [m for m in made if last.get(m[1], -1) > m[0]]
    if not runs or _PLACED.search(source):
        return None
    at = min(runs)[0]
    line = source.count("\n", 0, at) + 1
    if not _a_statement(source, line):
        return None
    return line, source.split("\n")[line - 1].strip()[:200]


def _a_statement(source: str, line: int) -> bool:
    """Whether an assignment statement starts at that line (not text in a string); a fragment that does not parse,
    as pasted code often is, is taken at its word."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes in user code are not our business
            tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    return any(isinstance(n, ast.Assign) and n.lineno == line for n in ast.walk(tree))


def hit_at(path: str, line: int, statement: str, cell: int | None = None) -> CodeHit:
    """The fact check's WG719 reads, at the line that makes the model."""
    return CodeHit("model_never_on_gpu", f"{path}:cell {cell}" if cell else path, path, line, 1, statement, F.MODULE,
                   cell=cell)


def never_placed_hit(source: str, path: str, first: int = 1) -> CodeHit | None:
    """never_placed as a code hit (first: the line the source starts at in its file or report)."""
    found = never_placed(source)
    return hit_at(path, found[0] + first - 1, found[1]) if found else None
