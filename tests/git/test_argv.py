"""Paths on git's command line in batches (`git.argv`): a change's names past ARG_MAX (7,000
files in a deep folder, 2.4 MB) crashed the review with "Argument list too long" (f_abs D3).
The limit is made small here; the one the machine's ARG_MAX gives is checked by starting a
process with a full batch of the shortest names (the most pointers a batch can hold)."""

from __future__ import annotations

import os
import subprocess
import sys
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
        # each path's bytes, its NUL and its pointer in the argument vector
        size = sum(len(os.fsencode(p)) + 1 + argv._POINTER for p in run)
        assert size <= limit or len(run) == 1, (run, limit)
        assert run  # never an empty batch: git given no path would read the whole tree
        # each batch as full as the limit lets it be: the next path would not fit
        assert not after or size + len(os.fsencode(after[0])) + 1 + argv._POINTER > limit, \
            (run, after)


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


@given(arg_max=st.one_of(st.none(), st.integers(-1, 64 << 20)))
def test_the_room_is_half_the_machines_limit_at_most_a_megabyte(arg_max: int | None) -> None:
    room = argv._room(arg_max)
    if arg_max is None or arg_max <= 0:  # the system does not say: the old fixed limit
        assert room == 256 * 1024
    else:
        assert room == min(arg_max // 2, 1024 * 1024)


def test_a_full_batch_of_the_shortest_names_starts_a_process() -> None:
    """ARGV_BYTES as this machine sets it: a batch of one-byte names (each with its NUL and
    its pointer, as `batches` counts them) as long as it lets through still starts."""
    names = [chr(ord("a") + n % 26) for n in range(argv.ARGV_BYTES)]
    first = next(argv.batches(names))
    assert sum(len(n) + 1 + argv._POINTER for n in first) <= argv.ARGV_BYTES < sum(
        len(n) + 1 + argv._POINTER for n in first) + 10
    done = subprocess.run([sys.executable, "-c", "import sys; print(len(sys.argv) - 1)",
                           *first], capture_output=True, text=True, check=True)
    assert done.stdout == f"{len(first)}\n"
