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

from reviewloop.agent.models import UsageRecord
from reviewloop.agent.spend import over_budget
from reviewloop.checks.gates.base import GateResult, gate_event
from reviewloop.checks.gates.registry import OnGate, check_change
from reviewloop.checks.suppressions.scope import Suppressions
from reviewloop.config import model_for
from reviewloop.fixes.loop import FixJob, OnGroup, fix_and_test
from reviewloop.fixes.outcome import GroupResult, escalated_in
from reviewloop.git.changes import (
    artifacts_of,
    changes_since,
    union,
    write_diff,
)
from reviewloop.git.left_out import left_out, left_out_escalation, written
from reviewloop.git.repository import Snapshot
from reviewloop.graph import steps
from reviewloop.graph.context import LoopDeps
from reviewloop.graph.state import LoopState, ReviewTask
from reviewloop.graph.steps import RoundDeps
from reviewloop.implement.attempt import (
    implementer_context,
    keep_to_own_task,
    run_implementer,
    write_context,
)
from reviewloop.landing.commit import CommitFacts, commit_change
from reviewloop.landing.job import LandJob
from reviewloop.landing.land import land_change
from reviewloop.policy.levers import repository_levers
from reviewloop.reports.summary import Scope, build_summary, rounds_run
from reviewloop.review.round import (
    RoundAsk,
    RoundSetup,
    SharedPrefix,
    shared_prefix,
)
from reviewloop.spec.steering_set import SteeringSet

Update = dict[str, object]


def implement(state: LoopState, runtime: Runtime[LoopDeps]) -> Update:
    deps = runtime.context
    context_path = deps.here(state.context_path) or write_context(
        deps.root, deps.spec_file, deps.run_dir, state.task_id)
    report = state.gate_report
    feedback = report.feedback() if report is not None and not report.passed else None
    outside = left_out(deps.repo)  # files git will not take: the implementer's are named
    result = run_implementer(deps.implementer, state.task_id,
                             implementer_context(context_path, deps.run_dir,
                                                 state.touched.paths), feedback,
                             models=deps.models, workspace=deps.workspace, policy=deps.policy,
                             settings=deps.settings, run_dir=deps.run_dir)
    restored = _keep_to_own_task(deps, state)
    touched, diff_text = changes_since(deps.repo, state.baseline, state.artifacts)
    lost = written(outside, left_out(deps.repo))
    return {"diff_path": write_diff(deps.run_dir, 1, diff_text), "touched": touched,
            "context_path": context_path, "round": 1, "attempts": state.attempts + 1,
            "usage": result.usage, "not_reviewed": sorted({*state.not_reviewed, *lost}),
            "spec_restored": restored, "implementer_final": result.final,
            "escalations": ([] if result.ok else [f"implementer failed: {result.summary}"])
            + left_out_escalation(lost)}


def gates(state: LoopState, runtime: Runtime[LoopDeps]) -> Update:
    deps = runtime.context
    report, made = artifacts_of(deps.repo, state.baseline, lambda: check_change(
        deps.repo, deps.settings, state.touched, deps.here(state.diff_path), phase="implement",
        on_gate=gate_events()))
    return {"gate_report": report, "passed_tests": report.passed_tests,
            "artifacts": sorted({*state.artifacts, *made}),
            "over_budget": _spent(deps, state, state.usage)}


def prepare(state: LoopState, runtime: Runtime[LoopDeps]) -> Update:
    """The round made ready for its reviewers (`steps.prepare`)."""
    return steps.prepare(state, round_deps(runtime.context))


def review(task: ReviewTask, runtime: Runtime[LoopDeps]) -> Update:
    """One reviewer on one chunk (a `Send` branch, `steps.review`)."""
    return steps.review(task, round_deps(runtime.context))


def triage(state: LoopState, runtime: Runtime[LoopDeps]) -> Update:
    """Record the round in the ledger (`steps.triage`)."""
    return steps.triage(state, round_deps(runtime.context))


def snapshot(state: LoopState, runtime: Runtime[LoopDeps]) -> Update:
    """The fix point, saved before the fixer starts: a crash mid-fix resumes against it.
    Runs only on the way to `fix`, so a fix that cannot run costs no snapshot."""
    return {"fix_baseline": runtime.context.repo.snapshot(base=state.baseline.base)}


def fix(state: LoopState, runtime: Runtime[LoopDeps]) -> Update:
    deps = runtime.context
    before = state.fix_baseline or state.baseline
    result = fix_and_test(_fix_job(deps, state), state.actionable)
    restored = _keep_to_own_task(deps, state)
    round_no = state.round + 1
    # Files the fixer's own test runs leave are caught by the artifact patterns; paths the
    # gates made earlier stay excluded through `artifacts`.
    diff_text = changes_since(deps.repo, before, state.artifacts)[1]
    diff_path = write_diff(deps.run_dir, round_no, diff_text) if diff_text.strip() else ""
    touched = changes_since(deps.repo, state.baseline, state.artifacts)[0]
    update: Update = {
        "round": round_no, "diff_path": diff_path, "touched": union(state.touched, touched),
        "addressed": result.addressed, "fix_stopped": result.stopped(bool(diff_path)),
        "spec_restored": restored,
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
        reasons.append(report.escalation(state.run_id, state.task_id))
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
    summary = build_summary(summary_scope(runtime.context), state, state.escalations
                            ).model_copy(update={"spec_restored": state.spec_restored})
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


def _keep_to_own_task(deps: LoopDeps, state: LoopState) -> list[str]:
    """Other tasks' spec lines an agent changed, put back; all the run's so far (`your
    change`, the manual implementer's, is yours: left as you made it)."""
    if deps.spec_file is None or deps.implementer.spec.your_change:
        return list(state.spec_restored)
    found = keep_to_own_task(deps.repo, deps.spec_file, state.baseline, state.task_id)
    return [*state.spec_restored, *(t for t in found if t not in state.spec_restored)]


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


def round_suppressions(deps: LoopDeps, baseline: Snapshot,
                       round_no: int | None = None) -> Suppressions:
    """The suppressions of the reviewed tree, as the triage of round `round_no` judged them
    (`steps.round_suppressions`)."""
    return steps.round_suppressions(round_deps(deps), baseline, round_no)


def round_deps(deps: LoopDeps) -> RoundDeps:
    """What the round's steps need, from the run's context."""
    return RoundDeps(
        setup=RoundSetup(agents=deps.agents, models=deps.models, settings=deps.settings,
                         workspace=deps.workspace, repo=deps.repo, run_dir=deps.run_dir,
                         analyze=deps.analyze, trusted=deps.trusted,
                         steering=SteeringSet.load(deps.run_dir), turned_off=deps.turned_off,
                         change_from=deps.change_from),
        trust=deps.trust,
        carried_tree=deps.run_tree.carried_tree if deps.run_tree is not None else None,
        task_run=deps.spec_file is not None, here=deps.here, cache_gates=deps.cache_gates,
        policy=deps.policy, judged=deps.judged)


def summary_scope(deps: LoopDeps) -> Scope:
    return Scope(repo=deps.repo, workspace=deps.workspace, spec_file=deps.spec_file,
                 governance=deps.governance, prices=deps.settings.prices,
                 llm=deps.models.enabled, reviewers_left_out=deps.reviewers_left_out,
                 levers=repository_levers(
                     # settings name folders in the checkout the run started from
                     deps.checkout.root if deps.checkout else deps.repo.root,
                     deps.settings.agents_dirs, deps.settings.review.executed_files))


def _fix_job(deps: LoopDeps, state: LoopState) -> FixJob:
    return FixJob(repo=deps.repo, workspace=deps.workspace, policy=deps.policy,
                  settings=deps.settings, run_dir=deps.run_dir,
                  chat=deps.models.get("fix"), in_worktree=deps.run_tree is not None,
                  baseline=state.baseline, before=state.fix_baseline or state.baseline,
                  artifacts=tuple(state.artifacts), gate_report=state.gate_report,
                  max_retries=state.limits.max_retries, on_gate=gate_events(),
                  on_group=fix_group_events(), steering=SteeringSet.load(deps.run_dir),
                  prefix=_fix_prefix(deps, state))


def _fix_prefix(deps: LoopDeps, state: LoopState
                ) -> Callable[[Sequence[str]], SharedPrefix] | None:
    """The round's shared prefix for a fix group's files (`review.round.shared_prefix`)."""
    setup = round_deps(deps).setup
    if not (state.material_path and deps.models.enabled
            and steps.fixer_reads(setup, model_for(deps.settings, "review") or "")):
        return None
    return partial(shared_prefix, setup, deps.here(state.material_path),
                   RoundAsk(round=state.round, diff_path="",
                            context_path=deps.here(state.context_path) or None,
                            addressed=state.addressed if state.round > 1 else [],
                            baseline=state.baseline))
