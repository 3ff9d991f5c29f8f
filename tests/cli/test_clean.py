"""`reviewloop clean` through the real command line, on real repositories: it removes the
worktree of a finished run of THIS checkout and nothing of the user's — not an unfinished
run's worktree after the checkout moved, not another checkout's runs (a linked checkout, the
original of a copy), not work the user added in a declined run's worktree.

The cases are a fixed product of variants (where the run's worktree is, the run's status,
what the user did in it, the command); the oracle is what plain git keeps: every file the
user wrote there and every commit they made stays readable after `clean`, and only a
finished run's untouched worktree goes (docs/commands.md)."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from reviewloop.app import runs
from reviewloop.config import Settings
from reviewloop.git import discarded
from reviewloop.git import worktrees as worktree
from reviewloop.git.repository import open_repository
from reviewloop.runs import left
from reviewloop.runs.registry import Registry
from tests.support.cli_main import run_cli
from tests.support.gitutil import git
from tests.support.repos import init_repo

PLACES = ("same", "moved", "sibling", "copy")
STATUSES = ("declined", "awaiting_approval", "failed")
WORK = ("none", "note", "commit", "commit_then_rm")
COMMANDS = ("clean", "clean --all", "clean RUN")
CASES = [c for c in itertools.product(PLACES, STATUSES, WORK, COMMANDS)
         if not (c[0] == "sibling" and c[3] == "clean RUN")]  # not a run of that store
RUN = "1-20260101-000000-abcd"


def _checkout(root: Path) -> Path:
    init_repo(root, {"app.py": "x = 1\n", ".gitignore": ".reviewloop/\n"})
    return root


def _run(where: Path, status: str) -> worktree.RunTree:
    """A run of `where`'s store whose worktree holds its change (greet.py, uncommitted),
    finished or stopped as `status`, as the runner leaves it."""
    tree = worktree.create(open_repository(where), RUN, "reviewloop/1", carry=False)
    (Path(tree.path) / "greet.py").write_text("def hi():\n    return 1\n")
    store = Registry(where)
    store.create(RUN, task_id="1", task_title="Add greeting", spec="s",
                 options={"worktree": tree.model_dump()})
    store.update(RUN, status=status)
    if status == "declined":
        left.record(where, RUN, tree)
    return tree


def _user_work(path: Path, work: str) -> list[str]:
    """What the user does in the run's worktree; the commits they made."""
    if work == "note":
        (path / "MY_NOTES.txt").write_text("mine\n")
    if work.startswith("commit"):
        (path / "salvage.py").write_text("salvaged = 1\n")
        git(path, "add", "salvage.py")
        git(path, "commit", "-qm", "salvage")
        if work == "commit_then_rm":
            (path / "salvage.py").unlink()  # the files look as the run left them
        return [git(path, "rev-parse", "HEAD").strip()]
    return []


def _files(folder: Path) -> dict[str, bytes]:
    """The worktree's files (`.git`, git's link to the checkout, is mended after a move)."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and p.name != ".git"}


def _place(tmp_path: Path, place: str, status: str,
           work: str) -> tuple[Path, Path, Path, list[str]]:
    """(where `clean` runs, the checkout holding the run, its worktree folder now, the
    commits the user made there before the checkout moved or was copied)."""
    if place == "sibling":
        main = _checkout(tmp_path / "M")
        git(main, "worktree", "add", "-q", str(tmp_path / "W"), "-b", "feat")
        other = tmp_path / "W"
        tree = _run(other, status)
        return main, other, Path(tree.path), _user_work(Path(tree.path), work)
    first = _checkout(tmp_path / "a")
    commits = _user_work(Path(_run(first, status).path), work)
    if place == "moved":
        shutil.move(first, tmp_path / "b")
        return (tmp_path / "b", tmp_path / "b", tmp_path / "b" / worktree.WORKTREES / RUN,
                commits)
    if place == "copy":
        shutil.copytree(first, tmp_path / "copy", symlinks=True)
        return tmp_path / "copy", first, first / worktree.WORKTREES / RUN, commits
    return first, first, first / worktree.WORKTREES / RUN, commits


@pytest.mark.parametrize(("place", "status", "work", "command"), CASES)
def test_clean_removes_only_a_finished_run_worktree_of_this_checkout_untouched_by_you(
        tmp_path, monkeypatch, capsys, place, status, work, command):
    here, owner, folder, commits = _place(tmp_path, place, status, work)
    files = _files(folder)
    monkeypatch.chdir(here)

    code, out, err = run_cli(capsys, *command.replace("RUN", RUN).split())

    assert code == 0, err
    for sha in commits:  # every commit the user made is still on a branch
        assert git(owner, "branch", "--contains", sha).strip(), (out, err)
    finished = status == "declined" or command != "clean"
    ours = place in ("same", "moved")
    untouched = work == "none" or work == "commit_then_rm"
    # an unfinished run keeps nothing that tells the user's files apart (its saved work is
    # the runner's): `clean RUN` / `--all` keep it and say so
    gone = ours and finished and untouched and status == "declined"
    assert folder.is_dir() != gone, (out, err)
    if not gone:
        assert _files(folder) == files
        if place == "moved":  # git's links still mend: resume finds the run's worktree
            git(here, "worktree", "repair", str(folder))
            assert git(folder, "branch", "--show-current").strip() == "reviewloop/1"
        if ours and finished:
            assert f"Kept {worktree.WORKTREES}/{RUN}" in " ".join(err.split()), err
    if place == "copy" and finished:
        assert f"Kept {folder}: it is not under this checkout's" in " ".join(err.split())
    if work == "commit_then_rm" and gone:
        assert "Kept branch reviewloop/1: 1 commit(s) on it are on no other branch" in \
            " ".join(err.split())


@pytest.mark.parametrize("other", ("sibling", "copy"))
def test_a_stray_worktree_goes_only_from_its_own_checkout(tmp_path, monkeypatch, capsys,
                                                          other):
    """A worktree no run registered (a crash right after `git worktree add`) is removed by
    `clean` in its own checkout, never by one in another checkout of the repository."""
    main = _checkout(tmp_path / "M")
    if other == "sibling":
        git(main, "worktree", "add", "-q", str(tmp_path / "W"), "-b", "feat")
        theirs, ours = tmp_path / "W", main
    else:
        theirs, ours = main, tmp_path / "copy"
    stray = worktree.create(open_repository(theirs), RUN, "reviewloop/1", carry=False)
    if other == "copy":
        shutil.copytree(main, ours, symlinks=True)
    monkeypatch.chdir(ours)

    assert run_cli(capsys, "clean")[0] == 0
    assert Path(stray.path).is_dir()

    monkeypatch.chdir(theirs)
    code, out, _ = run_cli(capsys, "clean")
    assert code == 0 and not Path(stray.path).exists()
    assert f"Removed {worktree.WORKTREES}/{RUN}." in " ".join(out.split())


@pytest.mark.parametrize(("place", "status"),
                         list(itertools.product(("same", "moved", "copy"), STATUSES)))
def test_runs_shows_a_worktree_in_use_or_kept_only_when_git_links_it_here(
        tmp_path, place, status):
    """`runs` in a `cp -a` copy said the original's worktree was "in use" (or "kept", which
    this checkout's `clean` then left alone), and nothing of a finished run's worktree moved
    with the checkout (which `clean` removes). The rows are `runs --json`'s. The oracle is
    plain git: the folder is this checkout's when `git rev-parse --git-common-dir` there is
    this repository's."""
    here, _, folder, _ = _place(tmp_path, place, status, "none")

    (row,) = runs.rows(Settings(), here)  # what `runs --json` prints
    state = row["worktree"]["state"]
    if place == "moved":  # git's links break with a move (git reads no repository there):
        assert state == "moved" and row["worktree"]["path"] == f"{worktree.WORKTREES}/{RUN}"
        return  # `resume` mends them
    common = Path(folder, git(folder, "rev-parse", "--git-common-dir").strip()).resolve()
    if common == Path(here, ".git").resolve():
        assert state == ("kept" if status == "declined" else "in use")
    else:
        assert state == "elsewhere" and row["worktree"]["path"] == str(folder), row


WAITING = ("landing_refused", "failed", "running", "awaiting_approval", "committed")


def _committed_run(root: Path, status: str) -> str:
    """A run whose branch holds its commit, as the runner leaves it stopped as `status`:
    approved and its landing refused, failed after the commit, crashed (still `running`, no
    process) before the registry heard of the commit, a commit of the implementer's while it
    waits, or landed (`committed`: the commit is on the branch the run started from)."""
    tree = worktree.create(open_repository(root), RUN, "reviewloop/1", carry=False)
    (Path(tree.path) / "greet.py").write_text("def hi():\n    return 1\n")
    git(Path(tree.path), "add", "greet.py")
    git(Path(tree.path), "commit", "-qm", "1: Add greeting")
    sha = git(Path(tree.path), "rev-parse", "HEAD").strip()
    store = Registry(root)
    store.create(RUN, task_id="1", task_title="Add greeting", spec="s",
                 options={"worktree": tree.model_dump()})
    recorded = status in ("landing_refused", "failed", "committed")
    store.update(RUN, status=status, commit_sha=sha if recorded else None)
    if status == "committed":
        git(root, "merge", "-q", "--ff-only", "reviewloop/1")
    left.record(root, RUN, tree)
    return sha


@pytest.mark.parametrize(("status", "command"), list(itertools.product(
    WAITING, ("clean RUN", "clean --all", "clean", "clean --force RUN"))))
def test_a_run_whose_commit_did_not_land_keeps_its_worktree_branch_and_status(
        tmp_path, monkeypatch, capsys, status, command):
    root = _checkout(tmp_path / "a")
    sha = _committed_run(root, status)
    folder = root / worktree.WORKTREES / RUN
    monkeypatch.chdir(root)

    code, out, err = run_cli(capsys, *command.replace("RUN", RUN).split())

    assert code == 0, err
    chosen = command != "clean" or status == "committed"
    if not chosen:
        assert folder.is_dir()
        return
    on_a_branch = bool(git(root, "branch", "--contains", sha).strip())
    if "--force" in command or status == "committed":  # nothing lost, or asked to lose it
        assert not folder.is_dir(), err
        assert on_a_branch == (status == "committed"), err
        return
    # the plain-git oracle: the commit stays on a branch; the run is left as it stood, so
    # `approve` (or `resume`) still finds its worktree
    assert on_a_branch, (out, err)
    assert folder.is_dir(), (out, err)
    assert [r.status for r in runs.records(Settings(), root)] == [status]
    said = " ".join(err.split())
    assert f"Kept {worktree.WORKTREES}/{RUN} and branch reviewloop/1:" in said, said
    if status in ("landing_refused", "failed"):
        assert f"`reviewloop approve {RUN}` lands it" in said, said


@pytest.mark.parametrize("command", ("clean", "clean RUN", "clean --force RUN", "clean --force"))
def test_what_resume_discarded_is_kept_and_named_until_clean_force(
        tmp_path, monkeypatch, capsys, command):
    """The refs keeping what `resume` discarded from a run's worktree (git.discarded) may hold
    an edit of yours: `clean` names them with the way back, `clean --force` removes them."""
    root = _checkout(tmp_path / "a")
    tree = _run(root, "declined")
    repo = open_repository(root)
    kept = [discarded.keep(repo, RUN, open_repository(tree.path).worktree_tree(), None, "fix")
            for _ in range(2)]
    monkeypatch.chdir(root)

    code, out, err = run_cli(capsys, *command.replace("RUN", RUN).split())

    assert code == 0, err
    said = " ".join((out + err).split())
    if "--force" in command:
        assert discarded.kept(repo, RUN) == []
        assert f"{kept[0]}, {kept[1]}" in said, said
        return
    assert discarded.kept(repo, RUN) == kept
    assert git(root, "show", f"{kept[1]}:greet.py") == "def hi():\n    return 1\n"
    assert (f"Kept {kept[0]}, {kept[1]}: what `reviewloop resume` discarded from run {RUN}'s "
            f"worktree (`git restore --source={kept[1]} -- PATH` brings a file back, in any "
            f"checkout of this repository; `git restore --source={kept[1]}^2 --staged -- PATH` "
            f"its staged version); `reviewloop clean --force {RUN}` removes it") \
        in said, said
