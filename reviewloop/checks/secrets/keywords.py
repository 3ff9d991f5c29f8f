"""Keyword prefilter for the rule table: the literal text every match of a regex must contain.

A rule whose regex needs `ghp_` cannot match a text without `ghp_`; looking for that costs a
thousandth of running the regex over the text. The literals are read from the compiled
pattern (the standard library's regex parser) and compared in lower case, which only widens
the filter, so an inline `(?i:…)` never hides a match. `LiteralFilter` looks for every
rule's literals in one pass over the text (an Aho-Corasick automaton, ahocorasick-rs, on the
text's UTF-8): one `in` per literal and rule cost more than the regexes it saved at a few MB
of diff.
"""

from __future__ import annotations

import re
import re._parser as sre  # type: ignore[import-not-found]  # the stdlib parser re.compile uses; no stub
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ahocorasick_rs import BytesAhoCorasick

_MIN = 2  # a one-character literal filters nothing


def required_literals(regex: str) -> tuple[str, ...] | None:
    """Lower-case strings of which every match contains at least one, or None when no such
    set was found (the rule then always runs)."""
    parsed: Any = sre.parse(regex)  # a SubPattern: iterable, though its stub says not
    found = _alternatives(parsed)
    return tuple(sorted({s.lower() for s in found})) if found else None


def exact_literals(regex: str, flags: int = 0) -> tuple[str, ...] | None:
    """Strings, in their own case, of which every match contains at least one, taken only
    from the parts of `regex` that match case-sensitively; None when there are none. A
    token's prefix (`ghp_`, `EAA`) is then looked for as written: in lower case, short ones
    (`sk`, `eaa`) turn up in most code and the rule's regex would run on all of it."""
    parsed: Any = sre.parse(regex, flags)
    if parsed.state.flags & re.IGNORECASE:
        return None
    found = _alternatives(parsed, exact=True)
    return tuple(sorted(set(found))) if found else None


def _alternatives(items: Iterable[tuple[Any, Any]], *, exact: bool = False
                  ) -> list[str] | None:
    """The best set of alternatives for a sequence of parsed items: the one whose shortest
    member is longest (a stronger filter); with `exact`, none inside a case-insensitive
    group."""
    best: list[str] | None = None
    run = ""

    def consider(candidate: list[str] | None) -> None:
        nonlocal best
        if candidate and min(map(len, candidate)) >= _MIN and (
                best is None or min(map(len, candidate)) > min(map(len, best))):
            best = candidate

    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            run += chr(arg)
            continue
        consider([run] if run else None)
        run = ""
        if name == "SUBPATTERN":
            if not (exact and arg[1] & re.IGNORECASE):
                consider(_alternatives(arg[-1], exact=exact))
        elif name == "BRANCH":
            branches = [_alternatives(branch, exact=exact) for branch in arg[1]]
            if all(branches):
                consider([s for branch in branches for s in branch or ()])
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and arg[0] >= 1:
            consider(_alternatives(arg[2], exact=exact))
    consider([run] if run else None)
    return best


Literals = tuple[str, ...] | None


def set_bits(mask: int) -> Iterator[int]:
    """The indexes of the bits set in `mask`, lowest first: the filters a text passed,
    without a look at each of the hundreds it did not (most texts pass a few)."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class LiteralFilter:
    """Which of many filters a text passes, in one pass over it per case. Filter `i` is
    (`literals`, `exact`) as `required_literals` and `exact_literals` give them: it passes
    when the lower-cased text holds one of `literals` and the text one of `exact`, a None
    passing always; `passing(text)` has bit `i` set when it does."""

    def __init__(self, filters: Sequence[tuple[Literals, Literals]]) -> None:
        self._lower = _Automaton([f[0] for f in filters])
        self._exact = _Automaton([f[1] for f in filters])

    def passing(self, text: str) -> int:
        return self._lower.holds(text.lower()) & self._exact.holds(text)


class _Automaton:
    """Each literal with the bits of the filters it satisfies. The search runs on UTF-8,
    where a literal's bytes occur exactly where the literal does (a character's encoding
    never starts inside another's; a lone surrogate is encoded as such, `surrogatepass`)."""

    def __init__(self, filters: Sequence[Literals]) -> None:
        self.always = 0
        masks: dict[str, int] = {}
        for bit, literals in enumerate(filters):
            if literals is None:
                self.always |= 1 << bit
            for literal in literals or ():
                masks[literal] = masks.get(literal, 0) | 1 << bit
        self.masks = list(masks.values())
        self.automaton = BytesAhoCorasick([literal.encode() for literal in masks]) \
            if masks else None

    def holds(self, text: str) -> int:
        """The bits of the filters `text` satisfies."""
        found = self.always
        if self.automaton is not None:
            data = text.encode("utf-8", "surrogatepass")
            for index in {m[0] for m in self.automaton.find_matches_as_indexes(
                    data, overlapping=True)}:
                found |= self.masks[index]
        return found


__all__ = ["LiteralFilter", "exact_literals", "required_literals", "set_bits"]
