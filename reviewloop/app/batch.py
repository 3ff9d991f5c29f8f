"""`reviewloop run all`: every open task in dependency waves, up to N tasks of a wave at once.

Each task runs in its own worktree (`LoopRunner.start`), so the tasks of a wave run side by
side in threads; their approvals are asked here, one at a time and in the spec's order, and
the commits land in that order. A task whose dependency was declined or failed is skipped
with the reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from reviewloop.app.output import Output
from reviewloop.errors import ExitCode, ReviewloopError
from reviewloop.implement.implementer import Implementer
from reviewloop.landing.engine import LandConflict
from reviewloop.landing.job import LAND_PLAN
from reviewloop.runs import committed_spec, unstarted
from reviewloop.runs.claims import RunInProgress
from reviewloop.runs.lease import LeaseHeld
from reviewloop.runs.registry import (
    LANDING_REFUSED,
    RunRecord,
    live_holder,
    new_run_id,
    run_dir,
    run_tree,
)
from reviewloop.runs.result import RunResult
from reviewloop.runs.runner import LoopRunner
from reviewloop.runs.stops import changed_nothing
from reviewloop.spec import select
from reviewloop.spec.loader import load_spec
from reviewloop.spec.model import Task

REFUSED = LANDING_REFUSED.replace("_", " ")  # an approved run waiting, as `runs` says
STOPPED = ("interrupted", "running")  # a run's process stopped (one still live is skipped)
SETTLED = ("left out", "failed", "awaiting approval", REFUSED)  # before the waves: not run
Settle = Callable[[LoopRunner, RunResult], int]  # show, ask, resume: 0 when committed
# a spec with nothing left to run: `run next` and `run all` say it alike
ALL_DONE = "Every task is done (or waiting on an optional or blocked one)."


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
    # task id -> (where it stands, the details): every task the batch reached, for its report
    states: dict[str, tuple[str, str]] = field(default_factory=dict)
    retried: set[str] = field(default_factory=set)  # tasks run again after a landing conflict
    # tasks another live process is running (and what waits on them): not this batch's to do
    elsewhere: set[str] = field(default_factory=set)

    def run(self) -> int:
        try:
            return self._run()
        finally:
            self._report()

    def _run(self) -> int:
        self._finish_landings()
        tasks = load_spec(self.runner.root, self.spec_file).tasks
        self._done_here({t.id for t in tasks if t.is_done})
        plan = select.waves(tasks)
        for cycle in plan.cycles:
            self.out.warn(str(cycle), style="yellow")
        if not self.implementer.spec.your_change:  # a manual run carries your spec
            self._unseen([t.id for t in tasks if not t.is_done])
        for task_id in plan.left_out:  # not done, and no run can do them: the batch is not
            self.outcome[task_id] = "left out"  # finished (exit 1), whatever else it did
            self.states[task_id] = ("left out", "in or waiting on a dependency cycle; correct "
                                                "the spec (`reviewloop tasks` names the cycle)")
        deferred: list[tuple[Task, RunResult]] = []
        stopped: str | None = None
        for wave in plan.waves:
            for task, result in self._wave(self._ready(wave)):
                if result is None:
                    continue  # failed to run: reported, counted
                if stopped is not None:  # ran beside the task the batch stopped at
                    self._left(task.id, result)
                elif self.approve_at_end and result.status == "awaiting_approval":
                    self._left(task.id, result)
                    deferred.append((task, result))
                elif not self._settled(task, result) and not self.keep_going:
                    stopped = task.id
                    self._stop_note(task.id, result)
            if stopped is not None:
                return ExitCode.BLOCKING
        for task, result in deferred:
            self.outcome.pop(task.id, None)
            self._settled(task, result)
        if deferred:
            self._next_wave()
        if "awaiting approval" in self.outcome.values():
            self.out.warn(
                "`reviewloop approve RUN` approves that run only; `reviewloop run all` then "
                "continues the batch (or `reviewloop approve RUN --continue`).")
        if not self.states:  # no task reached: its report would be empty
            self.out.say(ALL_DONE)
        return ExitCode.BLOCKING if self.outcome else ExitCode.OK

    def _unseen(self, open_ids: list[str]) -> None:
        """Tasks only in the uncommitted spec: a run's worktree (from HEAD) would not find
        them, so they are left out, with the reason and the fix, before anything starts."""
        for task_id in committed_spec.uncommitted(self.runner.root, self.spec_file, open_ids):
            why, fix = committed_spec.reason(self.spec_file, self.runner.root, task_id)
            self.out.warn(f"Skipping task {task_id}: {why}.\n  fix: {fix}")
            self.outcome[task_id] = "left out"
            self.states[task_id] = ("left out", f"{why}; {fix}")

    def _finish_landings(self) -> None:
        """A run stopped after its landing began (Ctrl-C, a kill, a crash) is resumed before
        anything is planned: its saved plan lands again, repairing whatever it left, and the
        run is recorded committed — never run again from a spec it had not ticked yet."""
        for record in reversed(self.runner.registry.list()):  # oldest first
            if record.spec != str(self.spec_file) or record.status not in STOPPED or \
                    not (run_dir(self.runner.root, record.run_id) / LAND_PLAN).exists() or \
                    _driver(self.runner.root, record) is not None:
                continue
            self.out.warn(f"Task {record.task_id}: run {record.run_id} stopped while landing; "
                          "finishing its landing.")
            try:
                self.runner.resume(record.run_id)
            except ReviewloopError as exc:  # said as any run's failure; not started again
                self._failed(record.task_id, exc, self.runner.registry.get(record.run_id))
                continue
            done = self.runner.registry.get(record.run_id)
            self.states[record.task_id] = (done.status.replace("_", " "), (
                f"{(done.commit_sha or '')[:12]} (run {done.run_id})"
                if done.status == "committed" else f"run {done.run_id}"))
            if done.status != "committed":
                self.outcome[record.task_id] = self.states[record.task_id][0]

    def _next_wave(self) -> None:
        """Tasks skipped for waiting on runs approved at the end, which have landed now: no
        longer held up, they are the next wave, for the next `run all` (not an outcome that
        blocks: nothing of theirs was declined, failed or awaits a decision)."""
        spec = load_spec(self.runner.root, self.spec_file)
        freed = []
        for task_id, (kind, _) in list(self.states.items()):
            if kind != "skipped" or task_id in self.elsewhere:
                continue
            waiting = select.blockers(spec.tasks, task_id)
            if any(d in self.outcome and d != task_id for d in waiting):
                # still held up, by a decision or a failure: said as it stands now
                self.states[task_id] = ("skipped", f"waits on {self._reasons(waiting)}")
                continue
            self.outcome.pop(task_id, None)
            freed.append(task_id)
            self.states[task_id] = ("next wave", (
                f"waits on {', '.join(waiting)}, of the next wave too" if waiting else
                "its dependencies landed at the end of this batch; `reviewloop run all` "
                "runs it"))
        if freed:
            self.out.warn(f"The approvals at the end landed: {', '.join(freed)} can start now. "
                          "`reviewloop run all` runs the next wave.")

    def _stop_note(self, task_id: str, result: RunResult) -> None:
        if self.outcome[task_id] == REFUSED:
            self.out.warn(f"Batch stopped at task {task_id} (landing refused). Once its cause "
                          f"is gone, `reviewloop run all` lands run {result.run_id} and "
                          f"continues the batch (`reviewloop reject {result.run_id}` drops "
                          "it); `run all --continue` goes on past it.")
            return
        if self.outcome[task_id] == "failed":
            self.out.warn(f"Batch stopped at task {task_id} (failed). `reviewloop run all` "
                          "tries it again; `run all --continue` goes on past a failed or "
                          "declined task.")
            return
        self.out.warn(
            f"Batch stopped at task {task_id}. Decide on run {result.run_id} "
            "(approve or reject decides that run only), then `reviewloop run "
            "all` continues the batch; `reviewloop approve "
            f"{result.run_id} --continue` does both. (`run all --continue` "
            "goes on past a declined task.)")

    def _left(self, task_id: str, result: RunResult) -> None:
        """A task's run left as it stands (to be decided later)."""
        self.outcome[task_id] = result.status.replace("_", " ")
        self.states[task_id] = (self.outcome[task_id], f"run {result.run_id}")

    def _ready(self, wave: tuple[str, ...]) -> list[Task]:
        """The wave's tasks that may start now; the others are skipped with the reason."""
        spec = load_spec(self.runner.root, self.spec_file)  # earlier waves ticked themselves
        ready = []
        for task_id in wave:
            task = select.by_id(spec.tasks, task_id)
            if task.is_done or self.states.get(task_id, ("",))[0] in SETTLED:
                continue
            waiting = select.blockers(spec.tasks, task.id)
            if waiting:
                reasons = self._reasons(waiting)
                self.out.warn(
                    f"Skipping task {task.id}: it waits on {reasons}, not done.")
                if all(d in self.elsewhere for d in waiting):
                    self.elsewhere.add(task.id)  # for the other process to reach
                else:
                    self.outcome[task.id] = "skipped"
                self.states[task.id] = ("skipped", f"waits on {reasons}")
                continue
            ready.append(task)
        return ready

    def _wave(self, tasks: list[Task]) -> Iterator[tuple[Task, RunResult | None]]:
        """Each task's run up to its approval, in spec order; with jobs > 1 the later ones
        keep running while an earlier one is being decided."""
        if self.jobs <= 1 or len(tasks) <= 1:
            for task in tasks:  # one after the other: each starts from the last landing
                yield task, self._start(task)
            return
        with ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="task") as pool:
            futures: list[tuple[Task, Future]] = [(t, pool.submit(self._start, t))
                                                  for t in tasks]
            for task, future in futures:
                yield task, future.result()

    def _reasons(self, waiting: list[str]) -> str:
        return ", ".join(f"{d} ({self.outcome[d]})" if d in self.outcome else
                         f"{d} (being run by another process)" if d in self.elsewhere else d
                         for d in waiting)

    def _done_here(self, done: set[str]) -> None:
        """Tasks done when the batch (re)starts that a run of this batch committed (the run
        `approve RUN --continue` approved, earlier waves) are in its report; tasks done
        before the batch are not."""
        for record in reversed(self.runner.registry.list()):  # oldest first
            if record.batch == self.batch_id and record.task_id in done and \
                    record.status == "committed":
                self.states[record.task_id] = (
                    "committed", f"{(record.commit_sha or '')[:12]} (run {record.run_id})")

    def _start(self, task: Task) -> RunResult | None:
        pending = self.runner.registry.open_for_task(task.id, str(self.spec_file))
        driver = _driver(self.runner.root, pending) if pending else None
        if pending and driver:
            self._by_another(task.id, f"run {pending.run_id} is being driven by {driver}")
            return None
        try:
            if pending and pending.status in STOPPED and self._unstarted(pending):
                pending = None  # abandoned: nothing of it to resume
            if pending:
                try:
                    return self.runner.resume(pending.run_id)
                except LandConflict as exc:  # an earlier batch's run that could not land
                    self._run_again(task, pending.run_id, exc)
            return self.runner.start(task, self.spec_file, self.implementer,
                                     batch=self.batch_id)
        except (RunInProgress, LeaseHeld) as exc:  # another process took it meanwhile
            self._by_another(task.id, str(exc).splitlines()[0])
            return None
        except ReviewloopError as exc:
            if self.jobs <= 1 and not self.keep_going:
                raise
            self._failed(task.id, exc, pending and self.runner.registry.get(pending.run_id))
            return None

    def _unstarted(self, record: RunRecord) -> bool:
        """Whether `record` stopped before its first step was saved: then it is abandoned
        and what it made cleared (`runs.unstarted`), and the task starts afresh."""
        said = unstarted.given_up(self.runner.settings, self.runner.root,
                                  self.runner.registry, record)
        if said is not None:
            self.out.warn(said)
        return said is not None

    def _by_another(self, task_id: str, why: str) -> None:
        """A task another live process is running (a second `run all`, say): skipped, not
        failed; it is that process's to finish."""
        self.out.warn(f"Skipping task {task_id}: {why}.")
        self.elsewhere.add(task_id)
        self.states[task_id] = ("skipped", f"being run by another process: {why}")

    def _run_again(self, task: Task, run_id: str, exc: LandConflict) -> None:
        """Give up a run whose commit cannot land on the branch as it is now; the task runs
        again from there. Its commit stays on its branch (`runs` names it)."""
        self.runner.registry.update(run_id, status="abandoned",
                                    detail=f"{exc}; task {task.id} was run again")
        self.out.warn(f"Task {task.id}: run {run_id} could not land ({exc}). Running the "
                      "task again from the branch as it is now.")

    def _settled(self, task: Task, result: RunResult) -> bool:
        try:
            code = self.settle(self.runner, result)
        except LandConflict as exc:
            # the branch moved under it (a sibling of its wave landed first, say): run the
            # task once more from the branch as it is now, after the others of its wave
            if task.id in self.retried:
                self._failed(task.id, exc, self.runner.registry.get(result.run_id))
                return False
            self.retried.add(task.id)
            self._run_again(task, result.run_id, exc)
            again = self._start(task)
            return again is not None and self._settled(task, again)
        except ReviewloopError as exc:
            self._failed(task.id, exc, self.runner.registry.get(result.run_id))
            if self.jobs <= 1 and not self.keep_going:
                raise  # its own exit code; the batch's report still follows
            return False
        # `result` is the run before it was settled: a run declined at the prompt was
        # "awaiting approval" there; the registry has where it stands now
        record = self.runner.registry.get(result.run_id)
        if record.status == "awaiting_approval" and \
                changed_nothing(self.runner.touched(record.run_id)):
            self._empty(task.id, record, result)
            return False
        if code == ExitCode.OK:
            self.states[task.id] = ("committed", f"{(record.commit_sha or '')[:12]} (run "
                                                 f"{record.run_id})")
            return True
        self.outcome[task.id] = "declined" if record.status == "declined" else \
            result.status.replace("_", " ")
        self.states[task.id] = (self.outcome[task.id], f"run {record.run_id}")
        return False

    def _empty(self, task_id: str, record: RunRecord, result: RunResult) -> None:
        """A run that changed no file implemented nothing (its implementer failed, say):
        the task failed, and there is nothing to approve. The run is given up, so the next
        `run all` tries the task again instead of waiting on it."""
        first = result.escalations[0].splitlines()[0].rstrip(": ") if result.escalations \
            else ""
        why = first or "its implementer changed no file"
        self.runner.registry.update(record.run_id, status="abandoned",
                                    detail=f"changed no file ({why}); nothing to approve")
        self.out.warn(f"Task {task_id} failed: run {record.run_id} changed no file ({why}): "
                      "nothing to approve, so the run is abandoned (no reject needed); "
                      "`reviewloop run all` runs the task again.")
        self.outcome[task_id] = "failed"
        self.states[task_id] = ("failed", f"run {record.run_id} changed no file, nothing was "
                                          f"implemented ({why}), so it was abandoned; "
                                          "`reviewloop run all` runs the task again")

    def _failed(self, task_id: str, exc: ReviewloopError, record: RunRecord | None = None
                ) -> None:
        if record is not None and record.status == LANDING_REFUSED:
            self._refused(task_id, exc, record)
            return
        self.out.warn(f"Task {task_id} failed: {exc}")
        self.outcome[task_id] = "failed"
        where = ""
        if record is not None:
            where = f" (run {record.run_id}"
            if record.commit_sha:
                tree = run_tree(record)
                where += f"; its commit {record.commit_sha[:12]} is kept on branch " \
                         f"{tree.branch if tree else '?'}; `reviewloop run all` runs the " \
                         "task again from the branch as it is now"
            where += ")"
        self.states[task_id] = ("failed", f"{str(exc).splitlines()[0]}{where}")

    def _refused(self, task_id: str, exc: ReviewloopError, record: RunRecord) -> None:
        """An approved run whose landing was refused waits, as `runs` says: not failed."""
        why = str(exc).splitlines()[0]
        self.out.warn(f"Task {task_id} waits, its landing refused: {why}")
        self.outcome[task_id] = REFUSED
        tree = run_tree(record)
        run = record.run_id
        where = f"; its commit {record.commit_sha[:12]} waits on branch " \
            f"{tree.branch if tree else '?'}" if record.commit_sha else ""
        then = ("`reviewloop run all` runs the task again from the branch as it is now"
                if isinstance(exc, LandConflict) else
                f"once that is fixed `reviewloop approve {run}` or `reviewloop run all` "
                "lands it")
        self.states[task_id] = (REFUSED, f"{why} (run {run}{where}; {then}; `reviewloop "
                                         f"reject {run}` drops it)")

    def _report(self) -> None:
        """Every task the batch reached, with where it stands: the batch's last word."""
        if not self.states:
            return
        counts = Counter(kind for kind, _ in self.states.values())
        self.out.say(f"Batch {self.batch_id}: " + ", ".join(
            f"{n} {kind}" for kind, n in counts.items()))
        for task_id, (kind, detail) in self.states.items():
            self.out.say(f"  {task_id}: {kind}: {detail}")


def _driver(root: Path, record: RunRecord) -> str | None:
    """Who drives `record` now when it is running in a live process (None: no one)."""
    holder = live_holder(root, record)
    return None if holder is None else holder.shown()
