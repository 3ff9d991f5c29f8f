"""budget_usd stops a run at the next decision point; batch_budget_usd stops `plan`."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from reviewloop.agent.models import UsageRecord
from reviewloop.agent.spend import over_budget
from reviewloop.cli.app import main
from reviewloop.runs.budget import SpendLog
from reviewloop.runs.runner import LoopRunner
from tests.support.chat import ScriptedChatModel, tool_call
from tests.support.gitutil import git
from tests.support.runner import CALLED, FIXER, IMPLEMENTER, round_one, settings, start

PRICES = {"scripted": {"input": 3.0, "output": 15.0}}


def test_a_run_over_budget_stops_after_the_gates_escalated_and_uncommitted(
        project: Path):
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [
        tool_call("write_file", {"path": "calc.py",
                                 "content": "def add(a, b):\n    return a + b\n"}),
        "wrote calc.py"])
    head = git(project, "rev-parse", "HEAD")
    run = LoopRunner(project, settings(budget_usd=0.0001, prices=PRICES), lambda name: model)

    result = start(run, project)

    assert result.status == "awaiting_approval"
    reasons = result.escalations
    assert any(r.startswith("budget exhausted: $") and "of budget_usd $0.0001" in r
               for r in reasons), reasons
    assert result.summary.cost_usd > 0.0001
    assert not [h for h in model.history if "agent: review-" in str(h[0])]  # no reviewer ran
    assert run.resume(result.run_id, "reject").status == "declined"
    assert git(project, "rev-parse", "HEAD") == head
    spent = SpendLog(run.settings, project).total(".kiro/specs/calc/tasks.md")
    assert spent == pytest.approx(result.summary.cost_usd)  # what `plan` adds up


def test_a_run_over_budget_does_not_fix(project: Path):
    (project / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    model = ScriptedChatModel()
    finding = {"severity": "must_fix", "file": "calc.py", "start_line": 1, "end_line": 2,
               "title": "no docstring", "rationale": "public", "confidence": 0.9}
    round_one(model, {CALLED[0]: [finding]})
    model.script(FIXER, ["never asked"])
    run = LoopRunner(project, settings(budget_usd=0.0001, prices=PRICES), lambda name: model)

    result = start(run, project, "manual")

    assert result.status == "awaiting_approval"
    assert any(r.startswith("budget exhausted") for r in result.escalations)
    assert model.remaining() == 1  # the fixer's script is untouched


def test_within_budget_nothing_changes_and_an_unpriced_model_counts_as_over():
    usage = [UsageRecord(role="review", agent="a", model="scripted", input_tokens=1000,
                         output_tokens=100)]
    assert over_budget(usage, 1.0, PRICES) is None
    assert over_budget(usage, None, {}) is None
    assert "cost is unknown" in (over_budget(usage, 1.0, {}) or "")


def test_plan_refuses_to_start_tasks_once_the_batch_budget_is_spent(
        project: Path, capsys, monkeypatch):
    monkeypatch.chdir(project)
    (project / ".reviewloop.toml").write_text("batch_budget_usd = 1.5\n")
    log = SpendLog(settings(), project)
    log.record("r1", ".kiro/specs/calc/tasks.md", 1.0)
    with pytest.raises(SystemExit) as exited:
        main(["plan", "--format", "github-matrix"])
    assert exited.value.code == 0
    assert json.loads(capsys.readouterr().out)["include"][0]["task"] == "1"

    log.record("r2", ".kiro/specs/calc/tasks.md", 0.6)
    log.record("r2", ".kiro/specs/calc/tasks.md", 0.6)  # a re-recorded run counts once
    with pytest.raises(SystemExit) as exited:
        main(["plan", "--format", "github-matrix"])
    out, err = capsys.readouterr()
    assert exited.value.code == 1
    assert json.loads(out) == {"include": []}
    assert "batch budget spent: $1.60 of batch_budget_usd $1.50" in err


def test_runners_recording_spend_at_once_on_a_fresh_shared_database_all_succeed(
        project: Path, pg_url):
    """Three CI jobs finished together and each created the spend table: one crashed on
    `pg_type`'s unique index. Creation now runs one runner at a time."""
    start_together = threading.Barrier(8)
    errors: list[BaseException] = []

    def finish(n: int) -> None:
        log = SpendLog(settings(checkpoint_url=pg_url), project)
        start_together.wait()
        try:
            log.record(f"r{n}", "spec.md", 0.25)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=finish, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert SpendLog(settings(checkpoint_url=pg_url), project).total("spec.md") == 2.0
