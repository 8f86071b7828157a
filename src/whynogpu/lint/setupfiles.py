"""setup.py (read with `ast`, never run) and setup.cfg (configparser): install_requires,
extras_require, python_requires."""

from __future__ import annotations

import ast
import configparser
import warnings

from whynogpu.facts import files as K
from whynogpu.facts.files import DeclaredFile, Requirement
from whynogpu.lint.common import Unreadable, pip_requirement, python_spec, spot
from whynogpu.lint.tomlread import locate

MAX_BYTES = 1024 * 1024


def _strings(node, names: dict) -> list[ast.Constant]:
    if isinstance(node, ast.Name) and node.id in names:
        node = names[node.id]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [e for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return []


def read_setup_py(path: str, text: str) -> DeclaredFile:
    if len(text) > MAX_BYTES:
        raise Unreadable(f"larger than {MAX_BYTES // 1024} KiB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except SyntaxError as exc:
        raise Unreadable(f"syntax error at line {exc.lineno}: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise Unreadable(f"cannot be parsed: {str(exc)[:100]}") from None
    lines = text.splitlines()
    names = {t.id: s.value for s in tree.body if isinstance(s, ast.Assign)
             for t in s.targets if isinstance(t, ast.Name)}
    reqs: list[Requirement] = []
    python, python_spot = "", None

    def add(nodes: list[ast.Constant], group: str) -> None:
        for c in nodes:
            r = pip_requirement(c.value, spot(lines, c.lineno, c.col_offset + 2), group=group, context=K.METADATA)
            if r is not None:
                reqs.append(r)

    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        f = call.func
        if not ((isinstance(f, ast.Name) and f.id == "setup") or (isinstance(f, ast.Attribute) and f.attr == "setup")):
            continue
        for kw in call.keywords:
            if kw.arg == "install_requires":
                add(_strings(kw.value, names), "")
            elif kw.arg == "extras_require":
                d = names.get(kw.value.id) if isinstance(kw.value, ast.Name) else kw.value
                if isinstance(d, ast.Dict):
                    for k, v in zip(d.keys, d.values, strict=False):
                        if isinstance(k, ast.Constant):
                            add(_strings(v, names), f"extra {k.value}")
            elif kw.arg == "python_requires":
                v = names.get(kw.value.id) if isinstance(kw.value, ast.Name) else kw.value
                if isinstance(v, ast.Constant) and isinstance(v.value, str):
                    python, python_spot = python_spec(v.value), spot(lines, v.lineno, v.col_offset + 2)
    return DeclaredFile(path, K.SETUP_PY, python=python, python_spot=python_spot, requirements=tuple(reqs))


def read_setup_cfg(path: str, text: str) -> DeclaredFile:
    if len(text) > MAX_BYTES:
        raise Unreadable(f"larger than {MAX_BYTES // 1024} KiB")
    cp = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        cp.read_string(text)
    except configparser.Error as exc:
        raise Unreadable(f"not a valid setup.cfg: {str(exc).splitlines()[0][:120]}") from None
    lines = text.splitlines()
    reqs: list[Requirement] = []

    def add(value: str, group: str) -> None:
        for item in value.splitlines():
            item = item.split("#", 1)[0].strip()
            if item:
                r = pip_requirement(item, spot(lines, *locate_line(item)), group=group, context=K.METADATA)
                if r is not None:
                    reqs.append(r)

    def locate_line(item: str) -> tuple[int, int]:
        for n, line in enumerate(lines, 1):
            i = line.find(item)
            if i >= 0:
                return n, i + 1
        return 1, 1

    if cp.has_option("options", "install_requires"):
        add(cp.get("options", "install_requires"), "")
    if cp.has_section("options.extras_require"):
        for extra, value in cp.items("options.extras_require"):
            add(value, f"extra {extra}")
    python, where = "", None
    if cp.has_option("options", "python_requires"):
        raw = cp.get("options", "python_requires").strip()
        python, where = python_spec(raw), spot(lines, *locate(text, "", "python_requires"))
    return DeclaredFile(path, K.SETUP_CFG, python=python, python_spot=where, requirements=tuple(reqs))
