"""Working out string constants the way a reader would, without running anything.

Handles literals, f-strings and `+`/`%`/`.format()`/`str()`/`",".join([...])` over
literals, and names bound once at module level to such a value. Anything that depends on
run time (arguments, environment, function results) is UNKNOWN, and rules then stay quiet:
a scanner that guesses raises false alarms.
"""

from __future__ import annotations

import ast
import re
from typing import Any

UNKNOWN: Any = object()
# No device name or environment value is longer than this. Larger values are UNKNOWN: a file
# that doubles a string 32 times (`s1 = s0 + s0`, …) would otherwise build gigabytes.
MAX_LEN = 10_000
# A number of four or more digits (a width or precision) in a %-format or .format() template
# could ask for a string of any size ("%0*d" % (1500000000, 1)), so such a call is not evaluated.
_BIG = re.compile(r"\d{4,}")


def _bounded(v: Any) -> Any:
    if isinstance(v, str) and len(v) > MAX_LEN:
        return UNKNOWN
    if isinstance(v, int) and v.bit_length() > 64:
        return UNKNOWN  # no device index is this large, and str() of it can fail (over 4300 digits)
    return v


def _small(template: str, values) -> bool:
    """Whether formatting `values` into `template` surely gives a small string: every
    placeholder yields at most the longest value or a width under 1000."""
    values = list(values)
    if any(isinstance(v, int) and abs(v) >= 10_000 for v in values):
        return False  # maybe a `*` width
    longest = max([1000] + [len(v) for v in values if isinstance(v, str)])
    return len(template) * longest <= 100 * MAX_LEN


def _joined(parts: list[str], sep: str = "") -> Any:
    if sum(len(p) for p in parts) + len(sep) * len(parts) > MAX_LEN:
        return UNKNOWN
    return sep.join(parts)


def evaluate(node: ast.AST | None, names: dict[str, Any], depth: int = 0) -> Any:
    return _bounded(_evaluate(node, names, depth))


def _evaluate(node: ast.AST | None, names: dict[str, Any], depth: int) -> Any:
    if node is None or depth > 20:
        return UNKNOWN
    if isinstance(node, ast.Constant):
        v = node.value
        return v if isinstance(v, (str, int, float)) and not isinstance(v, bool) else UNKNOWN
    if isinstance(node, ast.Name):
        return names.get(node.id, UNKNOWN)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = evaluate(node.operand, names, depth + 1)
        return -v if isinstance(v, (int, float)) else UNKNOWN
    if isinstance(node, ast.JoinedStr):
        parts = []
        for v in node.values:
            if isinstance(v, ast.FormattedValue):
                if v.format_spec is not None or v.conversion not in (-1, ord("s")):
                    return UNKNOWN
                v = evaluate(v.value, names, depth + 1)
            else:
                v = evaluate(v, names, depth + 1)
            if v is UNKNOWN:
                return UNKNOWN
            parts.append(str(v))
        return _joined(parts)
    if isinstance(node, ast.BinOp):
        left = evaluate(node.left, names, depth + 1)
        if left is UNKNOWN:
            return UNKNOWN
        if isinstance(node.op, ast.Add):
            right = evaluate(node.right, names, depth + 1)
            if right is UNKNOWN or type(left) is not type(right):
                return UNKNOWN
            if isinstance(left, str) and len(left) + len(right) > MAX_LEN:
                return UNKNOWN
            return left + right
        if isinstance(node.op, ast.Mod) and isinstance(left, str):
            right = _items(node.right, names, depth) if isinstance(node.right, ast.Tuple) else \
                evaluate(node.right, names, depth + 1)
            if right is UNKNOWN or "*" in left or _BIG.search(left) \
                    or not _small(left, right if isinstance(right, tuple) else (right,)):
                return UNKNOWN
            try:
                return left % right
            except (TypeError, ValueError):
                return UNKNOWN
        return UNKNOWN
    if isinstance(node, ast.Call):
        return _call(node, names, depth)
    return UNKNOWN


def _items(node: ast.AST, names: dict[str, Any], depth: int) -> Any:
    if not isinstance(node, (ast.List, ast.Tuple)):
        return UNKNOWN
    out = []
    for elt in node.elts:
        v = evaluate(elt, names, depth + 1)
        if v is UNKNOWN:
            return UNKNOWN
        out.append(v)
    return tuple(out)


def _call(node: ast.Call, names: dict[str, Any], depth: int) -> Any:
    func = node.func
    if node.keywords and not (isinstance(func, ast.Attribute) and func.attr == "format"):
        return UNKNOWN
    if isinstance(func, ast.Name) and func.id == "str" and len(node.args) == 1:
        v = evaluate(node.args[0], names, depth + 1)
        return UNKNOWN if v is UNKNOWN else str(v)
    if isinstance(func, ast.Attribute) and isinstance(func.value, (ast.Constant, ast.Name, ast.JoinedStr)):
        base = evaluate(func.value, names, depth + 1)
        if not isinstance(base, str):
            return UNKNOWN
        if func.attr == "join" and len(node.args) == 1:
            items = _items(node.args[0], names, depth)
            return UNKNOWN if items is UNKNOWN else _joined([str(i) for i in items], base)
        if func.attr == "format":
            args = [evaluate(a, names, depth + 1) for a in node.args]
            kwargs = {k.arg: evaluate(k.value, names, depth + 1) for k in node.keywords if k.arg}
            if any(a is UNKNOWN for a in args) or any(v is UNKNOWN for v in kwargs.values()) \
                    or len(kwargs) != len(node.keywords) or _BIG.search(base) \
                    or not _small(base, [*args, *kwargs.values()]):
                return UNKNOWN
            try:
                return base.format(*args, **kwargs)
            except (IndexError, KeyError, ValueError):
                return UNKNOWN
        if func.attr in ("lower", "upper", "strip") and not node.args:
            return getattr(base, func.attr)()
    return UNKNOWN


def module_constants(tree: ast.Module, into: dict[str, Any]) -> None:
    """Names bound exactly once in the module, at top level, to a constant value."""
    stores: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            stores[node.id] = stores.get(node.id, 0) + 1
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stores[node.name] = stores.get(node.name, 0) + 1
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name = stmt.targets[0].id
            if stores.get(name) == 1:
                v = evaluate(stmt.value, into)
                if v is not UNKNOWN:
                    into[name] = v
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
            if stores.get(stmt.target.id) == 1:
                v = evaluate(stmt.value, into)
                if v is not UNKNOWN:
                    into[stmt.target.id] = v


def module_flags(tree: ast.Module, into: dict[str, bool]) -> None:
    """Switches a module fixes: names bound once, at top level, to True or False (`use_cuda = False`), and the
    keywords of a namespace built at top level (`args = Namespace(cuda=False)` gives "args.cuda"). A switch the
    module (a later notebook cell too) sets to anything else anywhere is no longer known: `args.cuda = False` under
    a check for a GPU keeps it False, `args.cuda = True` forgets it."""
    stores: dict[str, list[ast.AST]] = {}  # each name or attribute → what it is set to (the node itself: not known)
    for node in ast.walk(tree):
        targets = list(node.targets) if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.NamedExpr, ast.comprehension)) else \
            [item.optional_vars for item in node.items if item.optional_vars] if isinstance(node, (ast.With, ast.AsyncWith)) else []
        single = isinstance(node, ast.Assign) and len(targets) == 1
        while targets:
            t = targets.pop()
            if isinstance(t, (ast.Tuple, ast.List, ast.Starred)):
                targets.extend(t.elts if not isinstance(t, ast.Starred) else [t.value])  # unpacked: not known
                single = False
                continue
            key = t.id if isinstance(t, ast.Name) else \
                f"{t.value.id}.{t.attr}" if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) else None
            if key:
                stores.setdefault(key, []).append(node.value if single else node)
    for key, values in stores.items():
        if key in into and any(not (isinstance(v, ast.Constant) and v.value is into[key]) for v in values):
            del into[key]  # set to something else since
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            continue
        name, value = stmt.targets[0].id, stmt.value
        if isinstance(value, ast.Constant) and isinstance(value.value, bool) and len(stores.get(name, ())) == 1:
            into[name] = value.value
        elif isinstance(value, ast.Call) and len(stores.get(name, ())) == 1 and \
                (value.func.id if isinstance(value.func, ast.Name) else getattr(value.func, "attr", "")) in \
                ("Namespace", "SimpleNamespace"):
            for kw in value.keywords:
                key = f"{name}.{kw.arg}"
                if kw.arg and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, bool) and \
                        all(isinstance(v, ast.Constant) and v.value is kw.value.value for v in stores.get(key, ())):
                    into[key] = kw.value.value
