"""The combined re-review (and round 1's combined review): which reviewers are asked in one
call (`review.rereview`), and that call as `run_reviewers` makes it (one request, one outcome
per reviewer)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessage

from reviewloop.agent.tools import Workspace
from reviewloop.config import Review
from reviewloop.findings.schema import Finding, FindingDraft, Severity
from reviewloop.review.chunks import Chunk
from reviewloop.review.definitions import AgentDefinition
from reviewloop.review.model_review import run_reviewers
from reviewloop.review.rereview import asked_together, combined, own_prompt, planned_calls
from reviewloop.review.reviewer import ReviewInput
from tests.support.chat import ScriptedChatModel, message_text, tool_call

PATHS = ("app.py", "web/view.js", "docs/guide.md", "infra/main.tf")
SCOPES = (((), ()), (("*.py",), ()), ((), ("*.md",)), (("*.tf",), ()), (("*.py", "*.js"), ()))
TOOLS = (("fs_read", "grep"), ("fs_read",))
MODELS = ("model-a", "model-b", "")  # "": the reviewer has no model (never asked)

reviewer = st.tuples(st.sampled_from(SCOPES), st.sampled_from(TOOLS), st.sampled_from(MODELS))


def agents_of(specs: list[tuple]) -> tuple[list[AgentDefinition], dict[str, str]]:
    agents = [AgentDefinition(name=f"review-{i}", prompt="p", include=scope[0],
                              exclude=scope[1], tools=tools)
              for i, (scope, tools, _) in enumerate(specs)]
    return agents, {a.name: model for a, (_, _, model) in zip(agents, specs, strict=True)
                    if model}


def chunks_of(groups: list[tuple[str, ...]]) -> list[Chunk]:
    return [Chunk(index=i, paths=paths, diff="", tokens=1) for i, paths in enumerate(groups)]


def assigned(agents: list[AgentDefinition], chunks: list[Chunk]) -> list[tuple[str, int]]:
    return [(a.name, c.index) for a in agents for c in chunks
            if any(a.applies_to(p) for p in c.paths)]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(specs=st.lists(reviewer, min_size=1, max_size=6),
       files=st.lists(st.lists(st.sampled_from(PATHS), min_size=1, max_size=3, unique=True)
                      .map(tuple), min_size=1, max_size=3),
       round_no=st.integers(min_value=1, max_value=3),
       switches=st.tuples(st.booleans(), st.booleans()))
def test_those_asked_together_would_send_the_same_request_but_their_names(
        specs, files, round_no, switches) -> None:
    """A group holds every reviewer of a chunk, and only those, that shares the model and
    the tool grants of the others and has every file of the chunk in its scope (so it
    reads the same diff, `review.layers`); a lone one, no model, or a round whose setting
    is off (round 1: `combined_review`, later: `combined_rereview`): separate."""
    agents, models = agents_of(specs)
    chunks = chunks_of(files)
    pairs = assigned(agents, chunks)
    first, later = switches
    on = combined(Review(combined_review=first, combined_rereview=later), round_no)
    assert on == (first if round_no == 1 else later)
    groups = asked_together(agents, chunks, pairs, models) if on else ()
    by_name = {a.name: a for a in agents}

    def key(name: str, index: int) -> tuple | None:
        agent = by_name[name]
        if not models.get(name) or not all(agent.applies_to(p) for p in chunks[index].paths):
            return None
        return models[name], tuple(sorted(agent.tools))

    expected: dict[tuple, list[str]] = {}
    if on:
        for name, index in pairs:
            if (found := key(name, index)) is not None:
                expected.setdefault((index, *found), []).append(name)
    assert sorted(groups) == sorted((index, tuple(names))
                                    for (index, *_), names in expected.items()
                                    if len(names) > 1)
    # a call per reviewer with a file of the chunk, a group's members counting as one
    calls = planned_calls(agents, chunks, pairs, models, groups)
    alone = sum(1 for name, _ in pairs if name in models)
    assert sum(map(len, calls.values())) == alone - sum(len(n) - 1 for _, n in groups)
    assert all(", ".join(names) in [c for c, _ in calls[index]] for index, names in groups)


# -- the combined call -----------------------------------------------------------------

DIFF = """diff --git a/app.py b/app.py
--- a/app.py
+++ b/app.py
@@ -1,2 +1,2 @@
 import os
-os.system("ls")
+os.system(input())
"""
NAMES = ("review-security", "review-maintainability", "review-performance")


def finding(agent: str | None = None, **overrides) -> dict:
    base = {"severity": "should_fix", "file": "app.py", "start_line": 2, "end_line": 2,
            "title": "shell built from input", "rationale": "the fix reads input into a shell",
            "confidence": 0.8}
    return {**base, **({"agent": agent} if agent is not None else {}), **overrides}


def members(tmp_path: Path, count: int = 3) -> list[tuple[AgentDefinition, ReviewInput]]:
    """`count` re-reviewers of round 2, each with an analyzer finding of its own."""
    (tmp_path / "app.py").write_text("import os\nos.system(input())\n")
    out = []
    for name in NAMES[:count]:
        analyzer = Finding.from_draft(FindingDraft(
            severity=Severity.NIT, file="app.py", start_line=1, end_line=1,
            title=f"{name} analyzer says", rationale="r", confidence=1.0), agent=name)
        analyzer = analyzer.model_copy(update={"source": "ruff"})
        out.append((AgentDefinition(name=name, prompt=f"You are {name}."),
                    ReviewInput(round=2, diff_text=DIFF, evidence=[analyzer])))
    return out


def test_one_call_asks_every_reviewer_and_each_gets_its_own_outcome(tmp_path: Path) -> None:
    model = ScriptedChatModel().enqueue(AIMessage(
        content="", tool_calls=[{"name": "submit_findings", "id": "1", "args": {"findings": [
            finding("review-security"), finding("review-performance", title="input per call")]}}],
        usage_metadata={"input_tokens": 1001, "output_tokens": 31, "total_tokens": 1032}))
    outcomes = run_reviewers(model, members(tmp_path), Workspace(root=tmp_path))

    assert len(model.history) == 1  # one request for the three
    system = message_text(model.history[0][0])
    assert f"agents: {', '.join(NAMES)}\n" in system
    assert "You are review-security" not in system  # names only, as a lone re-reviewer
    assert [o.agent for o in outcomes] == list(NAMES)
    assert all(o.status == "ok" and o.round == 2 for o in outcomes)
    llm = {o.agent: [f.title for f in o.findings if f.source == "llm"] for o in outcomes}
    assert llm == {"review-security": ["shell built from input"],
                   "review-maintainability": [], "review-performance": ["input per call"]}
    # each keeps its own analyzer finding, whatever the model said
    assert all(f"{o.agent} analyzer says" in [f.title for f in o.findings] for o in outcomes)
    # the call's tokens, shared out: they add up to what the provider billed
    assert sum(u.input_tokens for o in outcomes for u in o.usage) == 1001
    assert sum(u.output_tokens for o in outcomes for u in o.usage) == 31
    assert [u.agent for o in outcomes for u in o.usage] == list(NAMES)


BAD = {"missing": None, "unknown": "review-nobody", "not asked": "review-test-quality",
       "empty": ""}


@pytest.mark.parametrize(("bad", "count", "corrected"),
                         list(itertools.product(BAD, (2, 3), (True, False))))
def test_a_finding_that_names_no_asked_reviewer_is_a_malformed_reply(
        tmp_path: Path, bad: str, count: int, corrected: bool) -> None:
    """Asked again once with the error, as any invalid reply; still wrong: every reviewer
    of the call failed, each with its analyzers' findings."""
    wrong = tool_call("submit_findings", {"findings": [finding(BAD[bad])]})
    right = tool_call("submit_findings", {"findings": [finding(NAMES[count - 1])]})
    model = ScriptedChatModel().enqueue(wrong, right if corrected else wrong)
    outcomes = run_reviewers(model, members(tmp_path, count), Workspace(root=tmp_path))

    retry = message_text(model.history[1][-1])
    assert "every finding's `agent` must be one of " + ", ".join(NAMES[:count]) in retry
    assert len(outcomes) == count and len(model.history) == 2
    if corrected:
        assert [o.status for o in outcomes] == ["ok"] * count
        assert "shell built from input" in [f.title for f in outcomes[-1].findings]
    else:
        assert all(o.status == "failed" and "AgentLoopError" in (o.error or "")
                   for o in outcomes)
        assert all([f.source for f in o.findings] == ["ruff"] for o in outcomes)


@pytest.mark.parametrize("agent", [None, "review-security", "review-other"])
def test_a_lone_reviewer_may_leave_out_or_name_the_agent(tmp_path: Path,
                                                         agent: str | None) -> None:
    # the field is in every call's tool spec (the cached prefix); alone it says nothing
    model = ScriptedChatModel().enqueue(
        tool_call("submit_findings", {"findings": [finding(agent)]}))
    (outcome,) = run_reviewers(model, members(tmp_path, 1), Workspace(root=tmp_path))
    assert outcome.status == "ok" and "agent: review-security\n" in message_text(
        model.history[0][0])
    assert [f.agent for f in outcome.findings if f.source == "llm"] == ["review-security"]


def test_round_one_asks_its_reviewers_in_one_call_each_by_its_own_instructions(
        tmp_path: Path) -> None:
    """`[review] combined_review`: round 1's call carries every member's persona under its
    name (a re-review's only the names); each member keeps its own outcome, findings and
    analyzer findings, as when asked alone."""
    model = ScriptedChatModel().enqueue(tool_call("submit_findings", {"findings": [
        finding("review-security"), finding("review-performance", title="input per call")]}))
    first = [(a, replace(r, round=1)) for a, r in members(tmp_path)]
    outcomes = run_reviewers(model, first, Workspace(root=tmp_path))

    (asked,) = model.history
    system = message_text(asked[0])
    assert f"agents: {', '.join(NAMES)}\n" in system
    assert all(f"## {name}\n\nYou are {name}." in system for name in NAMES)
    assert "agent: review-" not in system  # no lone reviewer's script would answer it
    assert message_text(asked[-1]) == "Review as each agent listed."
    assert [(o.agent, o.round, o.status) for o in outcomes] == [(n, 1, "ok") for n in NAMES]
    llm = {o.agent: [f.title for f in o.findings if f.source == "llm"] for o in outcomes}
    assert llm == {"review-security": ["shell built from input"],
                   "review-maintainability": [], "review-performance": ["input per call"]}
    assert all(f"{o.agent} analyzer says" in [f.title for f in o.findings] for o in outcomes)


@pytest.mark.parametrize("round_no", [1, 2])
def test_the_estimate_sizes_a_group_s_own_part_as_its_call_sends_it(round_no: int) -> None:
    agents = [AgentDefinition(name=n, prompt=f"You are {n}, at length. " * 20) for n in NAMES]
    together = ((0, NAMES[:2]),)
    group = own_prompt(agents, ", ".join(NAMES[:2]), together, round_no)
    alone = own_prompt(agents, NAMES[2], together, round_no)
    assert group.startswith(f"agents: {NAMES[0]}, {NAMES[1]}\n")
    assert alone.startswith(f"agent: {NAMES[2]}\n")
    # round 1 sends each member's persona; a re-review the names alone
    assert (agents[0].prompt.strip() in group) == (round_no == 1)
    assert (agents[2].prompt.strip() in alone) == (round_no == 1)
