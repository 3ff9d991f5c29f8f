"""A working-tree snapshot is stored (a run's state, its checkpoints, land.json), so it holds
each changed name in its text form; committing and landing those names touch the file's own
bytes, whatever they are. (A run once committed nothing of a file named `notes_\\xff.txt`:
its name reached the checkpoint as `notes_?.txt`.)"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.git.repository import open_repository
from reviewloop.git.snapshots import Snapshot, touched_since
from reviewloop.landing.engine import LandPlan, apply, plan
from tests.support.gitutil import git
from tests.support.repos import init_repo

# pieces that break UTF-8, look like the text form's escapes, or are ordinary; no "/" or NUL
_PIECES = st.sampled_from([b"\\", b"x", b"ff", b"8", b"a", b"\xff", b"\x80", b"\xc3", b"\xa9",
                           b".py", b" ", b"-", b"*", b"?"])
_NAMES = st.lists(_PIECES, min_size=1, max_size=8).map(b"".join).filter(
    lambda n: n not in (b".", b"..", b".git"))


def _repo(root: Path) -> Path:
    return init_repo(root, {"README.md": "project\n"})


def _write(root: Path, name: bytes, data: bytes) -> None:
    with open(os.path.join(os.fsencode(root), name), "wb") as fh:
        fh.write(data)


def _tree_names(root: Path, rev: str) -> set[bytes]:
    out = subprocess.run(["git", "ls-tree", "-r", "-z", "--name-only", rev], cwd=root,
                         check=True, capture_output=True).stdout
    return {n for n in out.split(b"\0") if n}


@settings(max_examples=30, deadline=None)
@given(names=st.sets(_NAMES, min_size=1, max_size=3))
def test_a_snapshot_stored_and_read_back_commits_each_name_under_its_own_bytes(
        names: set[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = _repo(Path(tmp))
        repo = open_repository(root)
        before = repo.snapshot()
        for name in names:
            _write(root, name, b"data\n")
        stored = repo.snapshot(base=before.base).model_dump_json()  # valid UTF-8 JSON
        after = Snapshot.model_validate_json(stored)
        touched = touched_since(before, after)
        assert len(touched.created) == len(names)
        repo.commit_paths(touched.paths, "add")
        assert _tree_names(root, "HEAD") == names | {b"README.md"}
        assert repo.working_tree_clean()


def test_landing_a_name_that_is_not_utf8_updates_the_users_checkout(tmp_path: Path) -> None:
    """The landing plan is stored too (land.json): its paths are text, its moves are bytes."""
    root = _repo(tmp_path)
    checkout = open_repository(root)
    git(root, "checkout", "-qb", "run")
    _write(root, b"mod_\xff.py", b"x = 1\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "run's commit")
    commit = git(root, "rev-parse", "HEAD").strip()
    git(root, "checkout", "-q", "main")
    planned = plan(checkout, commit, "main")
    assert planned.paths == ("mod_\\xff.py",)
    stored = LandPlan.model_validate_json(planned.model_dump_json())
    assert apply(checkout, stored) == []
    assert (root / os.fsdecode(b"mod_\xff.py")).read_bytes() == b"x = 1\n"
    assert checkout.working_tree_clean()
