"""Landing never follows a symlink in the user's checkout (issue #22, class 2).

The run's worktree does not have the user's untracked `outlink -> /elsewhere`, so a run may
write `outlink/pwned.txt`; landing it would have written `/elsewhere/pwned.txt`. Every
parent of every path landing writes or removes is checked before anything is written, at
any depth; the refusal is exit 2 and names the path. A symlink the change tracks itself
(mode 120000) still lands, as a link."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from reviewloop.agent.workspace import Workspace
from reviewloop.errors import ExitCode, SpecError
from reviewloop.findings.ledger import Ledger
from reviewloop.git import nofollow
from reviewloop.git import worktrees as worktree
from reviewloop.git.nofollow import SymlinkInPath
from reviewloop.git.repository import open_repository
from reviewloop.git.snapshots import TouchedFiles
from reviewloop.landing import engine
from reviewloop.landing.commit import CommitFacts, commit_change
from tests.support.batch import reviews
from tests.support.bedrock import BedrockFake
from tests.support.gitutil import git
from tests.support.loop_cli import MODEL, SPEC, cli, fake_env, make_example
from tests.support.repos import user_view, write
from tests.support.worktrees import commit_in

CANARY = "canary-outside-9d1c\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text(CANARY)
    return folder


def files_in(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run_commit(root: Path, files: dict[str, str], *, deleted: tuple[str, ...] = ()) -> str:
    """A run's commit of `files` (and deletions), made in its own worktree."""
    tree = worktree.create(open_repository(root), "r1", "reviewloop/1", carry=False)
    for rel in deleted:
        (Path(tree.path) / rel).unlink()
    return commit_in(tree, files)


def refused(root: Path, commit: str) -> SymlinkInPath:
    """Plan and apply the landing; it must refuse with nothing written and nothing moved."""
    checkout = open_repository(root)
    branch = git(root, "rev-parse", "work").strip()
    before = user_view(root)
    plan = engine.plan(checkout, commit, "work")
    with pytest.raises(SymlinkInPath) as planning:
        engine.refuse_symlinks(checkout, plan)
    with pytest.raises(SymlinkInPath) as applying:
        engine.apply(checkout, plan)  # a saved plan, resumed: refused the same way
    assert str(applying.value) == str(planning.value)
    assert git(root, "rev-parse", "work").strip() == branch  # the branch did not move
    assert user_view(root) == before
    assert (root / "app.py").read_text() == "x = 1\n"  # checked before anything is written
    assert applying.value.exit_code == ExitCode.USAGE
    return applying.value


@pytest.mark.parametrize("folder", ["", "a/", "a/b/"], ids=["depth-1", "depth-2", "depth-3"])
def test_an_untracked_symlinked_folder_at_any_depth_is_never_written_through(
        root: Path, outside: Path, folder: str):
    if folder:
        write(root, f"{folder}keep.txt", "k\n")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "folders")
    (root / f"{folder}outlink").symlink_to(outside, target_is_directory=True)
    sha = run_commit(root, {"app.py": "x = 2\n", f"{folder}outlink/pwned.txt": "pwned\n"})

    error = refused(root, sha)

    assert f"{folder}outlink/pwned.txt lies under {folder}outlink" in str(error)
    assert str(outside) in str(error) and "fix: nothing was landed" in str(error)
    assert f"git merge {sha[:12]}" in str(error)
    assert files_in(outside) == {"secret.txt": CANARY}


def test_an_untracked_symlink_to_a_file_is_not_overwritten(root: Path, outside: Path):
    (root / "config.txt").symlink_to(outside / "secret.txt")
    sha = run_commit(root, {"config.txt": "the run's\n"})

    error = refused(root, sha)

    assert "config.txt is a symbolic link" in str(error)
    assert files_in(outside) == {"secret.txt": CANARY}
    assert os.readlink(root / "config.txt") == str(outside / "secret.txt")


def test_a_tracked_file_the_user_replaced_by_a_symlink_is_not_overwritten(root: Path,
                                                                         outside: Path):
    (root / "notes.txt").unlink()
    (root / "notes.txt").symlink_to(outside / "secret.txt")
    sha = run_commit(root, {"notes.txt": "the run's notes\n"})

    assert "notes.txt is a symbolic link" in str(refused(root, sha))
    assert files_in(outside) == {"secret.txt": CANARY}


def test_a_deleted_path_under_a_symlinked_parent_is_not_removed_outside(root: Path,
                                                                       outside: Path):
    write(root, "data/old.txt", "old\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "data")
    (root / "data/old.txt").unlink()
    (root / "data").rmdir()
    (root / "data").symlink_to(outside, target_is_directory=True)
    (outside / "old.txt").write_text("old\n")  # the same bytes: not an "edit" of the user's
    sha = run_commit(root, {"app.py": "x = 2\n"}, deleted=("data/old.txt",))

    assert "data/old.txt lies under data" in str(refused(root, sha))
    assert files_in(outside) == {"old.txt": "old\n", "secret.txt": CANARY}


def test_dangling_symlinks_are_refused_as_parent_and_as_file(root: Path, tmp_path: Path):
    (root / "gone").symlink_to(tmp_path / "nowhere", target_is_directory=True)
    (root / "new.txt").symlink_to(tmp_path / "nowhere.txt")
    sha = run_commit(root, {"gone/x.txt": "x\n", "new.txt": "n\n"})

    assert "gone/x.txt lies under gone" in str(refused(root, sha))
    assert not (tmp_path / "nowhere").exists() and not (tmp_path / "nowhere.txt").exists()
    (root / "gone").unlink()  # the folder link moved away: the file link still refuses
    assert "new.txt is a symbolic link" in str(refused(root, sha))
    assert not (tmp_path / "nowhere.txt").exists()


def test_symlinks_the_change_tracks_land_as_links(root: Path, outside: Path):
    tree = worktree.create(open_repository(root), "r1", "reviewloop/1", carry=False)
    (Path(tree.path) / "to-app").symlink_to("app.py")
    (Path(tree.path) / "to-outside").symlink_to(outside / "secret.txt")
    sha = commit_in(tree, {"feature.py": "f = 1\n"})
    checkout = open_repository(root)

    plan = engine.plan(checkout, sha, "work")
    assert engine.blocking(checkout, plan) == []
    assert engine.apply(checkout, plan) == []

    assert os.readlink(root / "to-app") == "app.py"
    assert os.readlink(root / "to-outside") == str(outside / "secret.txt")  # a link, made
    assert files_in(outside) == {"secret.txt": CANARY}  # ... never followed
    assert git(root, "status", "--porcelain") == ""


def test_a_tracked_symlink_is_retargeted_and_a_tracked_link_folder_becomes_a_folder(
        root: Path, outside: Path):
    (root / "real").mkdir()
    (root / "real/r.md").write_text("real\n")
    (root / "docs").symlink_to("real", target_is_directory=True)
    (root / "latest").symlink_to("app.py")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "links")
    tree = worktree.create(open_repository(root), "r1", "reviewloop/1", carry=False)
    path = Path(tree.path)
    (path / "docs").unlink()
    (path / "latest").unlink()
    (path / "latest").symlink_to("notes.txt")
    sha = commit_in(tree, {"docs/a.md": "a folder now\n"})
    checkout = open_repository(root)

    plan = engine.plan(checkout, sha, "work")
    assert engine.apply(checkout, plan) == []

    assert (root / "docs").is_dir() and not (root / "docs").is_symlink()
    assert (root / "docs/a.md").read_text() == "a folder now\n"
    assert files_in(root / "real") == {"r.md": "real\n"}  # the link's target untouched
    assert os.readlink(root / "latest") == "notes.txt"
    assert git(root, "status", "--porcelain") == ""


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_the_writer_itself_never_follows_a_parent_link(tmp_path: Path, outside: Path,
                                                       depth: int):
    """The second wall, without the check first: each folder is opened with O_NOFOLLOW."""
    tree = tmp_path / "tree"
    parents = "/".join(["d"] * (depth - 1))
    (tree / parents).mkdir(parents=True, exist_ok=True)
    (tree / parents / "link").symlink_to(outside, target_is_directory=True)
    rel = f"{parents}/link/pwned.txt".lstrip("/")

    with pytest.raises(SymlinkInPath, match="lies under"):
        nofollow.write_entry(tree, rel, b"pwned\n")
    with pytest.raises(SymlinkInPath):
        nofollow.write_entry(tree, rel.replace("pwned.txt", "secret.txt"), None)
    with pytest.raises(SymlinkInPath):
        nofollow.write_entry(tree, f"{rel.removesuffix('/pwned.txt')}/new/deep.txt", b"x")

    assert files_in(outside) == {"secret.txt": CANARY}


AGENT = """import pathlib, sys
sys.stdin.read()
pathlib.Path("feature_T2.py").write_text("VALUE = 2\\n")
pathlib.Path("tests/test_feature_T2.py").write_text(
    "from feature_T2 import VALUE\\n\\n\\ndef test_value():\\n    assert VALUE == 2\\n")
pathlib.Path("outlink").mkdir()
pathlib.Path("outlink/pwned.txt").write_text("pwned\\n")
"""


def test_the_whole_run_refuses_to_land_with_exit_2_then_lands_once_the_link_is_gone(
        tmp_path: Path, outside: Path):
    """Issue #22 as reproduced: your checkout has `outlink -> <outside>`, the run's worktree
    does not, the run writes outlink/pwned.txt."""
    example = make_example(tmp_path)
    git(example, "switch", "-qc", "work")
    (example / "outlink").symlink_to(outside, target_is_directory=True)
    agent = tmp_path / "agent.py"
    agent.write_text(AGENT)
    base = git(example, "rev-parse", "work").strip()
    with BedrockFake() as fake:
        reviews(fake, 1)
        refused_run = cli(example, "run", "T2", "--spec", SPEC, "--implementer",
                          f"cmd:{sys.executable} {agent}", "--model", MODEL, "--yes",
                          env=fake_env(fake))
        work = git(example, "rev-parse", "work").strip()
        assert files_in(outside) == {"secret.txt": CANARY}
        (example / "outlink").unlink()
        resumed = cli(example, "resume", "--yes", env=fake_env(fake))

    assert refused_run.returncode == ExitCode.USAGE, refused_run.stdout + refused_run.stderr
    said = refused_run.stdout + refused_run.stderr
    assert "outlink/pwned.txt lies under outlink, which is a symbolic link" in said
    assert "nothing was landed" in said
    assert work == base  # your branch did not move while the landing was refused
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert (example / "outlink/pwned.txt").read_text() == "pwned\n"  # a folder now
    assert files_in(outside) == {"secret.txt": CANARY}


def test_the_spec_tick_is_never_written_through_a_symlinked_spec(tmp_path: Path,
                                                                 outside: Path) -> None:
    """The commit step ticks the task in the run's worktree, which the model wrote: a spec
    folder it turned into a symlink must not carry that write outside."""

    spec = "# Spec\n\n## Tasks\n\n- [ ] 1. Add the thing\n"
    (outside / "todo-spec.md").write_text(spec)
    root = tmp_path / "run"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q",
        "--allow-empty", "-m", "base")
    git(root, "switch", "-q", "-c", "task-1")
    os.symlink(outside, root / "docs")  # the model's work: docs/ now leads outside
    write(root, "app.py", "VALUE = 1\n")
    repo = open_repository(root)
    # refused reading the spec (`spec.loader.confined`), else writing the tick (landing)
    with pytest.raises((SpecError, SymlinkInPath)) as refused:
        commit_change(repo, Workspace(root=root), root / "docs" / "todo-spec.md", (),
                      TouchedFiles(created=("app.py",)),
                      CommitFacts(run_id="r1", task_id="1", ledger=Ledger(), rounds=1,
                                  passed_tests=None))
    assert refused.value.exit_code == ExitCode.USAGE
    assert "docs" in str(refused.value)
    assert (outside / "todo-spec.md").read_text() == spec  # not ticked outside
