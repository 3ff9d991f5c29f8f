"""The model half of one reviewer: its messages, its read-only tools and submit tool, the
tool loop, and the reply validated into findings.

Apart from `review.reviewer` (the outcome, the prompt, what no model reads) because the tools
load LangChain's tool classes and LangSmith's tracers, about a second of imports that an
offline review, where no model runs, never needs.

Scope. A reviewer reads the diff of the files in its scope (`review.round`) and its findings
are kept on those files only (`_in_scope`); its read-only tools may still open any file of
the checkout for context, as the persona needs to follow a call into code it does not judge.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.tools import BaseTool

from reviewloop.agent.messages import system_message
from reviewloop.agent.models import UsageRecord, usage_from
from reviewloop.agent.round_tools import granted_only
from reviewloop.agent.tool_loop import run_agent
from reviewloop.agent.tools import ToolLog, ToolRefused, Workspace, reviewer_tools
from reviewloop.checks.secrets.scanner import redact, redact_finding
from reviewloop.findings.schema import Finding, FindingDraft
from reviewloop.git.diff import parse_diff
from reviewloop.git.reverse import git_lines
from reviewloop.review.cache_gate import PrefixGate, pass_gates
from reviewloop.review.definitions import AgentDefinition
from reviewloop.review.reviewer import (
    ReviewerOutcome,
    ReviewInput,
    agent_prompt,
    agents_prompt,
    analyzed,
    health_of,
    offline_outcome,
    own_after,
    shared_parts,
    skipped_outcome,
)
from reviewloop.review.submit import Submission, agents_checked, submit_tool

if TYPE_CHECKING:  # an annotation: the model classes load LangSmith's tracers
    from langchain_core.language_models import BaseChatModel


def reviewer_messages(agent: AgentDefinition, review: ReviewInput, *,
                      bedrock: bool) -> list[BaseMessage]:
    own = agent_prompt(agent, review.round) + own_after(review)
    system = system_message(shared_parts(review), own, bedrock=bedrock)
    ask = HumanMessage(f"Review as {agent.name}.")  # the rules say to call submit_findings
    return [system, ask]


def combined_messages(agents: Sequence[AgentDefinition], review: ReviewInput, *,
                      bedrock: bool) -> list[BaseMessage]:
    """Reviewers asked in one call (`review.rereview`): the same cached parts and material,
    then the agents' names (and in round 1 each one's persona)."""
    system = system_message(shared_parts(review),
                            agents_prompt(agents, review.round) + own_after(review),
                            bedrock=bedrock)
    return [system, HumanMessage("Review as each agent listed.")]


def reviewer_tools_for(agent: AgentDefinition, workspace: Workspace,
                       declared: Sequence[BaseTool] | None) -> list[BaseTool]:
    """The tools the reviewer's requests carry: its grants (`tools`), or with `declared`
    (a round a fixer follows) that whole list, where it may use only its grants."""
    if declared is None:
        return granted(agent, workspace)
    return granted_only(declared, set(agent.tools), f"reviewer {agent.name}")


def run_reviewer(model: BaseChatModel | None, agent: AgentDefinition, review: ReviewInput,
                 workspace: Workspace, *, model_name: str = "", bedrock: bool = False,
                 max_steps: int = 12, timeout_s: float | None = None,
                 gates: Sequence[PrefixGate] = (),
                 declared: Sequence[BaseTool] | None = None) -> ReviewerOutcome:
    """Run one reviewer; any failure becomes a recorded `failed` outcome, never an exception.
    With `gates`, the reviewers sharing each cached part write it once (`review.cache_gate`);
    with `declared`, its requests carry those tools, of which it may use its grants only."""
    return run_reviewers(model, [(agent, review)], workspace, model_name=model_name,
                         bedrock=bedrock, max_steps=max_steps, timeout_s=timeout_s,
                         gates=gates, declared=declared)[0]


def run_reviewers(model: BaseChatModel | None,
                  members: Sequence[tuple[AgentDefinition, ReviewInput]], workspace: Workspace,
                  *, model_name: str = "", bedrock: bool = False, max_steps: int = 12,
                  timeout_s: float | None = None, gates: Sequence[PrefixGate] = (),
                  declared: Sequence[BaseTool] | None = None) -> list[ReviewerOutcome]:
    """`run_reviewer` for one reviewer; for several (a combined review or re-review, whose
    members read the same material and hold the same tools: `review.rereview`) one call for all,
    each finding kept for the agent it names, and one outcome per member as if each had
    been asked alone: its analyzers' findings and health, its findings, a share of the
    call's tokens; a failed call fails every member."""
    started = time.monotonic()
    if model is None:
        return [offline_outcome(agent, review, started) for agent, review in members]
    skipped = [skipped_outcome(agent, review) for agent, review in members]
    asked = [m for m, out in zip(members, skipped, strict=True) if out is None]
    if not asked:
        return [out for out in skipped if out is not None]
    agent, review = asked[0]  # every member reads the same material
    names = [a.name for a, _ in asked]
    usage: list[UsageRecord] = []  # every call, also those of a run that then fails

    def count(reply: AIMessage) -> None:
        usage.append(usage_from(reply, role="review", agent=agent.name, model=model_name))

    written: list[PrefixGate] = []  # the cached parts this request writes

    def opened() -> None:
        for gate in written:
            gate.open()

    try:
        scoped = _scoped(review, [f for a, r in asked for f in _evidence(a, r)])
        messages = reviewer_messages(agent, scoped, bedrock=bedrock) if len(asked) == 1 \
            else combined_messages([a for a, _ in asked], scoped, bedrock=bedrock)
        written = pass_gates(gates, timeout_s)  # the others' parts are cached once read
        result = run_agent(model, messages, reviewer_tools_for(agent, workspace, declared),
                           max_steps=max_steps, finish_tool=submit_tool(),
                           finish=agents_checked(names), nudges=1, timeout_s=timeout_s,
                           on_reply=count, on_first_token=opened if written else None)
        reply: Submission = result.final
        drafts = [(d, d.agent if len(asked) > 1 and d.agent else agent.name)
                  for d in reply.findings]
        found = {a.name: _in_scope(a, [redact_finding(_attribute(d, a.name, workspace))
                                       for d, name in drafts if name == a.name], reply.summary)
                 for a, _ in asked}
    except Exception as exc:  # noqa: BLE001 - the per-reviewer boundary: record, never crash
        # an exception's text may quote a credential (an HTTP client quotes a bad header)
        opened()  # the others go on (and write those parts themselves)
        outcomes = _outcomes(asked, usage, started,
                             error=redact(f"{type(exc).__name__}: {exc}")[:2000])
    else:
        outcomes = _outcomes(asked, usage, started, found=found)
    return [out if out is not None else outcomes[a.name]
            for (a, _), out in zip(members, skipped, strict=True)]


def _outcomes(asked: Sequence[tuple[AgentDefinition, ReviewInput]],
              usage: Sequence[UsageRecord], started: float, *,
              found: Mapping[str, tuple[list[Finding], str | None]] | None = None,
              error: str | None = None) -> dict[str, ReviewerOutcome]:
    """Each asked reviewer's outcome: `ok` with what the model `found` for it, else `failed`
    with the `error`; its analyzers' findings and health and its share of `usage` either
    way."""
    shares = _shares(usage, [a.name for a, _ in asked])
    return {a.name: ReviewerOutcome(
        agent=a.name, round=r.round, status="failed" if found is None else "ok",
        findings=[*analyzed(a, r), *(found[a.name][0] if found is not None else ())],
        summary=found[a.name][1] if found is not None else None, error=error, usage=share,
        analyzers=health_of(a, r), duration_s=time.monotonic() - started)
        for (a, r), share in zip(asked, shares, strict=True)}


def _evidence(agent: AgentDefinition, review: ReviewInput) -> list[Finding]:
    """The analyzer findings the model is shown to comment on: the agent's own, on the lines
    it reviews (all its redacted findings when the caller has already limited them)."""
    evidence = [redact_finding(f) for f in review.evidence if f.agent == agent.name]
    if review.paths is not None:
        return evidence
    changes = parse_diff(review.diff_text, source=f"{agent.name} diff")
    return [f for f in evidence if changes.touches(f.file, f.start_line, f.end_line)]


def _shares(usage: Sequence[UsageRecord], names: Sequence[str]) -> list[list[UsageRecord]]:
    """Each member's part of a combined call's usage: every reply split evenly (the first
    member takes what does not divide), so the members' tokens add up to the call's."""
    parts = len(names)
    fields = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
    return [[u.model_copy(update={"agent": name, "shared_by": parts, **{
        f: getattr(u, f) // parts + (getattr(u, f) % parts if i == 0 else 0) for f in fields}})
        for u in usage] for i, name in enumerate(names)]


def _in_scope(agent: AgentDefinition, findings: list[Finding], summary: str | None
              ) -> tuple[list[Finding], str | None]:
    """The model's findings on files in the agent's scope; those on files its `include` /
    `exclude` leave out are dropped (its owner asked for no opinion there; a reviewer whose
    scope holds the file reviews it) and counted in the outcome's summary. The analyzers'
    findings are not the model's to drop and never pass through here."""
    outside = sorted({f.file for f in findings if not agent.applies_to(f.file)})
    if not outside:
        return findings, summary
    kept = [f for f in findings if agent.applies_to(f.file)]
    note = (f"dropped {len(findings) - len(kept)} finding(s) on files outside this "
            f"reviewer's scope: {', '.join(outside)}")
    return kept, f"{summary.rstrip()} ({note})" if summary else note


def granted(agent: AgentDefinition, workspace: Workspace) -> list[BaseTool]:
    """The read-only tools the agent's definition grants (`tools`), no more."""
    return [t for t in reviewer_tools(workspace, ToolLog()) if t.name in agent.tools]


def _scoped(review: ReviewInput, evidence: list[Finding]) -> ReviewInput:
    # a reviewer run on its own (no round shared the evidence) is shown its own findings;
    # those on files sent after the prefix are there already (`after_evidence`)
    before = [f for f in evidence if f.file not in review.after_paths]
    return replace(review, evidence=evidence, shared_evidence=review.shared_evidence or before)


def _attribute(draft: FindingDraft, agent: str, workspace: Workspace) -> Finding:
    """The draft fingerprinted on its code; a path the model made up is read only when the
    workspace allows it (never through a symlink out, never a secret file)."""
    try:
        path = workspace.resolve(draft.file)
        lines = git_lines(path.read_bytes().decode("utf-8", "replace"))  # the diff's lines
    except (ToolRefused, OSError):
        lines = None
    return Finding.from_draft(draft, agent=agent, code_lines=lines)
