"""The fix-and-retest loop of one round: the fixer works on the round's actionable
findings, the build and tests run again, a failure is fed back, and a fix whose tests still
fail is discarded (in a run's worktree) so the change is back to its last green state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reviewloop.agent.models import ChatHandle, UsageRecord
from reviewloop.agent.tools import CommandPolicy, Workspace
from reviewloop.checks.gates.base import GateReport
from reviewloop.checks.gates.registry import OnGate, check_change
from reviewloop.config import Settings
from reviewloop.findings.schema import Finding
from reviewloop.fixes.autofix import safe_fixes
from reviewloop.fixes.fixer import fix_with_llm
from reviewloop.git.changes import changes_since, write_diff
from reviewloop.git.repository import Repository, Snapshot
from reviewloop.git.worktrees import restore

_FAILING_OUTPUT = 3000  # characters of the failing tests' output kept in the escalation

@dataclass(frozen=True)
class FixJob:
    """What one fix round works with. `before` is the snapshot saved before the fixer
    started (the last state that passed its gates); `in_worktree` says a failed fix may be
    discarded (a run's own worktree) or must stay (`reviewloop review --fix`, your checkout)."""

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

@dataclass
class FixOutcome:
    ok: bool
    summary: str
    passed_tests: int | None = None
    usage: list[UsageRecord] = field(default_factory=list)
    report: GateReport | None = None  # the gate report after a passing re-test
    left_open: list[Finding] = field(default_factory=list)  # not worked on by the fixer

def fix_and_test(job: FixJob, findings: Sequence[Finding]) -> FixOutcome:
    """Fix, re-run the tests, feed a failure back: at most `max_retries` retries."""
    if job.in_worktree:
        restore(job.repo, job.before.tree)  # a fix interrupted by a crash starts over cleanly
    if job.chat is None:
        return _offline_fix(job, findings)
    usage: list[UsageRecord] = []
    feedback = None
    attempts = job.max_retries + 1
    report = GateReport()
    for _ in range(attempts):
        result = fix_with_llm(job.chat.model, findings, feedback, job.workspace, job.policy,
                              model_name=job.chat.name, timeout_s=job.chat.timeout_s)
        usage.extend(result.usage)
        if not _changed(job):
            return FixOutcome(ok=True, summary=result.summary, usage=usage)  # nothing to test
        report = _retest(job)
        if report.passed:
            return FixOutcome(ok=True, summary=result.summary, usage=usage,
                              passed_tests=report.passed_tests, report=_merged(job, report))
        feedback = report.feedback()
    return _discarded(job, usage, report,
                      f"the tests still failed after {attempts} fix attempt(s)")

def _offline_fix(job: FixJob, findings: Sequence[Finding]) -> FixOutcome:
    """LLM off: let the analyzers apply their own safe fixes, then re-run the tests."""
    result = safe_fixes(job.repo.root, findings)
    if not result.fixed_rules or not _changed(job):
        return FixOutcome(ok=True, left_open=list(findings), summary=(
            f"LLM off: no safe automatic fix for {len(findings)} finding(s); they are left "
            "for you"))
    report = _retest(job)
    summary = f"applied the analyzers' safe fixes ({', '.join(result.fixed_rules)})"
    if not report.passed:
        return _discarded(job, [], report, f"{summary}, but then: {report.headline}",
                          left=findings)
    return FixOutcome(ok=True, summary=summary, passed_tests=report.passed_tests,
                      left_open=list(result.left), report=_merged(job, report))

def _discarded(job: FixJob, usage: list[UsageRecord], report: GateReport, why: str,
               left: Sequence[Finding] = ()) -> FixOutcome:
    """A failed fix leaves nothing behind in a run's worktree (`reviewloop review --fix` works
    in your checkout, where your edits could be lost: there it stays, and says so)."""
    output = (report.feedback() or report.headline)[-_FAILING_OUTPUT:]
    if not job.in_worktree:
        return FixOutcome(ok=False, usage=usage, left_open=list(left), summary=(
            f"{why}; the failing fix is still in your working tree. Failing output:\n{output}"))
    restore(job.repo, job.before.tree)
    return FixOutcome(ok=False, usage=usage, left_open=list(left), summary=(
        f"{why}: the fix was discarded and the change is back to its last state that passed "
        f"its gates. Failing output:\n{output}"))

def _changed(job: FixJob) -> bool:
    return bool(changes_since(job.repo, job.before, job.artifacts)[1])

def _retest(job: FixJob) -> GateReport:
    """The build, the tests, the project's Kiro hooks and your pre-commit hook on the whole
    change since the run's baseline."""
    touched, diff_text = changes_since(job.repo, job.baseline, job.artifacts)
    diff_path = write_diff(job.run_dir, 0, diff_text)
    return check_change(job.repo, job.settings, touched, diff_path, phase="fix",
                        names=("build", "test", "kiro-hooks", "hooks"), on_gate=job.on_gate)

def _merged(job: FixJob, report: GateReport) -> GateReport:
    return job.gate_report.merged(report) if job.gate_report is not None else report
