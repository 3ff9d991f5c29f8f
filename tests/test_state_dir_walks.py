"""The state folder's walk for links (`state_dir._links`) is done once for the layers of one
command (registry, records, store, cleanup each ask `state_folder`), and again as soon as any
folder it walked changes: a link added between two commands in one process, at any depth, is
still found and refused when the repository tracks it.

Generated (hypothesis): the folders and files already there, where the link is added (a
store, `worktrees`, a bench's or a run's folder, a new folder), how many times it is asked.
The folders are dated in the past (`os.utime`) as a state folder not just written is: one
written moments ago is walked again each time (its clock's tick could hide a change)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.errors import UserInputError
from reviewloop.state_dir import STATE_DIR, state_folder
from tests.support.gitutil import git
from tests.support.repos import init_repo

PAST = (1_600_000_000, 1_600_000_000)
FOLDERS = st.lists(st.sampled_from(["bench/default", "runs/r1", "reviews/a/b", "worktrees",
                                    "worktrees/run-1/src"]), max_size=4, unique=True)
LINKS = st.sampled_from(["runs.sqlite", "worktrees/run-2", "bench/default/bench.sqlite",
                         "runs/r1/summary.json", "reviews/a/b/c", "new/deep/link"])


def _state(root: Path, folders: list[str]) -> Path:
    state = root / STATE_DIR
    for folder in folders:
        (state / folder).mkdir(parents=True, exist_ok=True)
        (state / folder / "data.json").write_text("{}\n")
    state.mkdir(exist_ok=True)
    (state / "runs.db").write_bytes(b"")
    for inner in (state, *(p for p in state.rglob("*") if p.is_dir())):
        os.utime(inner, PAST)  # written long ago, as between two commands
    return state


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], int]]:
    """How many times the state folder at a path has been walked (its own listing opened)."""
    opened: list[str] = []
    scandir = os.scandir

    def counting(path: str | os.PathLike[str] = ".") -> Iterator[os.DirEntry[str]]:
        opened.append(os.fspath(path))
        return scandir(os.fspath(path))

    monkeypatch.setattr(os, "scandir", counting)
    yield lambda state: opened.count(str(state))


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(folders=FOLDERS, asks=st.integers(min_value=2, max_value=8))
def test_the_layers_of_one_command_walk_the_state_folder_once(
        tmp_path_factory: pytest.TempPathFactory, walks: Callable[[Path], int],
        folders: list[str], asks: int) -> None:
    root = init_repo(tmp_path_factory.mktemp("repo"), {"app.py": "x = 1\n"})
    state = _state(root, folders)
    before = walks(state)
    for _ in range(asks):
        assert state_folder(root) == state
    assert walks(state) - before == 1


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(folders=FOLDERS, link=LINKS, staged_only=st.booleans())
def test_a_link_added_between_two_commands_is_still_refused(
        tmp_path_factory: pytest.TempPathFactory, walks: Callable[[Path], int],
        folders: list[str], link: str, staged_only: bool) -> None:
    root = init_repo(tmp_path_factory.mktemp("repo"), {"app.py": "x = 1\n"})
    outside = tmp_path_factory.mktemp("outside")
    state = _state(root, folders)
    before = walks(state)  # the fixture's own listing
    assert state_folder(root) == state  # the first command: walked, nothing found
    assert state_folder(root) == state
    assert walks(state) - before == 1
    (state / link).parent.mkdir(parents=True, exist_ok=True)
    (state / link).symlink_to(outside)  # the second command's checkout brings a link
    git(root, "add", "-f", f"{STATE_DIR}/{link}")
    if not staged_only:
        git(root, "commit", "-qm", "a link")
    with pytest.raises(UserInputError, match=f"{STATE_DIR}/{link} is a link to {outside} "
                                             "that the repository tracks"):
        state_folder(root)
    assert walks(state) - before == 2


def test_a_folder_written_moments_ago_is_walked_again(
        tmp_path: Path, walks: Callable[[Path], int]) -> None:
    root = init_repo(tmp_path / "repo", {"app.py": "x = 1\n"})
    state = root / STATE_DIR
    state.mkdir()  # now: a change within its clock's tick would not show in its stamp
    for _ in range(3):
        assert state_folder(root) == state
    assert walks(state) == 3
    os.utime(state, PAST)
    for _ in range(3):
        assert state_folder(root) == state
    assert walks(state) == 4
