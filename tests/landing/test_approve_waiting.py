"""`approve` and `reject` of a run that waited while things changed, through the real CLI
(offline: a command implementer, the analyzers review): edits in the run's worktree after
the review, a renumbered or deleted spec, a second run of a task already landed."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from tests.support.gitutil import git
from tests.support.loop_cli import cli
from tests.support.waiting_runs import (
    SPEC,
    TASKS,
    spec_text,
    start_waiting,
    waiting_repo,
    worktree,
)


def _record(root: Path, run_id: str) -> dict[str, str]:
    listed = json.loads(cli(root, "runs", "--json").stdout)
    runs = listed["runs"] if isinstance(listed, dict) else listed
    return next(r for r in runs if r["run_id"] == run_id)


def _rewrite(path: Path) -> None:
    path.write_text("import os\ndef greet(name):\n    os.system('rm -rf ' + name)\n")


def _chmod(path: Path) -> None:
    path.chmod(0o755)


def _delete(path: Path) -> None:
    path.unlink()


EDITS: list[tuple[str, Callable[[Path], None]]] = [
    ("app/greet.py", _rewrite), ("app/core.py", _chmod), ("app/greet.py", _delete),
    ("app/core.py", _rewrite)]


def test_files_of_the_run_edited_after_the_review_are_never_committed(tmp_path: Path):
    root = waiting_repo(tmp_path / "repo")
    run_id = start_waiting(root)
    tree = worktree(root, run_id)
    head = git(root, "rev-parse", "HEAD")
    for name, edit in EDITS:
        path = tree / name
        data, mode = path.read_bytes(), path.stat().st_mode
        edit(path)
        refused = cli(root, "approve", run_id)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert f"{name} changed in its worktree" in refused.stderr
        assert f"reviewloop reject {run_id}" in refused.stderr
        assert git(root, "rev-parse", "HEAD") == head
        assert _record(root, run_id)["status"] == "awaiting_approval"
        path.write_bytes(data)
        os.chmod(path, mode)
    left = (tree / "app/greet.py").read_text()
    (tree / "README.md").write_text("edited in the worktree\n")  # not the run's: left out
    (tree / "app/extra.py").write_text("x = 1\n")
    landed = cli(root, "approve", run_id)
    assert landed.returncode == 0, landed.stdout + landed.stderr
    assert git(root, "show", "HEAD:app/greet.py") == left
    assert sorted(git(root, "show", "--name-only", "--format=", "HEAD").split()) == \
        ["app/core.py", "app/greet.py", SPEC]


def test_a_renumbered_spec_gets_the_run_task_ticked(tmp_path: Path):
    root = waiting_repo(tmp_path / "repo")
    run_id = start_waiting(root)
    renumbered = ("T1 Set up database", *(f"T{n + 2} {t.split(' ', 1)[1]}"
                                          for n, t in enumerate(TASKS)))
    (root / SPEC).write_text(spec_text(renumbered))
    git(root, "commit", "-qam", "renumber")
    landed = cli(root, "approve", run_id)
    assert landed.returncode == 0, landed.stdout + landed.stderr
    assert (root / SPEC).read_text() == spec_text(renumbered, ticked=("T2",))


def test_a_second_run_of_a_task_landed_is_refused_and_can_be_declined(tmp_path: Path):
    root = waiting_repo(tmp_path / "repo")
    first, second = start_waiting(root), start_waiting(root)
    assert cli(root, "approve", first).returncode == 0
    head = git(root, "rev-parse", "HEAD")
    again = cli(root, "approve", second)
    assert again.returncode == 2, again.stdout + again.stderr
    assert f"task T1 is already done: run {first} landed it" in again.stderr
    assert git(root, "rev-parse", "HEAD") == head
    assert cli(root, "reject", second).returncode == 0
    assert _record(root, second)["status"] == "declined"


def test_a_task_reverted_since_it_landed_may_land_again(tmp_path: Path):
    """`git revert` of a landed task (its box unticked again): its next run is no second
    implementation of a task done (found by a review of the refusal above)."""
    root = waiting_repo(tmp_path / "repo")
    first = start_waiting(root)
    assert cli(root, "approve", first).returncode == 0
    git(root, "revert", "--no-edit", "HEAD")
    assert "- [ ] T1" in (root / SPEC).read_text()
    second = start_waiting(root)
    landed = cli(root, "approve", second)
    assert landed.returncode == 0, landed.stdout + landed.stderr
    assert "- [x] T1" in (root / SPEC).read_text()


def test_a_landing_refused_for_a_deleted_spec_says_so_and_can_be_declined(tmp_path: Path):
    root = waiting_repo(tmp_path / "repo")
    run_id = start_waiting(root)
    git(root, "rm", "-q", SPEC)
    git(root, "commit", "-qm", "drop the spec")
    head = git(root, "rev-parse", "HEAD")
    refused = cli(root, "approve", run_id)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert f"the spec {SPEC} is no longer on work" in refused.stderr
    assert "git merge reviewloop/feat/T1" in refused.stderr
    record = _record(root, run_id)
    assert record["status"] == "landing_refused" and "BlockingOutcome" not in record["detail"]
    declined = cli(root, "reject", run_id)
    assert declined.returncode == 0, declined.stdout + declined.stderr
    assert _record(root, run_id)["status"] == "declined"
    assert git(root, "rev-parse", "HEAD") == head


def test_a_run_file_ignored_while_waiting_is_committed_and_never_overwrites_yours(
        tmp_path: Path):
    root = waiting_repo(tmp_path / "repo")
    run_id = start_waiting(root)
    left = (worktree(root, run_id) / "app/greet.py").read_bytes()
    with (root / ".git/info/exclude").open("a") as exclude:  # shared with the run's worktree
        exclude.write("app/greet.py\n")
    (root / "app/greet.py").write_bytes(b"MY IGNORED LOCAL FILE\n")
    refused = cli(root, "approve", run_id)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "your checkout has edits to app/greet.py" in refused.stderr
    assert (root / "app/greet.py").read_bytes() == b"MY IGNORED LOCAL FILE\n"
    (root / "app/greet.py").unlink()
    landed = cli(root, "approve", run_id)
    assert landed.returncode == 0, landed.stdout + landed.stderr
    assert git(root, "show", "HEAD:app/greet.py").encode() == left
    assert (root / "app/greet.py").read_bytes() == left


def test_a_branch_checked_out_in_another_worktree_is_not_moved_under_it(tmp_path: Path):
    root = waiting_repo(tmp_path / "repo")
    run_id = start_waiting(root)
    before = git(root, "rev-parse", "work")
    git(root, "switch", "-q", "main")
    other = tmp_path / "other"
    git(root, "worktree", "add", "-q", str(other), "work")
    refused = cli(root, "approve", run_id)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert f"work is checked out in the worktree {other}" in refused.stderr
    assert git(root, "rev-parse", "work") == before
    assert git(other, "status", "--porcelain") == ""
    git(root, "worktree", "remove", str(other))
    landed = cli(root, "approve", run_id)
    assert landed.returncode == 0, landed.stdout + landed.stderr
    assert "Your checkout is on main, not work" in landed.stdout
    assert git(root, "log", "-1", "--format=%s", "work") == "T1: Add greet function\n"
    assert git(root, "status", "--porcelain") == ""


def test_a_deleted_base_branch_is_named_with_the_fix(tmp_path: Path):
    root = waiting_repo(tmp_path / "repo")
    run_id = start_waiting(root)
    base = git(root, "rev-parse", "work").strip()
    git(root, "switch", "-q", "main")
    git(root, "branch", "-qD", "work")
    refused = cli(root, "approve", run_id)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "branch work, where it started and lands, no longer exists" in refused.stderr
    assert f"git branch work {base[:12]}" in refused.stderr
    git(root, "branch", "work", base)
    landed = cli(root, "approve", run_id)
    assert landed.returncode == 0, landed.stdout + landed.stderr
    assert git(root, "log", "-1", "--format=%s", "work") == "T1: Add greet function\n"
