"""The secrets scanner's decoding layers, in the order they claim: what an encoding, an
escape or a character reference hides, named by what it holds, before a rule for its shape.

Each layer decodes what it reads and scans the decoded text with the scanner's own scan
(`scan`, one level deeper): base64 and hex runs (`decoded`), percent-encoded runs
(`percent`), string literals whose escapes hide a secret (`escaped`; Python's `\\N{NAME}` in a
Python file), and HTML or XML character references in the kinds that decode them
(`charrefs`). Which of them a file's kind decodes is `references.references_of`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from reviewloop.checks.secrets.assignments import Candidate
from reviewloop.checks.secrets.charrefs import charref_candidates
from reviewloop.checks.secrets.decoded import decoded_candidates
from reviewloop.checks.secrets.escaped import escaped_candidates
from reviewloop.checks.secrets.percent import percent_candidates
from reviewloop.checks.secrets.references import NONE, Reference

__all__ = ["encoded_candidates"]

# (decoded text, depth) -> the claimed candidates in it: the scanner's own scan
Scan = Callable[[str, int], list[Candidate]]


def encoded_candidates(text: str, scan: Scan, depth: int = 0,
                       references: frozenset[Reference] = NONE) -> Iterator[Candidate]:
    """Every decoding layer's candidates in `text`, `references` saying what its kind
    decodes besides what every kind's text is read for."""
    # an encoded run holding a secret: named by what it holds, on the run
    yield from decoded_candidates(text, scan, depth)
    # a URL-encoded secret (`?state=ghp%5F…`): on the characters it decodes from
    yield from percent_candidates(text, scan, depth)
    # a string literal whose escapes hide a secret: on the whole literal
    yield from escaped_candidates(text, scan, depth,
                                  named=Reference.NAMED_ESCAPE in references)
    # `&#103;hp&#95;…` in HTML, XML or JSX: on the characters it decodes from
    yield from charref_candidates(text, scan, depth, references)
