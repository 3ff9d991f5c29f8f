"""One run per task at a time (runs/claims.py): a live run of a task refuses a second start
or resume of it before anything is created; a dead one's claim blocks nothing. Real git
repositories, real processes holding the claim, local SQLite and a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.runs.claims import RunInProgress
from tests.support.chat import ScriptedChatModel
from tests.support.gitutil import git
from tests.support.holders import holding_claim, kill
from tests.support.runner import clean_round, runner, start

SPEC = ".kiro/specs/calc/tasks.md"


def _ready(root: Path) -> ScriptedChatModel:
    (root / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    model = ScriptedChatModel()
    clean_round(model)
    return model


@pytest.mark.parametrize("shared", [False, True], ids=["local", "postgres"])
def test_a_live_run_of_the_task_refuses_a_second_before_anything_is_created(
        project: Path, request: pytest.FixtureRequest, shared: bool) -> None:
    url = request.getfixturevalue("pg_url") if shared else None
    model = _ready(project)
    branches = git(project, "branch", "--list")
    other = holding_claim(project, SPEC, "1", "1-first-run", url)
    try:
        with pytest.raises(RunInProgress) as refused:
            start(runner(project, model, checkpoint_url=url), project, "manual")
    finally:
        kill(other)  # kill -9: its claim is left behind, and counts for nothing now
    assert (f"task 1 of {SPEC} has a run in progress: 1-first-run, driven by pid {other.pid}"
            in str(refused.value))
    assert "reviewloop resume 1-first-run" in str(refused.value)
    assert git(project, "branch", "--list") == branches  # no branch ...
    assert not (project / ".reviewloop" / "worktrees").exists()  # ... nor worktree
    assert model.history == []

    result = start(runner(project, model, checkpoint_url=url), project, "manual")
    assert result.status == "awaiting_approval"  # the dead holder's claim did not block


def test_a_run_waiting_for_approval_holds_no_claim_but_its_resume_takes_one(
        project: Path) -> None:
    model = _ready(project)
    first = start(runner(project, model), project, "manual")
    assert first.status == "awaiting_approval"  # stopped: its driver gave the claim back
    other = holding_claim(project, SPEC, "1", "1-another-run")
    try:
        with pytest.raises(RunInProgress, match="has a run in progress: 1-another-run"):
            runner(project, model).resume(first.run_id, "approve")
    finally:
        kill(other)
    assert runner(project, model).resume(first.run_id, "approve").status == "committed"


def test_a_second_driver_of_the_same_run_is_told_it_is_being_driven(
        project: Path) -> None:
    model = _ready(project)
    first = start(runner(project, model), project, "manual")
    other = holding_claim(project, SPEC, "1", first.run_id)  # `resume` in another terminal
    try:
        with pytest.raises(RunInProgress,
                           match=rf"run {first.run_id} is being driven by pid {other.pid}"):
            runner(project, model).resume(first.run_id, "approve")
    finally:
        kill(other)


@pytest.mark.parametrize(("shared", "decision"), [
    (shared, decision) for shared in (False, True) for decision in (None, "approve", "reject")])
def test_resuming_a_run_another_process_is_still_starting_names_its_driver(
        project: Path, request: pytest.FixtureRequest, shared: bool,
        decision: str | None) -> None:
    url = request.getfixturevalue("pg_url") if shared else None
    model = _ready(project)
    starting = runner(project, model, checkpoint_url=url)
    # registered, its first step not saved yet: where `start` is while it implements
    starting.registry.create("1-starting", task_id="1", task_title="add", spec=SPEC,
                             options={})
    other = holding_claim(project, SPEC, "1", "1-starting", url)
    try:
        with pytest.raises(RunInProgress,
                           match=rf"run 1-starting is being driven by pid {other.pid}"):
            runner(project, model, checkpoint_url=url).resume("1-starting", decision)
    finally:
        kill(other)
    assert model.history == []
