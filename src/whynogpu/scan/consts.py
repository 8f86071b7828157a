"""Working out string constants the way a reader would, without running anything.

Handles literals, f-strings and `+`/`%`/`.format()`/`str()`/`",".join([...])` over
literals, and names bound once at module level to such a value. Anything that depends on
run time (arguments, environment, function results) is UNKNOWN, and rules then stay quiet:
a scanner that guesses raises false alarms.
"""

from __future__ import annotations

import ast
from typing import Any

UNKNOWN: Any = object()


def evaluate(node: ast.AST | None, names: dict[str, Any], depth: int = 0) -> Any:
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
        return "".join(parts)
    if isinstance(node, ast.BinOp):
        left = evaluate(node.left, names, depth + 1)
        if left is UNKNOWN:
            return UNKNOWN
        if isinstance(node.op, ast.Add):
            right = evaluate(node.right, names, depth + 1)
            if right is UNKNOWN or type(left) is not type(right):
                return UNKNOWN
            return left + right
        if isinstance(node.op, ast.Mod) and isinstance(left, str):
            right = _items(node.right, names, depth) if isinstance(node.right, ast.Tuple) else \
                evaluate(node.right, names, depth + 1)
            if right is UNKNOWN:
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
            return UNKNOWN if items is UNKNOWN else base.join(str(i) for i in items)
        if func.attr == "format":
            args = [evaluate(a, names, depth + 1) for a in node.args]
            kwargs = {k.arg: evaluate(k.value, names, depth + 1) for k in node.keywords if k.arg}
            if any(a is UNKNOWN for a in args) or any(v is UNKNOWN for v in kwargs.values()) \
                    or len(kwargs) != len(node.keywords):
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
