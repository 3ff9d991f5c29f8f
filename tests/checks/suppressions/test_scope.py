"""Which change is untrusted: a pull request's base..head, or what a run wrote since it
started (from the user's tree a manual run carried in); real repositories."""

from __future__ import annotations

from pathlib import Path

from reviewloop.checks.suppressions.scope import pr_trust, run_trust, suppressions_for
from reviewloop.git.repository import open_repository
from tests.support.gitutil import git
from tests.support.repos import write_files
from tests.support.suppression_trust import SHELL, pr_repo


def test_a_pull_request_distrusts_its_own_lines_and_reads_the_base(tmp_path: Path) -> None:
    root = pr_repo(tmp_path / "repo", {"app.py": "a = 1\n"}, {"app.py": "a = 1\nb = 2\n"})
    repo = open_repository(root)

    trust = pr_trust(repo, "main", "feature")

    assert dict(trust.added) == {"app.py": frozenset({2})}
    assert trust.base == "main" and trust.head == "feature"


def test_a_run_distrusts_only_what_was_written_after_it_started(tmp_path: Path) -> None:
    root = pr_repo(tmp_path / "repo", {"app.py": "a = 1\n"})
    repo = open_repository(root)
    write_files(root, {"mine.py": "x = 1  # nosec\n"})  # the user's, before the run
    started = repo.snapshot()
    write_files(root, {"app.py": "a = 1\nb = 2  # nosec\n"})  # the run's model

    trust = run_trust(repo, started)

    assert dict(trust.added) == {"app.py": frozenset({2})}
    assert trust.line("mine.py", 1) and trust.base == started.tree
    found = suppressions_for(repo, root, trust)
    assert [(f.file, f.start_line) for f in found.added] == [("app.py", 2)]


def test_a_manual_run_trusts_the_tree_it_carried_in(tmp_path: Path) -> None:
    """A manual run's baseline is HEAD (your whole change is reviewed); your change itself
    is still yours: the carried tree is the trusted side."""
    root = pr_repo(tmp_path / "repo", {"app.py": "a = 1\n"})
    repo = open_repository(root)
    head = repo.head_snapshot()
    write_files(root, {"tool.py": SHELL.format("  # nosec B602")})
    carried = repo.worktree_tree()
    write_files(root, {"fix.py": "y = 2  # noqa\n"})  # the fixer's, after the run started

    trust = run_trust(repo, head, carried)

    assert dict(trust.added) == {"fix.py": frozenset({1})}
    assert trust.line("tool.py", 5)
    assert git(root, "cat-file", "-t", trust.base or "").strip() == "tree"
