"""pixi.toml, and pyproject.toml's [tool.pixi]: the conda and PyPI packages a pixi workspace installs.

pixi solves for the virtual packages its manifest declares, not for the machine it runs on (so that one lock file
serves every machine): without CUDA declared, the `__cuda` virtual package is absent, conda-forge's CUDA builds of
pytorch, tensorflow and jaxlib cannot be chosen, and the CPU builds are ("Without setting the appropriate
system-requirements.cuda, Pixi will default to installing the CPU-only versions of PyTorch",
https://pixi.prefix.dev/latest/python/pytorch). CUDA is declared as `cuda` among the [system-requirements] of the
workspace or of a feature, or, from pixi 0.71 on, on a platform: `platforms = [{ platform = "linux-64", cuda = "12.0"
}]`. The declaration is kept as a conda requirement named `__cuda`, which the rules count among the things that ask
conda for CUDA.
"""

from __future__ import annotations

from whynogpu.facts import files as K
from whynogpu.facts.files import DeclaredFile, Requirement
from whynogpu.lint.common import conda_requirement, pip_requirement, python_spec, spot
from whynogpu.lint.tomlread import load, locate

VIRTUAL_CUDA = "__cuda"


def _tables(pixi: dict):
    """(group, table of conda packages, table of PyPI packages, system requirements) of the workspace, each of its
    platform targets and each feature; the group is "" or the feature's name."""
    scopes = [("", pixi)] + [(str(n), f) for n, f in (pixi.get("feature") or {}).items() if isinstance(f, dict)]
    for group, scope in scopes:
        sysreq = dict(scope.get("system-requirements")) if isinstance(scope.get("system-requirements"), dict) else {}
        for table in (scope, scope.get("workspace"), scope.get("project")):
            platforms = table.get("platforms") if isinstance(table, dict) else None
            for p in platforms if isinstance(platforms, list) else ():
                if isinstance(p, dict) and "cuda" in p:
                    sysreq.setdefault("cuda", p["cuda"])
        yield group, scope.get("dependencies"), scope.get("pypi-dependencies"), sysreq
        for target in (scope.get("target") or {}).values() if isinstance(scope.get("target"), dict) else ():
            if isinstance(target, dict):
                yield group, target.get("dependencies"), target.get("pypi-dependencies"), {}


def requirements(pixi: dict, text: str) -> tuple[list[Requirement], str, tuple[int, int] | None]:
    """The packages a pixi workspace declares, its Python and where that is written."""
    lines = text.splitlines()
    reqs: list[Requirement] = []
    python, python_at = "", None
    for group, conda, pypi, sysreq in _tables(pixi):
        for name, value in (conda or {}).items() if isinstance(conda, dict) else ():
            spec = value if isinstance(value, str) else value.get("version", "*") if isinstance(value, dict) else "*"
            build = value.get("build", "") if isinstance(value, dict) else ""
            where = spot(lines, *locate(text, "", name))
            if str(name).lower() == "python" and isinstance(spec, str):
                python, python_at = python or python_spec(spec), python_at or locate(text, "", name)
                continue
            r = conda_requirement(f"{name}={spec or '*'}" + (f"={build}" if build else ""), where, group=group)
            if r is not None:
                reqs.append(r)
        for name, value in (pypi or {}).items() if isinstance(pypi, dict) else ():
            spec = value if isinstance(value, str) and value != "*" else \
                value.get("version", "") if isinstance(value, dict) else ""
            extras = value.get("extras", []) if isinstance(value, dict) else []
            named = f"{name}[{','.join(e for e in extras if isinstance(e, str))}]" if extras else str(name)
            r = pip_requirement(named + (spec if isinstance(spec, str) else ""), spot(lines, *locate(text, "", name)),
                                group=group)
            if r is not None:
                reqs.append(r)
        if "cuda" in sysreq:
            cuda = sysreq["cuda"]
            reqs.append(Requirement(VIRTUAL_CUDA, (), f"=={cuda}" if isinstance(cuda, str) else "",
                                    spot(lines, *locate(text, "", "cuda")), group=group, conda=True))
    # A feature's CUDA serves the environments made with it, which hold the workspace's own packages too: the file
    # has a CUDA way for them, and which environment is run is not written in it.
    cuda = next((r for r in reqs if r.name == VIRTUAL_CUDA), None)
    if cuda is not None and cuda.group:
        reqs.append(Requirement(VIRTUAL_CUDA, (), cuda.specifier, cuda.spot, conda=True))
    return reqs, python, python_at


def read(path: str, text: str) -> DeclaredFile:
    data = load(text)
    reqs, python, python_at = requirements(data, text)
    return DeclaredFile(path, K.PIXI, python=python, python_spot=spot(text.splitlines(), *python_at) if python_at else None,
                        requirements=tuple(reqs))
