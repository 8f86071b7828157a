"""The target interpreter: which Python is diagnosed, and what is installed in it.

whynogpu may live in its own isolated environment (pipx, uvx, a venv of its own) while the
user's frameworks live elsewhere, so the interpreter to inspect is chosen explicitly and the
report says which one it was and why. Everything is learned by running the stdlib-only
inspector snippet *in* that interpreter; nothing is imported there but the standard library.
"""

from __future__ import annotations

import json
import posixpath

from whynogpu.facts.target import Distribution, ImportablePackage, PackageOwner, TargetFacts, _norm  # noqa: F401 (the facts it makes)
from whynogpu.model import ProbeReason
from whynogpu.probes import Context, ProbeFailed, ProbeTimedOut, probe

FRAMEWORK_DISTS = ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-intel", "tf-nightly", "keras",
                   "torch", "jax", "jaxlib")


def _python_in(prefix: str, host) -> str | None:
    for rel in ("bin/python", "bin/python3", "python.exe", "Scripts/python.exe"):
        cand = posixpath.join(prefix, rel)
        if host.exists(cand):
            return cand
    return None


def inspect(ctx: Context, python: str | None) -> dict:
    res = ctx.host.run_snippet("inspect_target", python, timeout=min(ctx.options.timeout, 60.0))
    if res.timed_out:
        raise ProbeTimedOut(ProbeReason("the target interpreter did not answer in time", (python or "",)))
    if res.not_found:
        raise ProbeFailed(ProbeReason(f"{python} cannot be run: {res.stderr.strip()}", (python or "",)))
    if res.returncode != 0:
        raise ProbeFailed.from_command(f"{python} is not a working Python interpreter", res)
    try:
        data = json.loads(res.stdout)
    except ValueError:
        raise ProbeFailed.from_command(f"{python} did not answer like a Python interpreter", res) from None
    if not isinstance(data, dict) or "distributions" not in data:
        raise ProbeFailed.from_command(f"{python} gave an unexpected answer", res)
    return data


def _has_framework(data: dict) -> bool:
    names = {_norm(d.get("name", "")) for d in data.get("distributions", [])}
    return any(n in names for n in FRAMEWORK_DISTS)


def named_target(ctx: Context) -> tuple[str, str] | None:
    """The interpreter the user named (--python, or the active venv / conda env), with why; None
    when the choice has to wait for inspecting whynogpu's own environment."""
    if ctx.options.python:
        return ctx.options.python, "named with --python"
    env = ctx.host.env()
    for var, label in (("VIRTUAL_ENV", "the active virtual environment"), ("CONDA_PREFIX", "the active conda environment")):
        prefix = env.get(var)
        if prefix:
            exe = _python_in(prefix, ctx.host)
            if exe:
                return exe, f"{label} (${var})"
    return None


def _python_on_path_outside(host, own_prefix: str) -> str | None:
    """The first python3 (else python) on PATH that is not in whynogpu's own environment.

    uvx puts its throw-away environment's bin/ first on PATH (pipx does not), so the plain
    PATH lookup would find whynogpu's own interpreter again and miss the user's.
    """
    sep = ";" if host.uname().system == "Windows" else ":"  # C:\... has a colon of its own

    def key(p: str) -> str:
        return host.realpath(p).replace("\\", "/").rstrip("/").casefold() + "/" if sep == ";" else \
            host.realpath(p).rstrip("/") + "/"

    own = key(own_prefix) if own_prefix else None
    dirs = [d for d in host.env().get("PATH", "").split(sep) if d and not (own and key(d).startswith(own))]
    search = sep.join(dirs)
    return host.which("python3", search) or host.which("python", search)


def choose_and_inspect(ctx: Context) -> tuple[dict, str]:
    host = ctx.host
    named = named_target(ctx)
    if named:
        return inspect(ctx, named[0]), named[1]
    own = host.own_python()
    own_data = inspect(ctx, own)
    if _has_framework(own_data):
        return own_data, "the interpreter whynogpu runs in, which has ML frameworks installed"
    path_python = _python_on_path_outside(host, own_data.get("prefix") or "")
    if path_python and host.realpath(path_python) != host.realpath(own):
        try:
            other = inspect(ctx, path_python)
        except ProbeFailed:
            other = None
        if other is not None and other.get("executable") != own_data.get("executable"):
            return other, "python3 on PATH (whynogpu's own environment has no ML framework)"
    return own_data, "the interpreter whynogpu runs in (no other Python found)"


def facts_from_inspector(data: dict, chosen_because: str) -> TargetFacts:
    dists = tuple(
        Distribution(
            name=d["name"],
            version=d.get("version") or "",
            location=d.get("location") or "",
            installer=d.get("installer"),
            top_level=tuple(d.get("top_level") or ()),
            requires=tuple(d.get("requires") or ()),
            lib_files=tuple(d.get("lib_files") or ()),
            direct_url=d.get("direct_url"),
        )
        for d in data.get("distributions", [])
    )
    packages = {
        name: ImportablePackage(name, p.get("origin"), tuple(p.get("locations") or ()), bool(p.get("namespace")))
        for name, p in (data.get("packages") or {}).items()
    }
    owners = {
        name: PackageOwner(
            package=name,
            claimed_by=tuple(o.get("claimed_by") or ()),
            owner=o.get("owner"),
            missing_files={k: int(v) for k, v in (o.get("missing_files") or {}).items()},
            files_checked={k: int(v) for k, v in (o.get("files_checked") or {}).items()},
        )
        for name, o in (data.get("owners") or {}).items()
    }
    return TargetFacts(
        python=data.get("executable") or "",
        version=data.get("version") or "",
        implementation=data.get("implementation") or "",
        prefix=data.get("prefix") or "",
        base_prefix=data.get("base_prefix") or "",
        env_kind=data.get("env_kind") or "unknown",
        platform=data.get("platform") or "",
        machine=data.get("machine") or "",
        chosen_because=chosen_because,
        sys_path=tuple(data.get("sys_path") or ()),
        distributions=dists,
        packages=packages,
        owners=owners,
        files={k: v for k, v in (data.get("files") or {}).items() if isinstance(v, str)},
    )


@probe("target", facts=TargetFacts, order=30, layer="packages", early=True)
def gather_target(ctx: Context) -> TargetFacts:
    data, why = choose_and_inspect(ctx)
    return facts_from_inspector(data, why)
