"""`folders_of`: the folders above the changed files that a CDK app may live in, found one
`Path` a folder (it is asked of every changed file) and exactly as `PurePosixPath` names
them, whatever the name (a leading `//`, a trailing `/`, `.` and `..`)."""

from __future__ import annotations

from pathlib import PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.cdk.app import folders_of


def _by_path(paths: list[str]) -> set[str]:
    """The definition: every parent `PurePosixPath` names, "." left out, and the root."""
    return {""} | {p.as_posix() for path in paths for p in PurePosixPath(path).parents
                   if p.as_posix() != "."}


_PART = st.sampled_from(["a", "b", "src", ".", "..", "", "x.ts", "cdk.json", "/", "//"])
_PATH = st.lists(_PART, max_size=7).map("/".join) | st.lists(_PART, max_size=7).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PATH, max_size=6))
def test_the_folders_are_the_paths_parents(paths: list[str]) -> None:
    assert folders_of(paths) == _by_path(paths)


def test_files_of_one_folder_give_it_and_its_parents_once() -> None:
    paths = [f"infra/lib/part_{i}/stack_{j}.ts" for i in range(3) for j in range(50)]

    assert folders_of(paths) == {"", "infra", "infra/lib", "infra/lib/part_0",
                                 "infra/lib/part_1", "infra/lib/part_2"}
    assert folders_of(["app.ts", "/abs/x.ts", "a/b/"]) == {"", "/", "/abs", "a"}
