"""`findings.written`: a file's written lines as runs, each file's made when first asked, the
same answers as made all at once."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.findings.schema import normalise_path
from reviewloop.findings.written import Written, normalise_scope

_PATHS = st.sampled_from(["a.py", "./a.py", "pkg/b.py", "pkg//b.py", "c d.py", "x/./e.py"])
_SCOPES = st.dictionaries(_PATHS, st.frozensets(st.integers(1, 40), max_size=12), max_size=6)


@given(_SCOPES, st.lists(st.tuples(_PATHS, st.integers(1, 45), st.integers(0, 6)),
                         max_size=8))
def test_a_scope_answers_as_its_files_lines_merged_at_once(scope, asks) -> None:
    merged: dict[str, set[int]] = {}
    for path, lines in scope.items():
        merged.setdefault(normalise_path(path, named_by_a_model=False), set()).update(lines)
    lazy = normalise_scope(scope)
    assert sorted(lazy) == sorted(merged) and len(lazy) == len(merged)
    for path, start, span in asks:
        key = normalise_path(path, named_by_a_model=False)
        found = lazy.get(key)
        if key not in merged:
            assert found is None
            continue
        assert found is not None and found is lazy[key]  # made once
        eager = Written(merged[key])
        assert found.lines == eager.lines and bool(found) == bool(eager)
        assert found.within(start, start + span) == eager.within(start, start + span)
        if eager and not eager.within(start, start + span):
            assert found.nearest(start, start + span) == eager.nearest(start, start + span)
