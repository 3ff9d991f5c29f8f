"""Kiro tasks wait for what they state: a dependency-shaped statement ("after 1.2", "after task
3 ships", "depends on 2", `_Blocked by: 1.2_`, a title's "(after 1.2)") is one, in a detail
line, a label or the title; an ordinary sentence whose number is a quantity ("retry after 3
failed attempts", "after 2 seconds", "requires TLS 1.2 or later") is not. Generated: both
kinds over the ids of a real task list, read by the real reader and planned."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.spec import kiro
from reviewloop.spec.select import waves

HEAD = "# Implementation Plan\n\n- [ ] 1. A\n  - [ ] 1.1 A1\n  - [ ] 1.2 A2\n- [ ] 2. B\n" \
       "- [ ] 3. C\n- [ ] 4. D\n"
IDS = st.sampled_from(["1", "1.1", "1.2", "2", "3", "4"])
ACTIONS = st.sampled_from(["Retry the upload", "Back off exponentially", "Expire the session",
                           "Release the lock", "Time out the request", "Rotate the key"])
UNITS = st.sampled_from(["failed attempts", "seconds", "second", "hours of inactivity",
                         "minutes", "retries", "ms", "days", "or later", "times", "MB"])
STATEMENTS = st.sampled_from([
    "  - after {}\n", "  - Do this after {}.\n", "  - Start after {}, once it is merged\n",
    "  - After task {} is done\n", "  - After task {} ships\n", "  - Depends on task {}\n",
    "  - depends on {}\n", "  - Requires {}\n", "  - blocked by {}\n", "  - _Blocked by: {}_\n",
    "  - **Blocked by:** {}\n", "  - _After: {}_\n", "  - _Depends: {}_\n",
    "  - Runs after {} is complete\n"])


def _task5(text: str) -> tuple[tuple[str, ...], int]:
    parsed = kiro.parse(HEAD + text, ".kiro/specs/f/tasks.md")
    task = {t.id: t for t in parsed.tasks}["5"]
    plan = waves(parsed.tasks)
    wave = next(n for n, layer in enumerate(plan.waves, start=1) if "5" in layer)
    return task.depends_on, wave


@settings(max_examples=150, deadline=None, derandomize=True)
@given(action=ACTIONS, word=st.sampled_from(["after", "requires", "after about"]), task=IDS,
       unit=UNITS)
def test_a_number_that_is_a_quantity_is_no_dependency(action: str, word: str, task: str,
                                                      unit: str) -> None:
    text = f"- [ ] 5. E\n  - {action} {word} {task} {unit}\n"
    assert _task5(text) == ((), 1), text


@settings(max_examples=150, deadline=None, derandomize=True)
@given(statement=STATEMENTS, task=IDS)
def test_a_dependency_shaped_statement_is_a_dependency(statement: str, task: str) -> None:
    text = "- [ ] 5. E\n" + statement.format(task)
    depends, wave = _task5(text)
    assert depends == (task,), text
    assert wave > 1, text


@settings(max_examples=40, deadline=None, derandomize=True)
@given(word=st.sampled_from(["after", "After", "depends on", "blocked by"]), task=IDS)
def test_a_titles_parenthesised_dependency_is_read(word: str, task: str) -> None:
    depends, wave = _task5(f"- [ ] 5. E ({word} {task})\n")
    assert depends == (task,) and wave > 1


def test_a_label_naming_no_task_stays_a_detail() -> None:
    parsed = kiro.parse(HEAD + "- [ ] 5. E\n  - _Blocked by: the vendor's API_\n",
                        ".kiro/specs/f/tasks.md")
    task = {t.id: t for t in parsed.tasks}["5"]
    assert task.depends_on == ()
    assert task.details == ("Blocked by: the vendor's API",)
