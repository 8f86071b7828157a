"""Plain substrings a regex cannot match without, read from the regex itself.

A line of a report rarely holds what a pattern looks for, and an `in` test on the lower-cased
line is far cheaper than a regex search. `required(rx)` returns groups of strings: every match
of `rx` contains at least one string of each group, so a line failing `passes(groups, low)`
cannot match and the regex need not run. The groups are computed once from the pattern, so
they never drift from it; anything the reader below does not understand only drops a
requirement (the regex then runs more often), it never drops a match.
"""

from __future__ import annotations

import re
from bisect import bisect_right

try:  # Python 3.11+
    from re import _casefix
    from re import _constants as _c
    from re import _parser as _p
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]
    _casefix = None  # type: ignore[assignment]

Groups = tuple[frozenset[str], ...]
# characters re's IGNORECASE folds beyond lower(): keys and the characters they also match
_EXTRA_CASES = set(_casefix._EXTRA_CASES) | {c for v in _casefix._EXTRA_CASES.values() for c in v} if _casefix else set(range(128, 0x110000))

# With re.IGNORECASE these non-ASCII letters match ASCII ones, yet lower() leaves them different
# ("İ" even becomes two characters).
_FOLD = str.maketrans({"ı": "i", "ſ": "s", "İ": "i"})
_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT} | ({_c.POSSESSIVE_REPEAT} if hasattr(_c, "POSSESSIVE_REPEAT") else set())


def lowered(line: str) -> str:
    """The form of a line that `passes` expects."""
    if not line.isascii() and ("ı" in line or "ſ" in line or "İ" in line):
        line = line.translate(_FOLD)
    return line.lower()


MAX_SET = 24  # strings kept when spelling out classes and branches ("m1 pro", "m2 pro", …); each costs a scan
_NONE: tuple = (None, [], None, None)


def cost(g: frozenset[str]) -> tuple:
    """How expensive a group is to look for (one scan per string) and how little it excludes (short strings)."""
    shortest = min(map(len, g))
    return (shortest < 2, shortest < 3, len(g) * (2 if shortest < 5 else 1), -shortest)


def for_lowered(rx: re.Pattern) -> re.Pattern:
    """The same case-insensitive pattern, to be searched in `lowered` text without IGNORECASE.

    Only the yes/no answer is the same (not positions or group text). It is faster because the
    regex engine can skip ahead to a pattern's first letters only when case does not matter.
    Escapes keep their case: \\S is not \\s.
    """
    out, i, p = [], 0, rx.pattern
    while i < len(p):
        if p[i] == "\\":
            out.append(p[i:i + 2])
            i += 2
        else:
            out.append(p[i].lower())
            i += 1
    return re.compile("".join(out), rx.flags & ~re.IGNORECASE)


def guarded(rx: re.Pattern) -> re.Pattern:
    """The same pattern, prefixed with a lookahead for what every match starts with, when that can be read from it:
    a word boundary, or one of a few first characters. Same matches, found faster: where a pattern has many
    alternatives (the project names of a framework, the phrases of a table), the engine otherwise tries each at
    every position of a line, and one cheap test per position rules most positions out."""
    try:
        items = list(_p.parse(rx.pattern, rx.flags & ~re.IGNORECASE))
    except Exception:  # noqa: BLE001 - an unreadable pattern is left as it is
        return rx
    starts = [_starts(alt) for alt in _alternatives(items)]
    if any(st is None or st[2] for st in starts):
        return rx  # an alternative whose start is not told, or that may match nothing
    bare = any(b and c is None for b, c, _ in starts)  # a boundary, then any character
    after = frozenset().union(*(c for b, c, _ in starts if b and c is not None))
    if any(not b and c is None for b, c, _ in starts):
        return rx
    loose = frozenset().union(*(c for b, c, _ in starts if not b))
    parts = ([r"\b"] if bare else [r"\b" + _class(after)] if after else []) + ([_class(loose)] if loose else [])
    return re.compile(f"(?={'|'.join(parts)})(?:{rx.pattern})", rx.flags) if parts else rx


def _class(chars: frozenset[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


def _alternatives(items) -> list:
    """The top-level alternatives of a parsed pattern (through the groups that hold it whole)."""
    while len(items) == 1 and items[0][0] is _c.SUBPATTERN:
        items = list(items[0][1][-1])
    if len(items) == 1 and items[0][0] is _c.BRANCH:
        return [a for b in items[0][1][1] for a in _alternatives(list(b))]
    return [items]


_ZERO_WIDTH = {_c.ASSERT, _c.ASSERT_NOT}


def _starts(items) -> tuple[bool, frozenset[str] | None, bool] | None:
    """How every match of a sequence starts: (at a word boundary, the first character's set or None when it is not
    known, whether the sequence can match nothing). None when it cannot be told."""
    boundary = False
    for i, (op, av) in enumerate(items):
        if op is _c.AT:
            if av is not _c.AT_BOUNDARY:
                return None
            boundary = True
        elif op in _ZERO_WIDTH:
            if av[0] >= 0:  # a lookahead constrains what follows: read past it only when it is a lookbehind
                return None
        elif op is _c.LITERAL or op is _c.IN:
            return boundary, _first_chars([(op, av)] if op is _c.LITERAL else av), False
        elif op is _c.SUBPATTERN or op is _c.BRANCH or op in _REPEATS:
            subs = [list(av[-1])] if op is not _c.BRANCH else [list(b) for b in av[1]]
            found = [_starts(sub) for sub in subs]
            if any(f is None for f in found):
                return None
            if op in _REPEATS and av[0] == 0:  # may be absent: it matches nothing then
                found = [(f[0], f[1], True) for f in found]
            if any(f[2] for f in found):  # an alternative may match nothing: what follows starts the match too
                rest = _starts(items[i + 1:])
                if rest is None:
                    return None
                # (both ways must start at a boundary for the whole to)
                found = [f if not f[2] else (f[0] and rest[0], None if f[1] is None or rest[1] is None else f[1] | rest[1],
                                             rest[2]) for f in found]
            all_b = boundary or all(f[0] for f in found)
            chars = None if any(f[1] is None for f in found) else frozenset().union(*(f[1] for f in found))
            return all_b, chars, any(f[2] for f in found)
        else:
            return None  # a repeat, any character, a class like \w: not told here
    return boundary, frozenset(), True


def _first_chars(items) -> frozenset[str] | None:
    """The characters, as written, of a literal or a [class] of literals and short ASCII ranges (IGNORECASE, when the
    pattern has it, applies to the lookahead made of them as well)."""
    out: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL and (av < 128 or _plain_letter(av)):
            out.add(chr(av))
        elif op is _c.RANGE and av[1] < 128 and av[1] - av[0] < 26:
            out.update(chr(c) for c in range(av[0], av[1] + 1))
        else:
            return None
    return frozenset(out)


def _plain_letter(code: int) -> bool:
    """A non-ASCII character that IGNORECASE matches exactly where `lowered` text holds its lower case: one
    character long in lower case, and none of the few letters re folds together specially (σ/ς, µ/μ, …)."""
    low = chr(code).lower()
    return len(low) == 1 and not any(ord(ch) in _EXTRA_CASES for ch in (chr(code), low, chr(code).upper()))


def _best(groups: list[frozenset[str]]) -> frozenset[str] | None:
    return min(groups, key=cost) if groups else None


def _cross(a: frozenset[str], b: frozenset[str]) -> frozenset[str] | None:
    if len(a) * len(b) > MAX_SET:
        return None
    return frozenset(x + y for x in a for y in b)


def _chars(items) -> frozenset[str] | None:
    """The characters of a [class], when it lists a few ASCII characters and ranges (not \\d, \\w: Unicode)."""
    out: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL and av < 128:
            out.add(chr(av).lower())
        elif op is _c.RANGE and av[1] < 128 and av[1] - av[0] < 26:
            out.update(chr(c).lower() for c in range(av[0], av[1] + 1))
        else:
            return None
    return frozenset(out) if out and len(out) <= MAX_SET else None


def _item(op, av):
    """(exact strings it matches or None, groups required of its match, strings its match starts / ends with)."""
    if op is _c.LITERAL:
        e = frozenset([chr(av).lower()]) if av < 128 or _plain_letter(av) else None
        return e, [], e, e
    if op is _c.IN:
        e = _chars(av)
        return e, [], e, e
    if op is _c.SUBPATTERN:
        e, groups = _sequence(av[-1])
        return e, groups, e, e
    if op in _REPEATS:
        low, high, sub = av
        e, groups = _sequence(sub)
        if low == 0:
            if high == 1 and e is not None:
                return e | {""}, [], None, None
            return _NONE
        if e is None:
            return None, groups, None, None
        # At least one repetition: the first starts the match, the last ends it.
        return None, [e], e, e
    if op is _c.BRANCH:
        alternatives = [_sequence(b) for b in av[1]]
        if all(e is not None for e, _ in alternatives):
            e = frozenset().union(*(e for e, _ in alternatives))
            if len(e) <= MAX_SET:
                return e, [], e, e
        best = [_best(groups + ([e] if e is not None and "" not in e else [])) for e, groups in alternatives]
        return None, ([frozenset().union(*best)] if all(best) else []), None, None
    return _NONE  # any char, \\w, \\d, backreference, atomic group…: unknown text


def _sequence(items) -> tuple[frozenset[str] | None, list[frozenset[str]]]:
    """(the exact strings a sequence matches when it is made of few known strings, groups required of any match)."""
    groups: list[frozenset[str]] = []
    run = frozenset([""])  # what the stretch of known, adjacent text just read may be
    exact = True

    def flush() -> None:
        nonlocal run
        if "" not in run:
            groups.append(run)
        run = frozenset([""])

    for op, av in items:
        if op is _c.AT or op is _c.ASSERT or op is _c.ASSERT_NOT:
            # anchors, \\b and lookarounds take no characters: the text around them stays adjacent; what a
            # positive lookaround needs is in the line all the same
            if op is _c.ASSERT:
                e, inner = _sequence(av[1])
                groups.extend(inner + ([e] if e is not None and "" not in e else []))
            continue
        e, inner, head, tail = _item(op, av)
        if e is not None:
            # What was read so far and the new item are each required on their own too; a short list of
            # them can be a cheaper group than their product ("crash" rather than "crash the machine", …).
            if len(e) > 1 or len(run) > 1:
                for part in (run, e):
                    if "" not in part and min(map(len, part)) >= 3:
                        groups.append(part)
            joined = _cross(run, e)
            if joined is None:
                flush()
                joined = e
            run = joined
            continue
        exact = False
        joined = _cross(run, head) if head is not None else None
        if joined is not None:
            run = joined
        flush()
        groups.extend(inner)
        run = tail if tail is not None else frozenset([""])
    whole = run if exact else None
    flush()
    return whole, groups


def required(rx: re.Pattern) -> Groups:
    """Groups of lower-case strings: a line can match `rx` only if it holds one string of every group."""
    try:
        parsed = _p.parse(rx.pattern, rx.flags)
    except Exception:  # noqa: BLE001 - an unreadable pattern just gets no prefilter
        return ()
    out = []
    for g in sorted(_sequence(list(parsed))[1], key=cost):
        if min(map(len, g)) < 2:
            continue  # a one-letter group costs a test and excludes almost nothing
        # A string containing another of its group adds nothing: the shorter one is found whenever it is.
        g = frozenset(s for s in g if not any(o != s and o in s for o in g))
        if g not in out:
            out.append(g)
    # A group is implied by another when each string of the other contains one of its strings.
    kept = [g for g in out if not any(h is not g and all(any(a in b for a in g) for b in h) for h in out)]
    return tuple(kept)


def passes(groups: Groups, low: str) -> bool:
    for g in groups:
        for s in g:
            if s in low:
                break
        else:
            return False
    return True


class Filtered:
    """A regex and the strings it needs (see `required`)."""

    __slots__ = ("rx", "need")

    def __init__(self, rx: re.Pattern) -> None:
        self.rx = rx
        self.need = required(rx)


class LineIndex:
    """Which lines of a text hold a given plain string.

    Each string is looked for in the whole lower-cased text at C speed, and Python only runs once
    per line that holds it, so asking "may this regex match line i?" costs a set lookup. This is
    what keeps a report linear and cheap: most regexes run on a few lines, not on every line.
    """

    def __init__(self, lines: list[str]) -> None:
        self.low = lowered("\n".join(lines))  # lower() neither adds nor removes line ends
        self.starts = [0]
        self.starts.extend(m.end() for m in re.finditer("\n", self.low))
        self._lines: dict[str, frozenset[int]] = {}
        # Each distinct blank-separated token once: most strings looked for are absent from a report,
        # and proving that on this much shorter text saves a scan of the whole text.
        self.tokens = "\n".join(set(self.low.split()))

    def lines_with(self, s: str) -> frozenset[int]:
        found = self._lines.get(s)
        if found is None and not all(part in self.tokens for part in s.split()):
            found = self._lines[s] = frozenset()  # a part is in no token, so s is nowhere in the text
        if found is None:
            out, low, starts, at = [], self.low, self.starts, 0
            while True:
                at = low.find(s, at)
                if at < 0:
                    break
                line = bisect_right(starts, at) - 1
                out.append(line)
                if line + 1 >= len(starts):
                    break
                at = starts[line + 1]  # one hit per line is enough
            found = self._lines[s] = frozenset(out)
        return found

    def lines_for(self, groups: Groups) -> frozenset[int] | None:
        """Lines that hold a string of the cheapest group to look for; None when there is no group (every line).

        Each string costs a scan of the whole text, so only the group with the fewest strings is used here;
        the caller tests the other groups with `passes` on the few lines this leaves.
        """
        if not groups:
            return None
        g = min(groups, key=cost)
        return frozenset().union(*(self.lines_with(s) for s in g))

    def plan(self, items, groups_of) -> dict[int, list]:
        """Line → the items (in the given order) that may match it; lines no item may match are absent."""
        out: dict[int, list] = {}
        every = range(len(self.starts))
        for item in items:
            lines = self.lines_for(groups_of(item))
            for i in every if lines is None else lines:
                if i in out:
                    out[i].append(item)
                else:
                    out[i] = [item]
        return out
