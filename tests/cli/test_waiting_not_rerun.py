"""A task whose run waits for a decision is not started again by `run next` or planned again
by `plan`: it is named with the commands that settle it. `run TASK` asked for by its id still
runs it, saying so. Real CLI processes, real git, a command implementer (no model)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.loop_cli import cli
from tests.support.waiting_runs import SPEC, implementer, start_waiting, waiting_repo


def _run_next(root: Path):
    return cli(root, "run", "next", "--spec", SPEC, "--implementer", implementer(root))


def _task_of_runs(root: Path) -> list[str]:
    listed = json.loads(cli(root, "runs", "--json").stdout)["runs"]
    return sorted(row["task_id"] for row in listed)


def test_run_next_and_plan_leave_a_task_waiting_for_approval_alone(tmp_path: Path) -> None:
    root = waiting_repo(tmp_path / "repo")
    first = start_waiting(root, "T1")

    planned = cli(root, "plan", "--spec", SPEC, "--format", "github-matrix")
    assert planned.returncode == 0, planned.stderr
    assert json.loads(planned.stdout) == {"include": [
        {"task": "T2", "title": "Add farewell function"},
        {"task": "T3", "title": "Add shout function"}]}
    assert f"Not planned again: task T1: run {first} waits for approval" in planned.stderr
    shown = json.loads(cli(root, "plan", "--spec", SPEC, "--json").stdout)
    assert shown["waiting"] == [{"task": "T1", "why": (
        f"run {first} waits for approval: `reviewloop approve {first}` or "
        f"`reviewloop reject {first}`")}]

    second = _run_next(root)  # T2, not T1 a second time
    assert second.returncode == 1, second.stdout + second.stderr  # T2's run waits in turn
    assert f"Not started again: task T1: run {first} waits for approval" in second.stdout
    assert _task_of_runs(root) == ["T1", "T2"]
    assert start_waiting(root, "T3")

    none_left = _run_next(root)  # every open task has a run waiting: nothing is started
    assert none_left.returncode == 1, none_left.stdout + none_left.stderr
    assert "No task can start now." \
        in none_left.stdout
    assert "Every task is done" not in none_left.stdout
    assert [line.split(":")[0].strip() for line in none_left.stdout.splitlines()
            if "Not started again" in line] == ["Not started again"] * 3
    assert _task_of_runs(root) == ["T1", "T2", "T3"]
    assert json.loads(cli(root, "plan", "--spec", SPEC, "--format", "github-matrix")
                      .stdout) == {"include": []}


def test_a_declined_run_frees_its_task_and_run_by_id_still_runs_it(tmp_path: Path) -> None:
    root = waiting_repo(tmp_path / "repo")
    first = start_waiting(root, "T1")
    again = cli(root, "run", "T1", "--spec", SPEC, "--implementer", implementer(root))
    assert again.returncode == 1, again.stdout + again.stderr
    assert (f"Task T1 already has a run waiting for a decision (run {first} waits for "
            "approval") in " ".join(again.stderr.split())
    assert _task_of_runs(root) == ["T1", "T1"]

    for line in json.loads(cli(root, "runs", "--json").stdout)["runs"]:
        assert cli(root, "reject", line["run_id"]).returncode == 0
    planned = cli(root, "plan", "--spec", SPEC, "--format", "github-matrix")
    assert [t["task"] for t in json.loads(planned.stdout)["include"]] == ["T1", "T2", "T3"]
    assert "Not planned again" not in planned.stderr
