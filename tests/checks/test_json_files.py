"""`json_files`: a project's small JSON file read as the object it holds, `{}` for anything
else — the one reader the checks share (a package.json, a cloud assembly's manifest)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.json_files import json_object, text_object

values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                      lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=8)


@given(values)
def test_a_json_text_gives_its_object_and_nothing_else(value: object) -> None:
    assert text_object(json.dumps(value)) == (value if isinstance(value, dict) else {})


@given(st.text(max_size=20))
def test_any_text_gives_a_mapping_without_raising(text: str) -> None:
    try:
        expected = json.loads(text)
    except ValueError:
        expected = {}
    assert text_object(text) == (expected if isinstance(expected, dict) else {})


def test_a_file_absent_unreadable_or_too_deep_gives_none(tmp_path: Path) -> None:
    (tmp_path / "ok.json").write_text('{"scripts": {"lint": "eslint ."}}', encoding="utf-8")
    (tmp_path / "latin.json").write_bytes(b'{"a": "\xe9"}')
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (tmp_path / "folder.json").mkdir()

    assert json_object(tmp_path / "ok.json") == {"scripts": {"lint": "eslint ."}}
    for name in ("latin.json", "deep.json", "folder.json", "absent.json"):
        assert json_object(tmp_path / name) == {}, name
    assert text_object(None) == {}
