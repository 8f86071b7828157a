"""YAML read with PyYAML's safe composer, with positions and bounds.

`documents(text)` gives each document as a tree of YMap / YSeq / YScalar carrying 1-based line and
column. Only nodes are composed (PyYAML's SafeLoader, libyaml's when present): no Python object is
built and no tag runs code. Aliases point at the node of their anchor, so an alias bomb costs nothing
to compose; walking the tree is bounded instead (`Budget`: nodes visited, depth), and merge keys
(`<<: *defaults`, common in compose files) are applied as YAML 1.1 says. libyaml refuses nesting
deeper than 1000 levels; the pure-Python composer's recursion limit does the same job.
"""

from __future__ import annotations

from whynogpu.lint.common import Unreadable

MAX_BYTES = 4 * 1024 * 1024  # with libyaml (about 0.2 s per MiB here)
MAX_BYTES_PURE = 512 * 1024  # the pure-Python composer is twenty times slower
MAX_DOCUMENTS = 5000
MAX_NODES = 500_000  # nodes visited while walking all documents of a file (aliases count each time)
MAX_DEPTH = 100


class YScalar:
    __slots__ = ("value", "line", "column")

    def __init__(self, value: str, line: int, column: int):
        self.value, self.line, self.column = value, line, column


class YSeq:
    __slots__ = ("items", "line", "column")

    def __init__(self, items: list, line: int, column: int):
        self.items, self.line, self.column = items, line, column


class YMap:
    __slots__ = ("items", "line", "column")

    def __init__(self, items: list[tuple[YScalar, object]], line: int, column: int):
        self.items, self.line, self.column = items, line, column

    def get(self, key: str, default=None):
        for k, v in self.items:
            if isinstance(k, YScalar) and k.value == key:
                return v
        return default

    def key(self, key: str) -> YScalar | None:
        for k, _ in self.items:
            if isinstance(k, YScalar) and k.value == key:
                return k
        return None


class Budget:
    def __init__(self, nodes: int = MAX_NODES):
        self.left = nodes

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise Unreadable(f"more than {MAX_NODES} YAML nodes once aliases are expanded (an alias bomb?)")


def _loader():
    import yaml

    return (getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader), yaml


def documents(text: str) -> list:
    """The documents of a YAML stream as Y-trees; Unreadable when it is not YAML or too large."""
    loader, yaml = _loader()
    limit = MAX_BYTES if loader is not yaml.SafeLoader else MAX_BYTES_PURE
    if len(text) > limit:
        raise Unreadable(f"larger than {limit // 1024} KiB")
    budget = Budget()
    out = []
    try:
        for node in yaml.compose_all(text, Loader=loader):
            if len(out) >= MAX_DOCUMENTS:
                raise Unreadable(f"more than {MAX_DOCUMENTS} YAML documents")
            if node is not None:
                out.append(_convert(node, yaml, budget, 0, set(), {}))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise Unreadable(f"not valid YAML{where}: {problem}") from None
    except RecursionError:
        raise Unreadable("YAML nested too deeply to read") from None
    return out


def _convert(node, yaml, budget: Budget, depth: int, path: set, memo: dict):
    """The Y-tree of a node; an alias's node is converted once and shared (memo), so an alias bomb stays
    as small as its text. Walking the tree is what the readers bound (Budget)."""
    done = memo.get(id(node))
    if done is not None:
        return done
    budget.spend()
    line, col = node.start_mark.line + 1, node.start_mark.column + 1
    if isinstance(node, yaml.ScalarNode):
        return YScalar(str(node.value)[:100_000], line, col)
    if depth > MAX_DEPTH or id(node) in path:
        return YScalar("", line, col)  # deeper than any manifest, or an alias of its own ancestor
    path = path | {id(node)}
    if isinstance(node, yaml.SequenceNode):
        memo[id(node)] = out = YSeq([_convert(n, yaml, budget, depth + 1, path, memo) for n in node.value], line, col)
        return out
    items: list = []
    merged: list = []
    for k, v in node.value:
        if k.tag == "tag:yaml.org,2002:merge" or (isinstance(k, yaml.ScalarNode) and k.value == "<<" and not k.style):
            sources = v.value if isinstance(v, yaml.SequenceNode) else [v]
            for src in sources:
                m = _convert(src, yaml, budget, depth + 1, path, memo)
                if isinstance(m, YMap):
                    merged.extend(m.items)
            continue
        items.append((_convert(k, yaml, budget, depth + 1, path, memo),
                      _convert(v, yaml, budget, depth + 1, path, memo)))
    own = {k.value for k, _ in items if isinstance(k, YScalar)}
    items.extend((k, v) for k, v in merged if not (isinstance(k, YScalar) and k.value in own))
    memo[id(node)] = out = YMap(items, line, col)
    return out


def text_of(node) -> str:
    return node.value if isinstance(node, YScalar) else ""


def env_pairs(node) -> list[tuple[str, str, int, int]]:
    """(name, value, line, column) of an environment given as a list of NAME=value strings, a list of
    {name:, value:} maps (Kubernetes) or a mapping (compose)."""
    out = []
    if isinstance(node, YMap):
        for k, v in node.items:
            if isinstance(k, YScalar):
                value = v.value if isinstance(v, YScalar) else ""
                out.append((k.value, value if value not in ("null", "~") else "", k.line, k.column))
    elif isinstance(node, YSeq):
        for item in node.items:
            if isinstance(item, YScalar) and "=" in item.value:
                name, _, value = item.value.partition("=")
                out.append((name.strip(), value, item.line, item.column))
            elif isinstance(item, YMap) and isinstance(item.get("name"), YScalar):
                value = item.get("value")
                out.append((item.get("name").value, value.value if isinstance(value, YScalar) else "",
                            item.line, item.column))
    return out
