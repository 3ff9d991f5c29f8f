"""A batch's report of why a task did not run names where its blocker stands now: a task
declined at the prompt is "declined", not "awaiting approval" as it was before its prompt."""

from __future__ import annotations

from pathlib import Path

from reviewloop.app.batch import Batch
from reviewloop.app.output import Recorded
from reviewloop.errors import ExitCode
from reviewloop.implement.implementer import Implementer
from tests.support.chat import ScriptedChatModel, tool_call
from tests.support.runner import IMPLEMENTER, clean_round, runner, spec_file


def test_a_declined_tasks_dependent_is_skipped_as_waiting_on_a_declined_task(
        project: Path) -> None:
    spec_file(project).write_text("# Plan\n\n- [ ] 1. Add the calculator\n\n"
                                  "- [ ] 2. Add subtraction\n  - _Depends: 1_\n")
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [
        tool_call("write_file", {"path": "calc.py",
                                 "content": "def add(a, b):\n    return a + b\n"}),
        "wrote calc.py"])
    clean_round(model)
    run = runner(project, model)

    def reject(r, result):
        r.resume(result.run_id, "reject")
        return ExitCode.BLOCKING

    out = Recorded()
    batch = Batch(run, spec_file(project), Implementer.parse("llm"), settle=reject, out=out,
                  keep_going=True)
    assert batch.run() == ExitCode.BLOCKING
    assert batch.outcome == {"1": "declined", "2": "skipped"}
    assert "Skipping task 2: it waits on 1 (declined), not done." in out.lines
