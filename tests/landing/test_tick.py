"""`landing.tick`: a landed run ticks its own task in your branch's spec — the task with its id
and title, else the one task with its title — or refuses, naming the spec, when that task is
not there (renumbered onto another task, retitled, duplicated, removed, spec gone). Specs are
generated; the oracle reads the checkbox lines as a person would."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.errors import BlockingOutcome
from reviewloop.landing.tick import RunTask, retick

TITLES = ["Add greet function", "Set up database", "Add farewell function", "add  GREET function"]
RUN = RunTask(run_id="T1-20261129-000000-abcd", task_id="T1", title="Add greet function",
              tasks_file="docs/feat-spec.md", branch="work", run_branch="reviewloop/T1")
LINE = re.compile(r"^- \[(.)\] (\S+) (.*)$")


def _spec(tasks: list[tuple[str, str]]) -> bytes:
    lines = "".join(f"- [ ] {i} {t}\n" for i, t in tasks)
    return f"# Feat spec\n## Tasks\n{lines}".encode()


def _expected(tasks: list[tuple[str, str]]) -> str | None:
    """The id a person would tick for the run: none when it is not clear."""
    def same(title: str) -> bool:
        return " ".join(title.split()).lower() == RUN.title.lower()
    if any(i == RUN.task_id and same(t) for i, t in tasks):
        return RUN.task_id
    titled = [i for i, t in tasks if same(t)]
    return titled[0] if len(titled) == 1 else None


@st.composite
def specs(draw: st.DrawFn) -> list[tuple[str, str]]:
    titles = draw(st.lists(st.sampled_from(TITLES), min_size=1, max_size=4))
    first = draw(st.integers(min_value=0, max_value=2))  # renumbered: T0.., T1.., T2..
    return [(f"T{first + n}", t) for n, t in enumerate(titles)]


@settings(max_examples=120, deadline=None, derandomize=True)
@given(specs())
def test_ticks_the_run_task_or_refuses_naming_the_spec(tasks: list[tuple[str, str]]):
    expected = _expected(tasks)
    if expected is None:
        with pytest.raises(BlockingOutcome) as refused:
            retick(RUN)(_spec(tasks))
        said = str(refused.value)
        assert RUN.tasks_file in said and "git merge reviewloop/T1" in said
        assert f"reviewloop reject {RUN.run_id}" in said
        return
    ticked = [m.group(2) for line in retick(RUN)(_spec(tasks)).decode().splitlines()
              if (m := LINE.match(line)) and m.group(1) == "x"]
    assert ticked == [expected]


def test_a_spec_gone_from_the_branch_is_named_with_the_way_out():
    with pytest.raises(BlockingOutcome) as refused:
        retick(RUN)(None)
    assert "docs/feat-spec.md is no longer on work" in str(refused.value)
    assert "git merge reviewloop/T1" in str(refused.value)
