"""Task selection: by id, next, dependency waves and what a finished task unblocks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.errors import ExitCode, TaskSelectionError
from reviewloop.spec import select
from reviewloop.spec.model import Task, TaskStatus

DONE, OPEN, IN_PROGRESS, QUEUED = (TaskStatus.DONE, TaskStatus.OPEN, TaskStatus.IN_PROGRESS,
                                   TaskStatus.QUEUED)


def make(spec: list[tuple]) -> list[Task]:
    """(id, status, parent, depends_on, optional) rows → tasks, children derived as readers do."""
    pad = ("", OPEN, None, (), False)
    rows = [row + pad[len(row):] for row in spec]
    tasks = []
    for line, (tid, status, parent, depends, optional) in enumerate(rows, start=1):
        children = tuple(r[0] for r in rows if r[2] == tid)
        tasks.append(Task(id=tid, title=f"title {tid}", status=status, parent=parent,
                          children=children, depends_on=tuple(depends) + children,
                          optional=optional, file="tasks.md", line=line))
    return tasks


def ids(tasks) -> list[str]:
    return [t.id for t in tasks]


# ---- by_id ------------------------------------------------------------------------------


def test_by_id_returns_the_task():
    tasks = make([("1", OPEN), ("2", OPEN)])
    assert select.by_id(tasks, "2").id == "2"


def test_by_id_tolerates_case_space_and_trailing_dot():
    tasks = make([("T1", OPEN), ("2", OPEN)])
    assert select.by_id(tasks, " t1 ").id == "T1"
    assert select.by_id(tasks, "2.").id == "2"


def test_by_id_unknown_names_the_id_suggests_and_says_how_to_list():
    tasks = make([("2.1", OPEN), ("2.2", OPEN), ("9", OPEN)])
    with pytest.raises(TaskSelectionError) as caught:
        select.by_id(tasks, "2.3")
    assert str(caught.value) == ("no task '2.3' in the spec (did you mean 2.2 or 2.1?)\n"
                                 "  fix: list the task ids with `reviewloop tasks`")
    assert caught.value.exit_code is ExitCode.USAGE


def test_by_id_unknown_without_a_close_match_has_no_suggestion():
    with pytest.raises(TaskSelectionError) as caught:
        select.by_id(make([("1", OPEN)]), "zzz")
    assert str(caught.value).splitlines()[0] == "no task 'zzz' in the spec"


# ---- next_task --------------------------------------------------------------------------


def test_next_is_the_first_open_task_in_file_order():
    assert select.next_task(make([("1", DONE), ("2", OPEN), ("3", OPEN)])).id == "2"


def test_next_counts_in_progress_and_queued_as_startable():
    assert select.next_task(make([("1", DONE), ("2", IN_PROGRESS), ("3", OPEN)])).id == "2"
    assert select.next_task(make([("1", DONE), ("2", QUEUED)])).id == "2"


def test_next_is_none_when_everything_is_done():
    assert select.next_task(make([("1", DONE), ("2", DONE)])) is None
    assert select.next_task([]) is None


def test_next_skips_optional_tasks():
    tasks = make([("1", DONE), ("2", OPEN, None, (), True), ("3", OPEN)])
    assert select.next_task(tasks).id == "3"


def test_next_is_none_when_only_optional_tasks_remain():
    assert select.next_task(make([("1", DONE), ("2", OPEN, None, (), True)])) is None


def test_next_picks_the_first_open_child_not_the_parent():
    tasks = make([("1", OPEN), ("1.1", DONE, "1"), ("1.2", OPEN, "1"), ("1.3", OPEN, "1")])
    assert select.next_task(tasks).id == "1.2"


def test_next_never_picks_a_parent_whose_required_children_are_done():
    tasks = make([("3", OPEN), ("3.1", DONE, "3"), ("3.2", DONE, "3"), ("4", OPEN)])
    assert select.next_task(tasks).id == "4"


def test_a_parent_with_only_optional_children_is_itself_the_work():
    tasks = make([("2", OPEN), ("2.1", OPEN, "2", (), True), ("3", OPEN)])
    assert select.next_task(tasks).id == "2"


def test_next_waits_for_dependencies():
    tasks = make([("1", OPEN, None, ("2",)), ("2", OPEN)])
    assert select.next_task(tasks).id == "2"


def test_next_expands_a_dependency_on_a_parent_to_its_leaves():
    tasks = make([("1", OPEN), ("1.1", DONE, "1"), ("1.2", OPEN, "1"), ("2", OPEN, None, ("1",))])
    assert select.next_task(tasks).id == "1.2"
    tasks = make([("1", OPEN), ("1.1", DONE, "1"), ("2", OPEN, None, ("1",))])
    assert select.next_task(tasks).id == "2"  # the parent's leaves are done, so it is met


def test_a_child_inherits_its_parents_dependencies():
    tasks = make([("1", OPEN, None, ("2",)), ("1.1", OPEN, "1"), ("2", OPEN)])
    assert select.next_task(tasks).id == "2"


def test_a_dependency_on_a_task_marked_done_is_met():
    tasks = make([("1", DONE), ("1.1", DONE, "1"), ("2", OPEN, None, ("1",))])
    assert select.next_task(tasks).id == "2"


def test_a_dependency_on_a_parent_ticked_over_open_sub_tasks_waits_for_them():
    """The open sub-tasks still run (the parent stands for them), so what depends on the
    parent waits for them, as on an open parent."""
    tasks = make([("1", DONE), ("1.1", OPEN, "1"), ("2", OPEN, None, ("1",))])
    assert ids(t for t in [select.next_task(tasks)]) == ["1.1"]
    assert select.waves(tasks).waves == (("1.1",), ("2",))


@settings(max_examples=200)
@given(st.lists(st.tuples(st.booleans(), st.lists(st.booleans(), max_size=3)),
                min_size=1, max_size=4), st.data())
def test_a_dependency_on_a_parent_is_met_when_it_and_its_sub_tasks_are_done(
        parents: list[tuple[bool, list[bool]]], data: st.DataObject) -> None:
    """Any ticks on parents and their sub-tasks: task 9, depending on one parent, starts in
    the first wave exactly when everything that parent stands for is done (its sub-tasks,
    or the parent itself when it has none)."""
    spec: list[tuple] = []
    for n, (parent_done, kids) in enumerate(parents, start=1):
        spec.append((str(n), DONE if parent_done or (kids and all(kids)) else OPEN))
        spec += [(f"{n}.{k}", DONE if done else OPEN, str(n))
                 for k, done in enumerate(kids, start=1)]
    target = data.draw(st.integers(1, len(parents)))
    spec.append(("9", OPEN, None, (str(target),)))
    parent_done, kids = parents[target - 1]
    met = all(kids) if kids else parent_done
    assert ("9" in select.waves(make(spec)).waves[0]) is met


def test_an_optional_dependency_never_blocks():
    tasks = make([("1", OPEN, None, (), True), ("2", OPEN, None, ("1",))])
    assert select.next_task(tasks).id == "2"


def test_next_ignores_tasks_in_a_cycle():
    tasks = make([("1", OPEN, None, ("2",)), ("2", OPEN, None, ("1",)), ("3", OPEN)])
    assert select.next_task(tasks).id == "3"


# ---- waves ------------------------------------------------------------------------------


def test_waves_layer_by_dependency_and_keep_file_order_within_a_wave():
    tasks = make([("1", OPEN), ("2", OPEN, None, ("1",)), ("3", OPEN),
                  ("4", OPEN, None, ("2", "3"))])
    plan = select.waves(tasks)
    assert plan.waves == (("1", "3"), ("2",), ("4",))
    assert plan.order == ("1", "3", "2", "4")
    assert plan.diagnostics == ()


def test_waves_hold_leaves_only_and_skip_done_tasks():
    tasks = make([("1", DONE), ("2", OPEN), ("2.1", DONE, "2"), ("2.2", OPEN, "2"),
                  ("2.3", OPEN, "2"), ("3", OPEN, None, ("2",))])
    plan = select.waves(tasks)
    assert plan.waves == (("2.2", "2.3"), ("3",))


def test_waves_leave_optional_tasks_out_unless_asked():
    tasks = make([("1", OPEN), ("1.1", OPEN, "1"), ("1.2", OPEN, "1", (), True), ("2", OPEN)])
    assert select.waves(tasks).order == ("1.1", "2")
    assert select.waves(tasks, include_optional=True).order == ("1.1", "1.2", "2")


def test_children_of_an_optional_parent_are_optional_too():
    tasks = make([("1", OPEN, None, (), True), ("1.1", OPEN, "1"), ("2", OPEN)])
    assert select.waves(tasks).order == ("2",)
    assert select.next_task(tasks).id == "2"


def test_an_included_optional_child_of_a_leaf_parent_comes_after_it():
    tasks = make([("1", OPEN), ("1.1", OPEN, "1", (), True)])
    assert select.waves(tasks, include_optional=True).waves == (("1",), ("1.1",))


def test_waves_report_unknown_dependencies_with_file_and_line():
    tasks = make([("1", OPEN), ("2", OPEN, None, ("9",))])
    plan = select.waves(tasks)
    assert plan.order == ("1", "2")
    assert [str(d) for d in plan.diagnostics] == ["tasks.md:2: task 2 depends on unknown task 9"]


def test_waves_report_a_cycle_and_leave_it_and_what_waits_on_it_out():
    tasks = make([("1", OPEN, None, ("3",)), ("2", OPEN, None, ("1",)),
                  ("3", OPEN, None, ("2",)), ("4", OPEN, None, ("3",)), ("5", OPEN)])
    plan = select.waves(tasks)
    assert plan.order == ("5",)
    assert [str(d) for d in plan.diagnostics] == [
        "tasks.md:1: dependency cycle 1 → 3 → 2 → 1 (each waits on the next); "
        "left out of the plan",
        "tasks.md:4: task 4 waits on the dependency cycle of 1, 2, 3; left out of the plan",
    ]


def test_a_task_depending_on_itself_is_a_cycle_of_one():
    tasks = [Task(id="1", title="x", depends_on=("1",), file="t.md", line=3)]
    plan = select.waves(tasks)
    assert plan.order == ()
    assert [d.message for d in plan.diagnostics] == [
        "dependency cycle 1 → 1 (each waits on the next); left out of the plan"]
    assert select.next_task(tasks) is None


def test_a_parents_dependency_on_its_own_children_is_not_a_cycle():
    tasks = make([("1", OPEN), ("1.1", OPEN, "1"), ("1.2", OPEN, "1", ("1.1",))])
    plan = select.waves(tasks)
    assert plan.waves == (("1.1",), ("1.2",))
    assert plan.diagnostics == ()


def test_wave_of_numbers_waves_from_one():
    tasks = make([("1", OPEN), ("2", OPEN, None, ("1",)), ("3", DONE)])
    assert select.wave_of(select.waves(tasks)) == {"1": 1, "2": 2}


def test_waves_of_nothing():
    plan = select.waves([])
    assert plan == select.Plan()
    assert select.wave_of(plan) == {}


def test_plan_is_frozen():
    plan = select.waves(make([("1", OPEN)]))
    with pytest.raises(AttributeError):
        plan.order = ()  # type: ignore[misc]


# ---- newly_eligible ---------------------------------------------------------------------


def test_newly_eligible_lists_what_the_done_task_unblocks():
    tasks = make([("1", OPEN), ("2", OPEN, None, ("1",)), ("3", OPEN),
                  ("4", OPEN, None, ("1", "3"))])
    assert ids(select.newly_eligible(tasks, "1")) == ["2"]


def test_newly_eligible_counts_the_parent_the_task_closes():
    tasks = make([("1", OPEN), ("1.1", DONE, "1"), ("1.2", OPEN, "1"), ("2", OPEN, None, ("1",))])
    assert ids(select.newly_eligible(tasks, "1.2")) == ["2"]


def test_newly_eligible_when_the_task_is_already_marked_done():
    tasks = make([("1", DONE), ("2", OPEN, None, ("1",)), ("3", OPEN)])
    assert ids(select.newly_eligible(tasks, "1")) == ["2"]


def test_newly_eligible_is_empty_for_an_unknown_id_or_nothing_waiting():
    tasks = make([("1", OPEN), ("2", OPEN)])
    assert select.newly_eligible(tasks, "1") == []
    assert select.newly_eligible(tasks, "nope") == []


def test_newly_eligible_leaves_out_optional_tasks():
    tasks = make([("1", OPEN), ("2", OPEN, None, ("1",), True)])
    assert select.newly_eligible(tasks, "1") == []
