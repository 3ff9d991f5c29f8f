"""The present step's summary: what the run did, read from state, the spec and the run folder."""

from __future__ import annotations

from typing import Any

from reviewloop.agent.models import UsageRecord, estimate_cost
from reviewloop.git.diff import parse_diff
from reviewloop.git.repository import Snapshot
from reviewloop.graph.context import LoopDeps
from reviewloop.graph.state import LoopState, ledger_of
from reviewloop.policy.governance import approval_reasons, sensitive_in
from reviewloop.reports.report import ReviewerOutcome, RunSummary
from reviewloop.review.evidence import skipped_files
from reviewloop.spec import select
from reviewloop.spec.loader import load_spec


def build_summary(deps: LoopDeps, state: LoopState) -> dict[str, Any]:
    spec = load_spec(deps.root, deps.spec_file)
    task = spec.task(state["task_id"])
    usage = [UsageRecord(**u) for u in state.get("usage", [])]
    touched = state.get("touched") or {}
    gates = (state.get("gate_report") or {}).get("results", [])
    summary = RunSummary(
        task_id=state["task_id"], task_title=task.title if task else "",
        files_created=touched.get("created", []),
        files_modified=[*touched.get("modified", []), *touched.get("deleted", [])],
        passed_tests=state.get("passed_tests"),
        spec_progress=spec.progress(),
        rounds=rounds_run(state),
        reviewers=reviewer_outcomes(state, usage),
        ledger=ledger_of(state),
        newly_eligible=[f"{t.id} {t.title}" for t in select.newly_eligible(
            spec.tasks, state["task_id"])],
        input_tokens=sum(u.input_tokens for u in usage),
        output_tokens=sum(u.output_tokens for u in usage),
        cache_read_tokens=sum(u.cache_read_tokens for u in usage),
        cache_write_tokens=sum(u.cache_write_tokens for u in usage),
        cost_usd=estimate_cost(usage, deps.settings.prices) if usage else 0.0,
        llm=deps.models.enabled,
        escalations=[*state.get("escalations", []), *human_gates(deps, state)],
        gates=[(g["name"], g["passed"], g["summary"]) for g in gates],
        skipped=_skipped(deps, touched, state),
        line_counts=line_counts(deps, state),
    )
    return summary.model_dump(mode="json")


def rounds_run(state: LoopState) -> int:
    """Review rounds that ran (a fix that failed or changed nothing starts no new round)."""
    return len({r.get("round") for r in state.get("reviews", [])})


def line_counts(deps: LoopDeps, state: LoopState) -> dict[str, tuple[int, int]]:
    """(+added, -removed) lines per file of the change, against the run's baseline."""
    touched = state.get("touched") or {}
    paths = sorted({*touched.get("created", []), *touched.get("modified", []),
                    *touched.get("deleted", [])})
    if not paths or not state.get("baseline"):
        return {}
    changes = parse_diff(deps.repo.diff_since(Snapshot(**state["baseline"]), paths))
    return {f.path: (len(f.added), f.removed) for f in changes.files}


def _skipped(deps: LoopDeps, touched: dict[str, list[str]], state: LoopState) -> list[str]:
    """Changed files whose content was not read, and files no reviewer saw: one line per
    file, with the first reason found."""
    paths = [*touched.get("created", []), *touched.get("modified", [])]
    lines = [*skipped_files(deps.root, paths, deps.workspace.sensitive),  # symlinks show here
             *state.get("not_reviewed", [])]
    seen: dict[str, str] = {}
    for line in lines:
        seen.setdefault(line.split(": ", 1)[0], line)
    return sorted(seen.values())


def human_gates(deps: LoopDeps, state: LoopState) -> list[str]:
    """Governance: reasons this change needs an explicit human yes, even with --yes."""
    if deps.governance is None or not state.get("baseline"):
        return []
    touched = state.get("touched") or {}
    files = sorted({*touched.get("created", []), *touched.get("modified", []),
                    *touched.get("deleted", [])})
    stats = parse_diff(deps.repo.diff_since(Snapshot(**state["baseline"]))).stats()
    reasons = [f"needs approval: {r}" for r in approval_reasons(
        deps.governance, files=files, added=stats.added, removed=stats.removed)]
    reasons += [f"sensitive file {p} changed: it is never committed"
                for p in sensitive_in(deps.governance, files)]
    reasons += [f"needs approval: {p} had uncommitted edits of yours before the run; they "
                "would be committed with the loop's changes"
                for p in touched.get("had_user_changes", [])]
    if deps.spec_file is not None:
        spec_rel = deps.spec_file.resolve().relative_to(deps.root.resolve()).as_posix()
        if spec_rel not in files and not deps.repo.working_tree_clean([spec_rel]):
            reasons.append(f"needs approval: {spec_rel} has uncommitted edits of yours; they "
                           "would be committed with the task's tick")
    return reasons


def reviewer_outcomes(state: LoopState, usage: list[UsageRecord]) -> list[ReviewerOutcome]:
    """One line per reviewer over all rounds: failed if any round failed."""
    merged: dict[str, ReviewerOutcome] = {}
    for review in state.get("reviews", []):
        name = review["agent"]
        own = [u for u in usage if u.agent == name and u.role == "review"]
        previous = merged.get(name)
        failed = review["status"] == "failed" or (previous and previous.status == "failed")
        merged[name] = ReviewerOutcome(
            agent=name,
            status="failed" if failed else review["status"],
            error=review.get("error") or (previous.error if previous else None),
            findings_count=len(review["findings"]) + (previous.findings_count if previous else 0),
            duration_s=review.get("duration_s", 0.0) + (previous.duration_s if previous else 0),
            input_tokens=sum(u.input_tokens for u in own),
            output_tokens=sum(u.output_tokens for u in own))
    return list(merged.values())


def review_summary(deps: LoopDeps, state: LoopState, *, title: str) -> RunSummary:
    """The outcome of `reviewloop review`: the same report, without a task or a commit."""
    usage = [UsageRecord(**u) for u in state.get("usage", [])]
    touched = state.get("touched") or {}
    return RunSummary(
        task_id="review", task_title=title,
        files_created=touched.get("created", []),
        files_modified=[*touched.get("modified", []), *touched.get("deleted", [])],
        rounds=state.get("round", 1),
        reviewers=reviewer_outcomes(state, usage),
        ledger=ledger_of(state),
        input_tokens=sum(u.input_tokens for u in usage),
        output_tokens=sum(u.output_tokens for u in usage),
        cache_read_tokens=sum(u.cache_read_tokens for u in usage),
        cache_write_tokens=sum(u.cache_write_tokens for u in usage),
        cost_usd=estimate_cost(usage, deps.settings.prices) if usage else 0.0,
        llm=deps.models.enabled, escalations=list(state.get("escalations", [])),
        skipped=_skipped(deps, touched, state))
