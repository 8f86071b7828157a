"""Setting or unsetting a variable where the target's processes start: a Jupyter kernel's kernel.json
`env`, or a conda env's activate.d/deactivate.d scripts. Never a shell profile: whynogpu changes the
environment it was pointed at, not the user's other shells."""

from __future__ import annotations

import json
import os
import shlex

from whynogpu.fix.model import Action

SCRIPT = "whynogpu-{name}.sh"


def files(action: Action) -> list[str]:
    """The files this action writes (recorded for rollback before it runs)."""
    if action.where == "kernel":
        return [action.path]
    name = SCRIPT.format(name=action.name)
    return [os.path.join(action.path, "etc", "conda", d, name) for d in ("activate.d", "deactivate.d")]


def apply(action: Action) -> str:
    if action.where == "kernel":
        with open(action.path, encoding="utf-8") as fh:
            spec = json.load(fh)
        env = spec.get("env") if isinstance(spec.get("env"), dict) else {}
        if action.value is None:  # plan.py plans only values for a kernel; removing its own is the nearest
            env.pop(action.name, None)
        else:
            env[action.name] = action.value
        spec["env"] = env
        with open(action.path, "w", encoding="utf-8") as fh:
            json.dump(spec, fh, indent=1)
            fh.write("\n")
        return f"{action.path}: env {action.name}" + (f"={action.value}" if action.value is not None else " removed")
    activate, deactivate = files(action)
    os.makedirs(os.path.dirname(activate), exist_ok=True)
    os.makedirs(os.path.dirname(deactivate), exist_ok=True)
    saved = f"_WHYNOGPU_OLD_{action.name}"
    with open(activate, "w", encoding="utf-8") as fh:
        fh.write(f"# written by `whynogpu fix`; `whynogpu fix --rollback` removes it\n"
                 f'if [ -n "${{{action.name}+x}}" ]; then export {saved}="${action.name}"; fi\n'
                 + (f"export {action.name}={shlex.quote(action.value)}\n" if action.value is not None
                    else f"unset {action.name}\n"))
    with open(deactivate, "w", encoding="utf-8") as fh:
        fh.write(f"# written by `whynogpu fix`; puts back the value from before `conda activate`\n"
                 f'if [ -n "${{{saved}+x}}" ]; then export {action.name}="${saved}"; unset {saved}; '
                 f"else unset {action.name}; fi\n")
    return f"{activate}: " + (f"{action.name}={action.value}" if action.value is not None else f"unset {action.name}")
