"""A working tree's change read from the review's baseline snapshot (`DiffSource.read`): the
same diff as a fresh record gives, and git is not asked again what HEAD is (#41); a review of
two commits asks git for each of its refs once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git.repository import open_repository
from reviewloop.runs.review import DiffSource
from reviewloop.runs.source import empty_range
from tests.support.cli_main import run_cli
from tests.support.gitutil import git
from tests.support.processes import started
from tests.support.repos import feature_branch, init_repo, write


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return init_repo(tmp_path / "r", {"a.py": "x = 1\n", "b.py": "y = 2\n"})


def asked_for_commits(runs: list[list[str]]) -> int:
    return sum("rev-parse" in argv and "--verify" in argv for argv in runs)


def test_the_baselines_head_is_the_diffs_base(root: Path) -> None:
    write(root, "a.py", "x = 10\n")
    write(root, "new.py", "z = 3\n")
    repo = open_repository(root)
    baseline = repo.snapshot()
    with started() as runs:
        text = DiffSource().read(repo, baseline)
    assert asked_for_commits(runs) == 0
    assert text == DiffSource().read(open_repository(root))
    assert "+x = 10" in text and "+z = 3" in text


def test_a_named_base_is_still_the_named_one(root: Path) -> None:
    first = git(root, "rev-parse", "HEAD").strip()
    write(root, "b.py", "y = 20\n")
    git(root, "commit", "-qam", "second")
    write(root, "a.py", "x = 10\n")
    repo = open_repository(root)
    text = DiffSource(base=first).read(repo, repo.snapshot())
    assert "+y = 20" in text and "+x = 10" in text
    assert text == DiffSource(base=first).read(open_repository(root))


def test_an_unborn_head_diffs_against_nothing(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root, "a.py", "x = 1\n")
    repo = open_repository(root)
    text = DiffSource().read(repo, repo.snapshot())
    assert "+x = 1" in text


def test_a_review_of_two_commits_asks_git_for_each_ref_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The configuration's export, the diff, the head's size, export and listing all read
    `main` and `feature`: each resolved once (#41: six `rev-parse`s of the same two refs),
    and the messages still name the refs as the user wrote them."""
    root = feature_branch(tmp_path / "repo", {"app.py": b"import os\n\n\nx = os.sep\n"})
    monkeypatch.chdir(root)
    with started() as runs:
        code, out, err = run_cli(capsys, "review", "--base", "main", "--head", "feature",
                                 "--fail-on", "never", "--format", "markdown")
    assert code == 0, err
    asked = [argv[-1] for argv in runs if "rev-parse" in argv and "--verify" in argv]
    assert asked.count("main^{commit}") == 1
    assert asked.count("feature^{commit}") == 1
    assert "main...feature" in out


def test_an_unknown_ref_of_a_two_commit_review_is_named_as_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    root = feature_branch(tmp_path / "repo", {"app.py": b"x = 1\n"})
    monkeypatch.chdir(root)
    code, _, err = run_cli(capsys, "review", "--base", "main", "--head", "nosuch")
    assert code == 2
    assert "unknown revision: nosuch" in err


def test_a_review_of_two_commits_records_nothing_of_the_working_tree(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Its files are the head's export: the working tree (edited, with untracked files) is
    not recorded as a tree (#41: six git processes), and what it holds changes nothing."""
    root = feature_branch(tmp_path / "repo", {"app.py": b"import os\n\n\nx = os.sep\n"})
    monkeypatch.chdir(root)
    review = ("review", "--base", "main", "--head", "feature", "--fail-on", "never",
              "--format", "ruff")
    code, clean, err = run_cli(capsys, *review)
    assert code == 0, err
    write(root, "app.py", "x = 1\n")
    write(root, "untracked.py", "import sys\n")
    with started() as runs:
        code, dirty, err = run_cli(capsys, *review)
    assert code == 0, err
    assert dirty == clean and "app.py:1" in clean
    assert not [argv for argv in runs if "write-tree" in argv or "ls-files" in argv]


def test_the_not_read_list_is_the_snapshots_own(
        root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The 'not read' list is the review's last snapshot's own (it staged the tracked files
    and listed the rest already): no `git add --update` (~30 ms of git at 5,000 files) but
    a snapshot's, each followed by its `write-tree`."""
    write(root, "a.py", "x = 10\n")
    write(root, "build/out.py", "y = 1\n")
    monkeypatch.chdir(root)
    with started() as runs:
        code, out, err = run_cli(capsys, "review", "--fail-on", "never", "--format", "markdown")
    assert code == 0, err
    staged = sum("add" in argv and "--update" in argv for argv in runs)
    assert staged == sum("write-tree" in argv for argv in runs) >= 1
    assert "build/: build output, untracked, left out of the review" in out


HISTORY = 4  # commits on main, c0 … c3


@pytest.fixture(scope="module")
def line(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A repository whose main has HISTORY commits; their ids, oldest first."""
    root = init_repo(tmp_path_factory.mktemp("line") / "r", {"a.py": "x = 0\n"})
    for n in range(1, HISTORY):
        write(root, "a.py", f"x = {n}\n")
        git(root, "commit", "-qam", f"c{n}")
    ids = git(root, "rev-list", "--reverse", "HEAD").split()
    return root, ids


def _spelling(ids: list[str], index: int, how: str) -> str:
    back = len(ids) - 1 - index
    return {"id": ids[index], "short": ids[index][:10], "relative": f"HEAD~{back}",
            "branch": "main" if back == 0 else f"main~{back}"}[how]


SPELLINGS = st.sampled_from(["id", "short", "relative", "branch"])


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), head_how=SPELLINGS, base_how=SPELLINGS, merge_base=st.booleans(),
       default_base=st.booleans())
def test_a_range_without_commits_of_its_own_says_between_what_and_the_fix(
        line: tuple[Path, list[str]], data: st.DataObject, head_how: str, base_how: str,
        merge_base: bool, default_base: bool) -> None:
    """A head equal to its base, or already in it, under any spelling: the message names both
    as given, whether they are one commit, and how to review what was meant."""
    root, ids = line
    base_at = len(ids) - 1 if default_base else data.draw(st.integers(0, len(ids) - 1))
    head_at = data.draw(st.integers(0, base_at))
    head = _spelling(ids, head_at, head_how)
    base = None if default_base else _spelling(ids, base_at, base_how)
    message = empty_range(open_repository(root),
                          DiffSource(base=base, head=head, merge_base=merge_base))
    assert message is not None
    shown_base = "main" if base is None else base[:12] if base_how == "id" else base
    shown_head = head[:12] if head_how == "id" else head
    first, fix = message.split("\n")
    assert first.startswith(f"nothing to review between {shown_base} and {shown_head}: ")
    assert first.endswith(f"both are commit {ids[head_at][:12]}" if head_at == base_at
                          else f"every commit of {shown_head} is already in {shown_base}")
    last = (f"or pass --base {shown_head}~1 to review its last commit" if head_at > 0 else
            f"{shown_head} is a root commit: it has no parent to be reviewed against")
    assert fix == (f"  fix: --head reviews the commits {shown_head} adds to --base (by default "
                   f"the default branch, main): drop --head to review your uncommitted change, "
                   f"{last}")


def test_other_sources_keep_their_own_message(line: tuple[Path, list[str]]) -> None:
    root, ids = line
    repo = open_repository(root)
    for source in (DiffSource(), DiffSource(staged=True), DiffSource(base=ids[0]),
                   DiffSource(head="HEAD", paths=("src",))):
        assert empty_range(repo, source) is None


def test_review_head_on_the_default_branch_names_the_range(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """`review --head HEAD` on main with an uncommitted change: not "no change in the working
    tree", which has one, but main...HEAD named, and the fix."""
    root = init_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    write(root, "a.py", "x = 2\n")
    monkeypatch.chdir(root)
    code, out, err = run_cli(capsys, "review", "--head", "HEAD")
    assert code == 0, err
    assert "nothing to review between main and HEAD: both are commit " in out
    said = " ".join(out.split())  # as the terminal wrapped it
    assert "HEAD is a root commit: it has no parent to be reviewed against" in said
    code, out, _ = run_cli(capsys, "review", "--head", "HEAD", "--format", "json")
    title = json.loads(out)["task"]["title"]
    assert code == 0 and title.startswith("nothing to review between main and HEAD: ")
    assert "\n" not in title and "fix:" not in title
    assert "drop --head to review your uncommitted change" in said
    assert "working tree" not in said


@pytest.fixture(scope="module")
def staged_line(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """main with HISTORY commits, each adding a file `fN.py`, and one more file staged."""
    root = init_repo(tmp_path_factory.mktemp("staged") / "r", {"f0.py": "x = 0\n"})
    for n in range(1, HISTORY):
        write(root, f"f{n}.py", f"x = {n}\n")
        git(root, "add", f"f{n}.py")
        git(root, "commit", "-qm", f"c{n}")
    write(root, "staged.py", "y = 1\n")
    git(root, "add", "staged.py")
    return root, git(root, "rev-list", "--reverse", "HEAD").split()


@settings(max_examples=20, deadline=None)
@given(at=st.integers(0, HISTORY - 1), how=SPELLINGS)
def test_the_index_is_read_against_the_named_base(
        staged_line: tuple[Path, list[str]], at: int, how: str) -> None:
    """`--staged --base REF` is `git diff --cached REF` (f4/D2: the base was dropped and the
    index read against HEAD), under any spelling of REF; its title names the base."""
    root, ids = staged_line
    base = _spelling(ids, at, how)
    source = DiffSource(base=base, staged=True)
    text = source.read(open_repository(root))
    named = {line.removeprefix("+++ b/") for line in text.splitlines()
             if line.startswith("+++ b/")}
    assert named == set(git(root, "diff", "--cached", "--name-only", base).split())
    assert named == {"staged.py", *(f"f{n}.py" for n in range(at + 1, HISTORY))}
    assert source.describe() == f"staged changes against {base[:12] if how == 'id' else base}"
    assert DiffSource(staged=True).describe() == "staged changes"


def test_review_staged_with_a_base_reads_the_branchs_commits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A branch's committed `shell=True` is in `review --staged --base main`'s change and
    verdict; a base that does not exist is exit 2, named as written."""
    root = feature_branch(tmp_path / "repo", {"committed.py": (
        b"import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n")})
    write(root, "staged.py", "VALUE = 1\n")
    git(root, "add", "staged.py")
    monkeypatch.chdir(root)
    code, out, err = run_cli(capsys, "review", "--staged", "--base", "main", "--json")
    report = json.loads(out)
    assert code == 1, err
    assert {f["path"] for f in report["health"]["files"]} >= {"committed.py", "staged.py"}
    assert ("B602", "committed.py") in {(f["rule"], f["file"])
                                        for f in report["findings"]["remaining"]}
    assert report["task"]["title"].endswith("staged changes against main")
    code, _, err = run_cli(capsys, "review", "--staged", "--base", "nosuch")
    assert code == 2
    assert "unknown revision: nosuch" in err
