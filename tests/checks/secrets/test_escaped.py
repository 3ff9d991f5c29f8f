"""Where the unescaping layer's literals open (r17). Each escaped quote of an unclosed literal
was tried as a literal's opening quote and read the rest of the line again: a line full of
escaped quotes (`a\\"b\\"c\\"…`, a minified JSON string holding JSON, a bundle's line) took
3.9 s at 18 kB and 12 s at 36 kB. A literal now opens only at a quote no backslash escapes
(none before it, or an even run), so the regex starts from as many places as the line has
unescaped quotes, whatever its length; and an attempt that reaches the line's end without
its closing quote leaves no opening behind it, since every quote it passed was escaped.

Held structurally, not by a clock: generated lines of varied escaping (escaped quotes of both
kinds, escaped backslashes, other escapes) have their openings counted against an
independent count of unescaped quotes. `benchmarks/secrets_shapes.py` times the class at 10,
20 and 40 kB.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets import escaped
from reviewloop.checks.secrets.escaped import escaped_literals
from reviewloop.checks.secrets.scanner import scan_text

# where the literal regex may start: an opening quote of either kind
OPENINGS = re.compile("|".join(escaped._OPEN.format(q=q) for q in ('"', "'")))
PIECES = ('\\"', "\\'", "\\\\", '"', "'", "\\x41", "\\u0041", "\\n", "a", "Xk9", " ", "=",
          ":", "QUJD", "password", "\n", "\n  ", "{", "},")
ESCAPED_ONLY = tuple(piece for piece in PIECES if piece not in ('"', "'"))
SETTINGS = settings(max_examples=300, deadline=None, derandomize=True)


def unescaped_quotes(text: str) -> list[int]:
    """Offsets of the quotes of `text` that no backslash escapes: an even run before them."""
    found, run = [], 0
    for at, char in enumerate(text):
        if char in "\"'" and run % 2 == 0:
            found.append(at)
        run = run + 1 if char == "\\" else 0
    return found


def quote_of(match: re.Match[str]) -> int:
    """Where the quote of an opening match is: its last character."""
    return match.end() - 1


@SETTINGS
@given(st.lists(st.sampled_from(PIECES), max_size=200).map("".join))
def test_a_literal_opens_only_at_an_unescaped_quote(text: str) -> None:
    assert [quote_of(m) for m in OPENINGS.finditer(text)] == unescaped_quotes(text)
    for start, _, _ in escaped_literals(text):
        assert start - 1 in unescaped_quotes(text), (text, start)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.sampled_from(('"', "'", "x = ", "")),
       st.lists(st.sampled_from(ESCAPED_ONLY), min_size=1, max_size=60).map("".join),
       st.sampled_from((10_000, 20_000, 40_000)))
def test_a_line_of_escaped_quotes_has_its_one_opening_at_any_length(
        head: str, unit: str, size: int) -> None:
    """The class: an unclosed literal of varied escaping, repeated to 10, 20 and 40 kB. Its
    openings are its unescaped quotes (the head's, and those an escaped backslash leaves
    unescaped are none here), however long the line is: the regex's attempts do not grow
    with it."""
    line = head + unit * (size // len(unit))
    assert len(OPENINGS.findall(line)) == len(unescaped_quotes(line)) == head.count("'") \
        + head.count('"')


@pytest.mark.parametrize("line", [
    'a\\"b\\"c\\"' * 4000,
    "a\\'b\\'c\\'" * 4000,
    '{\\"password\\":\\"v\\",\\"n\\":1},' * 1000,
    '"' + '\\\\\\"' * 8000,
])
def test_the_reported_lines_have_no_literal_and_no_finding(line: str) -> None:
    assert list(escaped_literals(line)) == []
    assert scan_text(line, path="bundle.js") == []


AWS_ESCAPED = "".join(f"\\x{ord(c):02x}" for c in "AKIAQWERTYUIOPASDFGH")


@pytest.mark.parametrize("text", [
    f'echo \\"$USER\\" "{AWS_ESCAPED}"\n',
    f'msg = \\"hi\\" + "{AWS_ESCAPED}"\n',
])
def test_an_escaped_quote_no_longer_takes_a_literals_opening(text: str) -> None:
    """Before, the escaped quote opened a literal that closed at the real literal's opening
    quote, and the key escaped in it was missed."""
    found = [(hit.rule, text[hit.start:hit.end]) for hit in scan_text(text, path="run.sh")]
    assert found == [("aws-access-key-id", AWS_ESCAPED)]


def test_an_escaped_literal_after_an_escaped_backslash_still_opens() -> None:
    """An even run of backslashes escapes itself, not the quote after it."""
    text = f'x = \\\\"{AWS_ESCAPED}"\n'
    assert [text[hit.start:hit.end] for hit in scan_text(text, path="notes.txt")] \
        == [AWS_ESCAPED]
