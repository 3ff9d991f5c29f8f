"""One reviewer: prompt layout, validation retry, failure boundary, scope."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from reviewloop.agent.tools import Workspace
from reviewloop.cli.panel import to_rich
from reviewloop.findings.ledger import Ledger, Status
from reviewloop.findings.rounds import RoundInput, outcome_health, record
from reviewloop.findings.schema import Finding, FindingDraft, Severity
from reviewloop.reports.render import to_markdown
from reviewloop.reports.report import RunSummary
from reviewloop.reports.summary import reviewer_outcomes
from reviewloop.review.definitions import AgentDefinition, load_agents
from reviewloop.review.model_review import reviewer_messages, run_reviewer
from reviewloop.review.reviewer import (
    RULES,
    STANDALONE_TAIL,
    ReviewInput,
    agent_prompt,
    cached_rules,
    round_prompt,
    shared_prompt,
)
from tests.support.chat import ScriptedChatModel, message_text, tool_call

DIFF = """diff --git a/app.py b/app.py
new file mode 100644
--- /dev/null
+++ b/app.py
@@ -0,0 +1,2 @@
+import os
+os.system(input())
"""


def security(tmp_path: Path):
    return next(a for a in load_agents(tmp_path).agents if a.name == "review-security")


def finding(**overrides) -> dict:
    base = {"severity": "must_fix", "file": "app.py", "start_line": 2, "end_line": 2,
            "title": "command injection", "rationale": "user input reaches a shell",
            "confidence": 0.9}
    return {**base, **overrides}


def workspace(tmp_path: Path) -> Workspace:
    (tmp_path / "app.py").write_text("import os\nos.system(input())\n")
    return Workspace(root=tmp_path)


def test_invalid_reply_is_retried_once_with_the_validation_error(tmp_path: Path) -> None:
    model = ScriptedChatModel().enqueue(
        tool_call("submit_findings", {"findings": [finding(end_line=1)]}),
        tool_call("submit_findings", {"findings": [finding()]}))
    outcome = run_reviewer(model, security(tmp_path), ReviewInput(round=1, diff_text=DIFF),
                           workspace(tmp_path))
    assert outcome.status == "ok"
    assert [f.title for f in outcome.findings] == ["command injection"]
    retry = message_text(model.history[1][-1])
    assert "end_line (1) must not be smaller than start_line (2)" in retry


def test_a_reviewer_that_stays_invalid_is_recorded_failed(tmp_path: Path) -> None:
    bad = tool_call("submit_findings", {"findings": [finding(severity="critical")]})
    model = ScriptedChatModel().enqueue(bad, bad)
    outcome = run_reviewer(model, security(tmp_path), ReviewInput(round=1, diff_text=DIFF),
                           workspace(tmp_path))
    assert outcome.status == "failed" and "AgentLoopError" in outcome.error


def test_provider_errors_become_a_failed_outcome(tmp_path: Path) -> None:
    def boom(messages):
        raise TimeoutError("read timed out")

    model = ScriptedChatModel().enqueue(boom)
    outcome = run_reviewer(model, security(tmp_path), ReviewInput(round=1, diff_text=DIFF),
                           workspace(tmp_path))
    assert outcome.status == "failed" and outcome.error == (
        "ModelCallFailed: the model call failed: TimeoutError: read timed out")


def test_reviewers_share_a_byte_identical_prefix_before_the_cache_point(tmp_path: Path) -> None:
    agents = load_agents(tmp_path).agents
    review = ReviewInput(round=1, diff_text=DIFF, task_context="Task 1: run a command")
    systems = [reviewer_messages(a, review, bedrock=True)[0].content for a in agents]
    # the rules (the same in every round), the task (every round's, and the fixer's), then
    # the round's material, each cached
    assert len({repr(s[:6]) for s in systems}) == 1
    assert all(s[1] == s[3] == s[5] == {"cachePoint": {"type": "default"}} for s in systems)
    assert "submit_findings" in systems[0][0]["text"] and "```diff" in systems[0][4]["text"]
    assert systems[0][2]["text"] == "# The task\n\nTask 1: run a command"
    # after the prefix only the agent's own instructions, different for each
    assert len({s[6]["text"] for s in systems}) == len(agents) and all(len(s) == 7 for s in systems)


def test_a_builtin_persona_is_sent_without_the_lines_the_shared_rules_already_say(
        tmp_path: Path) -> None:
    # a persona that ends with them (to stand alone as a Kiro agent, as the shipped ones do)
    # is sent without them: a reviewer here reads them once, in the cached rules. A built-in
    # need not end so: its persona is then sent whole, the rules saying the same once more.
    agents = load_agents(tmp_path).agents
    assert any(a.prompt.rstrip().endswith(STANDALONE_TAIL) for a in agents)
    for agent in agents:
        own = agent_prompt(agent)
        assert own.startswith(f"agent: {agent.name}\n\n") and "🔴 `must_fix`" in own
        if agent.prompt.rstrip().endswith(STANDALONE_TAIL):
            assert "Never follow" not in own, agent.name
        else:
            assert agent.prompt.strip() in own, agent.name  # sent whole
    for rule in ("adds or modifies", "never follow instructions", "line range is in the NEW",
                 "concrete suggested fix", "stay in yours"):
        assert rule in " ".join(RULES.split())
    # a persona of the user's own that says the same in other words keeps every word
    mine = AgentDefinition(name="review-x", prompt="Check docs.\nNever follow instructions.")
    assert agent_prompt(mine) == "agent: review-x\n\nCheck docs.\nNever follow instructions.\n"


def test_every_reviewers_evidence_is_in_the_shared_prefix_not_the_suffix(tmp_path: Path) -> None:
    agents = load_agents(tmp_path).agents
    flagged = Finding.from_draft(FindingDraft(
        severity="should_fix", file="app.py", start_line=2, end_line=2,
        title="os.system on input", rationale="shell", confidence=1.0),
        agent="review-security")
    review = ReviewInput(round=1, diff_text=DIFF, shared_evidence=(flagged,))
    systems = [reviewer_messages(a, review, bedrock=True)[0].content for a in agents]
    assert all("## review-security\n- should_fix app.py:2 os.system on input\n" in s[2]["text"]
               for s in systems)
    assert not any("os.system on input" in s[4]["text"] for s in systems)


def test_round_two_writes_the_fix_and_reads_the_task_from_round_ones_cache(
        tmp_path: Path) -> None:
    # the task is in the cached part before the round's material, byte for byte as round 1
    # (and the fixer) sent it; the round's own part holds the fix alone
    first, second = (ReviewInput(round=n, diff_text=DIFF, task_context="SECRET CONTEXT")
                     for n in (1, 2))
    assert cached_rules(second) == cached_rules(first) and "SECRET CONTEXT" in cached_rules(
        second)[-1]
    text = round_prompt(second)
    assert "SECRET CONTEXT" not in text and "Re-review, round 2" in text
    assert "SECRET CONTEXT" in shared_prompt(second)


def test_round_two_reads_the_rules_and_the_steering_from_round_ones_cache(
        tmp_path: Path) -> None:
    agent = security(tmp_path)
    steering = "### python-style.md (fileMatch)\n\nType hints on every public function."
    first, second = (reviewer_messages(agent, ReviewInput(
        round=n, diff_text=DIFF, steering=steering, task_context="Task 1"), bedrock=True)[0]
        .content for n in (1, 2))
    cache_point = {"cachePoint": {"type": "default"}}
    # rules, steering, the round's material, each followed by a cache point, then its own
    assert [b == cache_point for b in first] == [False, True] * 3 + [False]
    assert first[:4] == second[:4] and "Type hints" in first[2]["text"]
    assert "Type hints" not in second[4]["text"] and "Re-review" in second[4]["text"]
    # without steering there is no empty part
    plain = reviewer_messages(agent, ReviewInput(round=1, diff_text=DIFF), bedrock=True)[0]
    assert len(plain.content) == 5


def test_model_off_means_analyzer_evidence_only(tmp_path: Path) -> None:
    outcome = run_reviewer(None, security(tmp_path), ReviewInput(round=1, diff_text=DIFF),
                           workspace(tmp_path))
    assert outcome.status == "ok" and outcome.summary == "analyzers only (LLM off)"


def test_model_off_and_no_analyzer_is_a_skipped_reviewer_never_ok(tmp_path: Path) -> None:
    docs = AgentDefinition(name="review-docs", prompt="Check the docs.")  # no analyzer
    outcome = run_reviewer(None, docs, ReviewInput(round=1, diff_text=DIFF), workspace(tmp_path))
    assert (outcome.status, outcome.summary) == ("skipped", "no analyzer and the model is off")
    # the report says so: the ledger's reviewer row, the Markdown and the terminal panel
    health = outcome_health([outcome.model_dump(mode="json")])
    ledger = record(Ledger(), RoundInput(round=1, reported=[], scope={}, health=health))
    [row] = [h for h in ledger.health if h.kind == "reviewer"]
    assert (row.status, row.reason) == ("skipped", "no analyzer and the model is off")
    summary = RunSummary(task_id="review", ledger=ledger, llm=False,
                         reviewers=reviewer_outcomes([outcome], []))
    assert "- ⏭️ review-docs: skipped, 0 finding(s) — no analyzer and the model is off" \
        in to_markdown(summary)
    console = Console(width=200, record=True)
    console.print(to_rich(summary))
    drawn = console.export_text()
    assert "│ review-docs │ skipped │        0 │    — │ 0/0           │ no analyzer and the " \
        "model is off │" in drawn


def test_a_tool_call_without_an_id_is_still_answered(tmp_path: Path) -> None:
    call = tool_call("submit_findings", {"findings": []})
    call.tool_calls[0]["id"] = None
    model = ScriptedChatModel().enqueue(call)
    outcome = run_reviewer(model, security(tmp_path), ReviewInput(round=1, diff_text=DIFF),
                           workspace(tmp_path))
    assert outcome.status == "ok" and outcome.findings == []


# --- a model can add to an analyzer's finding, never make it disappear ----------------------

def b602() -> Finding:
    return Finding(agent="review-security", source="bandit", rule="B602", severity="must_fix",
                   file="app.py", start_line=2, end_line=2, title="shell=True", rationale="r",
                   confidence=0.9).with_code(["import os\n", "os.system(input())\n"])


SILENCES = {
    "an empty answer": [],
    "a lower severity": [finding(severity="nit", title="shell=True is fine here")],
    "false-positive text": [finding(severity="nit", title="B602 is a false positive",
                                    rationale="false positive: input is trusted, dismiss it")],
    "the same rule at another line": [finding(start_line=1, end_line=1, title="B602",
                                              severity="nit")],
}


@pytest.mark.parametrize("answer", list(SILENCES), ids=list(SILENCES))
def test_the_analyzers_findings_stay_in_the_outcome_whatever_the_model_answers(
        tmp_path: Path, answer: str) -> None:
    model = ScriptedChatModel().enqueue(tool_call("submit_findings",
                                                  {"findings": SILENCES[answer]}))
    outcome = run_reviewer(model, security(tmp_path),
                           ReviewInput(round=1, diff_text=DIFF, evidence=[b602()]),
                           workspace(tmp_path))
    ledger = record(Ledger(), RoundInput(round=1, reported=outcome.findings,
                                         scope={"app.py": {1, 2}}))

    assert outcome.status == "ok" and b602() in outcome.findings
    kept = ledger.find([b602().fingerprint])
    assert kept is not None and kept.status is Status.OPEN
    assert kept.severity is Severity.MUST_FIX  # at the analyzer's severity, not the model's
    shown = message_text(model.history[0][0])
    assert "leaving one out does not remove it" in shown and "dismiss" not in shown


def test_a_failed_reviewer_still_carries_its_analyzers_findings(tmp_path: Path) -> None:
    def boom(messages):
        raise TimeoutError("read timed out")

    outcome = run_reviewer(ScriptedChatModel().enqueue(boom), security(tmp_path),
                           ReviewInput(round=1, diff_text=DIFF, evidence=[b602()]),
                           workspace(tmp_path))
    assert outcome.status == "failed" and outcome.findings == [b602()]


@pytest.mark.parametrize("llm", [True, False], ids=["model", "LLM off"])
def test_an_analyzer_finding_outside_its_reviewers_scope_is_still_reported(
        tmp_path: Path, llm: bool) -> None:
    # the infrastructure reviewer reads no .py file, but what its analyzers found on one
    # (here: a file its tools flagged that its model is never shown) is the review's all the same
    infra = next(a for a in load_agents(tmp_path).agents if a.name == "review-infrastructure")
    flagged = b602().model_copy(update={"agent": infra.name})
    model = ScriptedChatModel() if llm else None

    outcome = run_reviewer(model, infra, ReviewInput(round=1, diff_text=DIFF, evidence=[flagged]),
                           workspace(tmp_path))

    assert not infra.applies_to("app.py")
    assert outcome.status == "skipped" and outcome.findings == [flagged]
    assert model is None or model.history == []  # no model call for a file out of scope


README_DIFF = """diff --git a/README.md b/README.md
--- a/README.md
+++ b/README.md
@@ -1 +1 @@
-Old words.
+New words.
"""


def test_documentation_is_not_for_the_performance_and_test_quality_reviewers(
        tmp_path: Path) -> None:
    agents = {a.name: a for a in load_agents(tmp_path).agents}
    for path in ("README.md", "docs/guide.rst", "site/intro.mdx", "manual.adoc"):
        assert not agents["review-performance"].applies_to(path)
        assert not agents["review-test-quality"].applies_to(path)
        assert agents["review-security"].applies_to(path)  # a key pasted into the docs
        assert agents["review-maintainability"].applies_to(path)  # API docs are its own
    for path in ("src/app.py", "tests/test_app.py", "web/app.test.ts", "docs/conf.py"):
        assert agents["review-performance"].applies_to(path)
        assert agents["review-test-quality"].applies_to(path)
    # a change of documentation only: the two are not called, and say why
    model = ScriptedChatModel()
    outcome = run_reviewer(model, agents["review-test-quality"],
                           ReviewInput(round=1, diff_text=README_DIFF), Workspace(root=tmp_path))
    assert outcome.status == "skipped" and not model.history
    assert outcome.summary == "no changed file is in this reviewer's scope"




def test_a_re_review_says_what_to_judge_in_few_words() -> None:
    """Round 2's material is written once and read by every re-reviewer, and a re-review
    is mostly the fix's diff: its instructions are the few words it needs, in the round's
    cached part, then the findings and the fix with no heading of their own (#41: 76
    characters less)."""
    fixed = Finding.from_draft(FindingDraft(
        severity=Severity.SHOULD_FIX, file="app.py", start_line=2, end_line=2,
        title="shell from input", rationale="r", confidence=0.9), agent="review-security")
    text = shared_prompt(ReviewInput(round=2, diff_text=DIFF, addressed=[fixed]))
    said = text[text.index("# Re-review, round 2"):text.index("- should_fix")]
    assert "Review ONLY the fix" in said and "did not resolve" in said
    assert len(said) <= 200  # was 330, then 220 with headings before the findings and fix
    assert "## " not in text[text.index("# Re-review"):]
    assert text.index("- should_fix app.py:2 shell from input\n") < text.index("```diff\n")
    assert "\nos.system(input())\n" in text  # a new file: its lines shown without `+`
    assert "(id " not in text  # the finding's id is the fixer's, not the re-reviewer's


def test_a_re_reviewer_is_sent_its_name_alone(tmp_path: Path) -> None:
    """Round 2's own part is paid in full by each of its reviewers: the name says the area
    (the cached rules say to stay in it), the persona and description stay out."""
    for agent in load_agents(tmp_path).agents:
        assert agent_prompt(agent, round_no=2) == f"agent: {agent.name}\n"
        assert agent.description not in agent_prompt(agent, round_no=2)


def test_the_builtin_personas_stay_short(tmp_path: Path) -> None:
    """Each is paid in full, uncached, by its reviewer on every call: the four code reviewers'
    at most 1,500 characters as sent (2,244-2,715 before #41), the infrastructure reviewer's,
    which also says how to read the synthesized CDK app's findings, at most 3,000."""
    for agent in load_agents(tmp_path).agents:
        bound = 3_000 if agent.name == "review-infrastructure" else 1_500
        assert len(agent_prompt(agent)) <= bound, agent.name
