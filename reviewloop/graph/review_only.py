"""`reviewloop review`: the reviewers (and optionally the fixer) on an existing change.

No implementer, no commit: the diff comes from git (working tree, index, or two refs) and
the result is a `RunSummary` for the terminal, JSON, Markdown, SARIF or a pull request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewloop.agent.implement import Implementer
from reviewloop.checks.secrets.scanner import redact_finding
from reviewloop.config import Settings
from reviewloop.diff import parse_diff
from reviewloop.errors import UserInputError
from reviewloop.findings import Finding, Severity
from reviewloop.git import Repository, open_repository
from reviewloop.graph.build import build_review_graph
from reviewloop.graph.context import ModelFactory
from reviewloop.graph.runner import deps_for
from reviewloop.graph.runs import new_run_id, state_dir
from reviewloop.graph.summary import review_summary
from reviewloop.graph.trusted import TrustedConfig, config_findings
from reviewloop.review.report import RunSummary, redacted
from reviewloop.review.triage import same_problem


@dataclass(frozen=True)
class DiffSource:
    """Which change to review: `working` (default), `staged`, or `base`[..`head`]."""

    base: str | None = None
    head: str | None = None
    staged: bool = False
    merge_base: bool = True  # base...head (a PR's view); False: base..head (new commits only)

    def describe(self) -> str:
        if self.staged:
            return "staged changes"
        if self.base and self.head:
            return f"{self.base[:12]}{'...' if self.merge_base else '..'}{self.head[:12]}"
        return f"working tree against {self.base or 'HEAD'}"

    def read(self, repo: Repository) -> str:
        if self.staged:
            return repo.diff_staged()
        if self.head:
            return repo.diff_refs(self.base or repo.default_branch(), self.head,
                                  merge_base=self.merge_base)
        return repo.diff(base=self.base or "HEAD")


def review_change(root: Path, settings: Settings, source: DiffSource, *,
                  model_factory: ModelFactory, llm: bool, fix: bool = False,
                  diff_text: str | None = None,
                  analyze: Callable[..., list] | None = None,
                  progress: Callable[[str, dict[str, Any]], None] | None = None,
                  trusted: TrustedConfig | None = None) -> RunSummary:
    """Review the change `source` names; with `trusted`, agents and governance come from its
    root and a change to the configuration itself is flagged."""
    repo = open_repository(root)
    repo.ensure_ignored(".reviewloop/")
    diff_text = source.read(repo) if diff_text is None else diff_text
    if not parse_diff(diff_text, source=source.describe()).paths:
        raise UserInputError(f"nothing to review: no change in the {source.describe()}",
                             where=str(root), fix="pass --base REF, --staged or --working")
    run_id = new_run_id("review")
    run_dir = state_dir(root) / "reviews" / run_id
    run_dir.mkdir(parents=True, exist_ok=True)
    diff_path = run_dir / "round-1.diff"
    diff_path.write_text(diff_text, encoding="utf-8")
    deps = deps_for(root, settings, run_dir=run_dir, spec_file=None,
                    implementer=Implementer("manual"), model_factory=model_factory, llm=llm,
                    analyze=analyze, config_root=trusted.root if trusted else None)
    state = {"run_id": run_id, "task_id": "review", "round": 1, "diff_path": str(diff_path),
             "agents": [a.name for a in deps.agents], "escalations": [],
             "baseline": repo.snapshot().model_dump(), "touched": _touched(diff_text)}
    graph = build_review_graph(max_rounds=settings.max_rounds, fix=fix)
    final = state
    for chunk in graph.stream(state, config={"recursion_limit": 60, "max_concurrency": 8},
                              context=deps, stream_mode=["updates", "values"]):
        mode, data = chunk
        if mode == "values":
            final = data
        elif progress:
            for node, update in data.items():
                progress(node, update or {})
    summary = review_summary(deps, final, title=source.describe())
    summary = with_gates(summary, root, settings, repo, diff_text)
    summary = with_findings(summary, config_findings(repo, trusted) if trusted else [])
    return redacted(summary)  # printed, written, posted: nothing secret in any of it


def with_gates(summary: RunSummary, root: Path, settings: Settings, repo: Repository,
               diff_text: str) -> RunSummary:
    """The guard-rails that make sense for a bare diff (secrets; coverage when strict):
    their results join the report and their findings the open ones, never dropped."""
    from reviewloop.checks.gates import GateContext
    from reviewloop.checks.gates.registry import run_gates

    ctx = GateContext(root=root, settings=settings, changed_files=tuple(
        parse_diff(diff_text).paths), diff_text=diff_text, branch=repo.current_branch(),
        default_branch=repo.default_branch(), phase="review")
    report = run_gates(ctx, ("secrets", "coverage"))
    summary = summary.model_copy(update={
        "gates": [(r.name, r.passed, r.summary) for r in report.results]})
    return with_findings(summary, [f for r in report.results for f in r.findings])


def with_findings(summary: RunSummary, found: list[Finding]) -> RunSummary:
    """`found` joins the open findings (or the nits), redacted, unless already reported."""
    known = [*summary.findings_remaining, *summary.nits]
    extra = [redact_finding(f) for f in found if not any(same_problem(f, k) for k in known)]
    return summary.model_copy(update={
        "findings_remaining": [*summary.findings_remaining,
                               *(f for f in extra if f.severity.actionable)],
        "nits": [*summary.nits, *(f for f in extra if not f.severity.actionable)]})


def blocking(summary: RunSummary, fail_on: str) -> bool:
    """Exit 1 when findings at or above `fail_on` remain or a reviewer failed."""
    if fail_on == "never":
        return False
    floor = Severity(fail_on)
    remaining: list[Finding] = [*summary.findings_remaining, *summary.nits]
    if any(f.severity.at_least(floor) for f in remaining):
        return True
    return any(r.status == "failed" for r in summary.reviewers)


def _touched(diff_text: str) -> dict[str, list[str]]:
    changes = parse_diff(diff_text)
    created = [f.path for f in changes.files if f.status.value == "added"]
    deleted = [f.path for f in changes.files if f.status.value == "deleted"]
    modified = [p for p in changes.paths if p not in {*created, *deleted}]
    return {"created": created, "modified": modified, "deleted": deleted}
