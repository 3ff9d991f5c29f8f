"""A gate failing for what only you can fix after a fix round, through the real graph with
scripted models on a real repository: the implementation passes `gates.coverage = "strict"`
(its Python function is tested and measured), a reviewer's finding is fixed by adding a Go
function, whose coverage reviewloop does not measure. The group's own re-test (strict
coverage is part of it) fails on it for you (`GateResult.user_fix`): the fix is discarded,
the fixer is not asked again, no re-review follows, and the run stops with the message
naming the gate and the fix — as it does when the implementation itself fails so. Before,
the fix round's gates did not run the coverage gate at all: the Go function went on to
review and approval unchecked.
"""

from __future__ import annotations

import sys
from pathlib import Path

from reviewloop.checks.coverage.check import UNMEASURED_FIX
from reviewloop.config import Gates, Settings
from reviewloop.runs.runner import LoopRunner
from tests.support.chat import ScriptedChatModel, tool_call
from tests.support.runner import FIXER, IMPLEMENTER, ran, round_one, start

CALC = "def add(a, b):\n    return a + b\n"
GO = "package calc\n\n// Double doubles n.\nfunc Double(n int) int {\n    return n * 2\n}\n"


def _strict() -> Settings:
    gates = Gates(build=(), test=(f"{sys.executable} -m pytest -q -p no:cacheprovider",),
                  coverage="strict")
    return Settings(model="scripted", gates=gates)


def test_a_fix_that_fails_a_gate_only_you_can_fix_stops_the_run_naming_gate_and_fix(
        project: Path) -> None:
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [tool_call("write_file", {"path": "calc.py", "content": CALC}),
                               "wrote calc.py"])
    wanted = {"severity": "should_fix", "file": "calc.py", "start_line": 1, "end_line": 2,
              "title": "Doubling is done by hand", "rationale": "callers repeat n * 2",
              "suggestion": "add a helper", "confidence": 0.9}
    round_one(model, {"review-maintainability": [wanted]})
    model.script(FIXER, [tool_call("write_file", {"path": "double.go", "content": GO}),
                         "added the helper in Go"])

    result = start(LoopRunner(project, _strict(), lambda name: model), project)

    assert model.remaining() == 0  # the fixer was asked once: no retry can pass it
    summary = ran(result)
    said = " ".join(summary.escalations)
    assert "the coverage gate needs you: go: 1 function(s) not measured (double.go: Double)" \
        in said, said
    assert UNMEASURED_FIX in said, said
    assert "so its fix was discarded" in said, said  # in its group's own re-test
    assert "full gates" not in said, said
    assert summary.rounds == 1  # no re-review of a discarded fix
    assert result.status == "awaiting_approval" and summary.escalations  # --yes stops here
    assert "double.go" not in summary.files_created
    assert [f.title for f in summary.findings_remaining] == [wanted["title"]]
