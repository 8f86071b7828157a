"""pyproject.toml: requires-python, [project] dependencies and extras, dependency groups, Poetry's
dependencies, and the package indexes uv and Poetry route a package to."""

from __future__ import annotations

import re

from whynogpu.facts import files as K
from whynogpu.facts.files import DeclaredFile, Requirement
from whynogpu.lint import pixi
from whynogpu.lint.common import normalise, pip_requirement, python_spec, spot
from whynogpu.lint.tomlread import load, locate


def poetry_spec(c: str) -> str:
    """A Poetry constraint as a PEP 440 specifier: ^2.15 → >=2.15,<3; ~2.15 → >=2.15,<2.16; 2.15.0 → ==2.15.0."""
    c = c.strip()
    if not c or c == "*":
        return ""
    m = re.fullmatch(r"([\^~])(\d+)(?:\.(\d+))?(?:\.(\d+))?", c)
    if m:
        parts = [int(p) for p in m.groups()[1:] if p is not None]
        low = ".".join(map(str, parts))
        if m.group(1) == "^":
            i = next((n for n, p in enumerate(parts) if p), len(parts) - 1)
        else:
            i = min(1, len(parts) - 1) if len(parts) > 1 else 0
        up = parts[:i + 1]
        up[-1] += 1
        return f">={low},<{'.'.join(map(str, up))}"
    if re.fullmatch(r"\d[\w.*]*", c):
        return "==" + c
    return c


def _indexes(data: dict) -> dict[str, str]:
    """name → URL of the indexes declared for uv and Poetry."""
    out = {}
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    uv = tool.get("uv") if isinstance(tool.get("uv"), dict) else {}
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
    for entry in list(uv.get("index") or []) + list(poetry.get("source") or []):
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and isinstance(entry.get("url"), str):
            out[entry["name"]] = entry["url"]
    return out


def read(path: str, text: str) -> DeclaredFile:
    data = load(text)
    lines = text.splitlines()
    reqs: list[Requirement] = []
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    indexes = _indexes(data)
    uv_sources = (tool.get("uv") or {}).get("sources") if isinstance(tool.get("uv"), dict) else None
    uv_sources = {normalise(k): v for k, v in uv_sources.items()} if isinstance(uv_sources, dict) else {}

    def index_of(name: str, source) -> str:
        src = source if source is not None else uv_sources.get(name)
        entries = src if isinstance(src, list) else [src]
        return " ".join(indexes.get(e.get("index") or e.get("source") or "", "") or str(e.get("url", ""))
                        for e in entries if isinstance(e, dict)).strip()

    def add(items, group: str) -> None:
        for s in items if isinstance(items, list) else []:
            if not isinstance(s, str):
                continue
            line, col = locate(text, s)
            r = pip_requirement(s, spot(lines, line, col), group=group, context=K.METADATA)
            if r is not None:
                idx = index_of(r.name, None)
                reqs.append(r if not idx else Requirement(**{**r.__dict__, "index": idx}))

    add(project.get("dependencies"), "")
    for extra, items in (project.get("optional-dependencies") or {}).items():
        add(items, f"extra {extra}")
    for group, items in (data.get("dependency-groups") or {}).items() if isinstance(data.get("dependency-groups"), dict) else ():
        add(items, f"group {group}")
    python = project.get("requires-python") if isinstance(project.get("requires-python"), str) else ""
    python_at = locate(text, python) if python else None
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
    for table, group in ((poetry.get("dependencies"), ""),
                         *(((g.get("dependencies"), f"group {n}") for n, g in (poetry.get("group") or {}).items()
                            if isinstance(g, dict)))):
        if not isinstance(table, dict):
            continue
        for name, value in table.items():
            spec_text = value if isinstance(value, str) else value.get("version", "") if isinstance(value, dict) else ""
            if not isinstance(spec_text, str):
                continue
            if name.lower() == "python":
                python, python_at = python or python_spec(poetry_spec(spec_text)), locate(text, spec_text, "python")
                continue
            extras = tuple(sorted(e.lower() for e in value.get("extras", []) if isinstance(e, str))) \
                if isinstance(value, dict) else ()
            line, col = locate(text, "", name)
            r = Requirement(normalise(name), extras, poetry_spec(spec_text), spot(lines, line, col), group=group,
                            context=K.METADATA, index=index_of(normalise(name), value if isinstance(value, dict) else None))
            reqs.append(r)
    if isinstance(tool.get("pixi"), dict):  # a pixi workspace kept in pyproject.toml: what pixi installs
        more, pixi_python, pixi_at = pixi.requirements(tool["pixi"], text)
        reqs += more
        python, python_at = python or pixi_python, python_at or pixi_at
    python_at_spot = spot(lines, *python_at) if python_at else None
    return DeclaredFile(path, K.PYPROJECT, python=python_spec(python) if python else "", python_spot=python_at_spot,
                        requirements=tuple(reqs))
