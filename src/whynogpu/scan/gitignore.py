"""The subset of .gitignore matching a scanner needs: patterns, `!` negation, `dir/` and `**`.

Rules from every .gitignore between the scan root and a file apply, deeper files last, and
the last matching rule wins, as in git. Directories that match are not entered at all, which
is also why (as in git) a file cannot be re-included below an ignored directory.

Patterns are matched without regexes or backtracking, so no pattern can make matching slow
(`*a*a*a*a*a*a*a*b` against a long name took seconds as a regex, `******************z` longer):
a pattern is cut at its wildcards into fixed-length pieces, and each piece is looked for at the
leftmost place it fits, which is always enough for `*` (and, one level up, for `**` across
folders). Matching costs at most pattern length × name length, usually one `str.find` per piece.
"""

from __future__ import annotations

from dataclasses import dataclass

# POSIX classes git's wildmatch knows inside brackets (`[[:digit:]]`); an unknown one spoils the pattern.
_POSIX = {
    "alnum": str.isalnum, "alpha": str.isalpha, "blank": lambda c: c in " \t", "cntrl": lambda c: ord(c) < 32 or c == "\x7f",
    "digit": lambda c: "0" <= c <= "9", "graph": lambda c: c.isprintable() and not c.isspace(), "lower": str.islower,
    "print": str.isprintable, "punct": lambda c: c.isascii() and c.isprintable() and not c.isalnum() and c != " ",
    "space": str.isspace, "upper": str.isupper, "xdigit": lambda c: c in "0123456789abcdefABCDEF",
}


class _Invalid(ValueError):
    """A pattern git matches nothing with (`[]`, an unclosed `[`, a trailing backslash)."""


@dataclass(frozen=True)
class _Class:
    """`[...]`: one character from a set of characters, ranges and POSIX classes, or not from it."""

    chars: frozenset[str]
    ranges: tuple[tuple[str, str], ...]
    named: tuple[str, ...]
    negated: bool

    def __call__(self, c: str) -> bool:
        hit = c in self.chars or any(lo <= c <= hi for lo, hi in self.ranges) or any(_POSIX[n](c) for n in self.named)
        return hit != self.negated


def _bracket(pat: str, i: int) -> tuple[_Class, int]:
    """The class starting at pat[i] == "[", and the index after its "]" (git's wildmatch rules)."""
    i += 1
    negated = pat[i:i + 1] in ("!", "^")
    i += negated
    chars: set[str] = set()
    ranges: list[tuple[str, str]] = []
    named: list[str] = []
    first = True
    while True:
        if i >= len(pat):
            raise _Invalid("unclosed [")
        c = pat[i]
        if c == "]" and not first:
            return _Class(frozenset(chars), tuple(ranges), tuple(named), negated), i + 1
        first = False
        if c == "\\":
            if i + 1 >= len(pat):
                raise _Invalid("trailing backslash")
            c = pat[i + 1]
            i += 1
        elif c == "[" and pat.startswith(":", i + 1):
            end = pat.find(":]", i + 2)
            if end >= 0:
                name = pat[i + 2:end]
                if name not in _POSIX:
                    raise _Invalid(f"unknown class [:{name}:]")
                named.append(name)
                i = end + 2
                continue
        if pat.startswith("-", i + 1) and i + 2 < len(pat) and pat[i + 2] != "]":
            hi = pat[i + 2]
            i += 2
            if hi == "\\":
                if i + 1 >= len(pat):
                    raise _Invalid("trailing backslash")
                i += 1
                hi = pat[i]
            ranges.append((c, hi))  # `z-a` is kept and simply matches nothing, as in git
        else:
            chars.add(c)
        i += 1


# An atom matches exactly one character: a str (that character), None (`?`) or a _Class.
# A piece is a run of atoms between stars: a plain str when it holds only literal characters.
_Piece = str | tuple


def _pieces(seg: str) -> tuple[_Piece, ...]:
    """One path segment's glob cut at its stars: n stars give n + 1 pieces (maybe empty)."""
    out: list[_Piece] = []
    atoms: list = []
    i = 0
    while i < len(seg):
        c = seg[i]
        if c == "*":
            out.append(atoms)
            atoms = []
            while i < len(seg) and seg[i] == "*":  # adjacent stars match nothing more than one
                i += 1
            continue
        if c == "?":
            atoms.append(None)
        elif c == "[":
            cls, i = _bracket(seg, i)
            atoms.append(cls)
            continue
        elif c == "\\":
            if i + 1 >= len(seg):
                raise _Invalid("trailing backslash")
            i += 1
            atoms.append(seg[i])
        else:
            atoms.append(c)
        i += 1
    out.append(atoms)
    return tuple("".join(a) if all(isinstance(x, str) for x in a) else tuple(a) for a in out)


def _at(piece: _Piece, s: str, i: int) -> bool:
    if isinstance(piece, str):
        return s.startswith(piece, i)
    if i + len(piece) > len(s):
        return False
    for k, atom in enumerate(piece):
        c = s[i + k]
        if not (atom is None or (atom == c if isinstance(atom, str) else atom(c))):
            return False
    return True


def _find(piece: _Piece, s: str, start: int, end: int) -> int:
    """The leftmost place >= start where `piece` fits wholly before `end`, or -1."""
    if isinstance(piece, str):
        return s.find(piece, start, end)
    for i in range(start, end - len(piece) + 1):
        if _at(piece, s, i):
            return i
    return -1


def _glob(pieces, items, at, find) -> bool:
    """Whether `items` is pieces[0] + anything + pieces[1] + … + anything + pieces[-1].

    Used twice: on the characters of one name (the wildcard is `*`) and on the segments of a
    path (the wildcard is a `**` segment). Taking each middle piece at its leftmost fit never
    loses a match, so there is nothing to backtrack.
    """
    first, last = pieces[0], pieces[-1]
    if len(pieces) == 1:
        return len(items) == len(first) and at(first, items, 0)
    end = len(items) - len(last)
    if end < len(first) or not at(first, items, 0) or not at(last, items, end):
        return False
    pos = len(first)
    for piece in pieces[1:-1]:
        found = find(piece, items, pos, end)
        if found < 0:
            return False
        pos = found + len(piece)
    return True


def _segment(glob: str):
    """A predicate on one path segment for its glob, e.g. `gen_*.py`.

    The usual shapes (`name`, `*.pyc`, `gen_*`) get a plain string test: a walk asks every rule
    about every file, and the general matcher costs several times more per call.
    """
    pieces = _pieces(glob)
    if all(isinstance(p, str) for p in pieces):
        if len(pieces) == 1:
            return pieces[0].__eq__
        if len(pieces) == 2:
            head, tail = pieces
            least = len(head) + len(tail)
            return lambda name: len(name) >= least and name.startswith(head) and name.endswith(tail)
    return lambda name: _glob(pieces, name, _at, _find)


def _seg_at(run: tuple, parts: list[str], i: int) -> bool:
    return i + len(run) <= len(parts) and all(seg(parts[i + k]) for k, seg in enumerate(run))


def _seg_find(run: tuple, parts: list[str], start: int, end: int) -> int:
    for i in range(start, end - len(run) + 1):
        if _seg_at(run, parts, i):
            return i
    return -1


def compile_pattern(pat: str, anchored: bool):
    """A predicate on '/'-separated paths for one gitignore pattern (without `!` or a trailing `/`).

    Raises _Invalid for patterns git matches nothing with.
    """
    segs = pat.split("/")
    if not anchored:
        segs = ["**", *segs]  # a pattern without a slash matches a name at any depth
    if len(segs) > 1 and len(segs[-1]) > 1 and not segs[-1].strip("*"):
        segs.append("*")  # `dir/**` matches everything inside dir, not dir itself
    runs: list[list] = [[]]
    for s in segs:
        if len(s) > 1 and not s.strip("*"):  # a whole segment of stars crosses folders; `a**b` does not
            if runs[-1] or len(runs) == 1:
                runs.append([])
        else:
            runs[-1].append(_segment(s))
    pieces = tuple(tuple(r) for r in runs)
    if len(pieces) == 2 and not pieces[0] and len(pieces[1]) == 1:
        last = pieces[1][0]  # `*.pyc`, `build`: only the last name counts
        return lambda path: last(path[path.rfind("/") + 1:])
    return lambda path: _glob(pieces, path.split("/"), _seg_at, _seg_find)


@dataclass(frozen=True)
class _Rule:
    base: str  # directory holding the .gitignore, "" for the scan root
    matches: object  # path -> bool, from compile_pattern
    negate: bool
    dir_only: bool


def parse(text: str, base: str) -> list[_Rule]:
    rules = []
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        if not line.endswith("\\ "):
            line = line.rstrip()
        negate = line.startswith("!")
        if negate:
            line = line[1:]
        if line.startswith("\\"):
            line = line[1:] if line[1:2] in ("#", "!") else line
        dir_only = line.endswith("/")
        line = line[:-1] if dir_only else line  # only one: `x//` names an empty folder inside x, as in git
        if not line:
            continue
        try:
            # One leading slash anchors the pattern; a second one is an empty folder name (never matches).
            matches = compile_pattern(line[1:] if line.startswith("/") else line, anchored="/" in line)
        except _Invalid:
            continue  # `[]`, `[abc`: git matches nothing with these, so the rule is dropped
        rules.append(_Rule(base, matches, negate, dir_only))
    return rules


class IgnoreRules:
    """The .gitignore rules in force in one directory."""

    def __init__(self, rules: tuple[_Rule, ...] = ()) -> None:
        self.rules = rules

    def extended(self, text: str, base: str) -> IgnoreRules:
        new = parse(text, base)
        return IgnoreRules(self.rules + tuple(new)) if new else self

    def ignored(self, rel: str, is_dir: bool) -> bool:
        """Whether `rel` (a path relative to the scan root, with '/') is ignored."""
        result = False
        for r in self.rules:
            if r.dir_only and not is_dir:
                continue
            if r.base:
                if not rel.startswith(r.base + "/"):
                    continue
                sub = rel[len(r.base) + 1:]
            else:
                sub = rel
            if r.matches(sub):  # type: ignore[operator]
                result = not r.negate
        return result
