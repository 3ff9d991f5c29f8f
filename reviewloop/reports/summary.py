"""The present step's summary: what the run did, read from its state, the spec and the run's
files. `RunView` is what it reads of the state; `Scope` is where the run works.

The levers the change touches (`policy.levers`) are part of what it did: each is a 🟡
finding in the ledger and a reason the run needs an explicit approval (never --yes); one
that weakens the sandbox or the command policy is also shown as refused."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, TypedDict

from reviewloop.agent.models import UsageRecord, estimate_cost
from reviewloop.agent.workspace import Workspace
from reviewloop.checks.gates.base import GateReport
from reviewloop.checks.suppressions.config_files import tool_levers
from reviewloop.findings.ledger import Ledger
from reviewloop.findings.rounds import RoundInput, record
from reviewloop.git.changes import contents
from reviewloop.git.diff import ChangeSet, changed_lines, parse_diff, removal_points
from reviewloop.git.repository import Repository, Snapshot, TouchedFiles
from reviewloop.policy.governance import Policy, sensitive_in
from reviewloop.policy.levers import LeverReport, lever_report, run_findings
from reviewloop.policy.trust import Lever
from reviewloop.reports.report import ReviewerOutcome, RunSummary
from reviewloop.review.matrix import incomplete_text, with_file_checks
from reviewloop.review.readable import skipped_files
from reviewloop.review.reviewer import ReviewerOutcome as ReviewerRound

if TYPE_CHECKING:  # governance's approval rules load when a run has a governance file
    from reviewloop.policy.approval import Complexity


class RunView(Protocol):
    """What a summary reads of a run's state."""

    @property
    def task_id(self) -> str: ...
    @property
    def run_id(self) -> str: ...
    @property
    def baseline(self) -> Snapshot: ...
    @property
    def round(self) -> int: ...
    @property
    def usage(self) -> Sequence[UsageRecord]: ...
    @property
    def touched(self) -> TouchedFiles: ...
    @property
    def gate_report(self) -> GateReport | None: ...
    @property
    def passed_tests(self) -> int | None: ...
    @property
    def reviews(self) -> Sequence[ReviewerRound]: ...
    @property
    def ledger(self) -> Ledger: ...
    @property
    def escalations(self) -> Sequence[str]: ...
    @property
    def not_reviewed(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class Scope:
    """Where the run works: its repository (a run's worktree), the files a reviewer may not
    read, the spec, the governance policy, the model prices, and whether LLMs were on."""

    repo: Repository
    workspace: Workspace
    spec_file: Path | None
    governance: Policy | None
    prices: Mapping[str, Mapping[str, float]]
    llm: bool
    levers: tuple[Lever, ...] = ()  # levers only this repository has (its reviewer folders)
    reviewers_left_out: str | None = None  # over `[review] max_reviewers`: not run


def build_summary(scope: Scope, run: RunView, escalations: Sequence[str]) -> RunSummary:
    """The run's summary; `escalations` are the run's own and any found at the end."""
    # a task run's: a review (`review_summary`) has no spec, and need not load its parsers
    from reviewloop.spec import select
    from reviewloop.spec.loader import load_spec

    spec = load_spec(scope.repo.root, scope.spec_file)
    task = spec.task(run.task_id)
    touched = run.touched
    gates = run.gate_report.results if run.gate_report else ()
    levers = run_levers(scope, run.baseline, touched)
    ledger = with_file_checks(with_levers(run.ledger, levers, scope.repo, run.baseline),
                              scope.workspace.root, parse_diff(scope.repo.diff_since(
                                  run.baseline, touched.paths)) if touched.paths else ChangeSet())
    # a file no analyzer could read is never approved by --yes: a human looks at it
    unread = [f"needs approval: {text}"] if (text := incomplete_text(ledger)) else []
    return RunSummary(
        task_id=run.task_id, task_title=task.title if task else "", run_id=run.run_id,
        files_created=list(touched.created),
        files_modified=list(touched.modified), files_deleted=list(touched.deleted),
        passed_tests=run.passed_tests,
        spec_progress=spec.progress(),
        rounds=rounds_run(run.reviews),
        reviewers=reviewer_outcomes(run.reviews, run.usage),
        ledger=ledger,
        # what its commit would unblock: a run that changed no file never commits
        newly_eligible=[f"{t.id} {t.title}" for t in select.newly_eligible(
            spec.tasks, run.task_id)] if touched.paths else [],
        **_tokens(run.usage, scope.prices), llm=scope.llm, fallbacks=fallbacks_used(run.usage),
        escalations=[*escalations, *_left_out(scope), *human_gates(scope, run, levers),
                     *unread],
        gates=[(g.name, g.passed, g.summary) for g in gates],
        skipped=_skipped(scope, run), reviewers_left_out=scope.reviewers_left_out,
        line_counts=line_counts(scope.repo, run),
    )


def review_summary(scope: Scope, run: RunView, *, title: str) -> RunSummary:
    """The outcome of `reviewloop review`: the same report, without a task or a commit."""
    touched = run.touched
    return RunSummary(
        task_id="review", task_title=title, run_id=run.run_id,
        files_created=list(touched.created),
        files_modified=list(touched.modified), files_deleted=list(touched.deleted),
        rounds=run.round,
        reviewers=reviewer_outcomes(run.reviews, run.usage),
        ledger=run.ledger,  # the change's files are checked by `runs.review` (its diff)
        **_tokens(run.usage, scope.prices), llm=scope.llm, fallbacks=fallbacks_used(run.usage),
        escalations=[*run.escalations, *_left_out(scope)],
        skipped=_skipped(scope, run), reviewers_left_out=scope.reviewers_left_out)


def _left_out(scope: Scope) -> list[str]:
    """A review that left reviewers out did not fully run: said, and never clean."""
    return [scope.reviewers_left_out] if scope.reviewers_left_out else []


def rounds_run(reviews: Sequence[ReviewerRound]) -> int:
    """Review rounds that ran (a fix that failed or changed nothing starts no new round)."""
    return len({r.round for r in reviews})


def line_counts(repo: Repository, run: RunView) -> dict[str, tuple[int, int]]:
    """(+added, -removed) lines per file of the change, against the run's baseline."""
    paths = run.touched.paths
    if not paths:
        return {}
    return counted(parse_diff(repo.diff_since(run.baseline, paths)))


def counted(changes: ChangeSet, paths: Sequence[str] | None = None
            ) -> dict[str, tuple[int, int]]:
    """(+added, -removed) lines per file of `changes` (of those among `paths`, if given): the
    counts the panel, the Markdown and the HTML report show beside each file."""
    wanted = None if paths is None else set(paths)
    return {f.path: (len(f.added), f.removed) for f in changes.files
            if wanted is None or f.path in wanted}


def run_levers(scope: Scope, baseline: Snapshot, touched: TouchedFiles) -> LeverReport:
    """The levers the run's change touches, read from git (before: the baseline)."""
    return lever_report(touched.paths, lambda paths: contents(scope.repo, baseline, paths),
                        scope.levers, tools=tool_levers())


def with_levers(ledger: Ledger, levers: LeverReport, repo: Repository,
                baseline: Snapshot) -> Ledger:
    """The ledger with a 🟡 finding for each lever the change touches (never suppressed:
    the suppression file may be the lever)."""
    found = run_findings(levers)
    if not found:
        return ledger
    diff = repo.diff_since(baseline, [f.file for f in found])
    return record(ledger, RoundInput(round=max(ledger.round, 1), reported=found,
                                     scope=changed_lines(diff), removals=removal_points(diff)))


def human_gates(scope: Scope, run: RunView, levers: LeverReport) -> list[str]:
    """Governance: reasons this change needs an explicit human yes, even with --yes; the
    levers it touches, and what no approval may land."""
    lever_reasons = [*levers.approval_reasons(), *levers.refusal_reasons()]
    if scope.governance is None:
        return lever_reasons
    from reviewloop.policy.approval import approval_reasons

    touched = run.touched
    files = list(touched.paths)
    changes = parse_diff(scope.repo.diff_since(run.baseline))
    stats = changes.stats()
    reasons = [f"needs approval: {r}" for r in approval_reasons(
        scope.governance, files=files, added=stats.added, removed=stats.removed,
        changes=changes, complexity=_complexity(scope, run, files),
        base_lines=_base_lines(scope, run, files))]
    reasons += [f"sensitive file {p} changed: it is never committed"
                for p in sensitive_in(scope.governance, files)]
    reasons += [f"needs approval: {p} had uncommitted edits of yours before the run; they "
                "would be committed with the loop's changes"
                for p in touched.had_user_changes]
    if scope.spec_file is not None:
        root = scope.repo.root.resolve()
        spec_rel = scope.spec_file.resolve().relative_to(root).as_posix()
        if spec_rel not in files and not scope.repo.working_tree_clean([spec_rel]):
            reasons.append(f"needs approval: {spec_rel} has uncommitted edits of yours; they "
                           "would be committed with the task's tick")
    return [*reasons, *lever_reasons]


def _complexity(scope: Scope, run: RunView, files: Sequence[str]) -> Complexity | None:
    """The change's complexity increase, measured only when governance sets a limit."""
    from reviewloop.checks.complexity import complexity_increase
    from reviewloop.policy.approval import needs_complexity

    if scope.governance is None or not needs_complexity(scope.governance):
        return None
    texts = contents(scope.repo, run.baseline, files)
    return complexity_increase({p: (before.text, after.text)
                                for p, (before, after) in texts.items()})


def _base_lines(scope: Scope, run: RunView, files: Sequence[str]) -> int | None:
    """The changed files' line count before the change, only when a line threshold is a
    percentage of it."""
    from reviewloop.policy.approval import needs_base_lines

    if scope.governance is None or not needs_base_lines(scope.governance):
        return None
    texts = contents(scope.repo, run.baseline, files)
    return sum(len(before.text.splitlines()) for before, _ in texts.values() if before.text)


def reviewer_outcomes(reviews: Sequence[ReviewerRound], usage: Sequence[UsageRecord]
                      ) -> list[ReviewerOutcome]:
    """One line per reviewer over all rounds: failed if any round failed, else ok if any round
    ran it (a later round whose fix left nothing in its scope skips it; that does not undo
    what it read), else skipped with the last round's reason. Its findings are counted once
    each: a finding reported again in a later round is the same finding (`fingerprint`)."""
    rounds: dict[str, list[ReviewerRound]] = {}
    for review in reviews:
        rounds.setdefault(review.agent, []).append(review)
    return [_outcome(agent, own, [u for u in usage if u.agent == agent and u.role == "review"])
            for agent, own in rounds.items()]


def _outcome(agent: str, rounds: Sequence[ReviewerRound], usage: Sequence[UsageRecord]
             ) -> ReviewerOutcome:
    statuses = {r.status for r in rounds}
    status: Literal["ok", "failed", "skipped"] = (
        "failed" if "failed" in statuses else "ok" if "ok" in statuses else "skipped")
    errors = [r.error for r in rounds if r.error]
    return ReviewerOutcome(
        agent=agent, status=status, error=errors[-1] if errors else None,
        reason=rounds[-1].summary if status == "skipped" else None,
        findings_count=len({f.fingerprint for r in rounds for f in r.findings}),
        duration_s=sum(r.duration_s for r in rounds),
        input_tokens=sum(u.input_tokens for u in usage),
        output_tokens=sum(u.output_tokens for u in usage))


def fallbacks_used(usage: Sequence[UsageRecord]) -> list[str]:
    """One line per role and primary whose fallback model answered, with its call count and
    the agents it answered for (a combined call's reply, split over its reviewers, counts
    once: each of its records is one `shared_by`-th of it)."""
    calls: dict[tuple[str, str, str], list[UsageRecord]] = {}
    for used in usage:
        if used.fallback_for:
            calls.setdefault((used.role, used.model, used.fallback_for), []).append(used)
    return [f"{role}: {model} answered {_calls(records)} call(s) instead of {primary}, which "
            f"failed or was throttled ({', '.join(sorted({u.agent for u in records}))})"
            for (role, model, primary), records in calls.items()]


def _calls(records: Sequence[UsageRecord]) -> int:
    """The model replies `records` hold, each reviewer's share of a combined one a part."""
    return math.ceil(sum(Fraction(1, max(u.shared_by, 1)) for u in records))


class _Tokens(TypedDict):
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    cost_usd: float | None


def _tokens(usage: Sequence[UsageRecord], prices: Mapping[str, Mapping[str, float]]
            ) -> _Tokens:
    return {"input_tokens": sum(u.input_tokens for u in usage),
            "output_tokens": sum(u.output_tokens for u in usage),
            "cache_read_tokens": sum(u.cache_read_tokens for u in usage),
            "cache_write_tokens": sum(u.cache_write_tokens for u in usage),
            "cost_usd": estimate_cost(usage, prices) if usage else 0.0}


def _skipped(scope: Scope, run: RunView) -> list[str]:
    """Changed files whose content was not read, and files no reviewer saw: one line per
    file, with the first reason found."""
    paths = [*run.touched.created, *run.touched.modified]
    return one_reason_each([
        *skipped_files(scope.workspace.root, paths, scope.workspace.sensitive),  # the tree
        *run.not_reviewed])  # reviewed (a head commit's export, not the checkout)


def one_reason_each(lines: Sequence[str]) -> list[str]:
    """`path: reason` lines, the first for each path, sorted."""
    seen: dict[str, str] = {}
    for line in lines:
        seen.setdefault(line.split(": ", 1)[0], line)
    return sorted(seen.values())
