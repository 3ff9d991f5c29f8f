"""reviewloop.landing.engine on real repositories: landing touches only the landed files of
the user's checkout — also when repeated after a crash."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reviewloop.errors import BlockingOutcome
from reviewloop.git import worktrees as worktree
from reviewloop.git.repository import open_repository
from reviewloop.landing import engine
from tests.support.environment import IDENTITY
from tests.support.gitutil import git
from tests.support.repos import user_view, write
from tests.support.worktrees import commit_in


def land(root: Path, commit: str, **kw) -> engine.LandPlan:
    checkout = open_repository(root)
    plan = engine.plan(checkout, commit, "work", **kw)
    assert engine.blocking(checkout, plan) == []
    assert engine.apply(checkout, plan) == []
    return plan


def test_fast_forward_lands_only_the_commit_and_keeps_unrelated_edits_byte_identical(root: Path):
    tree = worktree.create(open_repository(root), "r1", "reviewloop/1", carry=False)
    write(root, "notes.txt", "unstaged\n")
    write(root, "staged.txt", "staged\n")
    git(root, "add", "staged.txt")
    before = user_view(root)
    sha = commit_in(tree, {"app.py": "x = 3\n", "feature.py": "f = 1\n"})

    plan = land(root, sha)

    assert plan.new == sha and plan.paths == ("app.py", "feature.py")
    assert git(root, "rev-parse", "HEAD").strip() == sha
    assert (root / "app.py").read_text() == "x = 3\n"
    assert (root / "feature.py").read_text() == "f = 1\n"
    assert user_view(root) == before


def test_a_moved_branch_gets_the_commit_replayed_and_the_tick_recomputed(root: Path):
    checkout = open_repository(root)
    first = worktree.create(checkout, "r1", "reviewloop/1", carry=False)
    second = worktree.create(checkout, "r2", "reviewloop/2", carry=False)
    one = commit_in(first, {"one.py": "1\n", "tasks.md": "- [x] 1. a\n- [ ] 2. b\n"}, "1: a")
    two = commit_in(second, {"two.py": "2\n", "tasks.md": "- [ ] 1. a\n- [x] 2. b\n"}, "2: b")
    land(root, one)

    def tick(text: bytes | None) -> bytes:
        return (text or b"").replace(b"- [ ] 2.", b"- [x] 2.")

    plan = land(root, two, rewrite={"tasks.md": tick})

    assert git(root, "log", "--format=%s").splitlines() == ["2: b", "1: a", "base"]
    assert git(root, "rev-parse", "HEAD^").strip() == one
    assert (root / "tasks.md").read_text() == "- [x] 1. a\n- [x] 2. b\n"
    assert plan.paths == ("tasks.md", "two.py")
    assert git(root, "status", "--porcelain") == ""


def test_conflicting_user_edits_refuse_the_landing_and_change_nothing(root: Path):
    tree = worktree.create(open_repository(root), "r1", "reviewloop/1", carry=False)
    sha = commit_in(tree, {"app.py": "x = 3\n"})
    write(root, "app.py", "x = 'mine'\n")
    checkout = open_repository(root)

    plan = engine.plan(checkout, sha, "work")

    assert engine.blocking(checkout, plan) == ["app.py"]
    git(root, "add", "app.py")
    write(root, "app.py", "x = 3\n")  # the file matches, but a different version is staged
    assert engine.blocking(checkout, plan) == ["app.py"]


def test_a_replay_that_conflicts_is_refused_with_the_files(root: Path):
    tree = worktree.create(open_repository(root), "r1", "reviewloop/1", carry=False)
    sha = commit_in(tree, {"app.py": "x = 3\n"})
    write(root, "app.py", "x = 4\n")
    git(root, "commit", "-qam", "user")

    with pytest.raises(BlockingOutcome, match=r"conflict with the run's in app\.py"):
        engine.plan(open_repository(root), sha, "work")


def test_applying_a_plan_again_after_an_interrupted_landing_repairs_the_checkout(root: Path):
    """The ref moved but the index and files did not (a kill in between): applying the same
    plan again brings the landed files up to date instead of leaving the reverse staged."""
    tree = worktree.create(open_repository(root), "r1", "reviewloop/1", carry=False)
    sha = commit_in(tree, {"app.py": "x = 3\n", "tasks.md": "- [x] 1. a\n- [ ] 2. b\n"})
    write(root, "notes.txt", "mine\n")
    checkout = open_repository(root)
    plan = engine.plan(checkout, sha, "work")
    git(root, "update-ref", "refs/heads/work", sha)  # only the first step happened
    assert "M  app.py" in git(root, "status", "--porcelain")  # the reverse, staged

    assert engine.apply(checkout, plan) == []
    assert engine.apply(checkout, plan) == []

    assert git(root, "status", "--porcelain") == " M notes.txt\n"
    assert (root / "app.py").read_text() == "x = 3\n"


def test_the_landing_engine_lives_in_landing_and_git_keeps_plain_operations() -> None:
    from reviewloop.git import worktrees

    engine_names = ("LandPlan", "plan", "apply", "blocking", "refuse_symlinks", "land_lock")
    assert all(hasattr(engine, name) for name in engine_names)
    assert [name for name in engine_names if hasattr(worktrees, name)] == []


def _chmod_x(root: Path) -> None:
    (root / "app.py").chmod(0o755)


def _chmod_back(root: Path) -> None:
    (root / "app.py").chmod(0o644)


def _edit(root: Path) -> None:
    write(root, "app.py", "x = 'mine'\n")


def _stage(root: Path) -> None:
    git(root, "add", "app.py")


USER_EDITS = {"chmod+x": _chmod_x, "chmod-back": _chmod_back, "edit": _edit, "stage": _stage}
EDIT_CASES = [(), ("chmod+x",), ("chmod+x", "stage"), ("chmod+x", "chmod-back"),
              ("chmod+x", "stage", "chmod-back"), ("edit",), ("edit", "chmod+x"),
              ("chmod+x", "edit", "stage")]


@pytest.mark.parametrize("edits", EDIT_CASES, ids=lambda e: "+".join(e) or "none")
def test_a_landed_file_blocks_exactly_when_git_status_shows_it_changed(root: Path,
                                                                       edits: tuple[str, ...]):
    """A mode-only edit (chmod +x) is the user's change too: landing would reset it."""
    tree = worktree.create(open_repository(root), "r1", "reviewloop/1", carry=False)
    sha = commit_in(tree, {"app.py": "x = 3\n"})
    for edit in edits:
        USER_EDITS[edit](root)
    checkout = open_repository(root)

    changed = git(root, "status", "--porcelain", "--", "app.py") != ""
    assert engine.blocking(checkout, engine.plan(checkout, sha, "work")) == \
        (["app.py"] if changed else [])


def test_a_replayed_commit_keeps_its_author_under_the_users_signature_and_date_settings(
        root: Path, tmp_path: Path):
    """A user who signs commits and reads logs with `log.showSignature` and a relative
    `log.date`: the replay reads the run commit's author as git wrote it, not the signature
    check printed before it (r17 f_fz2 D8), nor "2 seconds ago" as its date."""
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True,
                   capture_output=True)
    signers = tmp_path / "allowed"
    signers.write_text(f"{IDENTITY['GIT_AUTHOR_EMAIL']} {key.with_suffix('.pub').read_text()}")
    for option, value in (("gpg.format", "ssh"), ("user.signingkey", str(key)),
                          ("commit.gpgsign", "true"), ("gpg.ssh.allowedSignersFile",
                                                       str(signers)),
                          ("log.showSignature", "true"), ("log.date", "relative")):
        git(root, "config", option, value)
    checkout = open_repository(root)
    first = worktree.create(checkout, "r1", "reviewloop/1", carry=False)
    second = worktree.create(checkout, "r2", "reviewloop/2", carry=False)
    land(root, commit_in(first, {"one.py": "1\n"}, "1: a"))
    two = commit_in(second, {"two.py": "2\n"}, "2: b")

    plan = land(root, two)

    assert plan.new != two  # replayed onto the moved branch

    def author(commit: str) -> str:
        return next(line for line in git(root, "cat-file", "commit", commit).splitlines()
                    if line.startswith("author "))
    assert author(plan.new) == author(two)
    assert author(plan.new).startswith(f"author {IDENTITY['GIT_AUTHOR_NAME']} <")
