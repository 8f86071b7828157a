"""Diagnose every node with check's rules, group the nodes by verdict, and find the odd ones out.

An outlier is a node whose trait (driver, GPU, CUDA libraries, frameworks, visible devices, Python) differs
from the value more than half of the nodes share: the node that alone looks fine but is not like the
others ("slow on 3 of our 40 nodes"). When no value has a majority, the trait is reported as mixed instead:
there is no odd one out to name. Everything here is linear in the number of nodes.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from whynogpu.fleet.model import ANSWERED, FAILED, NO_ANSWER, UNREADABLE, Fleet, Group, Mixed, Node, Outlier
from whynogpu.fleet.traits import TRAITS, traits
from whynogpu.pipeline import report_from_snapshot

STATUS_ORDER = (NO_ANSWER, FAILED, UNREADABLE)
MORE = re.compile(r" \(\d+ more problems? below\)$")  # one node's count, not the group's


def diagnose(nodes: list[Node]) -> None:
    """Fill each answered node's report and traits (the rules run here, not on the nodes)."""
    for node in nodes:
        if node.status == ANSWERED and node.snapshot is not None and node.report is None:
            node.report = report_from_snapshot(node.snapshot)
            node.traits = traits(node.snapshot)


def groups(nodes: list[Node]) -> list[Group]:
    by_verdict: dict[str, list[Node]] = defaultdict(list)
    by_status: dict[str, list[Node]] = defaultdict(list)
    for node in nodes:
        if node.status == ANSWERED and node.report is not None:
            by_verdict[node.report.verdict.root_cause].append(node)
        else:
            by_status[node.status].append(node)
    out = []
    # Most nodes first; a working GPU before a problem of as many nodes.
    for key, members in sorted(by_verdict.items(), key=lambda kv: (-len(kv[1]), kv[0] != "no_problem", kv[0])):
        words = Counter(MORE.sub("", n.report.verdict.summary) for n in members)
        summary = words.most_common(1)[0][0]
        out.append(Group(key, ANSWERED, summary, tuple(n.name for n in members)))
    for status in STATUS_ORDER:
        if by_status.get(status):
            out.append(Group(status, status, "", tuple(n.name for n in by_status[status])))
    return out


def odd_ones_out(nodes: list[Node]) -> tuple[list[Outlier], list[Mixed]]:
    outliers: list[Outlier] = []
    mixed: list[Mixed] = []
    for trait in TRAITS:
        holders: dict[str, list[str]] = defaultdict(list)
        for node in nodes:
            value = node.traits.get(trait)
            if node.status == ANSWERED and value is not None:
                holders[value].append(node.name)
        if len(holders) < 2:
            continue  # all alike (or one node): nothing stands out
        ranked = sorted(holders.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        top, top_nodes = ranked[0]
        known = sum(len(v) for v in holders.values())
        if 2 * len(top_nodes) > known:
            for value, names in ranked[1:]:
                outliers.extend(Outlier(name, trait, value, top, len(top_nodes)) for name in names)
        else:
            mixed.append(Mixed(trait, tuple((v, tuple(ns)) for v, ns in ranked)))
    order = {n.name: i for i, n in enumerate(nodes)}
    outliers.sort(key=lambda o: (order.get(o.node, 0), TRAITS.index(o.trait)))
    return outliers, mixed


def summarize(source: str, nodes: list[Node]) -> Fleet:
    diagnose(nodes)
    outliers, mixed = odd_ones_out(nodes)
    return Fleet(source, nodes, groups(nodes), outliers, mixed)
