"""reviewloop.git.derived: `Derived.trusted` builds the very instance pydantic's
`model_construct` builds from a parser's values (fields, which of them are set, extra and
private values, equality, repr, dumps, a copy's derived values computed afresh), on
generated files of a diff; what it does not cover, `model_construct` builds."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ConfigDict, PrivateAttr

from reviewloop.git.derived import Derived
from reviewloop.git.diff import FileDiff, FileStatus
from reviewloop.git.hunk_lines import AddedLine

_TEXT = st.text(max_size=12)


@st.composite
def _fields(draw: st.DrawFn) -> dict[str, Any]:
    """Every field of a `FileDiff`, in a drawn order, as the diff's parsers give them."""
    fields = {
        "path": draw(_TEXT), "old_path": draw(st.none() | _TEXT),
        "status": draw(st.sampled_from(FileStatus)), "binary": draw(st.booleans()),
        "added": tuple(AddedLine(n, t) for n, t in draw(st.lists(
            st.tuples(st.integers(1, 99), _TEXT), max_size=4))),
        "removed": draw(st.integers(0, 9)),
        "hunks": tuple(draw(st.lists(st.tuples(st.integers(1, 9), st.integers(1, 9)),
                                     max_size=3))),
        "removals": tuple(draw(st.lists(st.integers(0, 9), max_size=3))),
        "text": draw(st.text(max_size=40)),
    }
    order = draw(st.permutations(list(fields)))
    return {name: fields[name] for name in order}


def _state(model: Any) -> tuple[Any, ...]:
    return (type(model), list(model.__dict__.items()), model.__pydantic_fields_set__,
            model.__pydantic_extra__, model.__pydantic_private__)


@given(_fields())
def test_trusted_is_model_construct(fields: dict[str, Any]) -> None:
    fast, slow = FileDiff.trusted(**fields), FileDiff.model_construct(**fields)
    assert _state(fast) == _state(slow)
    assert fast == slow
    assert repr(fast) == repr(slow)
    assert fast.model_dump_json() == slow.model_dump_json()
    assert fast.added_lines == slow.added_lines == tuple(sorted(a.line for a in fields["added"]))
    moved = fast.model_copy(update={"added": (AddedLine(1000, "x"),)})
    assert moved.added_lines == (1000,)  # computed afresh, not the original's
    with pytest.raises(ValueError, match="frozen"):
        fast.path = "else"  # type: ignore[misc]


@given(_fields(), st.sampled_from(list(FileDiff.model_fields)))
def test_a_missing_field_is_left_to_model_construct(fields: dict[str, Any], left: str) -> None:
    del fields[left]
    fast, slow = FileDiff.trusted(**fields), FileDiff.model_construct(**fields)
    assert _state(fast) == _state(slow)
    assert left not in fast.model_fields_set


class _Private(Derived):
    model_config = ConfigDict(frozen=True)
    name: str
    _seen: int = PrivateAttr(default=7)


class _Extra(Derived):
    model_config = ConfigDict(frozen=True, extra="allow")
    name: str


def test_private_attributes_and_extra_values_are_left_to_model_construct() -> None:
    private = _Private.trusted(name="a")
    assert private._seen == 7
    assert _state(private) == _state(_Private.model_construct(name="a"))
    extra = _Extra.trusted(name="a")
    assert _state(extra) == _state(_Extra.model_construct(name="a"))
    assert extra.__pydantic_extra__ == {}
