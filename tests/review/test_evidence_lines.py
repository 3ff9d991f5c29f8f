"""A finding is located on its code by git's lines, the ones the diff, the analyzers'
renumbered findings and a model's diff give it: a lone CR, a form feed, U+0085 or U+2028
above it is inside one of git's lines. Read as text and split by `str.splitlines`, every
line below such a break was one further down, and a finding was fingerprinted on the code
under it (its identity across rounds and pushes then followed the wrong line). Generated:
any mix of the breaks `str.splitlines` knows, anywhere above the finding's line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.findings.schema import Finding, Severity
from reviewloop.review.evidence import code_index, located
from tests.support.repos import init_repo

BREAKS = ["\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
TARGET = "flagged_call(user_input)"


def _text(parts: list[tuple[str, int]]) -> tuple[str, int]:
    """(the file's text, the git line of `TARGET`)."""
    text = "".join(f"a{brk}b" + "\n" * lfs for brk, lfs in parts) + "\n" + \
        "".join(f"v{n} = {n}\n" for n in range(5))
    text += f"{TARGET}\nafter_it()\n"
    return text, text.count("\n") - 1


parts = st.lists(st.tuples(st.sampled_from(BREAKS), st.integers(0, 2)), min_size=1,
                 max_size=6)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=parts)
def test_a_findings_code_is_the_code_on_its_git_line(tmp_path_factory: pytest.TempPathFactory,
                                                      parts: list[tuple[str, int]]) -> None:
    text, line = _text(parts)
    folder = tmp_path_factory.mktemp("lines")
    (folder / "a.py").write_bytes(text.encode())

    index = code_index(folder / "a.py")

    assert index is not None
    assert index.window(line, line).startswith("".join(TARGET.split())), (parts, line)


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=parts)
def test_a_finding_keeps_its_identity_whatever_breaks_stand_above_it(
        tmp_path_factory: pytest.TempPathFactory, parts: list[tuple[str, int]]) -> None:
    """The same finding on the same code, with the breaks above it and without them (the
    plain twin), is one finding: its location hash is the code's, not the line's."""
    text, line = _text(parts)
    plain, plain_line = _text([("\n", 0)] * len(parts))
    hashes = []
    for content, at in ((text, line), (plain, plain_line)):
        root = init_repo(tmp_path_factory.mktemp("r") / "r", {"a.py": content.encode()})
        finding = Finding(severity=Severity.MUST_FIX, file="a.py", start_line=at, end_line=at,
                          title="flagged", rationale="flagged.", confidence=1.0, agent="x",
                          source="x", rule="X1")
        (placed,) = located([finding], Path(root))
        hashes.append(placed.location_hash)
    assert hashes[0] and not hashes[0].startswith("L")  # located on its code
    assert hashes[0] == hashes[1], parts
