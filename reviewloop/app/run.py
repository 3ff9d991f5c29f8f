"""`run | resume | approve | reject`: start a task's run (or the batch of them all), settle it
(approval from --yes, the user, or the pull request), and say how it landed."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from reviewloop.agent.models import ModelFactory
from reviewloop.app import decisions
from reviewloop.app.batch import ALL_DONE
from reviewloop.app.chain import after_commit
from reviewloop.app.models import model_switch
from reviewloop.app.output import Output
from reviewloop.app.preflight import Needs, check_implementer_model, preflight
from reviewloop.app.runs import awaiting_decision, decision_needed
from reviewloop.config import Settings
from reviewloop.errors import ConfigError, ExitCode, TaskSelectionError, UserInputError
from reviewloop.git.repository import is_protected, open_repository
from reviewloop.implement.implementer import Implementer
from reviewloop.landing.modes import land_mode
from reviewloop.policy.governance import load_policy, with_quality_gates
from reviewloop.policy.sensitive import is_sensitive
from reviewloop.review.reviewer_set import load_reviewers
from reviewloop.runs import committed_spec
from reviewloop.runs.registry import LANDING_REFUSED, RunRecord, run_tree, state_dir
from reviewloop.runs.result import RunResult
from reviewloop.runs.runner import LoopRunner
from reviewloop.runs.stops import LANDING_STEPS, changed_nothing
from reviewloop.spec import select
from reviewloop.spec.loader import load_spec, require_tasks
from reviewloop.spec.model import Spec, Task
from reviewloop.spec.references import unknown_references
from reviewloop.spec.steering import load_layered
from reviewloop.spec.steering_set import check_steering, cut_notices, with_references


@dataclass(frozen=True)
class RunOptions:
    implementer: str = "llm"
    yes: bool = False
    branch: str | None = None
    keep_going: bool = False
    require_llm: bool = False
    force: bool = False  # run a task that is already done
    jobs: int | None = None  # `run all`: tasks of one wave at a time (default: run.jobs)
    approve_at_end: bool = False  # `run all`: ask for the approvals after the batch


def run(settings: Settings, root: Path, target: str, options: RunOptions, out: Output,
        model_factory: ModelFactory | None = None) -> int:
    _refuse_batch_options(target, options)
    implementer = Implementer.parse(options.implementer)
    preflight(settings, root, Needs(llm_implementer=implementer.spec.uses_model,
                                    require_llm=options.require_llm,
                                    check_model=model_factory is None, remote=True))
    spec = load_spec(root, settings.spec)
    _say_unread_lines(spec, out)
    require_tasks(spec)  # no task read: not "every task is done"
    load_reviewers(root, settings)  # a bad agent file, before work
    load_policy(root, settings)  # a bad .kiro/config.yaml or governance.yaml, before work
    # a broken front matter or a file reference that cannot be included, before work
    steering = with_references(load_layered(spec.steering_dir, constitution=spec.constitution_file),
                               spec.steering_dir, is_sensitive)
    check_steering(steering)
    for notice in cut_notices(steering):  # a rule past the cap would go missing unsaid
        out.warn(notice, style="yellow")
    if steering or spec.steering_dir is not None:  # a `#name` naming no file, said
        for notice in unknown_references(steering, spec.tasks):
            out.warn(notice, style="yellow")
    if target not in ("next", "all"):  # refused before anything is created
        _refuse_parent(spec, select.by_id(spec.tasks, target), options.force)
    _check_branch(root, settings, options.branch)  # refused before anything is created
    runner = loop_runner(settings, root, model_factory, options.require_llm, out)
    if implementer.spec.uses_model and not runner.llm:
        raise ConfigError(f"the {implementer.kind} implementer needs a model and credentials",
                          where="--implementer",
                          fix="set --model (or `model` in .reviewloop.toml), or use "
                              "--implementer manual / cmd:\"…\"")
    if target == "all":
        _prepare_branch(root, settings, options.branch)
        return _batch(runner, spec.tasks_file, implementer, options, out, batch_id=None)
    waiting = awaiting_decision(runner.settings, root, spec.tasks_file)
    task, passed = committed_spec.next_startable(root, spec.tasks_file, spec.tasks, waiting) \
        if target == "next" else (select.by_id(spec.tasks, target), [])
    for task_id in passed:  # a run starts from the last commit: its spec has no such task
        why, fix = committed_spec.reason(spec.tasks_file, root, task_id)
        out.warn(f"Passed over task {task_id}: {why}.\n  fix: {fix}")
    if task is None:
        return _none_to_start(spec, waiting, out, passed)
    if target == "next":
        _say_waiting(spec, waiting, out)
    elif task.id in waiting and not task.is_done:  # asked for by its id: run, and say so
        out.warn(f"Task {task.id} already has a run waiting for a decision "
                 f"({decision_needed(waiting[task.id])}); starting another run of it, as "
                 "asked.", style="yellow")
    if task.is_done and not options.force:
        out.say(f"Task {task.id} ({task.title}) is already done in {spec.tasks_file.name}: "
                "nothing to run. Pass --force to run it again.")
        return ExitCode.OK
    # the branch is made once the task's claim is taken: a refused run switches nothing
    started = runner.start(task, spec.tasks_file, implementer,
                           prepare=lambda: _prepare_branch(root, settings, options.branch))
    return _settle(runner, started, options, out, chain=True)


def _refuse_batch_options(target: str, options: RunOptions) -> None:
    """`--continue`, `--jobs` and `--approve-at-end` shape a batch: on one task they would
    be ignored without a word, so they are refused (as `approve RUN --continue` of a run
    that is not part of a batch)."""
    given = [flag for flag, on in (("--continue", options.keep_going),
                                   (f"--jobs {options.jobs}", options.jobs is not None),
                                   ("--approve-at-end", options.approve_at_end)) if on]
    if target != "all" and given:
        raise UserInputError(f"{' and '.join(given)} apply to `run all` only, not to "
                             f"`run {target}`", where=given[0],
                             fix=f"drop {' '.join(given)}, or run every open task: "
                                 f"reviewloop run all {' '.join(given)}")


def _refuse_parent(spec: Spec, task: Task, force: bool) -> None:
    """A parent with open sub-tasks is not a unit of work: its sub-tasks are, and it closes
    when the last of them lands (as in Kiro). Run from its title alone, its tick would
    close it over them."""
    kids = select.open_subtasks(spec.tasks, task.id)
    if kids and (force or not task.is_done):  # a done one is said to be done, as a leaf is
        names = ", ".join(f"{k.id} ({k.title})" for k in kids)
        raise TaskSelectionError(
            f"task {task.id} ({task.title}) is a parent task: its open sub-tasks {names} are "
            "the work, and it closes when the last of them lands",
            fix=f"run them: `reviewloop run {kids[0].id}`, then the next; or `reviewloop run "
                "all`, which runs every open task in order")


def _none_to_start(spec: Spec, waiting: dict[str, RunRecord], out: Output,
                   passed: list[str]) -> int:
    """`run next` with no task to start: done, or held by runs waiting for a decision, by
    a dependency cycle or by tasks only in the uncommitted spec (`passed`, said already)
    (exit 1, as a run that waits exits: the spec is not finished)."""
    open_waiting = _open_waiting(spec, waiting)
    plan = select.waves(spec.tasks)
    if not open_waiting and not plan.left_out and not passed:
        out.say(ALL_DONE)
        return ExitCode.OK
    out.say("No task can start now.")
    if plan.left_out:
        out.say(f"  Left out: {', '.join(plan.left_out)}: in or waiting on a dependency "
                "cycle; correct the spec:")
        for cycle in plan.cycles:
            out.say(f"    {cycle}")
    _say_waiting(spec, waiting, out)
    return ExitCode.BLOCKING


def _say_waiting(spec: Spec, waiting: dict[str, RunRecord], out: Output) -> None:
    for task_id in _open_waiting(spec, waiting):
        out.say(f"  Not started again: task {task_id}: {decision_needed(waiting[task_id])}")


def _open_waiting(spec: Spec, waiting: dict[str, RunRecord]) -> list[str]:
    """The not-done tasks (in file order) that have a run waiting for a decision."""
    return [t.id for t in spec.tasks if t.id in waiting and not t.is_done]


def _say_unread_lines(spec: Spec, out: Output) -> None:
    """The spec's lines its reader could not use (a task written `-[ ] T5` is none): a run,
    a batch above all, must not leave a task out unnoticed (`reviewloop tasks` lists them)."""
    if spec.diagnostics:
        out.warn(f"{len(spec.diagnostics)} line(s) of the spec could not be understood "
                 "(`reviewloop tasks` lists them):", style="yellow")
    for item in spec.diagnostics:
        out.warn(f"  {item.file}:{item.line}: {item.message}", style="yellow")


def resume(settings: Settings, root: Path, run_id: str | None, options: RunOptions,
           out: Output, model_factory: ModelFactory | None = None) -> int:
    from reviewloop.runs.store import registry_for

    preflight(settings, root, Needs(existing_runs=True, require_llm=options.require_llm,
                                    check_model=model_factory is None))
    registry = registry_for(settings, root)
    record = registry.get(run_id) if run_id else registry.latest_unfinished()
    settings = _as_started(settings, record)
    if record.options.get("implementer", "llm") == "llm" and model_factory is None:
        check_implementer_model(settings)
    runner = loop_runner(settings, root, model_factory, options.require_llm, out)
    code = _settle(runner, runner.resume(record.run_id), options, out)
    return _continue_batch(runner, record, options, out) if code == ExitCode.OK else code


def decide(settings: Settings, root: Path, run_id: str, decision: str, out: Output,
           model_factory: ModelFactory | None = None, *, keep_going: bool = False) -> int:
    """Approve or reject one run. A run of a batch is decided alone; with `keep_going`
    (`approve --continue`) the batch then goes on, as `reviewloop run all` would."""
    from reviewloop.runs.store import registry_for

    preflight(settings, root, Needs(commit=decision == "approve", existing_runs=True,
                                    sandbox=keep_going))
    record = registry_for(settings, root).get(run_id)
    if keep_going and not record.batch:
        raise UserInputError(f"run {run_id} is not part of a batch: there is nothing to "
                             "continue", where=run_id,
                             fix=f"drop --continue: reviewloop {decision} {run_id}")
    runner = loop_runner(_as_started(settings, record), root, model_factory, False, out,
                     quiet=True)
    waiting = record.status == "awaiting_approval"
    retry_commit = record.status in ("failed", LANDING_REFUSED) and \
        runner.next_nodes(run_id) in LANDING_STEPS
    if not (waiting or retry_commit):
        raise UserInputError(f"run {run_id} is {record.status.replace('_', ' ')}, not "
                             "awaiting approval", where=run_id,
                             fix="see `reviewloop runs`; `reviewloop resume` continues a run "
                                 "that stopped before its approval step")
    if retry_commit and decision != "approve":
        decisions.decline_stopped(runner.registry, runner.root, record)
        result = RunResult(run_id, "declined", tree=run_tree(record),
                           land=land_mode(runner.settings.run.land))
        _report_outcome(result, runner.root, out)
        return ExitCode.OK
    if decision == "approve":
        decisions.refuse_done_twice(runner.registry, runner.root, record)
    result = runner.resume(run_id, decision if waiting else None)
    _report_outcome(result, runner.root, out)
    if not record.batch:
        return after_commit(runner.settings, runner.root, result, out, yes=False,
                            run_next=lambda: ExitCode.OK)
    if keep_going and result.status == "committed":
        return _continue_batch(runner, record, RunOptions(), out)
    out.say(f"Run {run_id} is part of batch {record.batch}; only this run was decided. "
            "Continue the batch with `reviewloop run all` (or "
            f"`reviewloop approve {run_id} --continue`).")
    return ExitCode.OK


def _as_started(settings: Settings, record: RunRecord) -> Settings:
    """The model the run started with, unless given again now (its limits are in its saved
    state)."""
    if not settings.model and record.options.get("model"):
        return settings.model_copy(update={"model": record.options["model"]})
    return settings


def _continue_batch(runner: LoopRunner, record: RunRecord, options: RunOptions,
                    out: Output) -> int:
    if not record.batch:
        return ExitCode.OK
    implementer = Implementer.parse(record.options.get("implementer", "llm"))
    return _batch(runner, Path(record.spec), implementer, options, out, batch_id=record.batch)


# -- internals ------------------------------------------------------------------------------


def loop_runner(settings: Settings, root: Path, model_factory: ModelFactory | None,
            require_llm: bool, out: Output, *, quiet: bool = False) -> LoopRunner:
    from functools import partial

    from reviewloop.checks.gates.commands import project_tests
    from reviewloop.review.evidence import analyze

    # .kiro/governance.yaml's quality gates (test_coverage) reach the tests the loop runs
    settings = with_quality_gates(settings, load_policy(root, settings))
    factory, on = model_switch(settings, model_factory, require_llm, quiet=quiet,
                               warn=None if out.quiet() else out.warn)
    # A run executes the tests in its gates anyway; the coverage analyzer may too, sandboxed.
    from reviewloop.github.run_pr import land_run

    return LoopRunner(root, settings, factory, llm=on, progress=out.progress,
                      notice=out.notice, analyze=partial(analyze, tests=project_tests(settings),
                                                      sandbox=settings.sandbox),
                      open_pr=partial(land_run, env=os.environ))


def _check_branch(root: Path, settings: Settings, branch: str | None) -> None:
    """Refuse the protected or default branch (or a taken --branch name), creating nothing."""
    repo = open_repository(root)
    if branch:
        if repo.try_git("check-ref-format", "--branch", branch)[0] != 0:
            raise UserInputError(f"not a valid branch name: {branch!r}",
                                 fix="use letters, digits, '-', '_' and '/'")
        if repo.try_git("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}")[0] == 0:
            raise UserInputError(f"branch {branch!r} already exists", where=str(root),
                                 fix=f"choose another name, or switch to it: git switch {branch}")
    current = branch or repo.current_branch()
    if not land_mode(settings.run.land).writes_your_branch:
        return  # your branch is never written: any branch (or a detached HEAD) will do
    if current is None or is_protected(current, settings.gates.protected_branches) \
            or current == repo.default_branch():
        raise UserInputError(
            f"refusing to work on {current or 'a detached HEAD'}: reviewloop commits only on a "
            "working branch", where=str(root),
            fix="pass --branch NAME to create one (or switch to one with git switch)")


def _prepare_branch(root: Path, settings: Settings, branch: str | None) -> None:
    repo = open_repository(root)  # run.land = "pr": its remote was checked in preflight
    if branch:
        repo.create_branch(branch)


def _batch(runner: LoopRunner, spec_file: Path, implementer: Implementer,
           options: RunOptions, out: Output, batch_id: str | None) -> int:
    from reviewloop.app.batch import Batch

    batch = Batch(runner, spec_file, implementer,
                  settle=lambda r, result: _settle(r, result, options, out, batch=True),
                  out=out,
                  jobs=options.jobs or runner.settings.run.jobs, keep_going=options.keep_going,
                  approve_at_end=options.approve_at_end)
    if batch_id:
        batch.batch_id = batch_id
    return batch.run()


def _settle(runner: LoopRunner, result: RunResult, options: RunOptions, out: Output, *,
            chain: bool = False, batch: bool = False) -> int:
    """Show the summary; get approval from --yes, the terminal, or later from the user.
    With run.land = "pr" the pull request is the approval: the run goes on to open it.
    With `chain` (one task, not a batch) a commit is followed by the next steps. In a
    `batch`, a run that changed no file is the batch's to give up and say (`Batch._empty`):
    no advice to reject it here."""
    from reviewloop.github.run_pr import spend_text

    if result.summary is not None:
        out.summary(result.summary)
        out.say(f"Spend: {spend_text(result.summary, runner.settings.budget_usd)}")
    if result.status == "awaiting_approval" and changed_nothing(runner.touched(result.run_id)):
        if batch:
            return ExitCode.BLOCKING
        out.say(f"Run {result.run_id} changed no file: nothing was implemented, so there is "
                "nothing to approve (a commit would hold only the task's tick). Reject it "
                f"and run the task again.\n  reject:  reviewloop reject {result.run_id}")
        return ExitCode.BLOCKING
    if result.status == "awaiting_approval":
        reasons = result.escalations
        # land = "pr": the pull request's review is the approval. An escalated run (its
        # budget spent included) opens a draft with the attention label: nothing reaches
        # the base branch without a human, and the work is where the human looks.
        given = result.land.approval_by_review or (options.yes and not reasons)
        approve = True if given else out.ask("Ready to commit?", default=not reasons)
        if approve is None:
            why = " (escalated: needs your explicit approval)" if reasons else ""
            out.say(f"Run {result.run_id} is waiting for approval{why}.\n"
                    f"  approve: reviewloop approve {result.run_id}\n"
                    f"  reject:  reviewloop reject {result.run_id}")
            return ExitCode.BLOCKING
        result = runner.resume(result.run_id, "approve" if approve else "reject")
    _report_outcome(result, runner.root, out)
    if result.status == "committed" and result.land.approval_by_review and result.escalations:
        return ExitCode.BLOCKING  # a draft pull request waits for a human
    if result.status != "committed":
        return ExitCode.BLOCKING
    if not chain:
        return ExitCode.OK
    return after_commit(runner.settings, runner.root, result, out, yes=options.yes,
                        run_next=lambda: run(runner.settings, runner.root, "next",
                                             replace(options, branch=None), out,
                                             runner.model_factory))


def _report_outcome(result: RunResult, root: Path, out: Output) -> None:
    """How a committed run landed (its land mode's words), or that a declined one left
    your checkout alone and where its work is kept."""
    tree = result.tree
    if result.status == "committed":
        said = result.land.outcome(result.run_id, result.commit or "", tree,
                                   state_dir(root) / "runs" / result.run_id)
        if said is not None:  # else landed by another process, which said it
            out.done(*said)
        for notice in result.notices:
            out.say(notice)
    elif result.status == "declined":
        kept = ""
        if tree is not None and Path(tree.path).exists():
            kept = (f" The run's work is kept for inspection in {_shown(tree.path)} (branch "
                    f"{tree.branch}); `reviewloop clean` removes it.")
        out.say(f"Declined: nothing committed and your checkout was not touched (run "
                  f"{result.run_id}).{kept}")


def _shown(path: str) -> str:
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path
