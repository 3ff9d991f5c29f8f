"""The graph's nodes: read state, call one domain function, return a partial update.

Every node takes `runtime.context` (`LoopDeps`) for the repository, models and settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from reviewloop.findings.rounds import RoundInput, outcome_health, record
from reviewloop.findings.schema import Finding
from reviewloop.findings.suppress import Suppressor
from reviewloop.findings.triage import apply_floor
from reviewloop.git.diff import changed_lines
from reviewloop.git.repository import Snapshot
from reviewloop.graph import steps
from reviewloop.graph.context import LoopDeps
from reviewloop.graph.state import LoopState, ledger_of
from reviewloop.landing.land import land_change
from reviewloop.reports.summary import build_summary
from reviewloop.review import round as review_round
from reviewloop.review.reviewer import run_reviewer
from reviewloop.runs.budget import over_budget


def implement(state: LoopState, runtime: Runtime[LoopDeps]) -> dict[str, Any]:
    deps = runtime.context
    # The baseline is set when the run starts, so a crash mid-implementation loses nothing.
    baseline = state.get("baseline") or steps.baseline(deps).model_dump()
    context_path = state.get("context_path") or steps.write_context(deps, state["task_id"])
    feedback = (state.get("gate_report") or {}).get("feedback")
    result = steps.run_implementer(deps, state["task_id"], Path(context_path).read_text(
        encoding="utf-8"), feedback)
    update = steps.change_update(deps, Snapshot(**baseline), round_no=1,
                                 artifacts=state.get("artifacts", []))
    return {**update, "baseline": baseline, "context_path": context_path, "round": 1,
            "attempts": state.get("attempts", 0) + 1,
            "usage": [u.model_dump() for u in result.usage],
            "escalations": [] if result.ok else [f"implementer failed: {result.summary}"]}


def gates(state: LoopState, runtime: Runtime[LoopDeps]) -> dict[str, Any]:
    deps = runtime.context
    report, made = steps.gate_artifacts(
        deps, Snapshot(**state["baseline"]),
        lambda: steps.run_gates(deps, state, phase="implement"))
    update: dict[str, Any] = {"gate_report": report, "gates_passed": report["passed"],
                              "passed_tests": report.get("passed_tests"),
                              "artifacts": sorted({*state.get("artifacts", []), *made})}
    retries = deps.settings.gates.max_retries
    if not report["passed"] and (state.get("implementer") == "manual"
                                 or state.get("attempts", 0) > retries):
        update["escalations"] = [*state.get("escalations", []),
                                 f"guard-rails failed: {report['headline']}"]
    return update


def prepare(state: LoopState, runtime: Runtime[LoopDeps]) -> dict[str, Any]:
    """The round's diff, chunks, analyzer evidence and estimate, made once for all reviewers."""
    return review_round.prepare_round(runtime.context, state)


def review(state: LoopState, runtime: Runtime[LoopDeps]) -> dict[str, Any]:
    """One reviewer on one chunk (a `Send` branch): its outcome joins `reviews`."""
    deps = runtime.context
    agent, review_input = review_round.reviewer_input(deps, state)
    chat = deps.models.get("review", agent.model)
    outcome = run_reviewer(chat.model if chat else None, agent, review_input, deps.workspace,
                           model_name=chat.name if chat else "",
                           bedrock=bool(chat and chat.bedrock),
                           timeout_s=chat.timeout_s if chat else None)
    return {"reviews": [outcome.model_dump(mode="json", exclude={"usage"})],
            "usage": [u.model_dump() for u in outcome.usage]}


def triage(state: LoopState, runtime: Runtime[LoopDeps]) -> dict[str, Any]:
    """Record the round in the ledger; what is still open and actionable goes to the fixer."""
    deps = runtime.context
    round_no = state["round"]
    outcomes = [r for r in state.get("reviews", []) if r["round"] == round_no]
    floors = {a.name: a.severity_floor for a in deps.agents if a.severity_floor}
    diff_text = Path(state["diff_path"]).read_text(encoding="utf-8")
    ledger = record(ledger_of(state), RoundInput(
        round=round_no, reported=[apply_floor(Finding(**f), floors)
                                  for r in outcomes for f in r["findings"]],
        scope=steps.written_lines(deps, state), health=outcome_health(outcomes),
        whole=round_no == 1, addressed=[f["fingerprint"] for f in state.get("addressed", [])],
        fix_files=changed_lines(diff_text).keys(),
        suppress=Suppressor.load(deps.workspace.root)))
    escalations = list(state.get("escalations", []))
    escalations += [f"reviewer {r['agent']} failed in round {round_no}: {r.get('error')}"
                    for r in outcomes if r["status"] == "failed"]
    actionable = [e.finding for e in ledger.unresolved if e.severity.actionable]
    if actionable and round_no >= deps.settings.max_rounds:
        reason = f"still open after {round_no} review round(s)"
        ledger = ledger.escalate(reason)
        escalations.append(f"{len(actionable)} finding(s) {reason}")
    update = {"escalations": escalations, "actionable": _dump(actionable),
              "ledger": ledger.model_dump(mode="json")}
    if actionable and round_no < deps.settings.max_rounds:
        # Saved before the fixer starts: a crash mid-fix resumes against the same point.
        base = Snapshot(**state["baseline"])
        update["fix_baseline"] = deps.repo.snapshot(base=base.base).model_dump()
    return update


def fix(state: LoopState, runtime: Runtime[LoopDeps]) -> dict[str, Any]:
    deps = runtime.context
    baseline = Snapshot(**state["baseline"])
    before = Snapshot(**state["fix_baseline"])
    findings = _findings(state, "actionable")
    # Files the fixer's own test runs leave are caught by the artifact patterns; paths the
    # gates made earlier stay excluded through `artifacts`.
    result = steps.fix_and_test(deps, state, findings, before)
    artifacts = state.get("artifacts", [])
    round_no = state["round"] + 1
    _, diff_text = steps.changes_since(deps, before, artifacts)
    diff_path = steps.write_diff(deps, round_no, diff_text) if diff_text.strip() else ""
    touched, _ = steps.changes_since(deps, baseline, artifacts)
    escalations = list(state.get("escalations", []))
    stopped = None
    if not result.ok:
        stopped = result.summary
    elif not diff_path:
        stopped = f"the fixer changed nothing, the findings remain open: {result.summary}"
    left = {f.fingerprint for f in result.left_open}
    update = {"round": round_no, "diff_path": diff_path, "artifacts": artifacts,
              "addressed": _dump([f for f in findings if f.fingerprint not in left]),
              "touched": _union(state.get("touched") or {}, steps.touched_dict(touched)),
              "escalations": escalations, "tests_passing": result.ok,
              # a failed fix was discarded: the last green count still holds
              "passed_tests": (result.passed_tests if result.passed_tests is not None
                               else state.get("passed_tests")),
              "usage": [u.model_dump() for u in result.usage]}
    if result.report is not None:
        update["gate_report"] = result.report
    if stopped is not None:  # no re-review follows: what is open goes to the human
        update["escalations"] = [*escalations, stopped]
        update["ledger"] = ledger_of(state).escalate(stopped).model_dump(mode="json")
    return update


def present(state: LoopState, runtime: Runtime[LoopDeps]) -> dict[str, Any]:
    """Build the summary and stop for the human; resume supplies the decision."""
    deps = runtime.context
    spent = over_budget(state, deps.settings.budget_usd, deps.settings.prices)
    if spent and spent not in state.get("escalations", []):
        state = {**state, "escalations": [*state.get("escalations", []), spent]}
    summary = build_summary(deps, state)
    answer = interrupt({"run_id": state["run_id"], "summary": summary})
    decision = answer.get("decision") if isinstance(answer, dict) else str(answer)
    if decision == "approve":
        return {"summary": summary, "decision": "approve"}
    return {"summary": summary, "decision": "reject", "outcome": "declined"}


def commit(state: LoopState, runtime: Runtime[LoopDeps]) -> dict[str, Any]:
    """Commit in the run's worktree, on the run's branch."""
    return {"commit": steps.commit_change(runtime.context, state)}


def land(state: LoopState, runtime: Runtime[LoopDeps]) -> dict[str, Any]:
    """Bring the commit to the user's branch (run.land); the landed commit replaces it."""
    return {"commit": land_change(runtime.context, state), "outcome": "committed"}


def _findings(state: LoopState, key: str) -> list[Finding]:
    return [Finding(**f) for f in state.get(key, [])]


def _dump(findings: list[Finding]) -> list[dict[str, Any]]:
    return [f.model_dump(mode="json") for f in findings]


def _union(old: dict[str, list[str]], new: dict[str, list[str]]) -> dict[str, list[str]]:
    """Files touched over the whole run: a review-only run's baseline is its start."""
    created = set(old.get("created", [])) | set(new.get("created", []))
    deleted = set(new.get("deleted", []))
    modified = (set(old.get("modified", [])) | set(new.get("modified", []))) - created - deleted
    users = set(old.get("had_user_changes", [])) | set(new.get("had_user_changes", []))
    return {"created": sorted(created - deleted), "modified": sorted(modified),
            "deleted": sorted(deleted), "had_user_changes": sorted(users)}
