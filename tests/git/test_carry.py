"""reviewloop.git.carry on real repositories: a run's work packed in one clone and rebuilt in
another that shares only the base commit (cloned with --no-local: no hard-linked objects)
comes back byte for byte — any bytes, executable bits, symlinks, deletions, new folders and
non-ASCII names — with its run folder and the trees it keeps, and the other clone's own
files untouched."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git import carry
from reviewloop.git import worktrees as worktree
from reviewloop.git.repository import open_repository
from reviewloop.state_dir import STATE_DIR
from tests.support.gitutil import git
from tests.support.repos import init_repo, user_view, write

BASE = {"a.txt": "alpha\n", "tool.sh": "echo hi\n", "dir/b.txt": "bravo\n", "keep.txt": "k\n"}
TRACKED = ("a.txt", "tool.sh", "dir/b.txt")
NAME = st.text(alphabet="abxyzé ü-_", min_size=1, max_size=6).filter(
    lambda n: n.strip(" ") == n and n not in (".", ".."))
KIND = st.sampled_from(["file", "exec", "link"])
NEW = st.dictionaries(st.lists(NAME, min_size=1, max_size=2).map(lambda p: "n/" + "/".join(p)),
                      st.tuples(KIND, st.binary(max_size=40)), max_size=5).filter(
    lambda d: not any(o.startswith(p + "/") for p in d for o in d))  # no file is a folder too
EDITS = st.dictionaries(st.sampled_from(TRACKED), st.one_of(st.none(), st.binary(max_size=40)),
                        max_size=3)  # None: deleted
RUN_FILES = st.dictionaries(st.sampled_from(["context.md", "round-1.diff", "round-1.material.json",
                                             "owner.pid"]), st.binary(max_size=40), max_size=4)


def _apply(tree: Path, new: dict, edits: dict) -> None:
    for path, data in edits.items():
        if data is None:
            (tree / path).unlink()
        else:
            (tree / path).write_bytes(data)
    for path, (kind, data) in new.items():
        full = tree / path
        full.parent.mkdir(parents=True, exist_ok=True)
        if kind == "link":
            full.symlink_to("target-" + data.hex())
        else:
            full.write_bytes(data)
            full.chmod(0o755 if kind == "exec" else 0o644)


def _files(tree: Path) -> dict[str, tuple[str, bytes]]:
    """Every file but git's own: (kind, bytes or link target)."""
    found = {}
    for path in sorted(tree.rglob("*")):
        rel = path.relative_to(tree).as_posix()
        if rel == ".git" or rel.startswith(".git/"):
            continue
        if path.is_symlink():
            found[rel] = ("link", os.readlink(path).encode())
        elif path.is_file():
            found[rel] = ("exec" if os.access(path, os.X_OK) else "file", path.read_bytes())
    return found


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(new=NEW, edits=EDITS, run_files=RUN_FILES)
def test_work_packed_in_one_clone_is_rebuilt_byte_for_byte_in_another(new, edits, run_files):
    with tempfile.TemporaryDirectory(prefix="rl-carry-") as tmp:
        first = init_repo(Path(tmp) / "a", BASE, branch="work")
        git(first, "update-index", "--chmod=+x", "tool.sh")
        git(first, "commit", "-qm", "exec")
        base = git(first, "rev-parse", "HEAD").strip()
        other = Path(tmp) / "b"
        git(Path(tmp), "clone", "-q", "--no-local", str(first), str(other))
        write(other, "mine.txt", "your own uncommitted file\n")
        write(other, "keep.txt", "your own edit\n")
        open_repository(other).ensure_ignored(STATE_DIR)  # as every run does first
        before = user_view(other)

        tree = worktree.create(open_repository(first), "r1", "reviewloop/1", carry=False)
        run_tree = Path(tree.path)
        _apply(run_tree, new, edits)
        run_dir = Path(tmp) / "a-run"
        run_dir.mkdir()
        for name, data in run_files.items():
            (run_dir / name).write_bytes(data)
        repo = open_repository(run_tree)
        kept = repo.snapshot().tree  # a tree the state names, as a fix's baseline does
        files = carry.folder_files(run_dir, skip=("owner.pid",))
        composed = carry.compose(repo, repo.worktree_tree(),
                                 carry.folder_tree(repo, run_dir, files), [kept])
        packed = carry.pack(repo, composed, base)

        checkout = open_repository(other)
        changed = kept != git(first, "rev-parse", "HEAD^{tree}").strip()
        assert checkout.try_git("cat-file", "-e", kept)[0] == (1 if changed else 0)
        assert carry.has_commit(checkout, base)
        carry.unpack(checkout, packed)
        moved = carry.rebuild(checkout, "r1", tree, packed)
        got_run = Path(tmp) / "b-run"
        got_run.mkdir()
        names = carry.write_run_files(checkout, packed, got_run)

        assert Path(moved.path) == other / ".reviewloop/worktrees/r1"
        assert moved.branch == "reviewloop/1" and moved.base == base
        assert _files(Path(moved.path)) == _files(run_tree)
        assert sorted(names) == sorted(n for n in run_files if n != "owner.pid")
        assert {n: (got_run / n).read_bytes() for n in names} == {
            n: d for n, d in run_files.items() if n != "owner.pid"}
        assert git(other, "cat-file", "-t", kept).strip() == "tree"
        assert user_view(other) == before


def test_a_clone_without_the_base_commit_is_told_so(tmp_path: Path):
    first = init_repo(tmp_path / "a", BASE, branch="work")
    other = tmp_path / "b"
    git(tmp_path, "clone", "-q", "--no-local", str(first), str(other))
    write(first, "later.txt", "a commit the other clone has not fetched\n")
    git(first, "add", "later.txt")
    git(first, "commit", "-qm", "later")

    assert not carry.has_commit(open_repository(other), git(first, "rev-parse", "HEAD").strip())
    assert carry.has_commit(open_repository(other), git(first, "rev-parse", "HEAD~1").strip())


def test_the_runs_commit_travels_and_a_branch_it_lands_in_is_made_at_the_base(tmp_path: Path):
    first = init_repo(tmp_path / "a", BASE, branch="work")
    base = git(first, "rev-parse", "HEAD").strip()
    other = tmp_path / "b"
    git(tmp_path, "clone", "-q", "--no-local", "-b", "work", str(first), str(other))
    git(first, "checkout", "-q", "-b", "t2")  # `run --branch t2`: this clone's only
    tree = worktree.create(open_repository(first), "r1", "reviewloop/1", carry=False)
    write(Path(tree.path), "new.txt", "committed by the run\n")
    git(Path(tree.path), "add", "new.txt")
    git(Path(tree.path), "-c", "user.name=r", "-c", "user.email=r@x", "commit", "-qm", "T1")
    repo = open_repository(tree.path)
    empty = carry.folder_tree(repo, tmp_path, carry.folder_files(tmp_path / "none"))
    packed = carry.pack(repo, carry.compose(repo, repo.worktree_tree(), empty, []), base)

    checkout = open_repository(other)
    carry.unpack(checkout, packed)
    moved = carry.rebuild(checkout, "r1", tree, packed)

    assert packed.head != base
    assert git(Path(moved.path), "rev-parse", "HEAD").strip() == packed.head
    assert git(other, "rev-parse", "t2").strip() == base
    assert git(other, "branch", "--show-current").strip() == "work"


def test_rebuilding_forgets_only_the_runs_own_missing_worktree(tmp_path: Path) -> None:
    """Another worktree whose folder is missing now (a disk not mounted) keeps its record."""
    first = init_repo(tmp_path / "a", BASE, branch="work")
    base = git(first, "rev-parse", "HEAD").strip()
    elsewhere = tmp_path / "mounted/elsewhere"
    git(first, "worktree", "add", "-q", "-b", "side", str(elsewhere))
    admin = [p.parent for p in (first / ".git/worktrees").glob("*/gitdir")]
    elsewhere.rename(tmp_path / "unmounted")  # the disk is gone for now
    repo = open_repository(first)
    tree = worktree.RunTree(path=str(first / ".reviewloop/worktrees/r1"), branch="reviewloop/1",
                            base=base, target=None)
    empty = carry.folder_tree(repo, tmp_path, [])
    packed = carry.pack(repo, carry.compose(repo, repo.worktree_tree(), empty, []), base)

    carry.rebuild(repo, "r1", tree, packed)

    assert all(p.is_dir() for p in admin)
