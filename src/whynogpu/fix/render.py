"""The plan as text for a person and as JSON for CI or a platform team (README "whynogpu fix" documents it)."""

from __future__ import annotations

import json

from whynogpu.fix.model import Plan

PLAN_SCHEMA = 1


def text(plan: Plan, dry_run: bool = True) -> str:
    out = []
    inst = plan.installer
    out.append(f"whynogpu fix — {plan.target or 'no target interpreter could be inspected'}")
    if inst:
        out.append(f"  installer: {inst.kind} ({inst.because})")
    out.append(f"  root cause: {plan.root_cause} — {plan.summary}")
    out.append("")
    for s in plan.steps:
        mark = "automatic" if s.automatic else "manual"
        out.append(f"{s.number}. [{mark}] {s.title}  ({', '.join(s.codes)})")
        if s.why:
            out.append(f"   {s.why}")
        for c in s.commands:
            out.append(f"     {c}")
    if plan.steps:
        out.append("")
    for n in plan.notes:
        out.append(n)
    if plan.automatic and dry_run:
        out.append("This was a dry run: nothing was changed. `whynogpu fix --apply` runs the automatic steps "
                   "(after recording a rollback point); manual steps are never run.")
    return "\n".join(out) + "\n"


def data(plan: Plan) -> dict:
    inst = plan.installer
    return {
        "schema_version": PLAN_SCHEMA,
        "target": plan.target,
        "installer": None if inst is None else {
            "kind": inst.kind, "executable": inst.exe, "prefix": inst.prefix, "project": inst.project,
            "conda_name": inst.conda_name, "refused": inst.refused, "because": inst.because},
        "root_cause": plan.root_cause,
        "summary": plan.summary,
        "steps": [{"number": s.number, "kind": "automatic" if s.automatic else "manual", "title": s.title,
                   "codes": list(s.codes), "category": s.category, "why": s.why, "commands": list(s.commands),
                   "actions": [_action(a) for a in s.actions]}
                  for s in plan.steps],
        "notes": list(plan.notes),
    }


def _action(a) -> dict:
    if a.where:  # value null: the variable is unset
        return {"where": a.where, "path": a.path, "name": a.name, "value": a.value}
    return {"argv": list(a.argv), **({"cwd": a.cwd} if a.cwd else {})}


def as_json(plan: Plan) -> str:
    return json.dumps(data(plan), indent=2, ensure_ascii=False) + "\n"
