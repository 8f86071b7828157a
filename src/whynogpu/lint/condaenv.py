"""environment.yml (conda): conda dependencies, the `pip:` list, and the Python it pins."""

from __future__ import annotations

import re

from whynogpu.facts import files as K
from whynogpu.facts.files import DeclaredFile, Requirement
from whynogpu.lint.common import conda_requirement, pip_requirement, spot
from whynogpu.lint.yamlread import YMap, YScalar, YSeq, documents

_INDEX = re.compile(r"^(?:-i|--index-url|--extra-index-url|-f|--find-links)(?:\s*=\s*|\s+)(\S+)")


def read(path: str, text: str) -> DeclaredFile:
    lines = text.splitlines()
    reqs: list[Requirement] = []
    python, python_spot = "", None
    for doc in documents(text)[:1]:
        deps = doc.get("dependencies") if isinstance(doc, YMap) else None
        if not isinstance(deps, YSeq):
            continue
        for item in deps.items:
            if isinstance(item, YScalar):
                r = conda_requirement(item.value, spot(lines, item.line, item.column))
                if r is None:
                    continue
                if r.name == "python":
                    python, python_spot = r.specifier, r.spot
                else:
                    reqs.append(r)
            elif isinstance(item, YMap) and isinstance(item.get("pip"), YSeq):
                entries = [e for e in item.get("pip").items if isinstance(e, YScalar)]
                index = " ".join(m.group(1) for e in entries if (m := _INDEX.match(e.value.strip())))
                for e in entries:
                    if e.value.strip().startswith("-"):
                        continue
                    r = pip_requirement(e.value, spot(lines, e.line, e.column), index=index)
                    if r is not None:
                        reqs.append(r)
    return DeclaredFile(path, K.CONDA_ENV, python=python, python_spot=python_spot, requirements=tuple(reqs))
