"""`handoff --learn` replaces only the regular memory.md it wrote (f_a D9: a folder named
`.kiro/steering/memory.md` was removed with the user's files in it). Generated over every
file kind (`tests/support/file_kinds.py`) with generated learnings: a regular, BOM or empty
memory.md keeps its bytes as a prefix of the result; anything else (a link, a folder, a
FIFO, UTF-16, Latin-1) is refused with exit 2 naming memory.md, and left exactly as it was."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.errors import ExitCode, UserInputError
from reviewloop.session import memory
from tests.support import file_kinds
from tests.support.repos import init_repo

TEXT = "---\ninclusion: always\n---\n\n# Project memory\n\n- Preference: keep it short\n"
LEARNING = st.text("abcdefghijklmnopqrstuvwxyz ", min_size=3, max_size=30).filter(
    lambda s: s.strip()).map(lambda s: f"- Preference: {s.strip()}")


@settings(max_examples=4, deadline=None, derandomize=True)
@given(learned=st.lists(LEARNING, min_size=1, max_size=3))
@pytest.mark.parametrize("kind", file_kinds.KINDS)
def test_learn_appends_to_the_regular_file_or_refuses_any_other_untouched(
        kind: str, learned: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="memory-") as name:
        root = init_repo(Path(name) / "repo")
        file_kinds.make(kind, root, memory.MEMORY_MD, TEXT)
        path = root / memory.MEMORY_MD
        before = file_kinds.state(path)
        if kind in file_kinds.READABLE:
            original = path.read_bytes()
            added = memory.append(root, learned)
            after = path.read_bytes()
            assert after.startswith(original)
            assert all(line.encode() in after for line in added)
            return
        with pytest.raises(UserInputError) as caught:
            memory.append(root, learned)
        error = caught.value
        assert error.exit_code == ExitCode.USAGE
        assert memory.MEMORY_MD in f"{error.where} {error}"
        link = kind in file_kinds.LINKS
        assert ("symbolic link" if link else file_kinds.NAMED[kind]) in str(error)
        assert file_kinds.state(path) == before


@pytest.mark.parametrize("folder", [".kiro", ".kiro/steering"])
def test_a_file_where_learn_needs_a_folder_is_refused_untouched(tmp_path, folder) -> None:
    root = init_repo(tmp_path / "repo")
    (root / folder).parent.mkdir(parents=True, exist_ok=True)
    (root / folder).write_bytes(b"the user's notes\n")
    with pytest.raises(UserInputError) as caught:
        memory.append(root, ["- Preference: small commits"])
    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.where == folder and "is not a folder" in str(caught.value)
    assert (root / folder).read_bytes() == b"the user's notes\n"
