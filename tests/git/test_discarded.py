"""What resume discards from a run's worktree is kept first (reviewloop.git.discarded through
git.carry.put_back), on real repositories: for generated worktree states — tracked files
edited (any bytes), deleted, made executable, new files (binary, executable, links, names
with spaces and non-ASCII), a commit the stopped step made — every discarded byte comes back
from the named ref with the command the message gives, the worktree is as saved, ignored files
and installed packages stay, and the user's own checkout (its files, index, HEAD, branch) is
byte for byte as it was. In a SHA-1 and a SHA-256 repository alike, the worktree's index —
a staged version that differs from the file — is kept too, as the ref's second parent, and
comes back with the command the hint gives."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewloop.git import carry, discarded
from reviewloop.git import worktrees as worktree
from reviewloop.git.repository import open_repository
from tests.support.gitutil import git
from tests.support.repos import commit, init_repo, user_view, write

BASE = {"a.txt": "alpha\n", "tool.sh": "echo hi\n", "dir/b c.txt": "bravo\n",
        "é/ü.bin": b"\x00\xff\x01binary\x00", ".gitignore": "*.log\n"}
TRACKED = ("a.txt", "tool.sh", "dir/b c.txt", "é/ü.bin")
NAME = st.text(alphabet="abé ü-_.", min_size=1, max_size=6).filter(
    lambda n: n.strip(" ") == n and n not in (".", "..") and not n.endswith(".log"))
KIND = st.sampled_from(["file", "exec", "link"])
NEW = st.dictionaries(st.lists(NAME, min_size=1, max_size=2).map(lambda p: "n/" + "/".join(p)),
                      st.tuples(KIND, st.binary(max_size=40)), max_size=4).filter(
    lambda d: not any(o.startswith(p + "/") for p in d for o in d))  # no file is a folder too
# a tracked file: None deleted, "+x" made executable, bytes written
# an ignored file and an untracked installed-packages folder: never discarded, so never kept
STAY = ("debug.log", "node_modules/pkg/index.js")
EDITS = st.dictionaries(st.sampled_from(TRACKED),
                        st.one_of(st.none(), st.just("+x"), st.binary(max_size=40)), max_size=3)


def _apply(tree: Path, new: dict, edits: dict) -> None:
    for path, data in edits.items():
        if data is None:
            (tree / path).unlink()
        elif data == "+x":
            (tree / path).chmod(0o755)
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
    """Every file but git's own and the run worktrees' folder: (kind, bytes or link target)."""
    found = {}
    for path in sorted(tree.rglob("*")):
        rel = path.relative_to(tree).as_posix()
        if rel.split("/")[0] in (".git", ".reviewloop"):
            continue
        if path.is_symlink():
            found[rel] = ("link", os.readlink(path).encode())
        elif path.is_file():
            found[rel] = ("exec" if os.access(path, os.X_OK) else "file", path.read_bytes())
    return found


def _checkout_state(root: Path) -> dict[str, object]:
    """The user's checkout as bytes: files, index, HEAD, branch, what git shows."""
    return {"files": _files(root), "index": (root / ".git" / "index").read_bytes(),
            "head": (root / ".git" / "HEAD").read_bytes(),
            "branch": git(root, "rev-parse", "refs/heads/main"), **user_view(root)}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(new=NEW, edits=EDITS, committed=st.booleans())
@example(new={"n/a b": ("exec", b"#!/bin/sh\n"), "n/é": ("file", b"\x00\x80")},
         edits={"a.txt": b"hand edit\n", "dir/b c.txt": None, "tool.sh": "+x"}, committed=True)
def test_every_discarded_byte_is_kept_under_a_ref_and_the_checkout_is_untouched(
        new: dict, edits: dict, committed: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="rl-discarded-") as tmp:
        main = init_repo(Path(tmp) / "main", BASE)
        write(main, "a.txt", "your own uncommitted edit\n")
        write(main, "staged.txt", "your own staged file\n")
        git(main, "add", "staged.txt")
        tree = worktree.create(open_repository(main), "r1", "reviewloop/1", carry=False)
        run = Path(tree.path)
        write(run, "started.txt", "the run's saved work\n")  # what the step started from
        repo = open_repository(run)
        empty = carry.folder_tree(repo, run, [])
        packed = carry.pack(repo, carry.compose(repo, repo.worktree_tree(), empty, []),
                            git(main, "rev-parse", "HEAD").strip())
        saved = _files(run)
        before = _checkout_state(main)

        _apply(run, new, edits)  # the stopped step's writes and a hand edit
        if committed:
            git(run, "add", "-A")
            git(run, "commit", "-qm", "the stopped step's commit", "--allow-empty")
        write(run, "debug.log", "ignored: never discarded\n")
        write(run, "node_modules/pkg/index.js", "left out of snapshots: never discarded\n")
        held = _files(run)
        back = carry.put_back(open_repository(run), packed, "r1", "implement")
        put = _files(run)

        assert _checkout_state(main) == before
        assert {k: v for k, v in put.items() if k not in STAY} == saved
        assert {k: put[k] for k in STAY} == {k: held[k] for k in STAY}
        assert sorted(back.paths) == sorted(
            p for p in set(saved) | set(held) if p not in STAY and saved.get(p) != held.get(p))
        if not back.paths and not committed:  # nothing to discard: nothing kept
            assert back.kept is None and discarded.kept(open_repository(main), "r1") == []
            return
        assert back.kept == f"{discarded.PREFIX}/r1/1"
        if committed:  # the step's commit went from the branch, and is the kept one's parent
            assert git(run, "rev-parse", f"{back.kept}^").strip() != packed.head
            assert git(run, "rev-parse", "HEAD").strip() == packed.head
        # the command the message gives brings back everything the worktree held
        git(run, "restore", f"--source={back.kept}", "--", ".")
        assert _files(run) == held
        assert _checkout_state(main) == before


def test_a_second_discard_gets_the_next_number_and_nothing_kept_when_nothing_changed(
        tmp_path: Path) -> None:
    main = init_repo(tmp_path / "main", BASE)
    tree = worktree.create(open_repository(main), "r1", "reviewloop/1", carry=False)
    run = Path(tree.path)
    repo = open_repository(run)
    packed = carry.pack(repo, carry.compose(repo, repo.worktree_tree(),
                                            carry.folder_tree(repo, run, []), []),
                        git(main, "rev-parse", "HEAD").strip())

    assert carry.put_back(open_repository(run), packed, "r1", "review") == ([], None)
    write(run, "a.txt", "first\n")
    first = carry.put_back(open_repository(run), packed, "r1", "review")
    write(run, "a.txt", "second\n")
    second = carry.put_back(open_repository(run), packed, "r1", "fix")

    assert (first.kept, second.kept) == (f"{discarded.PREFIX}/r1/1", f"{discarded.PREFIX}/r1/2")
    assert git(main, "show", f"{first.kept}:a.txt") == "first\n"
    assert git(main, "show", f"{second.kept}:a.txt") == "second\n"
    assert "stopped fix step" in git(main, "log", "-1", "--format=%B", second.kept)
    assert discarded.kept(open_repository(main), "r1") == [first.kept, second.kept]
    assert discarded.kept(open_repository(main), "r") == []  # another run's prefix: not its
    discarded.drop(open_repository(main), [first.kept, second.kept])
    assert discarded.kept(open_repository(main), "r1") == []


@pytest.mark.parametrize("object_format", ["sha1", "sha256"])
def test_the_staged_version_is_kept_too_in_either_object_format(
        tmp_path: Path, object_format: str) -> None:
    main = tmp_path / "main"
    main.mkdir()
    git(main, "init", "-q", f"--object-format={object_format}", "-b", "main")
    commit(main, BASE, "base")
    tree = worktree.create(open_repository(main), "r1", "reviewloop/1", carry=False)
    run = Path(tree.path)
    repo = open_repository(run)
    packed = carry.pack(repo, carry.compose(repo, repo.worktree_tree(),
                                            carry.folder_tree(repo, run, []), []),
                        git(main, "rev-parse", "HEAD").strip())
    write(run, "a.txt", "staged v1\n")
    git(run, "add", "a.txt")
    write(run, "a.txt", "worktree v2\n")

    back = carry.put_back(open_repository(run), packed, "r1", "implement")

    assert back.kept == f"{discarded.PREFIX}/r1/1"
    assert len(git(main, "rev-parse", back.kept).strip()) == (64 if object_format == "sha256"
                                                              else 40)
    assert git(main, "show", f"{back.kept}:a.txt") == "worktree v2\n"
    assert git(main, "show", f"{back.kept}^2:a.txt") == "staged v1\n"
    assert git(main, "rev-parse", f"{back.kept}^1").strip() == packed.head
    assert (run / "a.txt").read_text() == "alpha\n"
    git(run, "reset", "-q")  # the index as HEAD has it: the staged version only in the ref
    hint = discarded.restore_hint(back.kept)
    assert f"`git restore --source={back.kept}^2 --staged -- PATH` its staged version" in hint
    git(run, "restore", f"--source={back.kept}^2", "--staged", "--", "a.txt")
    git(run, "restore", f"--source={back.kept}", "--", "a.txt")
    assert (git(run, "show", ":a.txt"), (run / "a.txt").read_text()) == ("staged v1\n",
                                                                           "worktree v2\n")
    assert "`git restore --source=<this>^2 --staged -- PATH`" in git(
        main, "log", "-1", "--format=%B", back.kept)
