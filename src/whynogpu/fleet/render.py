"""The fleet report as text (a terminal), JSON (`nodes` list, groups, outliers) and Markdown (an incident ticket).

Node names are printed as the launcher gave them, in every format: which machine is odd is the point of a
fleet report. What each node's own report says is redacted in JSON and Markdown as `whynogpu snapshot`
redacts (user names, home paths, host names inside the facts, GPU UUIDs, secrets) unless --no-redact.
"""

from __future__ import annotations

import json

from whynogpu import __version__
from whynogpu.fleet.model import ANSWERED, FAILED, NO_ANSWER, UNREADABLE, Fleet, Node

STATUS_WORDS = {NO_ANSWER: "no answer", FAILED: "snapshot failed", UNREADABLE: "unreadable"}
SHOWN = 12  # names listed per line in text; JSON lists them all


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _names(names, limit: int = SHOWN) -> str:
    names = list(names)
    more = f" … and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def headline(fleet: Fleet) -> str:
    parts = []
    for g in fleet.groups:
        what = g.key if g.status == ANSWERED else STATUS_WORDS[g.status]
        if g.key == "no_problem":
            what = "OK"
        parts.append(f"{_plural(len(g.nodes), 'node')} {what}")
    return "; ".join(parts) or "no nodes"


def text(fleet: Fleet, verbose: bool = False) -> str:
    out = [f"whynogpu {__version__} fleet — {_plural(len(fleet.nodes), 'node')} ({fleet.source})", ""]
    reasons = {n.name: n.reason for n in fleet.nodes if n.reason}
    width = max((len(_plural(len(g.nodes), "node")) for g in fleet.groups), default=0)
    for g in fleet.groups:
        count = _plural(len(g.nodes), "node").ljust(width)
        if g.status == ANSWERED:
            out.append(f"  {count}  {g.key}: {g.summary}")
            out.append(f"  {'':{width}}  {_names(g.nodes)}")
        else:
            out.append(f"  {count}  {STATUS_WORDS[g.status]}:")
            for name in g.nodes[:SHOWN]:
                out.append(f"  {'':{width}}  {name}: {reasons.get(name) or 'no reason given'}")
            if len(g.nodes) > SHOWN:
                out.append(f"  {'':{width}}  … and {len(g.nodes) - SHOWN} more")
    out.append("")
    if fleet.outliers:
        out.append("Outliers (differ from the majority of the nodes that answered)")
        for o in fleet.outliers:
            out.append(f"  {o.node}  {o.trait}: {o.value}   (the other {o.majority_count}: {o.majority})")
        out.append("")
    for m in fleet.mixed:
        out.append(f"Mixed {m.trait} (no value most nodes share)")
        for value, names in m.values:
            out.append(f"  {value}: {_plural(len(names), 'node')} ({_names(names, 6)})")
        out.append("")
    if not fleet.outliers and not fleet.mixed and fleet.count(ANSWERED) > 1:
        out.append("No outliers: every node that answered has the same driver, GPU, CUDA libraries, frameworks, "
                   "visible devices and Python.")
        out.append("")
    if verbose:
        out.append("Nodes")
        for n in fleet.nodes:
            out.append(f"  {n.name}{f' ({n.address})' if n.address else ''}: {_node_line(n)}")
            for trait, value in n.traits.items():
                out.append(f"      {trait}: {value if value is not None else 'unknown'}")
        out.append("")
    out.append(f"whynogpu: {headline(fleet)}")
    return "\n".join(out) + "\n"


def _node_line(n: Node) -> str:
    if n.report is None:
        return f"{STATUS_WORDS.get(n.status, n.status)}: {n.reason or ''}"
    return f"{n.report.verdict.root_cause} — {n.report.verdict.summary}"


_REDACTORS: dict = {}


def _redactor(node: Node, no_redact: bool, text: str | None = None):
    """The node's own redactor (its users and host names), one per distinct identity with its answers
    remembered: nodes of a fleet share most strings, and redacting each anew made --json 5× slower.
    `text`: the node's report as JSON, searched for names instead of converting the snapshot once more."""
    if no_redact or node.snapshot is None:
        return None
    from functools import lru_cache

    from whynogpu.redact import for_snapshot

    red = for_snapshot(node.snapshot, text)
    key = tuple(p.pattern for p, _ in red.subs)
    if key not in _REDACTORS:
        red.text = lru_cache(maxsize=200_000)(red.text)  # data() calls self.text: the cached one
        _REDACTORS.clear()  # one identity at a time is the common case; never grow without bound
        _REDACTORS[key] = red
    return _REDACTORS[key]


def report_data(report, redactor=None) -> dict:
    """check's JSON report (render/json_report.py), without walking the facts twice: they are plain data
    already (the pipeline made them so), and converting them again was a third of a big fleet's time."""
    import dataclasses

    from whynogpu import serde

    out = serde.to_data(dataclasses.replace(report, facts={}))
    out["facts"] = report.facts
    out["exit_code"] = report.exit_code
    return redactor.data(out) if redactor else out


def node_data(node: Node, no_redact: bool = False, with_report: bool = True) -> dict:
    data = {"name": node.name, "address": node.address, "node_id": node.node_id, "status": node.status,
            "reason": node.reason, "traits": node.traits, "report": None}
    if with_report and node.report is not None:
        out = report_data(node.report)
        # The report holds the snapshot's facts as plain data: its JSON text shows the same names to redact.
        red = None if no_redact or node.snapshot is None else _redactor(node, no_redact, json.dumps(out))
        data["report"] = red.data(out) if red else out
    return data


def data(fleet: Fleet, no_redact: bool = False) -> dict:
    return {
        "schema_version": 1,
        "mode": "fleet",
        "tool": {"name": "whynogpu", "version": __version__},
        "source": fleet.source,
        "summary": headline(fleet),
        "counts": {"nodes": len(fleet.nodes), **{s: fleet.count(s) for s in (ANSWERED, NO_ANSWER, FAILED, UNREADABLE)}},
        "groups": [{"key": g.key, "status": g.status, "summary": g.summary, "count": len(g.nodes),
                    "nodes": list(g.nodes)} for g in fleet.groups],
        "outliers": [{"node": o.node, "trait": o.trait, "value": o.value, "majority": o.majority,
                      "majority_count": o.majority_count} for o in fleet.outliers],
        "mixed": [{"trait": m.trait, "values": [{"value": v, "nodes": list(ns)} for v, ns in m.values]}
                  for m in fleet.mixed],
        "exit_code": fleet.exit_code,
        "nodes": [node_data(n, no_redact) for n in fleet.nodes],
    }


def as_json(fleet: Fleet, no_redact: bool = False) -> str:
    # Indented only while small: an indent makes json use its pure-Python encoder, 3× slower on a big fleet.
    indent = 1 if len(fleet.nodes) <= 100 else None
    return json.dumps(data(fleet, no_redact), indent=indent, ensure_ascii=False) + "\n"


def _cell(s: str) -> str:
    return s.replace("|", "/").replace("\n", " ")


def markdown(fleet: Fleet, no_redact: bool = False) -> str:
    from whynogpu.render.markdown import render as node_markdown

    out = [f"## whynogpu {__version__} fleet: {_cell(headline(fleet))}", "", f"Source: {fleet.source}", "",
           "| nodes | verdict | summary | which |", "|---|---|---|---|"]
    for g in fleet.groups:
        what = g.key if g.status == ANSWERED else STATUS_WORDS[g.status]
        out.append(f"| {len(g.nodes)} | `{what}` | {_cell(g.summary)} | {_cell(_names(g.nodes, 50))} |")
    out.append("")
    if fleet.outliers:
        out += ["### Outliers", "", "| node | trait | its value | the majority |", "|---|---|---|---|"]
        out += [f"| {_cell(o.node)} | {o.trait} | {_cell(o.value)} | {_cell(o.majority)} ({o.majority_count} nodes) |"
                for o in fleet.outliers]
        out.append("")
    for m in fleet.mixed:
        out.append(f"**Mixed {m.trait}:** " + "; ".join(f"{_cell(v)} ({len(ns)})" for v, ns in m.values))
        out.append("")
    out += ["### Nodes", ""]
    for n in fleet.nodes:
        out.append(f"<details><summary>{_cell(n.name)}: {_cell(_node_line(n))}</summary>")
        out.append("")
        if n.report is not None:
            red = _redactor(n, no_redact)
            out.append(node_markdown(n.report, red))
        out.append("</details>")
        out.append("")
    return "\n".join(out)
