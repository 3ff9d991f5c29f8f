"""The whole loop on a real git repository, with scripted models and real pytest gates."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.reports import report
from reviewloop.runs.runner import LoopRunner
from tests.support.chat import ScriptedChatModel, message_text, tool_call
from tests.support.gitutil import git
from tests.support.runner import (
    CALLED,
    FIXER,
    IMPLEMENTER,
    clean_round,
    ran,
    review,
    round_one,
    runner,
    settings,
    spec_file,
    start,
)


def test_gate_retry_fix_rereview_approve_commit(project: Path) -> None:
    model = ScriptedChatModel()
    model.script(IMPLEMENTER, [
        tool_call("write_file", {"path": "calc.py",
            "content": "def add(a, b):\n    return a - b\n"}),
        "wrote calc.py",
        tool_call("edit_file", {"path": "calc.py", "old": "a - b", "new": "a + b"}),
        "fixed the sign",
    ])
    must_fix = {"severity": "must_fix", "file": "calc.py", "start_line": 1, "end_line": 2,
                "title": "add has no docstring or type hints", "rationale": "public API",
                "suggestion": "document it", "confidence": 0.9}
    round_one(model, {"review-maintainability": [must_fix]})
    model.script("agents: ", [review()])  # round 2: the re-reviewers in one call
    model.script(FIXER, [
        tool_call("edit_file", {"path": "calc.py", "old": "def add(a, b):\n",
                                "new": "def add(a: int, b: int) -> int:\n    \"\"\"Sum.\"\"\"\n"}),
        "documented add",
    ])
    run = runner(project, model)

    result = start(run, project)

    assert result.status == "awaiting_approval"
    assert result.escalations == []
    assert [f.title for f in ran(result).findings_fixed] == [must_fix["title"]]
    assert result.summary.rounds == 2
    final = run.resume(result.run_id, "approve")
    assert final.status == "committed"
    assert model.remaining() == 0

    committed = git(project, "show", "--name-only", "--format=%B", "HEAD")
    assert "Reviewloop-Run: " + result.run_id in committed
    assert sorted(committed.strip().splitlines()[-2:]) == [".kiro/specs/calc/tasks.md",
                                                            "calc.py"]
    assert "- [x] 1. Add the calculator" in spec_file(project).read_text()
    assert (project / "notes.txt").read_text() == "mine, uncommitted\n"
    assert git(project, "status", "--porcelain") == " M notes.txt\n"

    # Round 2 saw only the fix: the fix's diff, not the first version; the task before it
    # is round 1's, read from its cache. Its re-reviewers were asked in one call.
    round2 = [h for h in model.history if "Re-review, round 2" in message_text(h[0])]
    assert len(round2) == 1 and f"agents: {', '.join(CALLED)}" in message_text(round2[0][0])
    text = message_text(round2[0][0])
    assert '"""Sum."""' in text and "a - b" not in text
    assert text.index("# The task") < text.index("Re-review, round 2")


def test_manual_change_escalates_when_findings_remain(project: Path) -> None:
    (project / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    model = ScriptedChatModel()
    should_fix = {"severity": "should_fix", "file": "calc.py", "start_line": 2,
                  "end_line": 2, "title": "no input validation", "rationale": "x",
                  "confidence": 0.6}
    round_one(model, {"review-security": [should_fix]})
    model.script(FIXER, ["I will not change anything"])
    run = runner(project, model, max_rounds=3)

    result = start(run, project, "manual")

    assert result.status == "awaiting_approval"
    reasons = " ".join(result.escalations)
    assert "the fixer changed nothing, the findings remain open" in reasons
    assert [f.title for f in ran(result).findings_remaining] == ["no input validation"]
    declined = run.resume(result.run_id, "reject")
    assert declined.status == "declined"
    assert git(project, "log", "--format=%s") == "start\n"
    assert (project / "calc.py").exists()


def test_failed_reviewer_is_recorded_and_never_clean(project: Path) -> None:
    (project / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    model = ScriptedChatModel()
    # one call per reviewer, so that one fails alone (a failed combined call fails every
    # member: `test_a_failed_combined_call_fails_every_member_and_is_never_clean`)
    clean_round(model, but="review-performance", combined=False)
    model.script("agent: review-performance", ["plain text, no tool call", "still text"])
    run = runner(project, model, review={"combined_review": False})

    result = start(run, project, "manual")

    outcomes = {r.agent: r for r in result.summary.reviewers}
    assert outcomes["review-performance"].status == "failed"
    assert "never called submit_findings" in (outcomes["review-performance"].error or "")
    assert all(outcomes[n].status == "ok" for n in CALLED if n != "review-performance")
    assert any(e.startswith("reviewer review-performance failed in round 1")
               for e in result.escalations)  # so --yes will not approve it
    verdict = report.verdict(result.summary)
    assert verdict != report.CLEAN and "reviewer failed: review-performance" in verdict


def test_a_failed_combined_call_fails_every_member_and_is_never_clean(project: Path) -> None:
    (project / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    model = ScriptedChatModel()
    model.script("agents: ", ["plain text, no tool call", "still text"])  # round 1's one call
    run = runner(project, model)

    result = start(run, project, "manual")

    outcomes = {r.agent: r for r in result.summary.reviewers}
    for name in CALLED:
        assert outcomes[name].status == "failed"
        assert "never called submit_findings" in (outcomes[name].error or "")
        assert any(e.startswith(f"reviewer {name} failed in round 1")
                   for e in result.escalations)  # so --yes will not approve it
    assert report.verdict(result.summary).startswith(f"reviewer failed: {', '.join(CALLED)};")


def test_gates_fail_on_manual_change_escalate_without_review(project: Path) -> None:
    (project / "calc.py").write_text("def add(a, b):\n    return 0\n")
    model = ScriptedChatModel()
    run = runner(project, model)

    result = start(run, project, "manual")

    assert result.status == "awaiting_approval"
    assert any(e.startswith("guard-rails failed") for e in result.escalations)
    assert model.history == []  # no reviewer ran on a change that fails its tests


def test_resume_after_approval_does_not_commit_twice(project: Path) -> None:
    (project / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    model = ScriptedChatModel()
    clean_round(model)
    run = runner(project, model)
    result = start(run, project, "manual")
    first = run.resume(result.run_id, "approve")
    head = git(project, "rev-parse", "HEAD")

    again = runner(project, model).resume(result.run_id)

    assert first.status == again.status == "committed"
    assert git(project, "rev-parse", "HEAD") == head


def test_governance_escalates_protected_paths_and_never_commits_sensitive_files(
        project: Path) -> None:
    (project / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    (project / "db/migrations").mkdir(parents=True)
    (project / "db/migrations/0001_init.sql").write_text("CREATE TABLE t (id int);\n")
    (project / ".env").write_text("DEBUG=1\n")
    model = ScriptedChatModel()
    clean_round(model)
    run = runner(project, model)

    result = start(run, project, "manual")

    reasons = result.escalations
    assert any("needs approval: touches a protected path: db/migrations/0001_init.sql" in r
               for r in reasons)
    assert "sensitive file .env changed: it is never committed" in reasons
    assert all(".env" not in message_text(h[0]) for h in model.history)  # never in a prompt
    final = run.resume(result.run_id, "approve")
    committed = git(project, "show", "--name-only", "--format=", "HEAD").split()
    assert final.status == "committed" and ".env" not in committed
    assert "db/migrations/0001_init.sql" in committed
    assert (project / ".env").read_text() == "DEBUG=1\n"


def test_offline_autofix_fixes_only_what_a_tool_can_and_keeps_the_rest_open(
        project: Path) -> None:
    from reviewloop.review.evidence import analyze

    (project / "calc.py").write_text(
        "import subprocess\n\n\ndef add(a, b):\n    return getattr(a, \"real\") + b\n\n\n"
        "def run(cmd):\n    return subprocess.call(cmd, shell=True)\n")
    run = LoopRunner(project, settings(), lambda name: None, llm=False, analyze=analyze)

    result = start(run, project, "manual")

    fixed = {f.rule for f in ran(result).findings_fixed}
    remaining = {f.rule for f in ran(result).findings_remaining}
    assert fixed == {"B009"}
    assert "B602" in remaining  # shell=True: no tool fixes it safely, so it stays open
    fixed_file = Path(result.tree.path) / "calc.py"  # the fix is in the run's worktree
    assert "getattr" not in fixed_file.read_text() and "shell=True" in fixed_file.read_text()
    assert 'getattr(a, "real")' in (project / "calc.py").read_text()  # yours is untouched
    assert result.escalations
    assert not any("__pycache__" in p for p in result.summary.files_created)


def test_a_rejected_commit_leaves_the_spec_untouched_and_can_be_approved_again(
        project: Path) -> None:
    from reviewloop.errors import BlockingOutcome

    (project / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    model = ScriptedChatModel()
    clean_round(model)
    run = runner(project, model)
    result = start(run, project, "manual")
    spec_before = spec_file(project).read_bytes()
    # git itself refuses the commit: signing is asked for and the signer fails
    git(project, "config", "commit.gpgSign", "true")
    git(project, "config", "gpg.program", "false")

    with pytest.raises(BlockingOutcome, match="gpg failed to sign"):
        run.resume(result.run_id, "approve")

    assert spec_file(project).read_bytes() == spec_before
    assert run.registry.get(result.run_id).status == "landing_refused"
    assert run.next_nodes(result.run_id) == ("commit",)
    git(project, "config", "commit.gpgSign", "false")
    assert run.resume(result.run_id).status == "committed"
    assert "- [x] 1. Add the calculator" in spec_file(project).read_text()


def test_an_agent_json_model_overrides_the_review_model_for_that_agent(project: Path) -> None:
    (project / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    agents = project / ".kiro" / "agents"
    agents.mkdir(parents=True)
    (agents / "review-security.json").write_text(
        '{"name": "review-security", "prompt": "Find security problems.", '
        '"model": "bedrock:special-model"}')
    model = ScriptedChatModel()
    clean_round(model, apart=["review-security"])  # on a model of its own: asked alone
    model.script("agent: review-infrastructure", [review()])  # the agent file is its
    asked: list[str] = []

    def factory(name: str) -> ScriptedChatModel:
        asked.append(name)
        return model

    run = LoopRunner(project, settings(), factory)
    start(run, project, "manual")

    assert sorted(set(asked)) == ["bedrock:special-model", "scripted"]
