"""`Wave.stuck`: when no task can start and none ever will (a dependency cycle, a task only
in the uncommitted spec), checked on generated dependency graphs against a brute-force
oracle; tasks that only wait for an approval are never stuck."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.spec.batch import eligible_wave
from reviewloop.spec.model import Task, TaskStatus


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[Task], set[str], set[str]]:
    """2-6 tasks with random dependencies (cycles included), ticks, tasks waiting for an
    approval and tasks only in the uncommitted spec."""
    ids = [str(n) for n in range(1, draw(st.integers(2, 6)) + 1)]
    tasks = [Task(id=tid, title=f"task {tid}", file="tasks.md", line=n,
                  status=TaskStatus.DONE if draw(st.booleans()) else TaskStatus.OPEN,
                  depends_on=tuple(draw(st.lists(st.sampled_from(ids), max_size=2,
                                                 unique=True))))
             for n, tid in enumerate(ids, start=1)]
    open_ids = [t.id for t in tasks if not t.is_done]
    subset = st.sets(st.sampled_from(open_ids), max_size=2) if open_ids else st.just(set())
    return tasks, draw(subset), draw(subset)


def _oracle(tasks: list[Task], waiting: set[str], unstartable: set[str]) -> bool:
    """Stuck: nothing startable now, and some open task never becomes startable (it waits,
    through open tasks, on itself) or is only in the uncommitted spec."""
    done = {t.id for t in tasks if t.is_done}
    startable = [t.id for t in tasks if t.id not in done and t.id not in waiting
                 and t.id not in unstartable and all(d in done for d in t.depends_on)]
    reachable, grew = set(done), True
    while grew:  # everything that can be done some day, whatever the order
        more = {t.id for t in tasks if all(d in reachable for d in t.depends_on)} - reachable
        reachable |= more
        grew = bool(more)
    never = [t.id for t in tasks if t.id not in reachable]
    return not startable and bool(never or unstartable)


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_stuck_exactly_when_no_task_starts_and_one_never_will(case):
    tasks, waiting, unstartable = case
    wave = eligible_wave(tasks, waiting=dict.fromkeys(waiting, "awaits approval"),
                         unstartable=dict.fromkeys(unstartable, "only in the uncommitted spec"))
    stuck = wave.stuck()
    assert (stuck is not None) == _oracle(tasks, waiting, unstartable)
    if stuck:
        assert all(tid in stuck for tid in (*wave.left_out, *unstartable))
        assert f"of {wave.remaining} not done" in stuck


def test_tasks_waiting_only_for_an_approval_are_not_stuck():
    tasks = [Task(id="1", title="a", file="t.md", line=1),
             Task(id="2", title="b", file="t.md", line=2, depends_on=("1",))]
    wave = eligible_wave(tasks, waiting={"1": "run r1 waits for approval"})
    assert wave.tasks == () and wave.stuck() is None
