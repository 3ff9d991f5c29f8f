"""`run all` and the runs that stopped before their end: a landing cut short is finished
before anything else is planned (never run again), a run that changed no file is a failed
task (never "awaiting approval"), and a task only in the uncommitted spec is said before any
run starts — `run TASK` refusing it the same way."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from reviewloop.app.batch import Batch
from reviewloop.app.output import Recorded
from reviewloop.errors import ExitCode
from reviewloop.implement.implementer import Implementer
from reviewloop.landing import engine
from reviewloop.runs.result import RunResult
from reviewloop.runs.runner import LoopRunner
from reviewloop.spec.loader import load_spec
from tests.support.chat import ScriptedChatModel, tool_call
from tests.support.gitutil import git
from tests.support.loop_cli import cli
from tests.support.repos import wave_repo
from tests.support.runner import IMPLEMENTER, clean_round, runner, spec_file

ONE = "# Plan\n\n- [ ] 1. Add the calculator\n"
CALC = "def add(a, b):\n    return a + b\n"


def _approve(run: LoopRunner, result: RunResult) -> int:
    done = run.resume(result.run_id, "approve")
    return ExitCode.OK if done.status == "committed" else ExitCode.BLOCKING


def _one_task(project: Path) -> ScriptedChatModel:
    spec_file(project).write_text(ONE)
    git(project, "commit", "-qm", "one task", "--", str(spec_file(project)))
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [tool_call("write_file", {"path": "calc.py", "content": CALC}),
                               "wrote calc.py"])
    clean_round(model)
    return model


# Where a process killed while landing stops (a kill cannot be deferred as Ctrl-C is):
# after the branch moved, before the index; after the index, before any file; between files.
CUTS = [("set_index", 0), ("write_entry", 0), ("write_entry", 1)]


@pytest.mark.parametrize(("step", "at"), CUTS)
def test_a_landing_cut_short_at_any_step_is_finished_by_the_next_run_all(
        project: Path, monkeypatch: pytest.MonkeyPatch, step: str, at: int) -> None:
    model = _one_task(project)
    calls: list[int] = []
    real = getattr(engine, step)

    def cut(*args, **kw):  # type: ignore[no-untyped-def]
        if len(calls) == at:
            raise KeyboardInterrupt
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(engine, step, cut)
    first = Batch(runner(project, model), spec_file(project), Implementer.parse("llm"),
                  settle=_approve, out=Recorded())
    with pytest.raises(KeyboardInterrupt):
        first.run()
    monkeypatch.undo()
    run = runner(project, model)
    [stopped] = run.registry.list()
    assert stopped.status == "interrupted" and "while landing" in (stopped.detail or "")
    assert f"reviewloop resume {stopped.run_id}" in (stopped.detail or "")
    assert git(project, "log", "-1", "--format=%s").startswith("1:")  # the branch had moved

    out = Recorded()
    again = Batch(run, spec_file(project), Implementer.parse("llm"), settle=_approve, out=out)
    assert again.run() == ExitCode.OK
    [finished] = run.registry.list()  # the same run, finished: the task was not run again
    assert finished.run_id == stopped.run_id and finished.status == "committed"
    assert again.states == {"1": ("committed", f"{finished.commit_sha[:12]} (run "
                                               f"{finished.run_id})")}
    assert git(project, "rev-parse", "HEAD").strip() == finished.commit_sha
    assert git(project, "status", "--porcelain", "--untracked-files=no") == " M notes.txt\n"
    assert (project / "calc.py").read_text() == CALC
    assert (project / "notes.txt").read_text() == "mine, uncommitted\n"
    assert load_spec(project, spec_file(project)).task("1").is_done


FAILING = f"cmd:{sys.executable} -c \"import sys; sys.stdin.read(); sys.exit(5)\""
TWO = "- [ ] 1. Add the calculator\n\n- [ ] 2. Add subtraction\n  - _Depends: 1_\n"


def test_a_task_whose_run_changed_no_file_is_failed_and_its_dependents_say_so(
        tmp_path: Path) -> None:
    root = wave_repo(tmp_path, TWO)
    done = cli(root, "run", "all", "--implementer", FAILING, "--yes", "--continue",
               timeout=300)
    said = " ".join(done.stdout.split())
    assert done.returncode == ExitCode.BLOCKING, done.stdout + done.stderr
    assert "1 failed, 1 skipped" in said
    assert " 1: failed: run 1-" in said and "changed no file, nothing was implemented " \
        "(implementer failed:" in said and "exited 5, with no output)" in said, said
    assert "`reviewloop run all` runs the task again" in said
    assert " 2: skipped: waits on 1 (failed)" in said
    assert "awaiting approval" not in said
    # what happened, and no advice that does not apply: the run is abandoned, not rejected,
    # and its empty change unblocks nothing
    shown = " ".join((done.stdout + done.stderr).split())
    assert "so it was abandoned" in said and "so the run is abandoned" in shown, shown
    assert "Reject it" not in shown and "reviewloop reject" not in shown, shown
    assert "Newly eligible" not in shown, shown
    # the next batch tries the task again: a new run, not the empty one left waiting
    again = cli(root, "run", "all", "--implementer", FAILING, "--yes", "--continue",
                timeout=300)
    assert " 1: failed: run 1-" in " ".join(again.stdout.split())
    runs = _runs(root)
    assert [r["status"] for r in runs] == ["abandoned", "abandoned"]
    assert all("changed no file" in r["detail"] for r in runs)


def _runs(root: Path) -> list[dict]:
    listed = json.loads(cli(root, "runs", "--json").stdout)
    return listed["runs"] if isinstance(listed, dict) else listed


# how a task comes to be only in the working tree's spec
UNCOMMITTED = {
    "added": lambda spec: spec.write_text(spec.read_text() + "\n- [ ] 3. Add division\n"),
    "renamed": lambda spec: spec.write_text(spec.read_text().replace("- [ ] 2.", "- [ ] 3.")),
}
SPEC = ".kiro/specs/wave/tasks.md"
LEFT_OUT = (f"task 3 is only in your uncommitted {SPEC}: a run starts from your last commit, "
            f"whose spec has no task 3")
FIX = f"commit the spec first (git add -- {SPEC} && git commit), then run it again"


@pytest.mark.parametrize("edit", sorted(UNCOMMITTED))
def test_a_task_only_in_the_uncommitted_spec_is_said_before_any_run_starts(
        tmp_path: Path, edit: str) -> None:
    root = wave_repo(tmp_path, "- [ ] 1. Add the calculator\n\n- [ ] 2. Add subtraction\n")
    UNCOMMITTED[edit](root / SPEC)
    refused = cli(root, "run", "3", "--implementer", FAILING, "--yes")
    assert refused.returncode == ExitCode.USAGE
    assert f"error: {LEFT_OUT} fix: {FIX}" in " ".join(refused.stderr.split())
    assert _runs(root) == []  # no run, worktree or branch was made for it
    assert "reviewloop/" not in git(root, "branch", "--list")
    # `run all`: the same words, before the waves; the committed tasks still run
    done = cli(root, "run", "all", "--implementer", FAILING, "--yes", "--continue",
               timeout=300)
    said = " ".join((done.stdout + done.stderr).split())
    assert f"Skipping task 3: {LEFT_OUT}. fix: {FIX}" in said
    assert f" 3: left out: {LEFT_OUT}; {FIX}" in said
    assert sorted(r["task_id"] for r in _runs(root)) == (["1", "2"] if edit == "added" else ["1"])


# the task `run next` would pick first is only in the working tree's spec: task 1 renamed 3,
# or a task 3 written above it
FIRST_UNCOMMITTED = {
    "renamed": lambda spec: spec.write_text(spec.read_text().replace("- [ ] 1.", "- [ ] 3.")),
    "inserted": lambda spec: spec.write_text(spec.read_text().replace(
        "- [ ] 1.", "- [ ] 3. Add division\n\n- [ ] 1.")),
}


@pytest.mark.parametrize("edit", sorted(FIRST_UNCOMMITTED))
def test_run_next_passes_over_a_task_only_in_the_uncommitted_spec(
        tmp_path: Path, edit: str) -> None:
    """`run next` picked it, and the runner refused it (exit 2) while a committed task could
    start; now it starts the next task that can, and says which it passed over and why."""
    root = wave_repo(tmp_path, "- [ ] 1. Add the calculator\n\n- [ ] 2. Add subtraction\n")
    FIRST_UNCOMMITTED[edit](root / SPEC)
    picked = "2" if edit == "renamed" else "1"
    done = cli(root, "run", "next", "--implementer", FAILING, "--yes", timeout=300)
    said = " ".join((done.stdout + done.stderr).split())
    assert f"Passed over task 3: {LEFT_OUT}. fix: {FIX}" in said, said
    assert "error:" not in said, said
    assert [r["task_id"] for r in _runs(root)] == [picked]


def test_run_next_with_only_uncommitted_tasks_left_starts_nothing_and_says_why(
        tmp_path: Path) -> None:
    root = wave_repo(tmp_path, "- [x] 1. Add the calculator\n\n- [ ] 2. Add subtraction\n")
    UNCOMMITTED["renamed"](root / SPEC)
    done = cli(root, "run", "next", "--implementer", FAILING, "--yes")
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == ExitCode.BLOCKING, said
    assert f"Passed over task 3: {LEFT_OUT}. fix: {FIX}" in said
    assert "No task can start now." in said and "Every task is done" not in said
    assert _runs(root) == []
    assert "reviewloop/" not in git(root, "branch", "--list")
