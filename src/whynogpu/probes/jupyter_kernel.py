"""The running Jupyter kernel beside a fresh login shell, for `%whynogpu` (whynogpu.jupyter).

Only a host that says it is a kernel (`jupyter_kernel()`, see whynogpu/jupyter.py) has this layer: the
command line never runs inside one. The login shell is started with an almost empty environment, as a
new terminal would be, so what Jupyter's server or kernel.json added does not leak into it.
"""

from __future__ import annotations

import json
import posixpath
import re

from whynogpu.facts.jupyter import KernelFacts, KernelSpec
from whynogpu.probes import Context, NotApplicable, probe
from whynogpu.probes.environment import ALLOWED

SHELLS = ("bash", "zsh", "sh", "dash", "ksh")
LOGIN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# `command -v` and `$(…)` are POSIX; the markers keep a chatty profile's output apart from ours.
SHELL_SCRIPT = ('printf "@@python3=%s\\n@@python=%s\\n@@jupyter=%s\\n" "$(command -v python3)" '
                '"$(command -v python)" "$(command -v jupyter)"; echo @@env; env')


def _allowed(env: dict) -> dict[str, str]:
    return {k: v for k, v in env.items() if k in ALLOWED and isinstance(v, str)}


def login_shell(ctx: Context, env: dict) -> tuple[str | None, str | None, str | None, dict[str, str]]:
    shell = env.get("SHELL") or "/bin/sh"
    if posixpath.basename(shell) not in SHELLS or not ctx.host.exists(shell):
        shell = "/bin/sh"
    if not ctx.host.exists(shell):
        return None, None, None, {}
    home = ctx.host.user().home
    fresh = {"HOME": home, "PATH": LOGIN_PATH, "SHELL": shell, "TERM": "dumb", "LANG": env.get("LANG", "C.UTF-8")}
    for k in ("USER", "LOGNAME"):
        if env.get(k):
            fresh[k] = env[k]
    res = ctx.host.run([shell, "-l", "-c", SHELL_SCRIPT], timeout=min(ctx.options.timeout, 15.0), env=fresh)
    if not res.ok and "@@env" not in res.stdout:
        return None, None, None, {}
    found = dict(re.findall(r"^@@(python3|python|jupyter)=(.*)$", res.stdout, re.M))
    shell_env: dict[str, str] = {}
    for line in res.stdout.split("@@env", 1)[-1].splitlines():
        name, sep, value = line.partition("=")
        if sep and name in ALLOWED:
            shell_env[name] = value
    python = found.get("python3") or found.get("python") or None
    return shell, python, found.get("jupyter") or None, shell_env


def _spec_dirs(ctx: Context, env: dict, prefix: str) -> list[str]:
    home = ctx.host.user().home
    roots = [p for p in env.get("JUPYTER_PATH", "").split(":") if p]
    roots += [env.get("JUPYTER_DATA_DIR") or posixpath.join(home, ".local/share/jupyter"),
              posixpath.join(prefix, "share/jupyter"), "/usr/local/share/jupyter", "/usr/share/jupyter"]
    return list(dict.fromkeys(posixpath.join(r, "kernels") for r in roots))


def kernel_specs(ctx: Context, env: dict, python: str, prefix: str) -> list[KernelSpec]:
    """Installed specs that start this interpreter and whose variables agree with the kernel's: the ones
    this kernel may have been started from (Jupyter does not tell a kernel its spec's name)."""
    me = ctx.host.realpath(python)
    found = []
    for root in _spec_dirs(ctx, env, prefix):
        for name in ctx.host.listdir(root) or []:
            path = posixpath.join(root, name, "kernel.json")
            try:
                data = json.loads(ctx.host.read_text(path) or "")
            except ValueError:
                continue
            argv = data.get("argv") if isinstance(data, dict) else None
            if not argv or not all(isinstance(a, str) for a in argv):
                continue
            exe = argv[0]
            bare = "/" not in exe  # "python": jupyter_client runs it with the server's own interpreter
            if not (ctx.host.realpath(exe) == me if not bare else root.startswith(prefix.rstrip("/") + "/")):
                continue
            spec_env = _allowed(data.get("env") if isinstance(data.get("env"), dict) else {})
            if any(env.get(k) != v for k, v in spec_env.items() if "${" not in v):
                continue
            found.append(KernelSpec(path, name, tuple(argv), spec_env))
    return found


@probe("jupyter_kernel", facts=KernelFacts, order=22, layer="environment")
def gather_kernel(ctx: Context) -> KernelFacts:
    kernel = getattr(ctx.host, "jupyter_kernel", None)
    if kernel is None:
        raise NotApplicable("not run inside a Jupyter kernel (use %whynogpu in a notebook)")
    info = kernel()
    env = dict(ctx.host.env())
    shell, shell_python, shell_jupyter, shell_env = login_shell(ctx, env)
    return KernelFacts(
        python=info["python"], prefix=info["prefix"], argv=tuple(info["argv"]), env=_allowed(env),
        shell=shell, shell_python=shell_python, shell_jupyter=shell_jupyter, shell_env=shell_env,
        specs=tuple(kernel_specs(ctx, env, info["python"], info["prefix"])),
    )
