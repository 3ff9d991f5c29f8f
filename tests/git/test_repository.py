"""reviewloop.git.repository against real repositories in temp dirs: the user's work is never
disturbed."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from reviewloop.errors import BlockingOutcome, UserInputError
from reviewloop.git.command import GitCommand
from reviewloop.git.diff import FileStatus, parse_diff
from reviewloop.git.repository import (
    Repository,
    Snapshot,
    TouchedFiles,
    is_protected,
    open_repository,
    touched_since,
)
from reviewloop.git.sizes import MAX_FILE_BYTES
from reviewloop.state_dir import STATE_DIR
from tests.support.gitutil import git
from tests.support.processes import started
from tests.support.repos import (
    base_root,  # noqa: F401 - registers the base repository as `root`, over worktrees'
    init_repo,
    user_view,
    write,
)

# GIT_CONFIG_NOSYSTEM=1 as everywhere in the suite (tests/support/environment.isolate)
pytestmark = pytest.mark.usefixtures("no_global_git_config")


@pytest.fixture
def repo(root: Path) -> Repository:
    return open_repository(root)


# -- opening ----------------------------------------------------------------------------


def test_open_from_a_subdirectory_finds_the_root(root: Path) -> None:
    assert open_repository(root / "src").root == root


def test_open_outside_a_repository_says_how_to_fix_it(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(UserInputError) as caught:
        open_repository(tmp_path / "plain")
    assert f"not a git repository: {tmp_path / 'plain'}" in str(caught.value)
    assert "git init" in str(caught.value)


# -- snapshots and what the loop touched -------------------------------------------------


def test_touched_ignores_user_changes_the_loop_left_alone(root: Path, repo: Repository) -> None:
    write(root, "a.txt", "alpha edited by the user\n")  # user, untouched by the loop
    write(root, "b.txt", "bravo edited by the user\n")  # user, then the loop again
    write(root, "notes.md", "user's scratch file\n")  # user's untracked file
    (root / "d.txt").unlink()  # user's deletion
    git(root, "add", "a.txt")
    before = repo.snapshot()

    write(root, "b.txt", "bravo edited by the user\nand by the loop\n")
    write(root, "c.txt", "charlie by the loop\n")
    write(root, "src/new_module.py", "X = 1\n")
    (root / "e.txt").unlink()
    write(root, "a.txt", "alpha edited by the user\n")  # rewritten with the same content
    after = repo.snapshot(base=before.base)

    assert touched_since(before, after) == TouchedFiles(
        created=("src/new_module.py",), modified=("b.txt", "c.txt"), deleted=("e.txt",),
        had_user_changes=("b.txt",))


def test_loop_changes_to_the_users_untracked_files_are_flagged(
        root: Path, repo: Repository) -> None:
    write(root, "draft.txt", "user draft\n")
    write(root, "scratch.txt", "user scratch\n")
    (root / "d.txt").unlink()
    before = repo.snapshot()

    write(root, "draft.txt", "user draft, rewritten by the loop\n")
    (root / "scratch.txt").unlink()
    write(root, "d.txt", "delta recreated by the loop\n")
    touched = touched_since(before, repo.snapshot(base=before.base))

    assert touched.modified == ("draft.txt",)
    assert touched.deleted == ("scratch.txt",)
    assert touched.created == ("d.txt",)
    assert touched.had_user_changes == ("d.txt", "draft.txt", "scratch.txt")
    assert touched.paths == ("d.txt", "draft.txt", "scratch.txt")


def test_mode_change_is_a_touch(root: Path, repo: Repository) -> None:
    before = repo.snapshot()
    script = root / "src/app.py"
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    assert touched_since(before, repo.snapshot()).modified == ("src/app.py",)


def test_snapshot_records_dirty_files_only_and_skips_ignored_ones(
        root: Path, repo: Repository) -> None:
    write(root, ".gitignore", "*.log\n")
    git(root, "add", ".gitignore")
    git(root, "commit", "-q", "-m", "ignore logs")
    write(root, "run.log", "noise\n")
    write(root, "a.txt", "changed\n")
    write(root, "new.txt", "new\n")
    (root / "b.txt").unlink()

    snap = repo.snapshot()

    assert snap.head == git(root, "rev-parse", "HEAD").strip() == snap.base
    assert {p: c.status for p, c in snap.files.items()} == {
        "a.txt": "modified", "new.txt": "added", "b.txt": "deleted"}
    assert snap.files["a.txt"].blob == git(root, "hash-object", "a.txt").strip()
    assert snap.files["b.txt"].blob is None
    assert Snapshot.model_validate_json(snap.model_dump_json()) == snap


def test_a_snapshot_asks_git_what_head_is_once(root: Path, repo: Repository) -> None:
    """Its base and its head are both HEAD: one `rev-parse`, not one for each (#41)."""
    write(root, "a.txt", "changed\n")
    with started() as runs:
        snap = repo.snapshot()
    assert snap.head == snap.base == git(root, "rev-parse", "HEAD").strip()
    assert sum("rev-parse" in argv and "--verify" in argv for argv in runs) == 1


def test_nothing_written_since_a_snapshot_is_known_without_a_diff(
        root: Path, repo: Repository) -> None:
    """Its tree recorded again is the same tree: the change since is empty, and no `git diff`
    runs to say so (an offline review asks once, at triage; #41)."""
    write(root, "a.txt", "changed\n")
    before = repo.snapshot()
    with started() as runs:
        assert repo.diff_since(before) == ""
    assert not [argv for argv in runs if "diff" in argv]
    write(root, "a.txt", "changed again\n")
    assert "+changed again" in repo.diff_since(before)


def test_snapshots_stay_comparable_when_head_moves(root: Path, repo: Repository) -> None:
    write(root, "a.txt", "user work\n")
    before = repo.snapshot()
    git(root, "commit", "-q", "-am", "user commits their own work mid-run")
    write(root, "c.txt", "loop\n")

    after = repo.snapshot(base=before.base)

    assert after.head != before.head
    assert touched_since(before, after).paths == ("c.txt",)
    with pytest.raises(ValueError, match="different bases"):
        touched_since(before, repo.snapshot())


def test_snapshot_and_diff_leave_the_real_index_alone(root: Path, repo: Repository) -> None:
    write(root, "a.txt", "staged\n")
    git(root, "add", "a.txt")
    write(root, "a.txt", "staged then edited\n")
    write(root, "untracked.txt", "u\n")
    index = (root / ".git/index").read_bytes()
    view = user_view(root)

    repo.snapshot()
    repo.diff()

    assert (root / ".git/index").read_bytes() == index
    assert user_view(root) == view


def test_snapshot_in_a_repository_without_commits(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "empty")
    repo = open_repository(root)
    write(root, "first.txt", "hello\n")
    snap = repo.snapshot()
    assert (snap.head, snap.base) == (None, None)
    assert snap.files["first.txt"].status == "added"


# -- diffs ------------------------------------------------------------------------------


def test_diff_includes_untracked_files_and_parses(root: Path, repo: Repository) -> None:
    write(root, "src/app.py", "def main():\n    return 2\n")
    write(root, "src/fresh.py", "def helper():\n    return 3\n")
    (root / "e.txt").unlink()

    changes = parse_diff(repo.diff(), "git diff")

    assert changes.paths == ("e.txt", "src/app.py", "src/fresh.py")
    fresh = changes.file("src/fresh.py")
    assert fresh is not None and fresh.status == FileStatus.ADDED
    assert changes.changed_lines("src/fresh.py") == {1, 2}
    assert changes.changed_lines("src/app.py") == {2}
    assert changes.file("e.txt").status == FileStatus.DELETED  # type: ignore[union-attr]


def test_diff_limited_to_paths_and_against_another_base(root: Path, repo: Repository) -> None:
    first = repo.head_sha()
    write(root, "a.txt", "alpha 2\n")
    git(root, "commit", "-q", "-am", "second")
    write(root, "b.txt", "bravo 2\n")
    write(root, "x y.txt", "spaces\n")

    assert parse_diff(repo.diff(["b.txt", "x y.txt"])).paths == ("b.txt", "x y.txt")
    assert parse_diff(repo.diff(base=first or "")).paths == ("a.txt", "b.txt", "x y.txt")
    assert repo.diff(["c.txt"]) == ""


def test_diff_ignores_user_diff_settings(root: Path, repo: Repository) -> None:
    git(root, "config", "diff.noprefix", "true")
    git(root, "config", "color.ui", "always")
    git(root, "config", "diff.external", "false")
    write(root, "a.txt", "alpha ü\n")
    text = repo.diff()
    assert text.startswith("diff --git a/a.txt b/a.txt\n")
    assert "\x1b[" not in text
    assert parse_diff(text).file("a.txt").added[0].text == "alpha ü"  # type: ignore[union-attr]


def test_diff_since_shows_only_the_later_change(root: Path, repo: Repository) -> None:
    write(root, "a.txt", "alpha\nfirst round\n")
    write(root, "new.py", "one = 1\n")
    snap = repo.snapshot()
    write(root, "a.txt", "alpha\nfirst round\nsecond round\n")
    write(root, "fix.py", "two = 2\n")

    changes = parse_diff(repo.diff_since(snap), "fix diff")

    assert changes.paths == ("a.txt", "fix.py")
    a_txt = changes.file("a.txt")
    assert a_txt is not None and [(x.line, x.text) for x in a_txt.added] == [(3, "second round")]
    assert a_txt.removed == 0
    assert repo.diff_since(snap, ["new.py"]) == ""
    assert repo.diff_since(repo.snapshot()) == ""


def test_diff_refs_and_changed_files_use_the_merge_base(root: Path, repo: Repository) -> None:
    base = repo.head_sha() or ""
    git(root, "switch", "-q", "-c", "feature")
    write(root, "b.txt", "bravo on feature\n")
    git(root, "commit", "-q", "-am", "feature work")
    git(root, "switch", "-q", "main")
    write(root, "c.txt", "charlie on main\n")
    git(root, "commit", "-q", "-am", "main moves on")

    assert repo.changed_files("main", "feature") == ["b.txt"]
    assert repo.changed_files("main", "feature", merge_base=False) == ["b.txt", "c.txt"]
    assert parse_diff(repo.diff_refs("main", "feature")).paths == ("b.txt",)
    assert parse_diff(repo.diff_refs(base, "feature", ["c.txt"])).paths == ()
    with pytest.raises(UserInputError, match="unknown revision: nope"):
        repo.diff_refs("nope", "feature")


def test_is_ancestor_detects_a_rewritten_history(root: Path, repo: Repository) -> None:
    old = repo.head_sha() or ""
    write(root, "a.txt", "next\n")
    git(root, "commit", "-q", "-am", "next")
    new = repo.head_sha() or ""
    git(root, "commit", "-q", "--amend", "-m", "rewritten")
    assert repo.is_ancestor(old, new)
    assert not repo.is_ancestor(new, repo.head_sha() or "")
    with pytest.raises(UserInputError, match="unknown revision"):
        repo.is_ancestor("0" * 40, new)


# -- committing only the loop's files ---------------------------------------------------


def test_commit_paths_commits_only_those_paths(root: Path, repo: Repository) -> None:
    write(root, "a.txt", "alpha staged by the user\n")
    git(root, "add", "a.txt")  # staged user change
    write(root, "c.txt", "charlie staged\n")
    git(root, "add", "c.txt")
    write(root, "c.txt", "charlie staged, then edited\n")  # staged + unstaged
    write(root, "d.txt", "delta unstaged\n")  # unstaged user change
    write(root, "user-notes.txt", "mine\n")  # untracked user file
    untouched = ["a.txt", "c.txt", "d.txt", "user-notes.txt"]
    view = user_view(root)
    contents = {p: (root / p).read_bytes() for p in untouched}

    write(root, "b.txt", "bravo by the loop\n")
    write(root, "src/feature.py", "NEW = True\n")
    (root / "e.txt").unlink()
    sha = repo.commit_paths(["b.txt", "src/feature.py", "e.txt"], "task 3: add feature")

    assert sha == git(root, "rev-parse", "HEAD").strip()
    shown = git(root, "show", "--name-status", "--format=%s", sha).split("\n")
    assert shown[0] == "task 3: add feature"
    assert sorted(filter(None, shown[1:])) == ["A\tsrc/feature.py", "D\te.txt", "M\tb.txt"]
    assert user_view(root) == view
    assert {p: (root / p).read_bytes() for p in untouched} == contents
    assert git(root, "show", f"{sha}:b.txt") == "bravo by the loop\n"


def test_commit_paths_takes_the_working_tree_version_of_a_user_staged_file(
        root: Path, repo: Repository) -> None:
    write(root, "a.txt", "alpha staged by the user\n")
    git(root, "add", "a.txt")
    write(root, "a.txt", "alpha staged by the user\nplus the loop\n")
    sha = repo.commit_paths(["a.txt"], "loop")
    assert git(root, "show", f"{sha}:a.txt") == "alpha staged by the user\nplus the loop\n"
    assert user_view(root)["status"] == ""


def test_commit_paths_refuses_nothing(repo: Repository) -> None:
    with pytest.raises(ValueError, match="at least one path"):
        repo.commit_paths([], "empty")


def test_commit_paths_with_no_change_is_an_error(root: Path, repo: Repository) -> None:
    head = repo.head_sha()
    with pytest.raises(UserInputError, match="nothing to commit"):
        repo.commit_paths(["a.txt"], "noop")
    assert repo.head_sha() == head


def test_commit_paths_treats_paths_literally(root: Path, repo: Repository) -> None:
    write(root, "[ab].txt", "brackets\n")
    write(root, "x*.txt", "star\n")
    write(root, "xa.txt", "user file matching the glob\n")
    sha = repo.commit_paths(["[ab].txt", "x*.txt", str(root / "a.txt")], "literal")
    names = git(root, "show", "--name-only", "--format=", sha).split()
    assert sorted(names) == ["[ab].txt", "x*.txt"]  # a.txt has no change to commit
    assert "?? xa.txt" in user_view(root)["status"]
    with pytest.raises(ValueError, match="outside the repository"):
        repo.commit_paths(["../elsewhere.txt"], "escape")


def test_commit_paths_runs_no_hook_and_reports_a_failing_commit(root: Path,
                                                                repo: Repository) -> None:
    hook = root / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\ntouch hook-ran\nexit 1\n")
    hook.chmod(0o755)
    write(root, "a.txt", "user staged\n")
    git(root, "add", "a.txt")
    write(root, "b.txt", "loop \n")
    # git refuses the commit itself: signing is asked for and the signer fails
    git(root, "config", "commit.gpgSign", "true")
    git(root, "config", "gpg.program", "false")
    view, head = user_view(root), repo.head_sha()

    with pytest.raises(BlockingOutcome) as caught:
        repo.commit_paths(["b.txt"], "loop")

    assert "gpg failed to sign" in str(caught.value)
    assert repo.head_sha() == head
    assert user_view(root) == view
    git(root, "config", "commit.gpgSign", "false")
    sha = repo.commit_paths(["b.txt"], "loop")
    assert git(root, "show", "--name-only", "--format=", sha).split() == ["b.txt"]
    assert not (root / "hook-ran").exists()  # hooks run sandboxed, as a gate, never here


def test_stage_into_writes_head_plus_exactly_the_paths(root: Path, repo: Repository,
                                                        tmp_path: Path) -> None:
    write(root, "a.txt", "user staged\n")
    git(root, "add", "a.txt")
    write(root, "b.txt", "loop\n")
    (root / "c.txt").unlink()
    view = user_view(root)
    index = tmp_path / "index"

    repo.stage_into(index, ["b.txt", "c.txt"])

    names = subprocess.run(["git", "diff", "--cached", "--name-status"], cwd=root,
                           env={**os.environ, "GIT_INDEX_FILE": str(index)},
                           capture_output=True, text=True, check=True).stdout
    assert names == "M\tb.txt\nD\tc.txt\n"  # HEAD plus the two paths, not the user's a.txt
    assert user_view(root) == view  # the user's own index and files as they were


def test_commit_paths_in_a_repository_without_commits(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "empty")
    write(root, "keep-out.txt", "user\n")
    write(root, "spec.md", "# spec\n")
    repo = open_repository(root)
    sha = repo.commit_paths(["spec.md"], "first")
    assert git(root, "show", "--name-only", "--format=", sha).split() == ["spec.md"]
    assert user_view(root)["status"] == "?? keep-out.txt\n"


# -- branches ---------------------------------------------------------------------------


def test_current_branch_and_detached_head(root: Path, repo: Repository) -> None:
    assert repo.current_branch() == "main"
    git(root, "switch", "-q", "--detach", "HEAD")
    assert repo.current_branch() is None


@pytest.mark.parametrize(("branch", "protected", "expected"), [
    ("main", ["main", "master"], True),
    ("release/1.2", ["main", "release/*"], True),
    ("feature/release/x", ["release/*"], False),
    ("hotfix-7", ["hotfix-?"], True),
    ("Main", ["main"], False),
    ("task/3-login", [], False),
])
def test_is_protected_globs(branch: str, protected: list[str], expected: bool) -> None:
    assert is_protected(branch, protected) is expected


def test_default_branch_prefers_origin_head(tmp_path: Path) -> None:
    upstream = init_repo(tmp_path / "upstream", {"r.txt": "r\n"}, branch="trunk")
    git(tmp_path, "clone", "-q", str(upstream), "clone")
    clone = open_repository(tmp_path / "clone")
    git(tmp_path / "clone", "switch", "-q", "-c", "main")
    assert clone.default_branch() == "trunk"


def test_default_branch_from_config_then_main_then_master(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "r", {"r.txt": "r\n"}, branch="master")
    repo = open_repository(root)
    assert repo.default_branch() == "master"
    git(root, "branch", "main")
    assert repo.default_branch() == "main"
    git(root, "branch", "develop")
    git(root, "config", "init.defaultBranch", "develop")
    assert repo.default_branch() == "develop"
    git(root, "config", "init.defaultBranch", "nonexistent")
    assert repo.default_branch() == "main"


def test_create_branch_carries_uncommitted_work(root: Path, repo: Repository) -> None:
    write(root, "a.txt", "staged\n")
    git(root, "add", "a.txt")
    write(root, "b.txt", "unstaged\n")
    write(root, "new.txt", "untracked\n")
    view = user_view(root)

    repo.create_branch("reviewloop/task-3")

    assert repo.current_branch() == "reviewloop/task-3"
    assert user_view(root) == view
    assert (root / "new.txt").read_text() == "untracked\n"


def test_create_branch_refuses_an_existing_or_invalid_name(root: Path, repo: Repository) -> None:
    git(root, "branch", "taken")
    with pytest.raises(UserInputError) as caught:
        repo.create_branch("taken")
    assert "branch 'taken' already exists" in str(caught.value)
    assert "git switch taken" in str(caught.value)
    with pytest.raises(UserInputError, match="not a valid branch name"):
        repo.create_branch("bad..name")
    assert repo.current_branch() == "main"


def test_create_branch_on_an_unborn_branch(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "empty")
    write(root, "wip.txt", "wip\n")
    repo = open_repository(root)
    repo.create_branch("first")
    assert repo.current_branch() == "first"
    assert (root / "wip.txt").exists()


# -- ignores and cleanliness ------------------------------------------------------------


def test_ensure_ignored_uses_info_exclude_once(root: Path, repo: Repository) -> None:
    exclude = root / ".git/info/exclude"
    exclude.write_text("# existing\n*.tmp")  # no trailing newline

    assert repo.ensure_ignored(STATE_DIR) is True
    assert repo.ensure_ignored(STATE_DIR) is False

    assert exclude.read_text() == f"# existing\n*.tmp\n{STATE_DIR}\n"
    assert not (root / ".gitignore").exists()
    write(root, ".reviewloop/checkpoints.sqlite", "db")
    assert repo.working_tree_clean()
    assert repo.snapshot().files == {}


def test_ensure_ignored_respects_an_existing_gitignore(root: Path, repo: Repository) -> None:
    write(root, ".gitignore", ".reviewloop/\n")
    (root / STATE_DIR).mkdir()
    assert repo.ensure_ignored(STATE_DIR) is False
    assert ".reviewloop" not in (root / ".git/info/exclude").read_text()


STATE_KINDS = ("folder", "link to a folder")
EARLIER = ("", ".reviewloop/\n", ".reviewloop\n")  # what an older reviewloop left there


@pytest.mark.parametrize("earlier", EARLIER, ids=repr)
@pytest.mark.parametrize("kind", STATE_KINDS)
def test_the_state_folder_is_ignored_once_even_as_a_symlink(
        tmp_path: Path, kind: str, earlier: str) -> None:
    """A `.reviewloop/` line matches only a folder: a symlink to one (a file to git) was
    reviewed as a created file, and a line was added by every command."""
    root = tmp_path / "repo"
    init_repo(root, {"a.py": "x = 1\n"})
    if kind == "folder":
        (root / STATE_DIR).mkdir()
    else:
        (tmp_path / "elsewhere").mkdir()
        (root / STATE_DIR).symlink_to(tmp_path / "elsewhere")
    exclude = root / ".git/info/exclude"
    exclude.write_text(earlier)
    repo = open_repository(root)
    for _ in range(3):
        repo.ensure_ignored(STATE_DIR)
    lines = exclude.read_text().splitlines()
    assert lines.count(STATE_DIR) <= 1 and len(lines) <= len(earlier.splitlines()) + 1, lines
    write(root, "b.py", "y = 2\n")
    assert set(repo.snapshot().files) == {"b.py"}
    assert git(root, "status", "--porcelain").split() == ["??", "b.py"]


def test_working_tree_clean(root: Path, repo: Repository) -> None:
    assert repo.working_tree_clean()
    write(root, "untracked.txt", "u\n")
    assert not repo.working_tree_clean()
    assert repo.working_tree_clean(["a.txt", "src"])
    write(root, "src/app.py", "changed\n")
    assert not repo.working_tree_clean(["src"])


def test_commit_paths_sees_a_same_size_edit_made_right_after_a_commit(
        root: Path, repo: Repository) -> None:
    spec = root / "tasks.md"
    spec.write_text("- [ ] 1\n- [ ] 2\n")
    repo.commit_paths(["tasks.md"], "one")
    for n in (1, 2):  # same size, same tick: stat data alone cannot tell
        repo.working_tree_clean()  # `git status` records the file's stat data in the index
        spec.write_text(spec.read_text().replace(f"- [ ] {n}", f"- [x] {n}"))
        repo.commit_paths(["tasks.md"], f"tick {n}")
        assert repo.git("show", "HEAD:tasks.md").count("[x]") == n


def test_export_writes_a_file_over_the_size_limit_byte_for_byte(root: Path,
                                                                 repo: Repository) -> None:
    # over MAX_FILE_BYTES git writes the file itself: never held whole in this process
    big = b"".join(b"line %07d\r\n" % n for n in range(90_000))  # 1.17 MB, CRLF kept
    (root / "data.log").write_bytes(big)
    (root / "small.txt").write_text("hi\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "data")
    dest = root.parent / "export"

    written = repo.export_files("HEAD", ["."], dest)

    assert {"data.log", "small.txt"} <= set(written)
    assert len(big) > MAX_FILE_BYTES
    assert (dest / "data.log").read_bytes() == big
    assert (dest / "small.txt").read_text() == "hi\n"


def test_export_writes_many_files_from_one_batch_and_names_a_missing_blob(
        root: Path, repo: Repository) -> None:
    from reviewloop.errors import ReviewloopError
    from reviewloop.git.export import write_blobs

    files = {f"pkg/m{n % 7}/f{n}.py": f"VALUE = {n}\n" * (n % 5) for n in range(300)}
    files["pkg/same.py"] = files["pkg/m1/f1.py"]  # one blob under two names
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    git(root, "add", ".")
    git(root, "commit", "-qm", "many")
    dest = root.parent / "export"

    written = repo.export_files("HEAD", ["pkg"], dest)

    assert set(written) == set(files)
    assert all((dest / p).read_text() == text for p, text in files.items())
    # the missing blob first, then more ids than a pipe holds: git must not be left
    # blocked on its output with the writer blocked behind it
    real = git(root, "rev-parse", "HEAD:pkg/m1/f1.py").strip()
    listing = f"100644 blob {'0' * 40} 3\tghost.py\0" + "".join(
        f"100644 blob {real} 9\tcopy{n}.py\0" for n in range(5000))
    with pytest.raises(ReviewloopError, match="has no blob"):
        write_blobs(GitCommand(root), listing, root.parent / "ghost", ())


def test_the_diff_of_two_commits_is_computed_once_and_a_moved_ref_is_diffed_anew(
        root: Path, repo: Repository, monkeypatch: pytest.MonkeyPatch) -> None:
    trace = root.parent / "git-trace.txt"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    base = repo.head_sha() or ""
    git(root, "switch", "-q", "-c", "feature")
    write(root, "a.txt", "alpha 2\n")
    git(root, "commit", "-qam", "two")
    trace.write_text("")

    first = repo.diff_refs(base, "feature")
    again = open_repository(root).diff_refs(base, "feature")  # a review opens it anew

    assert first == again and "+alpha 2" in first
    assert trace.read_text().count("--src-prefix=a/") == 1
    write(root, "a.txt", "alpha 3\n")
    git(root, "commit", "-qam", "three")  # `feature` moved: another pair of commits
    assert "+alpha 3" in repo.diff_refs(base, "feature")

