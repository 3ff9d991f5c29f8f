"""Nothing implemented, nothing approved, on every path that applies an approval: the
runner's resume refuses it (so the prompt, --yes, `run all` and `approve` all do), and the
settling step never asks "Ready to commit?" for a run that changed no file nor offers an
`approve` that would be refused (docs/landing.md)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from reviewloop.app.output import Recorded
from reviewloop.app.run import RunOptions, _settle
from reviewloop.errors import ExitCode, UserInputError
from reviewloop.runs.runner import LoopRunner
from tests.support.chat import ScriptedChatModel
from tests.support.gitutil import git
from tests.support.runner import runner, settings, spec_file, start

# implementers that change nothing: each a way a run ends with no file changed
NOTHING = {"fails": f"cmd:{sys.executable} -c 'raise SystemExit(3)'",
           "succeeds": f"cmd:{sys.executable} -c 'print(1)'"}


@dataclass
class Answering(Recorded):
    """A terminal that answers every question with `answer`, and keeps the questions."""

    answer: bool = True
    asked: list[str] = field(default_factory=list)

    def ask(self, question: str, *, default: bool) -> bool | None:
        self.asked.append(question)
        return self.answer


@pytest.mark.parametrize("how", list(NOTHING))
def test_the_runner_refuses_to_apply_an_approval_of_an_empty_run(project: Path,
                                                                 how: str) -> None:
    run = runner(project, ScriptedChatModel())
    result = start(run, project, NOTHING[how])
    assert result.status == "awaiting_approval"
    head, spec = git(project, "rev-parse", "HEAD"), spec_file(project).read_bytes()
    with pytest.raises(UserInputError, match="changed no file: nothing of 1 was implemented"):
        run.resume(result.run_id, "approve")
    assert git(project, "rev-parse", "HEAD") == head
    assert spec_file(project).read_bytes() == spec
    assert run.registry.get(result.run_id).status == "awaiting_approval"
    assert run.resume(result.run_id, "reject").status == "declined"


@pytest.mark.parametrize("yes", [True, False])
def test_settling_an_empty_run_asks_nothing_and_offers_only_reject(project: Path,
                                                                   yes: bool) -> None:
    run = runner(project, ScriptedChatModel())
    result = start(run, project, NOTHING["fails"])
    head = git(project, "rev-parse", "HEAD")
    out = Answering()
    assert _settle(run, result, RunOptions(yes=yes), out) == ExitCode.BLOCKING
    assert out.asked == []  # a "y" typed at the prompt cannot commit the tick alone
    said = out.text()
    assert f"Run {result.run_id} changed no file: nothing was implemented" in said
    assert f"reject:  reviewloop reject {result.run_id}" in said
    assert "reviewloop approve" not in said
    assert git(project, "rev-parse", "HEAD") == head
    assert "- [ ] 1. Add the calculator" in spec_file(project).read_text()



@dataclass
class Steps:
    """A progress listener that keeps the steps the run finished, in order."""

    names: list[str] = field(default_factory=list)

    def started(self, task_id: str, node: str, inputs: dict[str, Any]) -> None:
        return None

    def ended(self, task_id: str) -> None:
        return None

    def finished(self, node: str, update: Mapping[str, Any]) -> None:
        self.names.append(node)

    def event(self, data: dict[str, Any]) -> None:
        return None


def test_an_implementer_not_found_is_tried_once_and_escalated(project: Path) -> None:
    steps = Steps()
    # no reviewer is scripted: none may be asked
    run = LoopRunner(project, settings(), lambda name: ScriptedChatModel(), progress=steps)
    result = start(run, project, "cmd:/nonexistent/agent --task")

    assert result.status == "awaiting_approval"
    assert result.summary is not None
    assert result.summary.escalations[0].split(":\n")[0] == (
        "implementer failed: `/nonexistent/agent --task` exited with 127, command not found "
        "(install it, or pass --implementer cmd:\"…\" with a command that exists here)")
    assert steps.names.count("implement") == 1 and "prepare" not in steps.names, steps.names
