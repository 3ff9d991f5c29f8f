"""A batch's report and exit code say where each task truly stands, judged against the spec
file and the run registry as they are after the batch (the oracle): tasks freed by the
approvals at the end are the next wave, not "skipped: waits on … (awaiting approval)"; a
task another live process runs is skipped as such, not failed; and a batch continued by
`approve RUN --continue` reports the task that run committed.

The runner is a stand-in with a real registry, real git and the real claim refusal: each run
waits for approval, and approving it ticks the task and commits, as landing does."""

from __future__ import annotations

import itertools
from collections.abc import Collection
from pathlib import Path
from typing import cast

import pytest

from reviewloop.app.batch import ALL_DONE, Batch, Settle
from reviewloop.app.output import Recorded
from reviewloop.errors import ExitCode
from reviewloop.implement.implementer import Implementer
from reviewloop.runs import liveness
from reviewloop.runs.claims import TaskRef, refused
from reviewloop.runs.registry import OWNER, Registry, new_run_id, run_dir
from reviewloop.runs.result import RunResult
from reviewloop.runs.runner import LoopRunner
from reviewloop.spec import select
from reviewloop.spec.loader import load_spec
from reviewloop.spec.model import Task
from tests.support.loop_cli import cli
from tests.support.repos import commit, wave_repo

SPEC = ".kiro/specs/wave/tasks.md"


class Runs:
    """The part of a LoopRunner a batch drives: each run stops at its approval."""

    def __init__(self, root: Path, taken: Collection[str] = ()):
        self.root = root
        self.registry = Registry(root)
        self.taken = taken  # tasks whose claim another process holds

    def start(self, task: Task, spec_file: Path, implementer: Implementer, *,
              batch: str | None = None) -> RunResult:
        run_id = new_run_id(task.id)
        if task.id in self.taken:
            raise refused(TaskRef("wave", task.id), run_id, "other-run", "pid 1 on elsewhere",
                          where="claims.sqlite")
        self.registry.create(run_id, task_id=task.id, task_title=task.title,
                             spec=str(spec_file), options={}, batch=batch)
        self.registry.update(run_id, status="awaiting_approval")
        return RunResult(run_id, "awaiting_approval")

    def resume(self, run_id: str, decision: str | None = None) -> RunResult:
        return RunResult(run_id, "awaiting_approval")


def settle_with(declined: Collection[str]) -> Settle:
    """Approve (tick and commit) every run but those of `declined` tasks."""
    def settle(runner: Runs, result: RunResult) -> int:
        record = runner.registry.get(result.run_id)
        if record.task_id in declined:
            runner.registry.update(record.run_id, status="declined")
            return ExitCode.BLOCKING
        spec = runner.root / SPEC
        text = spec.read_text().replace(f"- [ ] {record.task_id}.", f"- [x] {record.task_id}.")
        sha = commit(runner.root, {SPEC: text}, f"{record.task_id}: done")
        runner.registry.update(record.run_id, status="committed", commit_sha=sha)
        return ExitCode.OK
    return cast(Settle, settle)


def tasks_md(deps: dict[str, tuple[str, ...]]) -> str:
    return "# Tasks\n\n" + "".join(
        f"- [ ] {tid}. Task {tid}\n" + (f"  - _Depends: {', '.join(d)}_\n" if d else "") + "\n"
        for tid, d in deps.items())


def batch(root: Path, runs: Runs, out: Recorded, *, declined: Collection[str] = (),
          **kw) -> Batch:
    return Batch(cast(LoopRunner, runs), root / SPEC, Implementer.parse("llm"),
                 settle=settle_with(declined), out=out, **kw)


GRAPHS = [{"1": (), "2": two, "3": three} for two, three in itertools.product(
    [(), ("1",)], [(), ("1",), ("2",), ("1", "2")])]


@pytest.mark.parametrize(("deps", "declined"), list(itertools.product(GRAPHS, [set(), {"1"}])))
def test_tasks_freed_by_the_approvals_at_the_end_are_the_next_wave(tmp_path, deps, declined):
    root = wave_repo(tmp_path, tasks_md(deps))
    out = Recorded()
    code = batch(root, Runs(root), out, declined=declined, approve_at_end=True,
                 keep_going=True, jobs=2).run()
    tasks = load_spec(root, root / SPEC).tasks
    done = {t.id for t in tasks if t.is_done}
    for tid, (kind, detail) in batch_states(out).items():
        if kind == "committed":
            assert tid in done
        elif kind == "next wave":  # nothing it waits on was declined: a later `run all`
            assert tid not in done and not _hits(deps, tid, declined)
        elif kind == "skipped":
            assert _hits(deps, tid, declined), detail
            assert "(awaiting approval)" not in detail
    waiting = [t.id for t in tasks if not t.is_done and not select.blockers(tasks, t.id)
               and t.id not in declined]
    assert all(batch_states(out)[tid][0] == "next wave" for tid in waiting)
    assert code == (ExitCode.BLOCKING if declined else ExitCode.OK)


def _hits(deps: dict[str, tuple[str, ...]], tid: str, declined: Collection[str]) -> bool:
    """Whether `tid` waits, directly or not, on a declined task."""
    return any(d in declined or _hits(deps, d, declined) for d in deps[tid])


def batch_states(out: Recorded) -> dict[str, tuple[str, str]]:
    """The batch report's lines: task id -> (where it stands, details)."""
    start = next(i for i, line in enumerate(out.lines) if line.startswith("Batch batch-"))
    found = {}
    for line in out.lines[start + 1:]:
        tid, kind, detail = line.strip().split(": ", 2)
        found[tid] = (kind, detail)
    return found


@pytest.mark.parametrize(("taken", "how"), list(itertools.product(
    [{"1"}, {"3"}, {"1", "3"}, {"1", "2", "3"}], ["claim refused", "run in progress"])))
def test_a_task_another_process_runs_is_skipped_not_failed(tmp_path, taken, how):
    deps = {"1": (), "2": ("1",), "3": ()}
    root = wave_repo(tmp_path, tasks_md(deps))
    runs = Runs(root, taken if how == "claim refused" else set())
    if how == "run in progress":  # registered and driven by a live process (this one)
        for tid in taken:
            runs.registry.create(f"{tid}-other", task_id=tid, task_title=f"Task {tid}",
                                 spec=str(root / SPEC), options={})
            run_dir(root, f"{tid}-other").mkdir(parents=True)
            (run_dir(root, f"{tid}-other") / OWNER).write_text(liveness.me().dumps())
    out = Recorded()
    code = batch(root, runs, out).run()
    states = batch_states(out)
    elsewhere = set(taken) | ({"2"} if "1" in taken else set())
    assert {tid for tid, (kind, _) in states.items() if kind == "skipped"} == elsewhere
    assert all(kind != "failed" for kind, _ in states.values())
    assert {tid for tid, (kind, _) in states.items() if kind == "committed"} == \
        {"1", "2", "3"} - elsewhere
    assert code == ExitCode.OK


@pytest.mark.parametrize(("owner", "task"), list(itertools.product(
    ["this batch", "another batch", "no run"], ["1", "3"])))
def test_a_continued_batch_reports_the_task_its_approved_run_committed(tmp_path, owner, task):
    root = wave_repo(tmp_path, tasks_md({"1": (), "2": ("1",), "3": ()}))
    runs = Runs(root)
    record = None
    if owner != "no run":
        record = runs.registry.create(f"{task}-run", task_id=task, task_title=f"Task {task}",
                                      spec=str(root / SPEC), options={},
                                      batch="batch-1" if owner == "this batch" else "batch-0")
    text = (root / SPEC).read_text().replace(f"- [ ] {task}.", f"- [x] {task}.")
    sha = commit(root, {SPEC: text}, f"{task}: done")  # approved: `approve RUN --continue`
    if record is not None:
        runs.registry.update(record.run_id, status="committed", commit_sha=sha)
    out = Recorded()
    assert batch(root, runs, out, batch_id="batch-1").run() == ExitCode.OK
    states = batch_states(out)
    assert (states.get(task) == ("committed", f"{sha[:12]} (run {task}-run)")) is \
        (owner == "this batch")
    assert (task in states) is (owner == "this batch")


KINDS = {"done": "- [x] {n}. Task {n}\n", "optional": "- [ ]* {n}. Task {n}\n",
         "open": "- [ ] {n}. Task {n}\n"}


@pytest.mark.parametrize("kinds", [k for size in (1, 2, 3)
                                   for k in itertools.product(sorted(KINDS), repeat=size)])
def test_a_batch_with_nothing_to_run_says_so_as_run_next_does(tmp_path, kinds):
    """r25 D5: a spec whose tasks are all done or optional ended `run all` without a word."""
    root = wave_repo(tmp_path, "# Tasks\n\n" + "".join(
        KINDS[kind].format(n=n) for n, kind in enumerate(kinds, 1)))
    out = Recorded()
    code = batch(root, Runs(root), out).run()
    if "open" in kinds:  # a task to run: the report is the batch's last word
        assert ALL_DONE not in out.lines
        assert any(line.startswith("Batch batch-") for line in out.lines)
    else:
        assert out.lines == [ALL_DONE]
        assert code == ExitCode.OK
        assert Registry(root).list() == []


def test_run_all_and_run_next_say_the_same_when_nothing_is_left(tmp_path):
    root = wave_repo(tmp_path, "# Tasks\n\n- [x] 1. Done\n- [ ]* 2. Optional\n")
    for how in ("all", "next"):
        done = cli(root, "run", how, "--implementer", "cmd:true", "--yes")
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.strip().splitlines()[-1] == ALL_DONE, (how, done.stdout)
