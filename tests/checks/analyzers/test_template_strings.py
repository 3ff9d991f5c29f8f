"""A quoted string's end under interpolations: the stack walk answers as one call a level
did (that walk kept here as the oracle), and any depth ends without a RecursionError."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers import bicep_loops, terraform_dynamic
from reviewloop.checks.analyzers.template_strings import string_end

FORMS = (('"', ("${", "%{")), ("'", ("${",)))  # Terraform's strings, Bicep's


def _one_call_a_level(text: str, at: int, quote: str, openers: tuple[str, ...]) -> int:
    depth = 0
    while at < len(text):
        char = text[at]
        if char == "\\":
            at += 2
            continue
        if text.startswith(openers, at):
            depth += 1
            at += 2
            continue
        if depth and char == "}":
            depth -= 1
        elif depth and char == quote:
            at = _one_call_a_level(text, at + 1, quote, openers)
        elif not depth and char in quote + "\n":
            return at
        at += 1
    return len(text)


PIECES = st.sampled_from(['"', "'", "${", "%{", "}", "\\", "\\\"", "\n", "x", " ", "$", "{"])


@settings(max_examples=300)
@given(pieces=st.lists(PIECES, max_size=40), form=st.sampled_from(FORMS),
       start=st.integers(0, 5))
def test_the_end_is_where_one_call_a_level_put_it(pieces: list[str], form, start: int) -> None:
    text = "".join(pieces)
    quote, openers = form
    at = min(start, len(text))
    assert string_end(text, at, quote, openers) == _one_call_a_level(text, at, quote, openers)


@settings(max_examples=10)
@given(depth=st.integers(1_000, 5_000), form=st.sampled_from(FORMS), closed=st.booleans())
def test_any_depth_of_strings_in_interpolations_ends(depth: int, form, closed: bool) -> None:
    quote, _ = form
    inside = f"${{{quote}" * depth + "x" + (f"{quote}}}" * depth if closed else "")
    text = f"{quote}{inside}{quote} after"
    end = string_end(text, 1, quote, form[1])
    assert end == (len(inside) + 1 if closed else len(text))


def test_a_deep_terraform_or_bicep_string_is_read_whole() -> None:
    """The readers that mask strings: a line of 3,000 nested interpolations no longer ends
    them (it had ended checkov's reading of every changed file), and what follows the
    string is still read."""
    deep = '"' + '${"' * 3000 + "x" + '"}' * 3000 + '"'
    found = terraform_dynamic.unchecked(
        f'resource "aws_security_group" "a" {{\n  name = {deep}\n'
        '  dynamic "ingress" {\n    for_each = [22]\n    content { from_port = 22 }\n  }\n}\n')
    assert found is not None and "aws_security_group.a" in found
    loop = "[for i in range(0, 3): {\n  name: '" + "${'" * 3000 + "x" + "'}" * 3000 + "'\n}]"
    assert bicep_loops.unchecked(f"resource r 'Microsoft.Network/x@2023' = {loop}\n") \
        == bicep_loops.unchecked("resource r 'Microsoft.Network/x@2023' = [for i in "
                                 "range(0, 3): {\n  name: 'x'\n}]\n")
