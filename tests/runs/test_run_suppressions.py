"""In `reviewloop run`, a model cannot silence what bandit finds in its own code: neither the
implementer's `# nosec` nor the fixer's baseline entry counts (scripted implementer and fixer,
reviewers on their analyzers alone — real bandit —, real pytest gates, a real repository).
What the run started from still counts."""

from __future__ import annotations

import json
from pathlib import Path

from reviewloop.config import ModelRoles
from reviewloop.findings.ledger import Status
from reviewloop.review.evidence import analyze
from reviewloop.runs.runner import LoopRunner
from tests.support.chat import ScriptedChatModel, tool_call
from tests.support.runner import FIXER, IMPLEMENTER, ran, settings, start

CALC = ("import subprocess\n\n\ndef add(a, b):\n    return a + b\n\n\n"
        "def run(cmd):\n    return subprocess.call(cmd, shell=True){}\n")
BASELINE = {"version": 1, "findings": [{"rule": "B602", "file": "calc.py", "by": "model",
                                        "reason": "the caller passes trusted input"}]}


def _runner(project: Path, model: ScriptedChatModel) -> LoopRunner:
    """The implementer and the fixer are the scripted model; the reviewers have none, so
    each reports what its analyzers found, as it is."""
    offline_review = settings().model_copy(update={
        "model": None, "models": ModelRoles(implement="scripted", fix="scripted")})
    return LoopRunner(project, offline_review, lambda name: model, analyze=analyze)


def test_the_models_nosec_and_baseline_entry_leave_the_finding_open(project: Path) -> None:
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [
        tool_call("write_file", {"path": "calc.py", "content": CALC.format("  # nosec")}),
        "wrote calc.py"])
    model.script(FIXER, [  # suppress instead of fixing, and touch calc.py so bandit re-runs
        tool_call("write_file", {"path": ".reviewloop-baseline.json",
                                 "content": json.dumps(BASELINE)}),
        tool_call("edit_file", {"path": "calc.py", "old": "def add(a, b):\n",
                                "new": 'def add(a, b):\n    """Sum."""\n'}),
        "accepted the shell call in the baseline",
        # each further group of findings is a conversation of its own (fixes.groups)
        *["nothing left to change"] * 8])

    result = start(_runner(project, model), project)

    summary = ran(result)
    assert result.status == "awaiting_approval" and summary.rounds >= 2
    (shell,) = [e for e in summary.ledger.entries if e.finding.rule == "B602"]
    assert shell.status.unresolved, shell.history
    assert all(t.status is not Status.SUPPRESSED for t in shell.history)
    tricks = {e.finding.file for e in summary.ledger.entries
              if e.finding.rule == "adds-suppression" and e.status.unresolved}
    assert tricks == {"calc.py"}  # the inline marker, for the fixer
    # the baseline file is a lever: a human's question at approval, never the fixer's
    assert any(".reviewloop-baseline.json" in reason for reason in summary.escalations)
    assert summary.escalations  # so `reviewloop run --yes` does not commit it


def test_a_suppression_the_run_started_with_still_counts(project: Path) -> None:
    """Your own `# nosec`, in the tree you hand to a manual run, is listed as suppressed."""
    (project / "calc.py").write_text(CALC.format("  # nosec B602 reviewed by me"))
    model = ScriptedChatModel().script(FIXER, ["left as it is"])  # for no-test-change

    result = start(_runner(project, model), project, "manual")

    ledger = ran(result).ledger
    (shell,) = [e for e in ledger.entries if e.finding.rule == "B602"]
    assert shell.status is Status.SUPPRESSED and shell.suppression is not None
    assert shell.suppression.where == "calc.py:9"
    assert not [e for e in ledger.entries if e.finding.rule == "adds-suppression"]


def test_a_fixers_nosec_is_no_fix_and_the_finding_keeps_its_id(
        project: Path) -> None:
    """The fixer appends `# nosec` to the flagged call instead of fixing it: bandit reports
    B602 there again, under a new fingerprint (the line changed). The loop's ledger keeps
    one B602 entry, open under its first id, and never counts it fixed."""
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [
        tool_call("write_file", {"path": "calc.py", "content": CALC.format("")}),
        "wrote calc.py"])
    model.script(FIXER, [
        tool_call("edit_file", {"path": "calc.py", "old": "shell=True)\n",
                                "new": "shell=True)  # nosec\n"}),
        "marked the call as reviewed",
        *["nothing left to change"] * 8])

    result = start(_runner(project, model), project)

    summary = ran(result)
    assert summary.rounds >= 2  # the fix was re-reviewed, and its marker reported:
    assert any(e.finding.rule == "adds-suppression" and e.finding.file == "calc.py"
               for e in summary.ledger.entries)
    shells = [e for e in summary.ledger.entries if e.finding.rule == "B602"]
    assert len(shells) == 1, [(e.id[:12], e.status) for e in shells]
    (shell,) = shells
    assert shell.status.unresolved and len(shell.finding.fingerprints) >= 2
    assert all(t.status is not Status.FIXED for t in shell.history), shell.history
    assert not [f for f in summary.findings_fixed if f.rule == "B602"]
