"""Paths on git's command line in batches (`git.argv`): a change's names past ARG_MAX (7,000
files in a deep folder, 2.4 MB) crashed the review with "Argument list too long" (f_abs D3).
The limit is a constant, made small here: no test depends on the machine's ARG_MAX."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git import argv
from reviewloop.git.repository import Repository, open_repository
from reviewloop.git.trees import folders, present
from tests.support.processes import started
from tests.support.repos import commit, init_repo

pytestmark = pytest.mark.usefixtures("no_global_git_config")

NAMES = st.text(alphabet=st.sampled_from("abz09_-é\udce9"), min_size=1, max_size=40)


@given(paths=st.lists(NAMES, max_size=80), limit=st.integers(1, 300))
def test_batches_keep_every_path_in_order_within_the_limit(paths: list[str], limit: int,
                                                            ) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(argv, "ARGV_BYTES", limit)
        runs = list(argv.batches(paths))
    assert [p for run in runs for p in run] == paths
    for run, after in zip(runs, [*runs[1:], []], strict=False):
        size = sum(len(os.fsencode(p)) + 1 for p in run)
        assert size <= limit or len(run) == 1, (run, limit)
        assert run  # never an empty batch: git given no path would read the whole tree
        # each batch as full as the limit lets it be: the next path would not fit
        assert not after or size + len(os.fsencode(after[0])) + 1 > limit, (run, after)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Repository, str, list[str]]:
    """A commit holding 40 files in deep folders; the repository, the commit, the files."""
    files = [f"seg_{n % 4}/deep_{n % 3}/module_{n:03d}_with_a_long_name.py" for n in range(40)]
    root = init_repo(tmp_path_factory.mktemp("argv") / "r")
    head = commit(root, dict.fromkeys(files, "x = 1\n"))
    return open_repository(root), head, files


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), limit=st.integers(60, 600))
def test_a_tree_is_asked_in_batches_and_answers_the_same(
        tree: tuple[Repository, str, list[str]], data: st.DataObject, limit: int) -> None:
    repo, head, files = tree
    gone = [f"gone_{n}/x.py" for n in range(data.draw(st.integers(0, 10)))]
    asked = data.draw(st.permutations([*files, *gone]))
    dirs = sorted({str(Path(f).parent) for f in files} | {"gone_0"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(argv, "ARGV_BYTES", limit)
        with started() as runs:
            found, folder_set = present(repo, head, asked), folders(repo, head, dirs)
    assert found == set(files)
    assert folder_set == set(dirs) - {"gone_0"}
    for command in runs:
        paths = command[command.index("--") + 1:]
        assert paths and (sum(len(os.fsencode(p)) + 1 for p in paths) <= limit
                          or len(paths) == 1), command
