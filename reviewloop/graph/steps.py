"""The work behind the graph's nodes: git, files under the run folder, gates, fixer.

Nodes stay one-liners over these; each function does one step of the loop for one run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from reviewloop.agent.models import UsageRecord
from reviewloop.checks.gates import GateContext, GateResult
from reviewloop.checks.gates.registry import run_gates as run_registry
from reviewloop.errors import BlockingOutcome
from reviewloop.findings.ledger import Status
from reviewloop.findings.schema import Finding
from reviewloop.fixes.fixer import fix_with_llm
from reviewloop.git.repository import Snapshot, TouchedFiles, is_protected, touched_since
from reviewloop.git.worktrees import restore
from reviewloop.graph.context import LoopDeps
from reviewloop.graph.state import LoopState, ledger_of
from reviewloop.implement.implementer import (
    ImplementResult,
    implement_with_command,
    implement_with_llm,
)
from reviewloop.reports.summary import rounds_run
from reviewloop.runs.streaming import step_writer
from reviewloop.spec import context as task_context
from reviewloop.spec import select, writeback
from reviewloop.spec.loader import load_spec

TRAILER = "Reviewloop-Run"


def baseline(deps: LoopDeps) -> Snapshot:
    """Manual: your whole uncommitted change is the change. Otherwise: what the agent adds."""
    if deps.implementer.kind == "manual":
        return deps.repo.head_snapshot()
    return deps.repo.snapshot()


def write_context(deps: LoopDeps, task_id: str) -> str:
    spec = load_spec(deps.root, deps.spec_file)
    task = select.by_id(spec.tasks, task_id)
    text = task_context.render(task_context.task_context(spec, task))
    path = deps.run_dir / "context.md"
    path.write_text(text, encoding="utf-8")
    return str(path)


def run_implementer(deps: LoopDeps, task_id: str, context_text: str,
                    feedback: str | None) -> ImplementResult:
    kind = deps.implementer.kind
    if kind == "manual":
        return ImplementResult(summary="your change in the working tree")
    if kind == "cmd":
        text = context_text if not feedback else f"{context_text}\n\n# Fix first\n\n{feedback}"
        return implement_with_command(deps.implementer.command or "", text, deps.root,
                                      task_id=task_id,
                                      timeout=deps.settings.gates.timeout_seconds * 2)
    chat = deps.models.get("implement")
    if chat is None:
        return ImplementResult(summary="no model for the implementer", ok=False)
    return implement_with_llm(chat.model, context_text, feedback, deps.workspace, deps.policy,
                              model_name=chat.name, timeout_s=chat.timeout_s)


def write_diff(deps: LoopDeps, round_no: int, text: str) -> str:
    path = deps.run_dir / f"round-{round_no}.diff"
    path.write_text(text, encoding="utf-8")
    return str(path)


def touched_dict(touched: TouchedFiles) -> dict[str, list[str]]:
    return {"created": list(touched.created), "modified": list(touched.modified),
            "deleted": list(touched.deleted), "had_user_changes": list(touched.had_user_changes)}


# What running a build or the tests leaves behind is not part of the change.
ARTIFACTS = ("__pycache__/", ".pyc", ".pytest_cache/", ".coverage", ".mypy_cache/",
             ".ruff_cache/", "node_modules/", ".tox/", ".nox/", "htmlcov/", ".hypothesis/")


def is_artifact(path: str, known: Sequence[str] = ()) -> bool:
    text = f"/{path}"
    return path in known or any(
        (f"/{a}" in text) if a.endswith("/") else text.endswith(a) for a in ARTIFACTS)


def changes_since(deps: LoopDeps, base: Snapshot, artifacts: Sequence[str] = ()
                  ) -> tuple[TouchedFiles, str]:
    """The files changed since `base` (build and test artifacts left out) and their diff."""
    raw = touched_since(base, deps.repo.snapshot(base=base.base))
    keep = [p for p in raw.paths if not is_artifact(p, artifacts)]
    touched = TouchedFiles(**{k: tuple(p for p in getattr(raw, k) if p in keep)
                              for k in ("created", "modified", "deleted", "had_user_changes")})
    return touched, deps.repo.diff_since(base, keep) if keep else ""


def change_update(deps: LoopDeps, base: Snapshot, *, round_no: int,
                  artifacts: Sequence[str] = ()) -> dict[str, Any]:
    touched, diff_text = changes_since(deps, base, artifacts)
    return {"diff_path": write_diff(deps, round_no, diff_text),
            "touched": touched_dict(touched)}


def gate_artifacts(deps: LoopDeps, base: Snapshot, run) -> tuple[Any, list[str]]:
    """Run `run()` (gates) and return its result with the paths it created or changed."""
    before = deps.repo.snapshot(base=base.base)
    result = run()
    made = touched_since(before, deps.repo.snapshot(base=base.base)).paths
    return result, list(made)


def changed_paths(state: LoopState) -> list[str]:
    touched = state.get("touched") or {}
    return sorted({*touched.get("created", []), *touched.get("modified", []),
                   *touched.get("deleted", [])})


def run_gates(deps: LoopDeps, state: LoopState, *, phase: str,
              names: Sequence[str] | None = None) -> dict[str, Any]:
    paths = changed_paths(state)
    if not paths:
        return {"passed": False, "headline": "the implementer made no change",
                "feedback": "No file was changed. Implement the task.", "results": [],
                "passed_tests": None}
    diff_text = Path(state["diff_path"]).read_text(encoding="utf-8")
    ctx = GateContext(root=deps.root, settings=deps.settings, changed_files=tuple(paths),
                      diff_text=diff_text, branch=deps.repo.current_branch(),
                      default_branch=deps.repo.default_branch(), phase=phase)
    report = run_registry(ctx, names, on_gate=_gate_events())
    failed = [r.name for r in report.results if not r.passed and r.blocking]
    return {"passed": report.passed, "passed_tests": report.passed_tests,
            "headline": "all passed" if report.passed else "failed: " + ", ".join(failed),
            "feedback": None if report.passed else report.feedback(),
            "results": [r.model_dump(mode="json") for r in report.results]}


def _gate_events():
    """Each gate's start and end, told to whoever streams the run (the live view, CI logs)."""
    write = step_writer()

    def told(name: str, result: GateResult | None) -> None:
        if result is None:
            write({"kind": "gate", "gate": name, "status": "running"})
            return
        status = "skipped" if result.skipped else "passed" if result.passed else "failed"
        write({"kind": "gate", "gate": name, "status": status,
               "duration_s": round(result.duration_s, 1), "summary": result.summary})
    return told


def committable(deps: LoopDeps, paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """(paths to commit, sensitive paths held back)."""
    keep, held = [], []
    for path in paths:
        (held if deps.workspace.is_sensitive(PurePosixPath(path)) else keep).append(path)
    return keep, held


def written_lines(deps: LoopDeps, state: LoopState) -> dict[str, set[int]]:
    """The lines the run wrote in any round, numbered as the files are now: the round's own
    diff, and from round 2 on the whole change since the run's baseline as well."""
    from reviewloop.git.diff import changed_lines

    lines = changed_lines(Path(state["diff_path"]).read_text(encoding="utf-8"))
    if state.get("round", 1) > 1 and state.get("baseline"):
        since = changed_lines(deps.repo.diff_since(Snapshot(**state["baseline"])))
        for path, numbers in since.items():
            lines.setdefault(path, set()).update(numbers)
    return lines


@dataclass
class FixOutcome:
    ok: bool
    summary: str
    passed_tests: int | None = None
    usage: list[UsageRecord] = field(default_factory=list)
    report: dict[str, Any] | None = None  # the gate report after a passing re-test
    left_open: list[Finding] = field(default_factory=list)  # not worked on by the fixer


def fix_and_test(deps: LoopDeps, state: LoopState, findings: Sequence[Finding],
                 before: Snapshot) -> FixOutcome:
    """Fix, re-run the tests, feed a failure back: at most `gates.max_retries` retries. A fix
    whose tests still fail is discarded: the run's worktree goes back to `before`, the last
    state that passed its gates, and the outcome carries the failing output."""
    if deps.run_tree is not None:
        restore(deps.repo, before.tree)  # a fix interrupted by a crash starts over cleanly
    chat = deps.models.get("fix")
    if chat is None:
        return _offline_fix(deps, state, findings, before)
    usage: list[UsageRecord] = []
    feedback = None
    attempts = deps.settings.gates.max_retries + 1
    for _ in range(attempts):
        result = fix_with_llm(chat.model, findings, feedback, deps.workspace, deps.policy,
                              model_name=chat.name, timeout_s=chat.timeout_s)
        usage.extend(result.usage)
        if not changes_since(deps, before, state.get("artifacts", []))[1]:
            return FixOutcome(ok=True, summary=result.summary, usage=usage)  # nothing to test
        report = _retest(deps, state)
        if report["passed"]:
            return FixOutcome(ok=True, summary=result.summary, usage=usage,
                              passed_tests=report["passed_tests"],
                              report=merged_report(state.get("gate_report"), report))
        feedback = report["feedback"]
    return _discarded(deps, before, usage, report,
                      f"the tests still failed after {attempts} fix attempt(s)")


def _discarded(deps: LoopDeps, before: Snapshot, usage: list[UsageRecord],
               report: dict[str, Any], why: str, left: Sequence[Finding] = ()) -> FixOutcome:
    """A failed fix leaves nothing behind in a run's worktree (`reviewloop review --fix` works
    in your checkout, where your edits could be lost: there it stays, and says so)."""
    output = (report.get("feedback") or report.get("headline") or "")[-_FAILING_OUTPUT:]
    if deps.run_tree is None:
        return FixOutcome(ok=False, usage=usage, left_open=list(left), summary=(
            f"{why}; the failing fix is still in your working tree. Failing output:\n{output}"))
    restore(deps.repo, before.tree)
    return FixOutcome(ok=False, usage=usage, left_open=list(left), summary=(
        f"{why}: the fix was discarded and the change is back to its last state that passed "
        f"its gates. Failing output:\n{output}"))


_FAILING_OUTPUT = 3000  # characters of the failing tests' output kept in the escalation


def merged_report(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """`old` with the gates `new` re-ran replaced by their new results (and test count)."""
    if not old:
        return new
    rerun = {r["name"]: r for r in new.get("results", [])}
    results = [rerun.pop(r["name"], r) for r in old.get("results", [])] + list(rerun.values())
    count = new.get("passed_tests")
    return {**old, "results": results, "passed": all(
        r["passed"] or not r.get("blocking", True) for r in results),
        "passed_tests": count if count is not None else old.get("passed_tests")}


def _retest(deps: LoopDeps, state: LoopState) -> dict[str, Any]:
    probe = {**state, **change_update(deps, Snapshot(**state["baseline"]), round_no=0,
                                      artifacts=state.get("artifacts", []))}
    return run_gates(deps, probe, phase="fix", names=("build", "test"))


def _offline_fix(deps: LoopDeps, state: LoopState, findings: Sequence[Finding],
                 before: Snapshot) -> FixOutcome:
    """LLM off: let the analyzers apply their own safe fixes, then re-run the tests."""
    from reviewloop.fixes.autofix import safe_fixes

    result = safe_fixes(deps.root, findings)
    left = list(result.left)
    if not result.fixed_rules or not changes_since(deps, before, state.get("artifacts", []))[1]:
        return FixOutcome(ok=True, left_open=list(findings), summary=(
            f"LLM off: no safe automatic fix for {len(findings)} finding(s); they are left "
            "for you"))
    report = _retest(deps, state)
    summary = f"applied the analyzers' safe fixes ({', '.join(result.fixed_rules)})"
    if not report["passed"]:
        return _discarded(deps, before, [], report, f"{summary}, but then: "
                          f"{report['headline']}", left=findings)
    return FixOutcome(ok=True, summary=summary, passed_tests=report["passed_tests"],
                      left_open=left, report=merged_report(state.get("gate_report"), report))


def commit_change(deps: LoopDeps, state: LoopState) -> str:
    """Mark the task done and commit exactly the touched files and the spec; idempotent."""
    run_id = state["run_id"]
    if f"{TRAILER}: {run_id}" in deps.repo.last_commit_message():
        return deps.repo.head_sha() or ""  # committed before a crash: do not commit twice
    branch = deps.repo.current_branch() or "(detached HEAD)"
    if is_protected(branch, deps.settings.gates.protected_branches) or \
            branch == deps.repo.default_branch():
        raise BlockingOutcome(f"refusing to commit on protected branch {branch}; switch to a "
                              f"working branch (git switch -c NAME) and run "
                              f"`reviewloop approve {run_id}` again")
    spec = load_spec(deps.root, deps.spec_file)
    original = spec.tasks_file.read_bytes()
    writeback.mark_done(spec.tasks_file, spec.tasks, state["task_id"])
    spec_rel = spec.tasks_file.resolve().relative_to(deps.root.resolve()).as_posix()
    paths, _held = committable(deps, sorted({*changed_paths(state), spec_rel}))
    try:
        return deps.repo.commit_paths(paths, commit_message(state, spec))
    except BaseException:
        spec.tasks_file.write_bytes(original)  # nothing committed: the task is not done
        raise


def commit_message(state: LoopState, spec) -> str:
    task = spec.task(state["task_id"])
    title = task.title if task else ""
    ledger = ledger_of(state)
    fixed = len(ledger.with_status(Status.FIXED))
    remaining = [e for e in ledger.unresolved if e.severity.actionable]
    nits = len([e for e in ledger.unresolved if not e.severity.actionable])
    tests = state.get("passed_tests")
    stats = (f"{rounds_run(state)} review round(s), {fixed} finding(s) fixed, "
             f"{len(remaining)} open, {nits} nit(s)")
    if tests is not None:
        stats += f", {tests} tests passing"
    return (f"{state['task_id']}: {title}".strip()[:72] + "\n\n"
            f"Implemented and reviewed with reviewloop: {stats}.\n\n"
            f"{TRAILER}: {state['run_id']}\nReviewloop-Task: {state['task_id']}\n")

