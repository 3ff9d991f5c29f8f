"""`reviewloop run all`: every open task in dependency waves, up to N tasks of a wave at once.

Each task runs in its own worktree (`LoopRunner.start`), so the tasks of a wave run side by
side in threads; their approvals are asked here, one at a time and in the spec's order, and
the commits land in that order. A task whose dependency was declined or failed is skipped
with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from reviewloop.app.output import Output
from reviewloop.errors import ExitCode, ReviewloopError
from reviewloop.implement.implementer import Implementer
from reviewloop.runs.registry import new_run_id
from reviewloop.runs.result import RunResult
from reviewloop.runs.runner import LoopRunner
from reviewloop.spec import select
from reviewloop.spec.loader import load_spec
from reviewloop.spec.model import Task

Settle = Callable[[LoopRunner, RunResult], int]  # show, ask, resume: 0 when committed


@dataclass
class Batch:
    runner: LoopRunner
    spec_file: Path
    implementer: Implementer
    settle: Settle
    out: Output
    jobs: int = 1
    keep_going: bool = False
    approve_at_end: bool = False
    batch_id: str = field(default_factory=lambda: new_run_id("batch"))
    outcome: dict[str, str] = field(default_factory=dict)  # task id -> why it is not done

    def run(self) -> int:
        plan = select.waves(load_spec(self.runner.root, self.spec_file).tasks)
        deferred: list[tuple[str, RunResult]] = []
        for wave in plan.waves:
            for task_id, result in self._wave(self._ready(wave)):
                if result is None:
                    continue  # failed to run: reported, counted
                if self.approve_at_end and result.status == "awaiting_approval":
                    self.outcome[task_id] = "awaiting approval"
                    deferred.append((task_id, result))
                elif not self._settled(task_id, result) and not self.keep_going:
                    self.out.warn(
                        f"Batch stopped at task {task_id}. Decide on run {result.run_id} "
                        "(approve or reject decides that run only), then `reviewloop run "
                        "all` continues the batch; `reviewloop approve "
                        f"{result.run_id} --continue` does both. (`run all --continue` "
                        "goes on past a declined task.)")
                    return ExitCode.BLOCKING
        for task_id, result in deferred:
            self.outcome.pop(task_id, None)
            self._settled(task_id, result)
        if "awaiting approval" in self.outcome.values():
            self.out.warn(
                "`reviewloop approve RUN` approves that run only; `reviewloop run all` then "
                "continues the batch (or `reviewloop approve RUN --continue`).")
        return ExitCode.BLOCKING if self.outcome else ExitCode.OK

    def _ready(self, wave: tuple[str, ...]) -> list[Task]:
        """The wave's tasks that may start now; the others are skipped with the reason."""
        spec = load_spec(self.runner.root, self.spec_file)  # earlier waves ticked themselves
        ready = []
        for task_id in wave:
            task = select.by_id(spec.tasks, task_id)
            if task.is_done:
                continue
            waiting = select.blockers(spec.tasks, task.id)
            if waiting:
                reasons = ", ".join(f"{d} ({self.outcome[d]})" if d in self.outcome else d
                                    for d in waiting)
                self.out.warn(
                    f"Skipping task {task.id}: it waits on {reasons}, not done.")
                self.outcome[task.id] = "skipped"
                continue
            ready.append(task)
        return ready

    def _wave(self, tasks: list[Task]) -> Iterator[tuple[str, RunResult | None]]:
        """Each task's run up to its approval, in spec order; with jobs > 1 the later ones
        keep running while an earlier one is being decided."""
        if self.jobs <= 1 or len(tasks) <= 1:
            for task in tasks:  # one after the other: each starts from the last landing
                yield task.id, self._start(task)
            return
        with ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="task") as pool:
            futures: list[tuple[Task, Future]] = [(t, pool.submit(self._start, t))
                                                  for t in tasks]
            for task, future in futures:
                yield task.id, future.result()

    def _start(self, task: Task) -> RunResult | None:
        pending = self.runner.registry.open_for_task(task.id, str(self.spec_file))
        try:
            if pending:
                return self.runner.resume(pending.run_id)
            return self.runner.start(task, self.spec_file, self.implementer,
                                     batch=self.batch_id)
        except ReviewloopError as exc:
            if self.jobs <= 1:
                raise
            self.out.warn(f"Task {task.id} failed: {exc}")
            self.outcome[task.id] = "failed"
            return None

    def _settled(self, task_id: str, result: RunResult) -> bool:
        if self.settle(self.runner, result) == ExitCode.OK:
            return True
        # `result` is the run before it was settled: a run declined at the prompt was
        # "awaiting approval" there; the registry has where it stands now
        status = self.runner.registry.get(result.run_id).status
        self.outcome[task_id] = "declined" if status == "declined" else \
            result.status.replace("_", " ")
        return False
