"""The fix-and-retest loop of one round, with a fix budget per group of findings.

The round's actionable findings are grouped (`fixes.groups`: the same fingerprint, or the
same file with overlapping or adjacent lines). Each group, in turn, gets its own fixer
conversation: one attempt and at most `max_retries` retries, each retry told the failing
output of the tests relevant to the files the fix changed and, under strict coverage, each
public function the fix added or changed that no test runs (`still uncovered: f at
file:line`; `fixes.retest`, `fixes.fixer.retry_feedback`); a failure only
you can fix (`GateReport.for_user`) ends the group's budget at once, as no retry can pass
it. A group whose tests still fail when its budget is spent is discarded (in a run's
worktree: the files go back to how they were before that group) and escalated with its
reason, and the next group starts; a group that passes keeps its change. Once every group
had its turn, the full gates (build, every test, your pre-commit hook) run once on the whole
change, and the new-code coverage (when strict) on what the pass itself changed since
`before` (`Retest.full`); if they fail, the whole pass is discarded,
so the change is back to its last state that passed its gates, and a failure only you can
fix (a function the fix added in a language whose coverage is not measured) is named with
its gate and the fix: the run stops for you, as it does when the implementation fails so.

In your checkout (`reviewloop review --fix`) nothing is ever discarded: a group that spends
its budget stays in your working tree, says so, and the groups after it are not started.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from reviewloop.agent.models import ChatHandle, UsageRecord
from reviewloop.agent.tools import CommandPolicy, Workspace
from reviewloop.checks.gates.base import GateReport
from reviewloop.checks.gates.registry import OnGate
from reviewloop.config import Settings
from reviewloop.findings.schema import Finding
from reviewloop.fixes.autofix import safe_fixes
from reviewloop.fixes.fixer import fix_with_llm, retry_feedback
from reviewloop.fixes.groups import FixGroup, group_findings
from reviewloop.fixes.outcome import FixOutcome, GroupResult, summary_of
from reviewloop.fixes.retest import Retest
from reviewloop.git.changes import changes_since
from reviewloop.git.repository import Repository, Snapshot
from reviewloop.git.worktrees import restore
from reviewloop.review.round import SharedPrefix
from reviewloop.spec.steering_set import SteeringSet

OnGroup = Callable[[GroupResult], None]
_FAILING_OUTPUT = 3000  # characters of the failing tests' output kept in the escalation


@dataclass(frozen=True)
class FixJob:
    """What one fix round works with. `before` is the snapshot saved before the fixer
    started (the last state that passed its gates); `in_worktree` says a failed fix may be
    discarded (a run's own worktree) or must stay (`reviewloop review --fix`, your checkout);
    `steering` is the run's steering, of which the fixer gets what applies to its files;
    `prefix` gives, for a group's files, the parts of the round's prompt prefix the
    reviewers of those files cached that hold no diff (their rules and steering: the fixer's
    prompt starts with them and reads their cache) and the task the round reviewed."""

    repo: Repository
    workspace: Workspace
    policy: CommandPolicy
    settings: Settings
    run_dir: Path
    chat: ChatHandle | None
    in_worktree: bool
    baseline: Snapshot
    before: Snapshot
    artifacts: tuple[str, ...]
    gate_report: GateReport | None
    max_retries: int
    on_gate: OnGate | None = None
    on_group: OnGroup | None = None  # told as each group's fix ends (the run's timeline)
    steering: SteeringSet | None = None
    prefix: Callable[[Sequence[str]], SharedPrefix] | None = None

    @property
    def retest(self) -> Retest:
        return Retest(self.repo, self.settings, self.baseline, self.artifacts, self.run_dir,
                      self.before, self.on_gate)


def fix_and_test(job: FixJob, findings: Sequence[Finding]) -> FixOutcome:
    """Fix each group of findings within its own budget, then run the full gates once."""
    if job.in_worktree:
        restore(job.repo, job.before.tree)  # a fix interrupted by a crash starts over cleanly
    if job.chat is None:
        return _offline_fix(job, findings)
    usage: list[UsageRecord] = []
    results: list[GroupResult] = []
    for group in group_findings(findings):
        stop = not job.in_worktree and any(r.status == "escalated" for r in results)
        began, used = time.monotonic(), len(usage)
        result = GroupResult(group, "not_started", 0, "an earlier fix failed in your "
                             "working tree") if stop else _fix_group(job, job.chat, group, usage)
        results.append(replace(result, duration_s=time.monotonic() - began,
                               usage=tuple(usage[used:])))
        if job.on_group is not None:
            job.on_group(results[-1])
    addressed = [f for r in results if r.status == "fixed" for f in r.group.findings]
    left = [f for r in results if r.status in ("unchanged", "not_started")
            for f in r.group.findings]
    outcome = FixOutcome(ok=True, summary=summary_of(results), usage=usage, left_open=left,
                         addressed=addressed, groups=results)
    if outcome.escalated and not job.in_worktree:  # a failing fix stays: never re-reviewed
        outcome.ok = False
        outcome.summary = ("a fix failed its tests and stays in your working tree, so it is "
                           f"not re-reviewed:\n{outcome.summary}")
        return outcome
    if not addressed or not _changed(job):
        return outcome
    report = job.retest.full()
    if not report.passed:
        why = "each fix passed its own tests, but the full gates then failed"
        return _discarded(job, outcome, report, f"{why}; {_needs_you(report)}"
                          if report.for_user else why)
    outcome.passed_tests = report.passed_tests
    outcome.report = _merged(job, report)
    return outcome


def _fix_group(job: FixJob, chat: ChatHandle, group: FixGroup,
               usage: list[UsageRecord]) -> GroupResult:
    """One group's budget: an attempt and `max_retries` retries, each re-tested."""
    start = job.repo.snapshot(base=job.before.base)
    attempts = job.max_retries + 1
    feedback = None
    report = GateReport()
    changed: tuple[str, ...] = ()
    shared = job.prefix(group.files) if job.prefix else SharedPrefix()
    for attempt in range(1, attempts + 1):
        # the prefix holds the steering of the reviewed chunk's files: only the rest is added
        outside = [p for p in (*group.files, *changed) if p not in shared.paths]
        steering = job.steering.block(outside) if job.steering and outside else ""
        result = fix_with_llm(chat.model, group.findings, feedback, job.workspace,
                              job.policy, model_name=chat.name, timeout_s=chat.timeout_s,
                              steering=steering, prefix=shared.parts,
                              bedrock=chat.bedrock)
        usage.extend(result.usage)
        changed = changes_since(job.repo, start, job.artifacts)[0].paths
        if not changed:
            return GroupResult(group, "unchanged", attempt, result.summary)
        report = job.retest.relevant(changed, start)
        if report.passed:
            return GroupResult(group, "fixed", attempt, result.summary)
        if report.for_user:  # no retry can pass what only you can fix: the budget stops
            return _for_user(job, group, attempt, start, report)
        feedback = retry_feedback(report)
    output = (feedback or report.headline)[-_FAILING_OUTPUT:]
    what = "the tests still failed" if any(r.name != "coverage" for r in report.failed) \
        else "its new code was still not covered by a test"
    if not job.in_worktree:
        return GroupResult(group, "escalated", attempts, (
            f"{what} after {attempts} fix attempt(s); the failing fix is still in your "
            "working tree"), output)
    restore(job.repo, start.tree)
    return GroupResult(group, "escalated", attempts, (
        f"{what} after {attempts} fix attempt(s), so its fix was discarded"), output)


def _for_user(job: FixJob, group: FixGroup, attempts: int, start: Snapshot,
              report: GateReport) -> GroupResult:
    """A group whose re-test failed for what only you can fix: escalated with that fix as
    its reason (nothing failed that a retry could pass), the gates' own lines as output."""
    fixes = _needs_you(report)
    output = "\n".join(f"{r.name}: {r.summary}" for r in report.failed)[-_FAILING_OUTPUT:]
    if not job.in_worktree:
        return GroupResult(group, "escalated", attempts, (
            f"{fixes}; the fix is still in your working tree"), output)
    restore(job.repo, start.tree)
    return GroupResult(group, "escalated", attempts, f"{fixes}; so its fix was discarded",
                       output)


def _needs_you(report: GateReport) -> str:
    """Each failure only you can fix, naming its gate and the fix."""
    return "; ".join(f"the {r.name} gate needs you: {r.user_fix}" for r in report.for_user)


def _offline_fix(job: FixJob, findings: Sequence[Finding]) -> FixOutcome:
    """LLM off: let the analyzers apply their own safe fixes (one pass for all findings:
    they are the tools' own mechanical fixes, not attempts), then re-run the tests."""
    result = safe_fixes(job.repo.root, findings)
    if not result.fixed_rules or not _changed(job):
        return FixOutcome(ok=True, left_open=list(findings), summary=(
            f"LLM off: no safe automatic fix for {len(findings)} finding(s); they are left "
            "for you"))
    report = job.retest.full()
    summary = f"applied the analyzers' safe fixes ({', '.join(result.fixed_rules)})"
    left = {f.fingerprint for f in result.left}
    addressed = [f for f in findings if f.fingerprint not in left]
    outcome = FixOutcome(ok=True, summary=summary, left_open=list(findings),
                         addressed=addressed)
    if not report.passed:
        return _discarded(job, outcome, report, f"{summary}, but then: {report.headline}")
    outcome.passed_tests = report.passed_tests
    outcome.left_open = list(result.left)
    outcome.report = _merged(job, report)
    return outcome


def _discarded(job: FixJob, outcome: FixOutcome, report: GateReport, why: str) -> FixOutcome:
    """A failed pass leaves nothing behind in a run's worktree (`reviewloop review --fix`
    works in your checkout, where your edits could be lost: there it stays, and says so)."""
    output = (report.feedback() or report.headline)[-_FAILING_OUTPUT:]
    outcome.ok = False
    outcome.addressed = []
    if not job.in_worktree:
        outcome.summary = (f"{why}; the failing fix is still in your working tree. Failing "
                           f"output:\n{output}")
        return outcome
    restore(job.repo, job.before.tree)
    outcome.summary = (f"{why}: the fix was discarded and the change is back to its last "
                       f"state that passed its gates. Failing output:\n{output}")
    return outcome


def _changed(job: FixJob) -> bool:
    return bool(changes_since(job.repo, job.before, job.artifacts)[1])


def _merged(job: FixJob, report: GateReport) -> GateReport:
    return job.gate_report.merged(report) if job.gate_report is not None else report
