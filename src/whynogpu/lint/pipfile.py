"""Pipfile (TOML): [packages], [dev-packages], [requires] python_version, [[source]] indexes."""

from __future__ import annotations

from whynogpu.facts import files as K
from whynogpu.facts.files import DeclaredFile, Requirement
from whynogpu.lint.common import normalise, python_spec, spot
from whynogpu.lint.pyproject import poetry_spec
from whynogpu.lint.tomlread import load, locate


def read(path: str, text: str) -> DeclaredFile:
    data = load(text)
    lines = text.splitlines()
    sources = {s.get("name"): s.get("url", "") for s in data.get("source") or [] if isinstance(s, dict)}
    reqs = []
    for table, group in (("packages", ""), ("dev-packages", "dev-packages")):
        for name, value in (data.get(table) or {}).items() if isinstance(data.get(table), dict) else ():
            spec = value if isinstance(value, str) else value.get("version", "") if isinstance(value, dict) else ""
            spec = "" if not isinstance(spec, str) or spec.strip() == "*" else spec.strip()
            if spec and spec[0].isdigit():
                spec = poetry_spec(spec)
            extras, index = (), ""
            if isinstance(value, dict):
                extras = tuple(sorted(e.lower() for e in value.get("extras", []) if isinstance(e, str)))
                index = sources.get(value.get("index"), "") if isinstance(value.get("index"), str) else ""
            line, col = locate(text, "", name)
            reqs.append(Requirement(normalise(name), extras, spec, spot(lines, line, col), group=group, index=index))
    requires = data.get("requires") if isinstance(data.get("requires"), dict) else {}
    py = requires.get("python_version") or requires.get("python_full_version") or ""
    py = py if isinstance(py, str) else ""
    where = spot(lines, *locate(text, py, "python_version")) if py else None
    return DeclaredFile(path, K.PIPFILE, python=python_spec(py) if py else "", python_spot=where,
                        requirements=tuple(reqs))
