"""The fix point (a git snapshot) is taken only on the way to a fix that runs: never for a
review without --fix, never after the last round; escalations come from the escalate node."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewloop.config import Settings
from reviewloop.findings.ledger import Status
from reviewloop.runs.review import DiffSource, review_change
from reviewloop.runs.runner import LoopRunner
from tests.support.chat import ScriptedChatModel
from tests.support.repos import init_repo
from tests.support.runner import ran, round_one, settings, start

MUST_FIX = {"severity": "must_fix", "file": "calc.py", "start_line": 1, "end_line": 2,
            "title": "add has no docstring", "rationale": "public API",
            "suggestion": "document it", "confidence": 0.9}


class Nodes:
    """A `Listener` that records which steps started."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, task_id: str, node: str, inputs: dict[str, Any]) -> None:
        self.names.append(node)

    def ended(self, task_id: str) -> None: ...

    def finished(self, node: str, update: dict[str, Any]) -> None: ...

    def event(self, data: dict[str, Any]) -> None: ...


def test_a_run_whose_last_round_is_reached_takes_no_fix_point_and_escalates(
        project: Path) -> None:
    (project / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    model = ScriptedChatModel()
    round_one(model, {"review-maintainability": [MUST_FIX]})
    nodes = Nodes()
    run = LoopRunner(project, settings(max_rounds=1), lambda name: model, progress=nodes)

    result = start(run, project, "manual")

    assert "snapshot" not in nodes.names and "fix" not in nodes.names
    assert nodes.names.count("escalate") == 1
    summary = ran(result)
    assert "1 finding(s) still open after 1 review round(s)" in summary.escalations
    assert [e.status for e in summary.ledger.entries
            if e.finding.title == MUST_FIX["title"]] == [Status.ESCALATED]


def test_a_review_without_fix_takes_no_fix_point(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "r", {"app.py": "VALUE = 1\n"})
    (root / "app.py").write_text('VALUE = 1\n\n\ndef same(x):\n    return x is "a"\n')
    nodes = Nodes()

    summary = review_change(root, Settings(max_rounds=1), DiffSource(),
                            model_factory=lambda name: None,  # type: ignore[arg-type,return-value]
                            llm=False, progress=nodes)

    assert nodes.names[0] == "prepare" and "triage" in nodes.names
    assert not {"snapshot", "fix", "escalate"} & set(nodes.names)
    assert summary.escalations == []
