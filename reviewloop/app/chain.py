"""After an approved run: print the next steps as commands to copy (`reports.next_steps`) and,
after a --yes approval, run the ones `run.then` names (none by default)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reviewloop.app import handoff
from reviewloop.app.output import Output
from reviewloop.config import Settings
from reviewloop.errors import ExitCode, ReviewloopError
from reviewloop.git.repository import open_repository
from reviewloop.reports.next_steps import Landed, OpenRun, Step, next_steps, render
from reviewloop.runs.result import RunResult
from reviewloop.spec import select
from reviewloop.spec.loader import load_spec
from reviewloop.spec.model import TaskStatus


def after_commit(settings: Settings, root: Path, result: RunResult, out: Output, *, yes: bool,
                 run_next: Callable[[], int]) -> int:
    """Show the chain after a committed run; with `yes`, run the configured steps in order
    (the first that fails stops the chain and gives its exit code)."""
    if result.status != "committed" or result.tree is None:
        return ExitCode.OK
    landed = Landed(pushed=result.land.branch_to_push(result.tree),
                    remote=_remote(root, settings.run.remote))
    task, spec_file = _next_task(settings, root, result)
    steps = next_steps(landed, task, _spec_arg(settings, root),
                       _open_run(settings, root, task, spec_file))
    out.say(render(steps))
    if not yes:
        return ExitCode.OK
    for name in settings.run.then:
        step = next((s for s in steps if s.name == name), None)
        if step is None:
            continue  # e.g. "next" with every task done
        code = _run(step, settings, root, run_next, out)
        if code != ExitCode.OK:
            return code
    return ExitCode.OK


def _run(step: Step, settings: Settings, root: Path, run_next: Callable[[], int],
         out: Output) -> int:
    out.say(f"run.then: {step.what}: {step.command}")
    if step.name == "handoff":
        handoff.tell(handoff.write(settings, root), root, out)
        return ExitCode.OK
    return run_next()


def _next_task(settings: Settings, root: Path, result: RunResult
               ) -> tuple[str | None, Path | None]:
    """The next eligible task in your checkout's spec (the one just run is done, even where
    its tick has not reached your checkout: run.land = "branch-only" or "pr"), and the
    spec's tasks file."""
    done = result.summary.task_id if result.summary is not None else ""
    try:
        spec = load_spec(root, settings.spec)
    except ReviewloopError:
        return None, None
    ticked = [t.model_copy(update={"status": TaskStatus.DONE}) if t.id == done else t
              for t in spec.tasks]
    task = select.next_task(ticked)
    return (task.id if task is not None else None), spec.tasks_file


def _open_run(settings: Settings, root: Path, task: str | None,
              spec_file: Path | None) -> OpenRun | None:
    """The next task's unfinished run, as the run registry has it (runs record their spec's
    tasks file as the run was given it)."""
    if task is None or spec_file is None:
        return None
    from reviewloop.runs.store import registry_for

    record = registry_for(settings, root).open_for_task(task, str(spec_file))
    return OpenRun(record.run_id, record.status) if record is not None else None


def _spec_arg(settings: Settings, root: Path) -> str | None:
    if settings.spec is None:
        return None
    try:
        return settings.spec.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(settings.spec)


def _remote(root: Path, name: str) -> str | None:
    status, _, _ = open_repository(root).try_git("remote", "get-url", name)
    return name if status == 0 else None
