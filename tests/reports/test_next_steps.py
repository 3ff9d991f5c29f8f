"""The chain after approval: the next steps as commands to copy, and which of them `--yes` runs
(`run.then`) — pure steps first, then a real `reviewloop run` with the loopback Bedrock fake."""

from __future__ import annotations

from pathlib import Path

from reviewloop.git.worktrees import RunTree
from reviewloop.landing.modes import land_mode
from reviewloop.reports.next_steps import Landed, OpenRun, next_steps, render
from reviewloop.runs.registry import Registry
from tests.support.bedrock import BedrockFake, text
from tests.support.gitutil import git
from tests.support.loop_cli import (
    MODEL,
    SPEC,
    clean_reviews,
    cli,
    example_project,  # noqa: F401 - the fixture `project` here
    fake_env,
    manual_change,
)

TREE = RunTree(path="wt", branch="reviewloop/T2", base="abc", target="task-2")


def landed(mode: str, remote: str | None) -> Landed:
    """Where the commit is after landing as `mode` says (the mode names the branch to push)."""
    return Landed(land_mode(mode).branch_to_push(TREE), remote)


def test_after_a_merge_land_push_and_open_a_pr_hand_off_and_run_the_next_task() -> None:
    steps = next_steps(landed("merge", "origin"), "T3",
                       "docs/todo-api-spec.md")
    assert render(steps) == (
        "Next steps:\n"
        "  land it as a pull request        git push -u origin task-2 && gh pr create "
        "--fill --head task-2\n"
        "  hand the session off             reviewloop handoff\n"
        "  run the next eligible task (T3)  reviewloop run T3 --spec docs/todo-api-spec.md")


def test_branch_only_pushes_the_runs_branch_and_no_remote_says_to_add_one() -> None:
    [pr, *_] = next_steps(landed("branch-only", None), None, None)
    assert pr.command == ("git remote add origin URL && git push -u origin reviewloop/T2 && "
                          "gh pr create --fill --head reviewloop/T2")


def test_a_pull_request_run_and_a_finished_spec_leave_only_the_handoff() -> None:
    steps = next_steps(landed("pr", "origin"), None, None)
    assert [(s.name, s.command) for s in steps] == [("handoff", "reviewloop handoff")]


def run_yes(root: Path) -> tuple[int, str]:
    manual_change(root)
    with BedrockFake() as fake:
        clean_reviews(fake)
        fake.enqueue(text("The session implemented T2."))  # the handoff's prose, if asked
        done = cli(root, "run", "next", "--spec", SPEC, "--implementer", "manual",
                   "--model", MODEL, "--branch", "task-2", "--yes", env=fake_env(fake))
    return done.returncode, done.stdout + done.stderr


def test_a_committed_run_ends_with_the_steps_and_yes_runs_none_of_them(
        project: Path) -> None:
    code, out = run_yes(project)
    assert code == 0, out
    said = " ".join(out.split())
    assert "Next steps: land it as a pull request git remote add origin URL && git push -u " \
        "origin task-2 && gh pr create --fill --head task-2" in said
    assert "hand the session off reviewloop handoff" in said
    assert "run the next eligible task (T3.1) reviewloop run T3.1 --spec " \
        "docs/todo-api-spec.md" in said
    assert not (project / ".reviewloop" / "handoff.md").exists()


def test_run_then_handoff_is_run_after_a_yes_approval(project: Path) -> None:
    config = project / ".reviewloop.toml"
    config.write_text(config.read_text() + '\n[run]\nthen = ["handoff"]\n')
    git(project, "commit", "-qam", "hand off after each run")
    code, out = run_yes(project)
    assert code == 0, out
    assert "run.then: hand the session off: reviewloop handoff" in out
    assert (project / ".reviewloop" / "handoff.md").is_file()


def test_a_next_task_with_an_open_run_is_approved_or_resumed_never_run_again() -> None:
    after_pr = landed("pr", "origin")
    waiting = next_steps(after_pr, "T3", None, OpenRun("T3-abc", "awaiting_approval"))
    stopped = next_steps(after_pr, "T3", None, OpenRun("T3-abc", "interrupted"))
    driven = next_steps(after_pr, "T3", None, OpenRun("T3-abc", "running"))
    assert [(s.name, s.command) for s in waiting] == [
        ("handoff", "reviewloop handoff"), ("approve", "reviewloop approve T3-abc")]
    assert [(s.name, s.command) for s in stopped][1] == ("resume", "reviewloop resume T3-abc")
    assert [(s.name, s.command) for s in driven][1] == ("watch", "reviewloop runs")
    # no "next" step: a `run.then = ["next"]` chain never starts a second run of T3
    assert not [s for s in (*waiting, *stopped, *driven) if s.name == "next"]


def test_a_committed_run_suggests_approving_the_next_tasks_waiting_run(
        project: Path) -> None:
    Registry(project).create("T3.1-waiting", task_id="T3.1", task_title="Step",
                             spec=str(project / SPEC), options={})
    Registry(project).update("T3.1-waiting", status="awaiting_approval")
    code, out = run_yes(project)
    assert code == 0, out
    said = " ".join(out.split())
    assert "approve the next task's waiting run (T3.1) reviewloop approve T3.1-waiting" in said
    assert "reviewloop run T3.1" not in said
