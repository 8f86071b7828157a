"""One pass over a module's syntax tree that records every statement shape that can keep
the GPU idle, with the import aliases resolved (`import tensorflow as tf`,
`from os import environ`, `from jax import config`, `tf.compat.v1`, …).

The visitor only records facts (CodeHit); how serious each is lives in rules/code.py.
State that must survive from one notebook cell to the next (aliases, constants, whether
keras was already imported) is kept in `ModuleState`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

from whynogpu.facts import code as F
from whynogpu.facts.code import CodeHit
from whynogpu.lint.scripts import runs_a_program
from whynogpu.parsers import cpu_options
from whynogpu.scan.consts import UNKNOWN, evaluate, module_constants, module_flags

# Environment variables whose value in code decides where the frameworks run.
WATCHED_ENV = ("CUDA_VISIBLE_DEVICES", "KERAS_BACKEND", "JAX_PLATFORMS", "JAX_PLATFORM_NAME")
_CPU_DEVICE = re.compile(r"(?i)^(?:.*/)?(?:device:)?cpu(?::\d+)?$")
_MODEL_NAME = re.compile(r"(?i)(model|net$|network)")
_DEVICE_NAME = re.compile(r"(?i)device")
# Calls that mean "a model is built or trained here" (for tf.device blocks and training files).
MODEL_CALLS = frozenset({"fit", "fit_generator", "train_on_batch", "compile", "Sequential", "Model"})
# Any of these names (or imports) in a file that trains means the code already spreads work over several devices.
DISTRIBUTE_NAMES = frozenset({
    "MirroredStrategy", "MultiWorkerMirroredStrategy", "TPUStrategy", "CentralStorageStrategy",
    "ParameterServerStrategy", "DataParallel", "DistributedDataParallel", "FullyShardedDataParallel",
    "init_process_group", "pmap", "shard_map", "DeviceMesh", "Accelerator", "Trainer",
})
DISTRIBUTE_MODULES = ("torch.distributed", "accelerate", "lightning", "pytorch_lightning", "deepspeed", "horovod",
                      "keras.distribution", "jax.sharding", "tensorflow.distribute")
# Marks a class body on Visitor.contexts. It is not a context of its own: a class body runs on
# import like module code, but an assignment in it only defines an attribute.
CLASS_BODY = "class body"
# Marks the CPU branch of a test for a GPU on Visitor.contexts (like CLASS_BODY, not a context of its own): a device
# chosen there is the fallback for machines without one.
FALLBACK = "fallback"
_CPU_NAME = re.compile(r"(?:^|_)cpu(?:$|_)|^(?:use|force|only|on)_?cpu$", re.I)  # cpu, use_cpu, force_cpu, cpu_only
_GPU_CHECK = re.compile(r"\b(?:is_available|device_count|is_built_with_cuda|list_physical_devices|gpu_device_name)\b")
_FALLBACK_PATTERNS = ("torch_device_cpu", "torch_model_to_cpu", "tf_device_cpu")
TEST_FILE = re.compile(r"(^|/)(test_[^/]*|[^/]*_test\.py|conftest\.py)$|(^|/)tests?/")


def norm(q: str) -> str:
    """One spelling per API: drop TF's compat/experimental aliases and jax's old config path."""
    q = q.replace(".compat.v1", "").replace(".compat.v2", "").replace(".experimental", "")
    if q.startswith("jax.config.config"):
        q = "jax.config" + q[len("jax.config.config"):]
    if q.startswith("jax._src.config.config"):
        q = "jax.config" + q[len("jax._src.config.config"):]
    return q


# Calls that start another program with a command line.
# A command-line option that names the device or platform to compute on (argparse, click)
_DEVICE_OPTION = re.compile(r"^--?(?:device|dev|platform|accelerator|backend_device|compute[-_]device)$", re.I)
# Devices other than CUDA that a program may be asked for: Apple's MPS, TPUs (XLA), Intel's XPU, Ascend's NPU
_OTHER_DEVICES = ("mps", "xla", "tpu", "xpu", "npu")
# A switch that turns the GPU on (`--cuda`, `--use-gpu`, `--accel`): with argparse's store_true (or click's is_flag)
# it is off unless it is given. (Not `--no-cuda`, which turns it off; not `--gpu 0`, an index.)
_GPU_SWITCH = re.compile(r"^--(?:(?:use|enable|with)[-_])?(?:cuda|gpus?|accel|accelerator)$", re.I)
# What Ray runs with the resources its keywords ask for: tasks and actors (ray.remote, .options) and Ray Data's maps
_RAY_TAKES_GPUS = frozenset({"remote", "options", "map_batches", "map", "flat_map", "filter", "map_groups"})
_LAUNCHES = frozenset({"subprocess.run", "subprocess.Popen", "subprocess.call", "subprocess.check_call",
                       "subprocess.check_output", "os.system", "os.popen"})


def _runs_with(stmt: ast.stmt):
    """The nodes of a statement that run when it runs: not the bodies of the functions and classes it defines."""
    todo = [stmt]
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            todo.extend(ast.iter_child_nodes(node))


@dataclass
class ModuleState:
    aliases: dict[str, str] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    flags: dict[str, bool] = field(default_factory=dict)  # switches fixed to True or False (consts.module_flags)
    # Trees whose module constants are not worked out yet: most files never ask for a
    # constant, and walking every tree for them cost more than half of a large scan.
    pending: list[ast.Module] = field(default_factory=list)
    keras_import: str | None = None  # where keras was first imported, for KERAS_BACKEND-after-import
    imports_torch: bool = False
    imports_jax: bool = False  # jax, or a library built on it (flax, optax, haiku, equinox)
    gpu_devices: set[str] = field(default_factory=set)  # names given a GPU device (`device = torch.device("cuda")`)
    imports_ray: bool = False
    mentions_cuda: bool = False  # "cuda" written anywhere so far (a notebook: in this cell or one before)


def _asks_for(test: ast.AST, devices: tuple[str, ...], named: re.Pattern | None = None) -> bool:
    """A test of an option for one of `devices`: a name or attribute named for it (`named`, else the device's name,
    with or without use_: args.mps, use_xla), or a value compared with its name (`args.device == "cpu"`)."""
    if isinstance(test, (ast.Name, ast.Attribute)):
        name = test.id if isinstance(test, ast.Name) else test.attr
        return bool(named.search(name)) if named else name.lower().removeprefix("use_") in devices
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq):
        return any(isinstance(v, ast.Constant) and isinstance(v.value, str) and v.value.lower() in devices
                   for v in (test.left, *test.comparators))
    return False


def _literal(node: ast.AST | None) -> object:
    """A literal's value (True, False, None, a number or a string), or None for anything else."""
    return node.value if isinstance(node, ast.Constant) else None


class Visitor(ast.NodeVisitor):
    def __init__(self, source: str, path: str, state: ModuleState, cell: int | None = None,
                 is_test: bool = False) -> None:
        self.lines = source.split("\n")
        self.path = path
        self.file = path
        self.state = state
        self.cell = cell
        self.is_test = is_test
        self.contexts: list[str] = []
        self.stmt: ast.stmt | None = None
        self.hits: list[CodeHit] = []
        self._chained: set[int] = set()
        self._reported: set[int] = set()
        self._tf_import: ast.stmt | None = None  # the first `import tensorflow` of this tree
        state.mentions_cuda = state.mentions_cuda or "cuda" in source.lower()

    # -- bookkeeping ------------------------------------------------------------------------

    def run(self, tree: ast.Module) -> list[CodeHit]:
        self.state.pending.append(tree)
        self.visit(tree)
        self._mark_defaults(tree)
        self._mark_templates(tree)
        self._mark_tf_beside(tree)
        return self.hits

    def _mark_tf_beside(self, tree: ast.Module) -> None:
        """TensorFlow hidden from the GPU in a program that computes with JAX or PyTorch (TensorFlow there reads data:
        tf.data, tensorflow_datasets): JAX's documentation hides the GPU from TensorFlow so that it does not take the
        GPU's memory the other framework needs. Such a hit records the other framework (extra["computes_with"])."""
        for h in self.hits:
            if h.pattern == "tf_set_visible_devices" and h.extra.get("device_type") == "GPU":
                other = "JAX" if self.state.imports_jax else "PyTorch" if self.state.imports_torch else ""
                if other:
                    h.extra["computes_with"] = other
        # A script that imports TensorFlow beside JAX and never hides the GPU from it: both take most of the GPU's
        # memory when they start (JAX 75 %, TensorFlow nearly all), so the second runs out (JAX's documentation,
        # "GPU memory allocation": use CPU-only TensorFlow, or set_visible_devices([], "GPU"), when it loads data)
        # (TensorFlow as the data pipeline, the case that documentation names: not a converter such as jax2tf)
        if self.cell is None and self.state.imports_jax and self._tf_import is not None and \
                not any(h.pattern == "tf_set_visible_devices" for h in self.hits) and \
                any("tf.data" in ln or "tfds" in ln or "tensorflow_datasets" in ln for ln in self.lines):
            stmt, self.stmt = self.stmt, self._tf_import
            self.hit("tf_beside_jax", self._tf_import, "tensorflow")
            self.stmt = stmt

    def _mark_templates(self, tree: ast.Module) -> None:
        """Keras' multi_gpu_model replicates a template model onto the GPUs, and its documentation builds that template
        under tf.device('/cpu:0') so the weights live in host memory: a CPU scope in such a file holds the template,
        not the training (its hit records the call, extra["replicated_at"])."""
        scopes = [h for h in self.hits if h.pattern == "tf_device_cpu"]
        if not scopes:
            return
        call = next((n.lineno for n in ast.walk(tree) if isinstance(n, ast.Call) and
                     (self.qualname(n.func) or "").rsplit(".", 1)[-1] == "multi_gpu_model"), None)
        for h in scopes if call is not None else ():
            h.extra["replicated_at"] = str(call)

    def _mark_defaults(self, tree: ast.Module) -> None:
        """An environment variable set, then set again by a later statement of the same block (`… = "-1"`, then
        `if args.gpus: … = args.gpus`): the first value is a default that the later line may replace, so it is
        not sure to be the one the program runs with. Its hit records the later line (extra["overridden_at"])."""
        sets = {h.line: h for h in self.hits if h.extra.get("how") == "assignment" and h.extra.get("variable")}
        # and a CPU device given to a name that a later statement of the same block gives a device again
        # (`args.device = torch.device("cpu")`, then `if torch.cuda.is_available(): args.device = …("cuda")`)
        devices = {h.line: h for h in self.hits if h.pattern == "torch_device_cpu" and h.extra.get("target")}
        sets.update(devices)
        if not sets:
            return
        for parent in ast.walk(tree):
            for name in ("body", "orelse", "finalbody"):
                block = getattr(parent, name, None)
                if not isinstance(block, list):
                    continue
                for i, stmt in enumerate(block):
                    h = sets.get(getattr(stmt, "lineno", -1))
                    if h is None or not isinstance(stmt, ast.Assign):
                        continue
                    later = next((n.lineno for st in block[i + 1:] for n in _runs_with(st)
                                  if isinstance(n, ast.Assign) and (self._sets_env(n, h.extra["variable"])
                                                                    if "variable" in h.extra else
                                                                    self._sets_name(n, h.extra["target"]))), None)
                    if later is not None:
                        h.extra["overridden_at"] = str(later)

    def _sets_name(self, node: ast.Assign, name: str) -> bool:
        return any(self.segment(t) == name for t in node.targets)

    def _sets_env(self, node: ast.Assign, name: str) -> bool:
        return any(isinstance(t, ast.Subscript) and self.qualname(t.value) == "os.environ" and self.value(t.slice) == name
                   for t in node.targets)

    def visit(self, node: ast.AST) -> Any:
        if isinstance(node, ast.stmt):
            outer, self.stmt = self.stmt, node
            try:
                return super().visit(node)
            finally:
                self.stmt = outer
        return super().visit(node)

    def context(self) -> str:
        if self.is_test:
            return F.TEST
        for wanted in (F.ASKED, F.FUNCTION, F.CONDITIONAL, F.MAIN):
            if wanted in self.contexts or (wanted == F.CONDITIONAL and FALLBACK in self.contexts):
                return wanted
        return F.MODULE

    def _inside(self, ctx: str, nodes) -> None:
        self.contexts.append(ctx)
        try:
            for n in nodes:
                self.visit(n)
        finally:
            self.contexts.pop()

    def where(self) -> str:
        line = self.stmt.lineno if self.stmt else 0
        return f"cell {self.cell}, line {line}" if self.cell else f"line {line}"

    def qualname(self, node: ast.AST) -> str | None:
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        root = self.state.aliases.get(node.id)
        if root is None:
            return None
        return ".".join([root, *reversed(parts)])

    def alias_for(self, module: str, default: str) -> str:
        for name, target in self.state.aliases.items():
            if target == module:
                return name
        return default

    def value(self, node: ast.AST | None) -> Any:
        self._settle()
        return evaluate(node, self.state.constants)

    def _settle(self) -> None:
        while self.state.pending:
            tree = self.state.pending.pop(0)
            module_constants(tree, self.state.constants)
            module_flags(tree, self.state.flags)

    def truth(self, node: ast.AST) -> bool | None:
        """Whether a test is fixed: True, False, a switch the module fixes (module_flags), or `not` one of those."""
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            t = self.truth(node.operand)
            return None if t is None else not t
        if isinstance(node, ast.Constant):
            return node.value if isinstance(node.value, bool) else None
        self._settle()  # (the module's switches are worked out, like its constants, only when first asked for)
        key = node.id if isinstance(node, ast.Name) else \
            f"{node.value.id}.{node.attr}" if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) else None
        return self.state.flags.get(key) if key else None

    def statement_line(self) -> str:
        if self.stmt is None:
            return ""
        return self.lines[self.stmt.lineno - 1].strip()

    def replaced(self, node: ast.AST, new: str) -> str | None:
        """The statement's first line with `node`'s text replaced, when it sits on that line."""
        stmt = self.stmt
        if stmt is None or node.lineno != stmt.lineno or node.end_lineno != stmt.lineno:
            return None
        raw = self.lines[stmt.lineno - 1]
        # ast columns count UTF-8 bytes; convert through the encoded line.
        b = raw.encode("utf-8")
        out = (b[:node.col_offset] + new.encode("utf-8") + b[node.end_col_offset:]).decode("utf-8", "replace")
        return out.strip()

    def segment(self, node: ast.AST) -> str:
        if node.lineno != node.end_lineno:
            return ""
        b = self.lines[node.lineno - 1].encode("utf-8")
        return b[node.col_offset:node.end_col_offset].decode("utf-8", "replace")

    def hit(self, pattern: str, node: ast.AST, value: Any = None, fixed: str | None = None,
            context: str | None = None, **extra: str) -> None:
        if id(node) in self._reported or (pattern in _FALLBACK_PATTERNS and FALLBACK in self.contexts):
            return
        self._reported.add(id(node))
        stmt = self.stmt or node
        self.hits.append(CodeHit(
            pattern=pattern,
            path=f"{self.path}:cell {self.cell}" if self.cell else self.path,
            file=self.file,
            line=stmt.lineno,
            column=stmt.col_offset + 1,
            statement=self.statement_line()[:200],
            context=context or self.context(),
            value=None if value is None or value is UNKNOWN else str(value),
            fixed=fixed,
            cell=self.cell,
            extra=dict(extra),
        ))

    # -- scopes -----------------------------------------------------------------------------

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        for d in node.decorator_list:
            self.visit(d)
        self._inside(F.FUNCTION, node.body)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for n in (*node.decorator_list, *node.bases, *node.keywords):
            self.visit(n)
        self._inside(CLASS_BODY, node.body)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._inside(F.FUNCTION, [node.body])

    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        main = (isinstance(node.test, ast.Compare) and isinstance(node.test.left, ast.Name)
                and node.test.left.id == "__name__" and len(node.test.comparators) == 1
                and isinstance(node.test.comparators[0], ast.Constant)
                and node.test.comparators[0].value == "__main__")
        # the CPU branch of a GPU check (`if torch.cuda.is_available(): … else: device = "cpu"`, also `if not …`):
        # a fallback for machines without a GPU, not a choice of the CPU
        # (only a test made of GPU checks alone: `if args.accel and …is_available()` falls to the CPU without the flag)
        negated = isinstance(node.test, ast.UnaryOp) and isinstance(node.test.op, ast.Not)
        checks = self._gpu_test(node.test.operand if negated else node.test)
        # the CPU branch of the program's own CPU choice (`if args.cpu:`, `if opt.device == "cpu":`): the CPU only when
        # the user asks for it, the GPU otherwise
        asked = not negated and self._asks_cpu(node.test)
        # a switch the file fixes (`USE_CPU_ONLY = True`, then `if USE_CPU_ONLY:`): the branch it picks runs every time
        # the file runs as it ships, in the context around it; the other only once someone edits the switch
        fixed = self.truth(node.test) if isinstance(node.test, (ast.Name, ast.Attribute, ast.UnaryOp)) else None
        around = self.contexts[-1] if self.contexts else F.MODULE
        self._inside(around if fixed is True else
                     FALLBACK if checks and negated else F.MAIN if main else F.ASKED if asked else F.CONDITIONAL,
                     node.body)
        self._inside(around if fixed is False else FALLBACK if checks and not negated else F.CONDITIONAL, node.orelse)

    def _asks_cpu(self, test: ast.AST) -> bool:
        """A test of a CPU option: a name or attribute named for the CPU (cpu, use_cpu, args.force_cpu), or a value
        compared with "cpu" (`args.device == "cpu"`)."""
        # (`if cpu or mps:`, `if args.cpu or not torch.cuda.is_available():`: the CPU when it is asked for, another
        # device that is not CUDA when that is, or no GPU; never the CPU on a GPU machine run as it comes)
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
            return any(self._asks_cpu(v) for v in test.values) and all(
                self._asks_cpu(v) or _asks_for(v, _OTHER_DEVICES) or
                (isinstance(v, ast.UnaryOp) and isinstance(v.op, ast.Not) and self._gpu_test(v.operand))
                for v in test.values)
        return _asks_for(test, ("cpu",), _CPU_NAME)

    def _gpu_test(self, test: ast.AST) -> bool:
        """A test that asks whether a GPU is there and nothing else (`torch.cuda.is_available()`, `… or
        torch.backends.mps.is_available()`, `torch.cuda.device_count() > 0`)."""
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
            return all(self._gpu_test(v) for v in test.values)
        if isinstance(test, ast.Compare):
            test = test.left
        return isinstance(test, ast.Call) and _GPU_CHECK.search(self.segment(test.func) or "") is not None

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        self._inside(F.CONDITIONAL, node.body)

    def visit_match_case(self, node) -> None:
        self._inside(F.CONDITIONAL, node.body)

    # -- imports ----------------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            if a.asname:
                self.state.aliases[a.asname] = a.name
            else:
                root = a.name.split(".")[0]
                self.state.aliases[root] = root
            self._imported(a.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return  # relative imports are the package's own modules
        for a in node.names:
            if a.name != "*":
                self.state.aliases[a.asname or a.name] = f"{node.module}.{a.name}"
            self._imported(f"{node.module}.{a.name}")

    def _imported(self, module: str) -> None:
        root = module.split(".")[0]
        if root == "tensorflow" and self._tf_import is None and self.stmt is not None:
            self._tf_import = self.stmt
        if root in ("keras", "keras_core") and self.state.keras_import is None:
            self.state.keras_import = self.where()
        if root == "torch":
            self.state.imports_torch = True
        if root == "ray":
            self.state.imports_ray = True
        if root in ("jax", "flax", "optax", "haiku", "equinox", "numpyro", "chex"):
            self.state.imports_jax = True

    # -- environment variables set in code ---------------------------------------------------

    def visit_Assign(self, node: ast.Assign) -> None:
        for t in node.targets:
            if isinstance(t, ast.Subscript) and self.qualname(t.value) == "os.environ":
                self.env_set(self.value(t.slice), node.value)
            elif self._device_target(t) or (self.state.imports_torch and self._gpu_choice(node.value)):
                self.torch_device_assignment(node.value, t)
        self.generic_visit(node)

    @staticmethod
    def _gpu_choice(value: ast.AST) -> bool:
        """A value that names the GPU: torch.device("cuda" if torch.cuda.is_available() else "cpu"), "cuda:0"."""
        if not isinstance(value, (ast.Call, ast.IfExp, ast.Constant)):
            return False
        return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.startswith("cuda") or
                   isinstance(n, ast.Attribute) and n.attr == "is_available" for n in ast.walk(value))

    def _device_target(self, t: ast.AST) -> bool:
        """A name for a device: one that says so, or one an earlier line gave the GPU (`self.gpu_support =
        torch.device("cuda" if … else "cpu")`, then `self.gpu_support = "cpu"`)."""
        name = t.id if isinstance(t, ast.Name) else t.attr if isinstance(t, ast.Attribute) else ""
        return bool(_DEVICE_NAME.search(name)) or (self.segment(t) or "") in self.state.gpu_devices

    def env_set(self, name: Any, value_node: ast.AST, how: str = "assignment") -> None:
        if name not in WATCHED_ENV:
            return
        value = self.value(value_node)
        if value is UNKNOWN:
            return  # set from run-time data: nothing can be said about it here
        new = {"CUDA_VISIBLE_DEVICES": '"0"', "KERAS_BACKEND": None, "JAX_PLATFORMS": '"cuda,cpu"',
               "JAX_PLATFORM_NAME": '"gpu"'}[name]
        fixed = self.replaced(value_node, new) if new else None
        extra = {"variable": name, "how": how}
        if name == "KERAS_BACKEND" and self.state.keras_import:
            extra["keras_imported_at"] = self.state.keras_import
        pattern = {"CUDA_VISIBLE_DEVICES": "cuda_visible_devices", "KERAS_BACKEND": "keras_backend"}.get(
            name, "jax_platform_env")
        self.hit(pattern, value_node, value, fixed, **extra)

    def env_magic(self, magic) -> None:
        """A notebook `%env` / `!export` line (see notebook.py)."""
        if magic.name not in WATCHED_ENV:
            return
        extra = {"variable": magic.name, "how": "shell" if magic.shell else "magic"}
        if magic.name == "KERAS_BACKEND" and self.state.keras_import:
            extra["keras_imported_at"] = self.state.keras_import
        pattern = {"CUDA_VISIBLE_DEVICES": "cuda_visible_devices", "KERAS_BACKEND": "keras_backend"}.get(
            magic.name, "jax_platform_env")
        fixed = None
        if magic.name == "CUDA_VISIBLE_DEVICES":
            fixed = magic.text.replace(f"{magic.name}={magic.value}", f"{magic.name}=0", 1) if "=" in magic.text \
                else magic.text.replace(magic.value, "0")
        self.hits.append(CodeHit(
            pattern=pattern, path=f"{self.path}:cell {self.cell}", file=self.file, line=magic.line,
            column=magic.column, statement=magic.text[:200],
            context=F.SHELL if magic.shell else (F.TEST if self.is_test else F.MODULE),
            value=magic.value, fixed=fixed, cell=self.cell, extra=extra,
        ))

    # -- calls ------------------------------------------------------------------------------

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if isinstance(node.value, ast.Call):
            self._chained.add(id(node.value))  # model.cpu().state_dict(): a copy for saving
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        q = self.qualname(func)
        if q:
            self.api_call(norm(q), node)
        last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if last in ("set_platform", "set_jax_platform"):
            self.platform_setter(q and norm(q), last, node)
        if isinstance(func, ast.Attribute):
            self.method_call(func.attr, func.value, node)
        if self.state.imports_ray and node.keywords:
            self.ray_call(q and norm(q), func, node)
        if node.keywords and (isinstance(func, ast.Attribute) and func.attr == "add_argument" or q == "click.option"):
            self.option_default(node)
        elif node.keywords and self.state.imports_torch:
            self.device_keyword(q and norm(q), node)
        self.generic_visit(node)

    def device_keyword(self, q: str | None, node: ast.Call) -> None:
        """`device="cpu"` given to a model, a pipeline or a config object (`SentenceTransformer(name, device="cpu")`,
        `SimpleNamespace(…, device="cpu")`): what the code places with it runs on the CPU. Not torch's own calls
        (`torch.zeros(3, device="cpu")` makes a tensor on the CPU on purpose) and not a `.to(…)`, read as a move."""
        if (q or "").startswith("torch.") or isinstance(node.func, ast.Attribute) and node.func.attr in ("to", "add_argument"):
            return
        for kw in node.keywords:
            if kw.arg == "device" and self._is_cpu(kw.value):
                # (a call over several lines has no one-line correction: the keyword's own is shown)
                self.hit("torch_device_cpu", kw.value, "cpu",
                         self.replaced(kw.value, self._torch_auto()) or f"device={self._torch_auto()}",
                         given_to=self.segment(node.func) or "a call")

    def option_default(self, node: ast.Call) -> None:
        """A command-line option that chooses the device, whose default is the CPU (`--device`, default "cpu"):
        run as most people run it, with no options, the program computes on the CPU."""
        names = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        default = next((k.value for k in node.keywords if k.arg == "default"), None)
        keywords = {k.arg: k.value for k in node.keywords}
        switch = self.value(keywords["action"]) == "store_true" if "action" in keywords else \
            _literal(keywords.get("is_flag")) is True
        if switch and any(_GPU_SWITCH.search(n) for n in names) and (default is None or _literal(default) is False):
            self.hit("option_default_cpu", node, f"{names[-1]} is off unless it is given", switch=True)
            return
        if not any(_DEVICE_OPTION.search(n) for n in names) or default is None:
            return
        if self._outcomes(default) == ["cpu"] or self.value(default) in ("cpu", "CPU", "/cpu:0", "/CPU:0"):
            self.hit("option_default_cpu", node, f"{names[-1]} defaults to {self.value(default)!r}")

    def ray_call(self, q: str | None, func: ast.AST, node: ast.Call) -> None:
        """Ray work told to take no GPU: `num_gpus=0` for a task, an actor or a Dataset's map (Ray then starts it with
        CUDA_VISIBLE_DEVICES="", so CUDA there finds no device: vllm-project/vllm#3198), and Ray Train's
        `ScalingConfig(use_gpu=False)`, which places every training worker on the CPU."""
        kw = {k.arg: k.value for k in node.keywords if k.arg}
        name = q.rsplit(".", 1)[-1] if q else func.attr if isinstance(func, ast.Attribute) else ""
        if "num_gpus" in kw and name in _RAY_TAKES_GPUS and (not q or q.startswith("ray")):
            values = self._outcomes(kw["num_gpus"])
            if values and all(v in (0, "0") for v in values):
                self.hit("ray_no_gpu", node, f"num_gpus={self.segment(kw['num_gpus']) or 0}",
                         cuda="yes" if self.state.mentions_cuda else "")
        elif q and q.startswith("ray.") and q.endswith(".ScalingConfig") and "use_gpu" in kw and \
                self._outcomes(kw["use_gpu"]) == [False]:
            self.hit("trainer_cpu", node, "use_gpu=False", trainer="Ray Train")

    def api_call(self, q: str, node: ast.Call) -> None:
        args, kw = node.args, {k.arg: k.value for k in node.keywords if k.arg}
        if q in ("os.environ.setdefault", "os.putenv", "os.environ.__setitem__") and len(args) >= 2:
            self.env_set(self.value(args[0]), args[1], how=q.rsplit(".", 1)[-1])
        elif q == "os.environ.update":
            if args and isinstance(args[0], ast.Dict):
                for k, v in zip(args[0].keys, args[0].values, strict=True):
                    if k is not None:
                        self.env_set(self.value(k), v, how="update")
            for k in node.keywords:
                if k.arg:
                    self.env_set(k.arg, k.value, how="update")
        elif q == "tensorflow.config.set_visible_devices":
            self.set_visible_devices(node, args, kw)
        elif q.startswith("tensorflow") and q.endswith(".ConfigProto"):
            self.config_proto(kw.get("device_count"))
        elif q == "jax.config.update" and len(args) >= 2:
            self.jax_update(self.value(args[0]), args[1])
        elif q in _LAUNCHES and args:
            self.launch(node, args[0])
        elif q.split(".", 1)[0] in ("pytorch_lightning", "lightning") and q.endswith(".Trainer"):
            self.trainer_on_cpu(node, kw)
        elif q.startswith("transformers.") and q.endswith("TrainingArguments"):
            for option in ("use_cpu", "no_cuda"):  # the Trainer then trains on the CPU (no_cuda: before 4.34)
                if option in kw and self._outcomes(kw[option]) == [True]:
                    self.hit("trainer_cpu", node, f"{option}=True", trainer="transformers")

    def _outcomes(self, node: ast.AST) -> list[Any]:
        """The values an argument can take: each branch of a conditional expression (`0 if cuda else None`)."""
        if isinstance(node, ast.IfExp):
            return self._outcomes(node.body) + self._outcomes(node.orelse)
        return [node.value] if isinstance(node, ast.Constant) else [self.value(node)]

    def trainer_on_cpu(self, node: ast.Call, kw: dict) -> None:
        """Lightning's Trainer told to train on the CPU: accelerator="cpu", or (Lightning 1.x) gpus=0, the number of
        GPUs, in every branch of the expression (0 or None, which is no GPU either)."""
        if "accelerator" in kw and self._outcomes(kw["accelerator"]) == ["cpu"]:
            self.hit("trainer_cpu", node, 'accelerator="cpu"', trainer="lightning")
        elif "gpus" in kw:
            values = self._outcomes(kw["gpus"])
            if 0 in values and all(v in (0, None, "0") for v in values):
                self.hit("trainer_cpu", node, f"gpus={self.segment(kw['gpus']) or 0}", trainer="lightning")

    def launch(self, node: ast.Call, command: ast.AST) -> None:
        """subprocess.run(["python", "main.py", "--cpu"]), os.system("… --device cpu"): a program started with its
        own CPU option (parsers/cpu_options.py), like a launcher script's line (WG718)."""
        if isinstance(command, (ast.List, ast.Tuple)):
            words = [self.value(e) for e in command.elts]
            text = " ".join(w for w in words if isinstance(w, str))
        else:
            text = self.value(command)
        if not isinstance(text, str) or "cpu" not in text or not runs_a_program(text):
            return
        found = cpu_options.find(text)
        if not found:
            return
        option, meaning = found
        line = self.statement_line()
        fixed = cpu_options.without(line, option)
        self.hit("cpu_option", node, option, fixed if fixed != line else None, meaning=meaning)

    def set_visible_devices(self, node: ast.Call, args, kw) -> None:
        devices = args[0] if args else kw.get("devices")
        dtype_node = args[1] if len(args) > 1 else kw.get("device_type")
        dtype = self.value(dtype_node) if dtype_node is not None else None
        dtype = dtype.upper() if isinstance(dtype, str) else dtype
        prefix = self.segment(node.func).rsplit(".", 1)[0] if "." in self.segment(node.func) else ""
        fixed = f"{self.segment(node.func)}({prefix}.list_physical_devices('GPU'), 'GPU')" if prefix else None
        if isinstance(devices, (ast.List, ast.Tuple)) and not devices.elts and dtype == "GPU":
            self.hit("tf_set_visible_devices", node, "[]", fixed, device_type="GPU")
        elif dtype is None and isinstance(devices, ast.Call):
            inner = self.qualname(devices.func)
            kind = self.value(devices.args[0]) if devices.args else UNKNOWN
            if inner and norm(inner).endswith(("list_physical_devices", "list_logical_devices")) \
                    and isinstance(kind, str) and kind.upper() == "CPU":
                self.hit("tf_set_visible_devices", node, self.segment(devices) or "CPU devices only", fixed,
                         device_type="all")

    def config_proto(self, counts: ast.AST | None) -> None:
        pairs = []
        if isinstance(counts, ast.Dict):
            pairs = [(self.value(k), v) for k, v in zip(counts.keys, counts.values, strict=True) if k is not None]
        elif isinstance(counts, ast.Call) and isinstance(counts.func, ast.Name) and counts.func.id == "dict":
            pairs = [(k.arg, k.value) for k in counts.keywords]
        for key, v in pairs:
            if isinstance(key, str) and key.upper() == "GPU" and self.value(v) == 0:
                self.hit("tf_device_count_gpu_zero", v, 0, self.replaced(v, "1"))

    def platform_setter(self, q: str | None, last: str, node: ast.Call) -> None:
        """numpyro.set_platform("cpu") sets jax_platform_name to what it is given
        (https://num.pyro.ai/en/stable/utilities.html#set-platform), and so does a helper a project names
        set_jax_platform (imported from its own package: a relative import leaves no qualified name)."""
        if not (q in ("numpyro.set_platform", "numpyro.util.set_platform") or last == "set_jax_platform"):
            return
        given = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "platform"), None)
        if given is not None and str(self.value(given)).strip().lower() == "cpu":
            self.hit("jax_platform_config", given, "cpu", None, option=f"{q or last}()")

    def jax_update(self, option: Any, value_node: ast.AST) -> None:
        value = self.value(value_node)
        if option == "jax_platform_name" and isinstance(value, str) and value.strip().lower() == "cpu":
            self.hit("jax_platform_config", value_node, value, None, option=option)
        elif option == "jax_platforms" and isinstance(value, str) and value.split(",")[0].strip().lower() == "cpu":
            self.hit("jax_platform_config", value_node, value, None, option=option)
        elif option == "jax_default_device" and self._jax_cpu_device(value_node):
            self.hit("jax_platform_config", value_node, self.segment(value_node) or "a CPU device", None, option=option)

    def _jax_cpu_device(self, node: ast.AST) -> bool:
        while isinstance(node, ast.Subscript):
            node = node.value
        if not isinstance(node, ast.Call):
            return False
        q = self.qualname(node.func)
        if not q or norm(q) not in ("jax.devices", "jax.local_devices"):
            return False
        backend = self.value(node.args[0]) if node.args else self.value(
            next((k.value for k in node.keywords if k.arg == "backend"), None))
        return isinstance(backend, str) and backend.lower() == "cpu"

    # -- TensorFlow device scopes -------------------------------------------------------------

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            call = item.context_expr
            if not isinstance(call, ast.Call) or not call.args:
                continue
            q = self.qualname(call.func)
            if not q or norm(q) != "tensorflow.device":
                continue
            dev = self.value(call.args[0])
            if isinstance(dev, str) and _CPU_DEVICE.match(dev.strip()):
                seg = self.segment(call.args[0])
                fixed = self.replaced(call.args[0], re.sub(r"(?i)cpu", "GPU", seg)) if seg else None
                self.hit("tf_device_cpu", call, dev, fixed, builds_model="yes" if self._builds_model(node.body) else "no")
        self.generic_visit(node)

    visit_AsyncWith = visit_With  # type: ignore[assignment]

    def _builds_model(self, body) -> bool:
        for stmt in body:
            for n in ast.walk(stmt):
                if isinstance(n, ast.Call):
                    f = n.func
                    name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
                    if name in MODEL_CALLS:
                        return True
        return False

    # -- PyTorch -----------------------------------------------------------------------------

    def _is_cpu(self, node: ast.AST) -> bool:
        if isinstance(node, ast.Call):
            q = self.qualname(node.func)
            if not q or q != "torch.device" or not node.args:
                return False
            node = node.args[0]
        elif not self.state.imports_torch:
            return False
        # `"cuda" if use_cuda else "cpu"` with use_cuda fixed to False in the module: always the CPU
        while isinstance(node, ast.IfExp) and (t := self.truth(node.test)) is not None:
            node = node.body if t else node.orelse
        v = self.value(node)
        return isinstance(v, str) and v.strip().lower() in ("cpu", "cpu:0")

    def _torch_auto(self) -> str:
        t = self.alias_for("torch", "torch")
        return f'{t}.device("cuda" if {t}.cuda.is_available() else "cpu")'

    def torch_device_assignment(self, value: ast.AST, target: ast.AST | None = None) -> None:
        name = self.segment(target) if target is not None else ""
        if self._is_cpu(value):
            context = F.CLASS if self._in_class_body() else None
            # a second device variable beside one given the GPU (`inference_device = torch.device("cpu")` after
            # `device = torch.device("cuda")`): the CPU chosen for one part of the work, on purpose
            others = sorted(self.state.gpu_devices - {name})
            extra = {"beside": others[0]} if others and name else {}
            if name:
                extra["target"] = name
            arg = value.args[0] if isinstance(value, ast.Call) and value.args else value
            if isinstance(arg, ast.IfExp) and self.truth(arg.test) is False:
                extra["switch"] = self.segment(arg.test) or ""  # "cuda" only if a switch the module keeps False
            self.hit("torch_device_cpu", value, "cpu", self.replaced(value, self._torch_auto()), context=context,
                     **extra)
        elif name and ("cuda" in (self.segment(value) or "") or "accelerator" in (self.segment(value) or "") or
                       self._gpu_choice(value)):
            self.state.gpu_devices.add(name)

    def _in_class_body(self) -> bool:
        """Whether the statement sits right in a class body (not in one of its methods).

        `device_type = "cpu"` there defines an attribute (torch's own CPUTestBase): it forces
        nothing until something reads it, like `self.device = "cpu"` in a method.
        """
        if self.is_test:
            return False
        for c in reversed(self.contexts):
            if c in (F.FUNCTION, CLASS_BODY):
                return c == CLASS_BODY
        return False

    def method_call(self, attr: str, receiver: ast.AST, node: ast.Call) -> None:
        if attr not in ("to", "cpu") or id(node) in self._chained or not self.state.imports_torch:
            return
        name = receiver.id if isinstance(receiver, ast.Name) else receiver.attr if isinstance(receiver, ast.Attribute) else ""
        if not _MODEL_NAME.search(name):
            return
        if attr == "cpu" and not node.args:
            self.hit("torch_model_to_cpu", node, "cpu", self.replaced(node, f"{self.segment(receiver)}.to({self._torch_auto()})"))
        elif attr == "to" and node.args and self._is_cpu(node.args[0]):
            self.hit("torch_model_to_cpu", node, "cpu", self.replaced(node.args[0], self._torch_auto()))

    def visit_For(self, node) -> None:
        self._training_loop(node)
        self.generic_visit(node)

    visit_While = visit_AsyncFor = visit_For  # type: ignore[assignment]

    def _training_loop(self, loop) -> None:
        calls = [n for s in loop.body for n in ast.walk(s) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
        if not any(c.func.attr == "backward" for c in calls):
            return
        for c in calls:
            if c.func.attr in ("cpu", "numpy") and not c.args and id(c) not in self._reported:
                receiver = c.func.value
                rname = receiver.id if isinstance(receiver, ast.Name) else ""
                if _MODEL_NAME.search(rname):
                    continue  # the model moving to the CPU is torch_model_to_cpu's case
                line = self.lines[c.lineno - 1].strip()
                outer = self.stmt
                self._reported.add(id(c))
                self.hits.append(CodeHit(
                    pattern="cpu_sync_in_training_loop",
                    path=f"{self.path}:cell {self.cell}" if self.cell else self.path,
                    file=self.file, line=c.lineno, column=c.col_offset + 1, statement=line[:200],
                    context=self.context(), value=c.func.attr, cell=self.cell,
                    extra={"loop_line": str(loop.lineno)},
                ))
                self.stmt = outer
                return
