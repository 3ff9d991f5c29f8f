"""`ruff_lookup`: a config over the one it extends, as ruff combines them (`merged`), and
the config governing a file: the nearest folder's, from the file's own up (`Lookup.of`)."""

from __future__ import annotations

import itertools
import posixpath

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.ruff_lookup import Governing, Lookup, merged


def test_an_extend_list_and_an_ignore_add_and_a_setting_replaces() -> None:
    base = {"line-length": 80, "lint": {"extend-select": ["T20"], "ignore": ["E501"]}}
    over = {"extend": "base.toml", "line-length": 100,
            "lint": {"extend-select": ["DTZ"], "ignore": ["F401"]}}
    assert merged(base, over) == {"line-length": 100, "lint": {
        "extend-select": ["T20", "DTZ"], "ignore": ["E501", "F401"]}}


def test_a_select_starts_the_selection_afresh() -> None:
    base = {"lint": {"select": ["F"], "extend-select": ["T20"]}}
    assert merged(base, {"lint": {"select": ["E"]}}) == {"lint": {"select": ["E"]}}


def test_the_extend_key_itself_is_not_kept() -> None:
    assert merged({"extend": "x.toml", "a": 1}, {"extend": "y.toml"}) == {"a": 1}


_FOLDERS = ["", "a", "a/b", "a/b/c", "d", "d/e"]
_NAMES = ["ruff.toml", ".ruff.toml", "pyproject.toml"]


def _configs(held: dict[str, str]) -> dict[str, str]:
    """{path: text} of the configs `held` ({folder: file name}) puts in the tree."""
    texts = {"pyproject.toml": '[tool.ruff]\nline-length = 90\n'}
    return {posixpath.join(folder, name): texts.get(name, 'line-length = 80\n')
            for folder, name in held.items()}


class _Counted(Lookup):
    """A lookup over `configs`, counting the folders it is asked about."""

    def __init__(self, configs: dict[str, str]):
        super().__init__(None, configs.get)
        self.asked: list[str] = []

    def at(self, folder: str) -> Governing | None:
        self.asked.append(folder)
        return super().at(folder)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(held=st.dictionaries(st.sampled_from(_FOLDERS), st.sampled_from(_NAMES), max_size=4),
       files=st.lists(st.tuples(st.sampled_from(_FOLDERS), st.sampled_from(["x.py", "y.py"])),
                      max_size=10))
def test_a_file_is_governed_by_the_nearest_folders_config(
        held: dict[str, str], files: list[tuple[str, str]]) -> None:
    """The definition, folder by folder from the file's own up to the root, asked of a
    fresh lookup for each file: the same answer from one lookup asked of every file."""
    configs = _configs(held)
    lookup = Lookup(None, configs.get)
    for folder, name in files:
        path = posixpath.join(folder, name)
        expected = None
        for at in itertools.chain([folder], _parents(folder)):
            if (expected := Lookup(None, configs.get).at(at)) is not None:
                break
        found = lookup.of(path)
        assert found == expected  # the same config file, and the same problem in its chain
        assert (found and found.table) == (expected and expected.table)


def _parents(folder: str) -> list[str]:
    parents = []
    while folder:
        folder = posixpath.dirname(folder)
        parents.append(folder)
    return parents


def test_the_files_of_a_folder_walk_up_its_folders_once() -> None:
    """5,000 changed files are asked about by both ruff analyzers, twice: a folder's files
    share its answer, its folders up to the root are looked at once for it."""
    lookup = _Counted(_configs({"": "ruff.toml"}))
    paths = [f"pkg/part_{i}/mod_{j}.py" for i in range(3) for j in range(50)]

    governing = {lookup.of(path) for path in paths}

    assert [g.path for g in governing if g is not None] == ["ruff.toml"]
    assert sorted(lookup.asked) == sorted(["", "pkg"] * 3 + [f"pkg/part_{i}" for i in range(3)])
