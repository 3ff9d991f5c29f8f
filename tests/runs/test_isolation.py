"""Issue 11 at the graph level: each run in its own worktree, failed fixes discarded, an
honest summary, declined work kept apart, and a landing interrupted half-way repaired."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.errors import ReviewloopError
from reviewloop.git import worktrees as worktree
from reviewloop.runs.runner import LoopRunner
from tests.support.chat import ScriptedChatModel, tool_call
from tests.support.gitutil import git
from tests.support.runner import (
    FIXER,
    IMPLEMENTER,
    clean_round,
    ran,
    review,
    round_one,
    runner,
    spec_file,
    start,
)

GREEN = "def add(a, b):\n    return a + b\n"
MUST_FIX = {"severity": "must_fix", "file": "calc.py", "start_line": 1, "end_line": 2,
            "title": "add has no docstring", "rationale": "public API", "confidence": 0.9}


def implemented(model: ScriptedChatModel, *extra) -> None:
    model.script(IMPLEMENTER, [tool_call("write_file", {"path": "calc.py", "content": GREEN}),
                               "wrote calc.py", *extra])


def one_finding_round(model: ScriptedChatModel, *later) -> None:
    round_one(model, {"review-maintainability": [MUST_FIX]})
    if later:  # round 2: the re-reviewers in one call
        model.script("agents: ", list(later))


def user_edits(root: Path) -> dict[str, str]:
    """Staged, unstaged and untracked edits of the user's, unrelated to the task."""
    (root / "tests/test_calc.py").write_text((root / "tests/test_calc.py").read_text()
                                             + "# staged note\n")
    git(root, "add", "tests/test_calc.py")
    (root / "scratch.txt").write_text("untracked\n")
    return {"status": git(root, "status", "--porcelain", "--untracked-files=all"),
            "staged": git(root, "diff", "--cached"), "unstaged": git(root, "diff")}


def test_staged_unstaged_and_untracked_edits_are_byte_identical_after_a_run(project: Path):
    before = user_edits(project)
    model = ScriptedChatModel()
    implemented(model)
    clean_round(model)
    run = runner(project, model)

    result = start(run, project)

    assert Path(result.tree.path).is_relative_to(project / ".reviewloop/worktrees")
    assert not (project / "calc.py").exists()  # nothing in your checkout before approval
    final = run.resume(result.run_id, "approve")
    assert final.status == "committed"
    committed = git(project, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(committed) == [".kiro/specs/calc/tasks.md", "calc.py"]
    assert (project / "calc.py").read_text() == GREEN
    status = git(project, "status", "--porcelain", "--untracked-files=all")
    assert status == before["status"]
    assert git(project, "diff", "--cached") == before["staged"]
    assert git(project, "diff") == before["unstaged"]
    assert not Path(result.tree.path).exists()  # landed: the worktree is gone
    assert git(project, "branch", "--list", "reviewloop/*") == ""


def test_a_fix_that_keeps_breaking_the_tests_is_discarded_and_escalated(project: Path):
    model = ScriptedChatModel()
    implemented(model)
    one_finding_round(model)
    broken = tool_call("write_file", {"path": "calc.py", "content":
                                      'def add(a, b):\n    """Sum."""\n    return a * b\n'})
    model.script(FIXER, [broken, "documented", broken, "again", broken, "once more"])
    run = runner(project, model)

    result = start(run, project)

    summary = result.summary
    assert model.remaining() == 0
    assert (Path(result.tree.path) / "calc.py").read_text() == GREEN  # the attempt is gone
    assert [(name, ok) for name, ok, _ in summary.gates if name == "test"] == [("test", True)]
    assert summary.passed_tests == 1 and summary.rounds == 1
    reason = next(e for e in result.escalations if "discarded" in e)
    assert "still failed after 3 fix attempt(s)" in reason
    assert "assert 6 == 5" in reason  # the failing output, for the human
    assert [f.title for f in ran(result).findings_remaining] == [MUST_FIX["title"]]

    assert run.resume(result.run_id, "approve").status == "committed"
    assert git(project, "show", "HEAD:calc.py") == GREEN  # approve never commits the failure


def test_the_summary_shows_the_gates_rerun_after_the_fix_and_line_counts(project: Path):
    model = ScriptedChatModel()
    implemented(model)
    one_finding_round(model, review())
    model.script(FIXER, [
        tool_call("write_file", {"path": "calc.py", "content":
                                 'def add(a, b):\n    """Sum."""\n    return a + b\n'}),
        tool_call("write_file", {"path": "tests/test_more.py", "content":
                                 "from calc import add\n\n\ndef test_zero():\n"
                                 "    assert add(0, 0) == 0\n"}),
        "documented and tested"])
    run = runner(project, model)

    result = start(run, project)
    summary = result.summary

    assert summary.rounds == 2 and summary.passed_tests == 2
    test_gate = next(text for name, _, text in summary.gates if name == "test")
    assert "2 passed" in test_gate
    assert summary.line_counts == {"calc.py": (3, 0), "tests/test_more.py": (5, 0)}
    assert [(f.title, f.agent) for f in ran(result).findings_fixed] == [
        (MUST_FIX["title"], "review-maintainability")]


def test_a_declined_run_keeps_its_worktree_and_the_next_run_starts_clean(project: Path):
    model = ScriptedChatModel()
    implemented(model)
    clean_round(model)
    run = runner(project, model)
    declined = run.resume(start(run, project).run_id, "reject")

    kept = Path(declined.tree.path)
    assert declined.status == "declined" and (kept / "calc.py").read_text() == GREEN
    assert not (project / "calc.py").exists()
    listed = worktree.listed(worktree.open_repository(project))
    assert listed == {str(kept): declined.tree.branch}

    again = start(runner(project, ScriptedChatModel()), project, "manual")
    assert again.tree.branch == "reviewloop/calc/1-2"
    assert not (Path(again.tree.path) / "calc.py").exists()  # nothing of the declined run


def test_a_landing_interrupted_after_the_branch_moved_is_repaired_by_resume(project: Path):
    (project / "calc.py").write_text(GREEN)  # a manual change, carried into the run
    model = ScriptedChatModel()
    clean_round(model)
    result = start(runner(project, model), project, "manual")
    lock = project / ".git" / "index.lock"
    lock.touch()  # left by a crashed git: the branch moves, the index cannot follow

    with pytest.raises(ReviewloopError, match=r"index\.lock"):
        runner(project, model).resume(result.run_id, "approve")
    # your manual change (calc.py, notes.txt) is committed, the branch moved, the index not:
    assert git(project, "diff", "--cached", "--name-only").split() == [
        ".kiro/specs/calc/tasks.md", "calc.py", "notes.txt"]  # the reverse, staged
    lock.unlink()  # as git says to

    final = runner(project, model).resume(result.run_id)

    assert final.status == "committed"
    assert git(project, "log", "--format=%s").splitlines() == ["1: Add the calculator", "start"]
    assert git(project, "status", "--porcelain") == ""
    assert "- [x] 1. Add the calculator" in spec_file(project).read_text()


def test_a_deleted_worktree_is_rebuilt_from_the_run_store_and_the_run_lands(project: Path):
    import shutil

    (project / "calc.py").write_text(GREEN)
    model = ScriptedChatModel()
    clean_round(model)
    result = start(runner(project, model), project, "manual")
    shutil.rmtree(result.tree.path)

    final = runner(project, model).resume(result.run_id, "approve")

    assert final.status == "committed"
    assert git(project, "show", "HEAD:calc.py") == GREEN
    assert git(project, "log", "--format=%s").splitlines() == ["1: Add the calculator", "start"]


def test_resume_says_so_when_a_runs_worktree_was_deleted_and_the_store_has_no_work(
        project: Path):
    """A run of a reviewloop that kept no work in the store (before it did)."""
    import shutil

    from reviewloop.errors import UserInputError

    (project / "calc.py").write_text(GREEN)
    model = ScriptedChatModel()
    clean_round(model)
    run = runner(project, model)
    result = start(run, project, "manual")
    run.registry.forget_work(result.run_id)
    shutil.rmtree(result.tree.path)

    with pytest.raises(UserInputError, match=r"the worktree of run .* is gone"):
        LoopRunner(project, runner(project, model).settings, lambda n: model).resume(
            result.run_id, "approve")


def test_clean_abandons_an_unfinished_run_and_its_saved_work_is_never_rebuilt(project: Path):
    from reviewloop.cli.runs import clean
    from reviewloop.errors import UserInputError

    (project / "calc.py").write_text(GREEN)
    model = ScriptedChatModel()
    clean_round(model)
    run = runner(project, model)
    result = start(run, project, "manual")
    assert run.registry.work(result.run_id) is not None

    clean(run.settings, project, (result.run_id,), False)

    assert run.registry.get(result.run_id).status == "abandoned"
    assert run.registry.work(result.run_id) is None
    with pytest.raises(UserInputError, match=r"the worktree of run .* is gone"):
        runner(project, model).resume(result.run_id, "approve")


def test_a_conflicting_edit_in_your_checkout_refuses_the_landing_until_you_resolve_it(
        project: Path):
    from reviewloop.errors import BlockingOutcome

    model = ScriptedChatModel()
    implemented(model)
    clean_round(model)
    run = runner(project, model)
    result = start(run, project)
    (project / "calc.py").write_text("# my own calc, written while the run was reviewed\n")

    with pytest.raises(BlockingOutcome, match=r"your checkout has edits to calc\.py"):
        run.resume(result.run_id, "approve")

    assert (project / "calc.py").read_text().startswith("# my own calc")
    assert git(project, "log", "--format=%s") == "start\n"
    assert run.registry.get(result.run_id).status == "landing_refused"
    assert run.next_nodes(result.run_id) == ("land",)
    (project / "calc.py").unlink()
    assert run.resume(result.run_id).status == "committed"
    assert (project / "calc.py").read_text() == GREEN
    assert git(project, "status", "--porcelain") == " M notes.txt\n"
