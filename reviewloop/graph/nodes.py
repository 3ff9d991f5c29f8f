"""The graph's nodes: read state, call one domain function, return a partial update.

Every node takes `runtime.context` (`LoopDeps`) for the repository, models and settings.
No node decides where the loop goes next (`routing` does); each records the facts a
router reads: the gate report, the actionable findings, why a fix stopped, the spend.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from reviewloop.agent.models import UsageRecord, is_bedrock_model
from reviewloop.agent.spend import over_budget
from reviewloop.agent.tools import editor_tools
from reviewloop.checks.gates.base import GateResult, gate_event
from reviewloop.checks.gates.registry import OnGate, check_change
from reviewloop.checks.suppressions.scope import Suppressions, run_trust, suppressions_for
from reviewloop.config import model_for
from reviewloop.fixes.loop import FixJob, OnGroup, fix_and_test
from reviewloop.fixes.outcome import GroupResult, escalated_in
from reviewloop.git.changes import (
    artifacts_of,
    changes_since,
    union,
    write_diff,
)
from reviewloop.git.repository import Snapshot
from reviewloop.graph.context import LoopDeps
from reviewloop.graph.state import LoopState, ReviewTask, round_reviews
from reviewloop.implement.attempt import implementer_context, run_implementer, write_context
from reviewloop.landing.commit import CommitFacts, commit_change
from reviewloop.landing.job import LandJob
from reviewloop.landing.land import land_change
from reviewloop.policy.levers import repository_levers
from reviewloop.reports.summary import Scope, build_summary, rounds_run
from reviewloop.review.model_review import run_reviewer
from reviewloop.review.round import (
    RoundAsk,
    RoundSetup,
    SharedPrefix,
    prepare_round,
    reviewer_input,
    shared_prefix,
)
from reviewloop.review.triage import TriageAsk, triage_round
from reviewloop.spec.steering_set import SteeringSet

Update = dict[str, object]


def implement(state: LoopState, runtime: Runtime[LoopDeps]) -> Update:
    deps = runtime.context
    context_path = deps.here(state.context_path) or write_context(
        deps.root, deps.spec_file, deps.run_dir, state.task_id)
    report = state.gate_report
    feedback = report.feedback() if report is not None and not report.passed else None
    result = run_implementer(deps.implementer, state.task_id,
                             implementer_context(context_path, deps.run_dir,
                                                 state.touched.paths), feedback,
                             models=deps.models, workspace=deps.workspace, policy=deps.policy,
                             settings=deps.settings)
    touched, diff_text = changes_since(deps.repo, state.baseline, state.artifacts)
    return {"diff_path": write_diff(deps.run_dir, 1, diff_text), "touched": touched,
            "context_path": context_path, "round": 1, "attempts": state.attempts + 1,
            "usage": result.usage,
            "escalations": [] if result.ok else [f"implementer failed: {result.summary}"]}


def gates(state: LoopState, runtime: Runtime[LoopDeps]) -> Update:
    deps = runtime.context
    report, made = artifacts_of(deps.repo, state.baseline, lambda: check_change(
        deps.repo, deps.settings, state.touched, deps.here(state.diff_path), phase="implement",
        on_gate=gate_events()))
    return {"gate_report": report, "passed_tests": report.passed_tests,
            "artifacts": sorted({*state.artifacts, *made}),
            "over_budget": _spent(deps, state, state.usage)}


def prepare(state: LoopState, runtime: Runtime[LoopDeps]) -> Update:
    """The round's diff, chunks, analyzer evidence and estimate, made once for all reviewers;
    who reviews which chunk goes into state for the fan-out."""
    deps = runtime.context
    ready = prepare_round(_setup(deps), RoundAsk(
        round=state.round, diff_path=deps.here(state.diff_path),
        context_path=deps.here(state.context_path) or None, addressed=state.addressed,
        baseline=state.baseline))
    update: Update = {"material_path": ready.material_path, "usage": ready.usage,
                      "assignments": list(ready.assignments), "review_stopped": ready.stopped,
                      "not_reviewed": sorted({*state.not_reviewed, *ready.skipped})}
    if ready.stopped:
        update["reviews"] = ready.not_started
        update["escalations"] = [*state.escalations, f"review stopped: {ready.stopped}"]
    return update


def review(task: ReviewTask, runtime: Runtime[LoopDeps]) -> Update:
    """One reviewer on one chunk (a `Send` branch): its outcome joins `reviews`."""
    deps = runtime.context
    material_path = deps.here(task.material_path)
    agent, review_input = reviewer_input(
        _setup(deps), material_path, task.review_agent, task.review_chunk,
        RoundAsk(round=task.round, diff_path="", context_path=deps.here(task.context_path) or None,
                 addressed=task.addressed, baseline=task.baseline))
    chat = deps.models.get("review", agent.model)
    bedrock = bool(chat and chat.bedrock)
    # one prefix per chunk, model and the diff in it (a small scope has a prefix of its own)
    gate = deps.cache_gates.gate((material_path, task.review_chunk, chat.name,
                                  hash(review_input.diff_text))) \
        if chat and bedrock and deps.settings.review.cache_warm else None
    # a fixer may follow and would read this prefix: declare its tools too (`round_tools`)
    declared = editor_tools(deps.workspace, deps.policy) \
        if chat and task.fixing and _fixer_reads(deps, chat.name) else None
    outcome = run_reviewer(chat.model if chat else None, agent, review_input, deps.workspace,
                           model_name=chat.name if chat else "", bedrock=bedrock,
                           timeout_s=chat.timeout_s if chat else None, gate=gate,
                           declared=declared)
    return {"reviews": [outcome.model_copy(update={"usage": []})], "usage": outcome.usage}


def triage(state: LoopState, runtime: Runtime[LoopDeps]) -> Update:
    """Record the round in the ledger; what is still open and actionable goes to the fixer."""
    deps = runtime.context
    outcomes = round_reviews(state, state.round)
    ledger = triage_round(state.ledger, outcomes, TriageAsk(
        round=state.round, diff_path=deps.here(state.diff_path),
        material_path=deps.here(state.material_path),
        baseline=state.baseline, addressed=state.addressed, task_run=deps.spec_file is not None),
        repo=deps.repo, agents=deps.agents, found=round_suppressions(deps, state.baseline))
    failed = [f"reviewer {r.agent} failed in round {state.round}: {r.error}"
              for r in outcomes if r.status == "failed"]
    return {"escalations": [*state.escalations, *failed], "ledger": ledger,
            "actionable": ledger.actionable,
            "over_budget": _spent(deps, state, state.usage)}


def snapshot(state: LoopState, runtime: Runtime[LoopDeps]) -> Update:
    """The fix point, saved before the fixer starts: a crash mid-fix resumes against it.
    Runs only on the way to `fix`, so a fix that cannot run costs no snapshot."""
    return {"fix_baseline": runtime.context.repo.snapshot(base=state.baseline.base)}


def fix(state: LoopState, runtime: Runtime[LoopDeps]) -> Update:
    deps = runtime.context
    before = state.fix_baseline or state.baseline
    result = fix_and_test(_fix_job(deps, state), state.actionable)
    round_no = state.round + 1
    # Files the fixer's own test runs leave are caught by the artifact patterns; paths the
    # gates made earlier stay excluded through `artifacts`.
    diff_text = changes_since(deps.repo, before, state.artifacts)[1]
    diff_path = write_diff(deps.run_dir, round_no, diff_text) if diff_text.strip() else ""
    touched = changes_since(deps.repo, state.baseline, state.artifacts)[0]
    update: Update = {
        "round": round_no, "diff_path": diff_path, "touched": union(state.touched, touched),
        "addressed": result.addressed, "fix_stopped": result.stopped(bool(diff_path)),
        "usage": result.usage, "escalations": [*state.escalations, *result.escalations()],
        # a group whose fix budget ran out is a human's now, whatever the next round says
        "ledger": escalated_in(state.ledger, result, state.round),
        # a failed fix was discarded: the last green count still holds
        "passed_tests": (result.passed_tests if result.passed_tests is not None
                         else state.passed_tests),
        "over_budget": _spent(deps, state, [*state.usage, *result.usage])}
    if result.report is not None:
        update["gate_report"] = result.report
    return update


def escalate(state: LoopState, runtime: Runtime[LoopDeps]) -> Update:
    """Say why a human must decide, from the facts the router went by: the budget spent, the
    gates failed for good, a fix that stopped, findings still open after the last round."""
    reasons = list(state.escalations)
    ledger = state.ledger
    if state.over_budget and state.over_budget not in reasons:
        reasons.append(state.over_budget)
    report = state.gate_report
    if report is not None and not report.passed:
        reasons.append(f"guard-rails failed: {report.headline}")
    elif state.fix_stopped:  # no re-review follows: what is open goes to the human
        ledger = ledger.escalate(state.fix_stopped)
        reasons.append(state.fix_stopped)
    elif state.actionable and state.limits.fix and state.round >= state.limits.max_rounds:
        why = f"still open after {state.round} review round(s)"
        ledger = ledger.escalate(why)
        reasons.append(f"{len(state.actionable)} finding(s) {why}")
    return {"escalations": reasons, "ledger": ledger}


def present(state: LoopState, runtime: Runtime[LoopDeps]) -> Update:
    """Build the summary and stop for the human; resume supplies the decision."""
    summary = build_summary(summary_scope(runtime.context), state, state.escalations)
    answer = interrupt({"run_id": state.run_id, "summary": summary.model_dump(mode="json")})
    decision = answer.get("decision") if isinstance(answer, dict) else str(answer)
    # the summary's ledger adds a finding for each lever the change touches
    if decision == "approve":
        return {"summary": summary, "ledger": summary.ledger, "decision": "approve"}
    return {"summary": summary, "ledger": summary.ledger, "decision": "reject",
            "outcome": "declined"}


def commit(state: LoopState, runtime: Runtime[LoopDeps]) -> Update:
    """Commit in the run's worktree, on the run's branch."""
    deps = runtime.context
    facts = CommitFacts(run_id=state.run_id, task_id=state.task_id, ledger=state.ledger,
                        rounds=rounds_run(state.reviews), passed_tests=state.passed_tests,
                        style=deps.settings.commit)
    return {"commit": commit_change(deps.repo, deps.workspace, deps.spec_file,
                                    deps.settings.gates.protected_branches, state.touched,
                                    facts)}


def land(state: LoopState, runtime: Runtime[LoopDeps]) -> Update:
    """Bring the commit to the user's branch (run.land); the landed commit replaces it, and
    what the user must hear about their checkout goes into `notices`."""
    deps = runtime.context
    landed = land_change(LandJob(
        repo=deps.repo, settings=deps.settings, run_dir=deps.run_dir, spec_file=deps.spec_file,
        checkout=deps.checkout, run_tree=deps.run_tree, run_id=state.run_id,
        task_id=state.task_id, summary=state.summary, open_pr=deps.open_pr), state.commit or "")
    return {"commit": landed.commit, "notices": landed.notices, "outcome": "committed"}


def gate_events() -> OnGate:
    """Each gate's start and end, told to whoever streams the run (the live view, CI logs)."""
    try:
        write = get_stream_writer()
    except RuntimeError:  # called outside a runnable context (a unit test, a direct call)
        return lambda name, result: None

    def told(name: str, result: GateResult | None) -> None:
        write(gate_event(name, result))
    return told


def fix_group_events() -> OnGroup | None:
    """Each fix group as it ends (its findings, outcome, time and tokens), told to whoever
    streams the run: the run's trace draws it on the timeline."""
    try:
        write = get_stream_writer()
    except RuntimeError:
        return None

    def told(result: GroupResult) -> None:
        write({"kind": "fix_group", "label": result.group.label, "status": result.status,
               "attempts": result.attempts, "findings": len(result.group.findings),
               "duration_s": round(result.duration_s, 3),
               "usage": [u.model_dump(mode="json") for u in result.usage]})
    return told


def _spent(deps: LoopDeps, state: LoopState, usage: Sequence[UsageRecord]) -> str | None:
    return over_budget(usage, state.limits.budget_usd, deps.settings.prices)


def round_suppressions(deps: LoopDeps, baseline: Snapshot) -> Suppressions:
    """The suppressions of the reviewed tree: none from the change the caller named (a pull
    request), or from what the run wrote since it started."""
    carried = deps.run_tree.carried_tree if deps.run_tree is not None else None
    trust = deps.trust or run_trust(deps.repo, baseline, carried)
    return suppressions_for(deps.repo, deps.workspace.root, trust)


def _setup(deps: LoopDeps) -> RoundSetup:
    return RoundSetup(agents=deps.agents, models=deps.models, settings=deps.settings,
                      workspace=deps.workspace, repo=deps.repo, run_dir=deps.run_dir,
                      analyze=deps.analyze, trusted=deps.trusted,
                      steering=SteeringSet.load(deps.run_dir))


def summary_scope(deps: LoopDeps) -> Scope:
    return Scope(repo=deps.repo, workspace=deps.workspace, spec_file=deps.spec_file,
                 governance=deps.governance, prices=deps.settings.prices,
                 llm=deps.models.enabled, reviewers_left_out=deps.reviewers_left_out,
                 levers=repository_levers(
                     # settings name folders in the checkout the run started from
                     deps.checkout.root if deps.checkout else deps.repo.root,
                     deps.settings.agents_dirs))


def _fix_job(deps: LoopDeps, state: LoopState) -> FixJob:
    return FixJob(repo=deps.repo, workspace=deps.workspace, policy=deps.policy,
                  settings=deps.settings, run_dir=deps.run_dir,
                  chat=deps.models.get("fix"), in_worktree=deps.run_tree is not None,
                  baseline=state.baseline, before=state.fix_baseline or state.baseline,
                  artifacts=tuple(state.artifacts), gate_report=state.gate_report,
                  max_retries=state.limits.max_retries, on_gate=gate_events(),
                  on_group=fix_group_events(), steering=SteeringSet.load(deps.run_dir),
                  prefix=_fix_prefix(deps, state))


def _fixer_reads(deps: LoopDeps, reviewer_model: str) -> bool:
    """Whether the fixer reads the prefix cached by reviewers on `reviewer_model`: a cache
    is per model, and only Bedrock's cache points make the prefix cheaper than a fixer
    prompt without it (elsewhere it is plain text paid in full by every fixer call)."""
    return is_bedrock_model(reviewer_model) and reviewer_model == model_for(deps.settings, "fix")


def _fix_prefix(deps: LoopDeps, state: LoopState
                ) -> Callable[[Sequence[str]], SharedPrefix] | None:
    """The round's shared prefix for a fix group's files (`review.round.shared_prefix`)."""
    if not (state.material_path and deps.models.enabled
            and _fixer_reads(deps, model_for(deps.settings, "review") or "")):
        return None
    return partial(shared_prefix, _setup(deps), deps.here(state.material_path),
                   RoundAsk(round=state.round, diff_path="",
                            context_path=deps.here(state.context_path) or None,
                            addressed=state.addressed if state.round > 1 else [],
                            baseline=state.baseline))
