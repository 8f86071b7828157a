"""Shared pieces of the file readers: spots with suppressions, requirement strings, file kinds."""

from __future__ import annotations

import posixpath
import re

from whynogpu.facts import files as K
from whynogpu.facts.files import Requirement, Spot
from whynogpu.scan.suppress import ignored_in


class Unreadable(ValueError):
    """A file that cannot be read; the message says why, in a few words (a per-file note)."""


_COMPOSE = re.compile(r"(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml")
_CONDA = re.compile(r"(?:environment|conda)(?:[.-][\w.-]+)?\.ya?ml")
_REQS_DIRS = {"requirements", "reqs", "requirements.d"}


def kind_of(rel: str) -> str | None:
    """The file kind of a path by its name (YAML that is neither compose nor conda may be Kubernetes:
    the content decides), or None for a file the file scan does not read."""
    name = posixpath.basename(rel.replace("\\", "/"))
    low = name.lower()
    if low.endswith(".dockerignore"):
        return None
    if low in ("dockerfile", "containerfile") or low.startswith(("dockerfile.", "containerfile.", "dockerfile-",
                                                                  "dockerfile_", "containerfile-")) \
            or low.endswith((".dockerfile", ".containerfile")):
        return K.DOCKERFILE
    if _COMPOSE.fullmatch(low):
        return K.COMPOSE
    if _CONDA.fullmatch(low):
        return K.CONDA_ENV
    if low.endswith((".yaml", ".yml")):
        return K.KUBERNETES
    if low == "pipfile":
        return K.PIPFILE
    if low == "pyproject.toml":
        return K.PYPROJECT
    if low == "pixi.toml":
        return K.PIXI
    if low == "kernel-metadata.json":
        return K.KAGGLE
    if low == "setup.py":
        return K.SETUP_PY
    if low == "setup.cfg":
        return K.SETUP_CFG
    if low.endswith((".sh", ".bash", ".bat", ".cmd", ".service", ".sbatch", ".slurm")):
        return K.SCRIPT
    if low.endswith((".txt", ".in")) and ("requirements" in low or
                                          posixpath.basename(posixpath.dirname(rel)).lower() in _REQS_DIRS):
        return K.REQUIREMENTS
    return None


def spot(lines: list[str], line: int, column: int) -> Spot:
    """A Spot at 1-based (line, column); a `# whynogpu: ignore[...]` mark on that line or on a comment
    line right above it silences codes there."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    ignored = ignored_in(text) if "whynogpu" in text else ()
    if not ignored and line >= 2:
        above = lines[line - 2].strip()
        if above.startswith("#") and "whynogpu" in above:
            ignored = ignored_in(above)
    return Spot(line, max(column, 1), text.strip()[:300], ignored)


def normalise(name: str) -> str:
    n = re.sub(r"[-_.]+", "-", name).lower()
    return "torch" if n == "pytorch" else n


_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*(.*)$", re.S)
_WHEEL = re.compile(r"([A-Za-z0-9_.]+)-(\d[^-]*)-[^/]*\.whl$")


def pip_requirement(text: str, where: Spot, **kw) -> Requirement | None:
    """A pip requirement string (PEP 508, or a wheel URL/path) as a Requirement; None when it names no
    distribution. Parsed with `packaging`; a string packaging rejects is read for its name only."""
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Req

    text = text.strip()
    if not text or len(text) > 2000:
        return None
    wheel = _WHEEL.search(text.split("#", 1)[0].split("?", 1)[0].replace("%2B", "+").replace("%2b", "+"))
    if wheel and ("/" in text or text.endswith(".whl")) and " @ " not in text:
        name, version = wheel.group(1), wheel.group(2)
        return Requirement(normalise(name), (), f"=={version}", where, url=text, **kw)
    try:
        r = Req(text)
        return Requirement(normalise(r.name), tuple(sorted(e.lower() for e in r.extras)), str(r.specifier), where,
                           url=r.url or "", marker=str(r.marker) if r.marker else "", **kw)
    except InvalidRequirement:
        m = _NAME.match(text)
        if not m or "/" in m.group(1) or m.group(1).startswith("."):
            return None
        extras = tuple(sorted(e.strip().lower() for e in (m.group(2) or "").split(",") if e.strip()))
        spec = m.group(3).split(";", 1)[0].strip()
        return Requirement(normalise(m.group(1)), extras, spec if _valid_spec(spec) else "", where, **kw)


def _valid_spec(spec: str) -> bool:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        SpecifierSet(spec)
        return bool(spec)
    except InvalidSpecifier:
        return False


_CONDA_SPEC = re.compile(r"^\s*(?:[\w.-]+::)?([A-Za-z0-9][\w.-]*)\s*(.*)$")


# conda's split of "<version> <build>" / "<version>=<build>": a space or `=` that no operator character comes right
# before (conda/models/match_spec.py, _parse_version_plus_build), so ">=1.13" is a version, "2.1.0 py3.10_cuda11.8_0"
# a version and a build
_VERSION_BUILD = re.compile(r"((?:.+?)[^><!,|]?)(?:(?<![=!|,<>~])[ =]([^-=,|<>~]+?))?$")


def _version_build(rest: str) -> tuple[str, str]:
    """A match spec's version and build ("" when absent). Spaces after an operator are dropped, as conda does
    ("pytorch >= 1.13" is pytorch>=1.13), and one leading `=` (pytorch=2.1) is conda's fuzzy "2.1.*"."""
    rest = re.sub(r"(?<=[<>=!~])\s+", "", rest.strip())
    if rest.startswith("=") and not rest.startswith("=="):
        rest = rest[1:]
    m = _VERSION_BUILD.match(rest)
    return (m.group(1).strip(), (m.group(2) or "").strip()) if m else (rest, "")


def conda_requirement(text: str, where: Spot, **kw) -> Requirement | None:
    """A conda match spec (`pytorch=2.1`, `tensorflow>=2.10`, `python=3.11`, `pytorch=*=*cuda*`)."""
    m = _CONDA_SPEC.match(text.strip())
    if not m:
        return None
    name, rest = m.group(1), m.group(2).strip()
    version, build = _version_build(rest.split("[", 1)[0])
    if not version or version == "*":
        spec = ""
    elif re.match(r"^[<>=!~]", version) or "," in version:
        spec = version
    elif "*" in version:
        spec = "==" + version
    else:
        spec = f"=={version}.*" if version.count(".") < 2 else f"=={version}"
    url = f"conda build {build}" if build else ""
    return Requirement(normalise(name), (), spec, where, url=url, conda=True, **kw)


def python_spec(version: str) -> str:
    """'3.11' → '==3.11.*'; a specifier is kept as it is."""
    v = version.strip().strip("'\"")
    if re.match(r"^[<>=!~^]", v) or "," in v:
        return v.replace("^", ">=") if v.startswith("^") else v
    m = re.match(r"^(\d+)\.(\d+)", v)
    return f"=={m.group(1)}.{m.group(2)}.*" if m else ""
