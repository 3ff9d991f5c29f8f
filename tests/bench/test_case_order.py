"""SZZ cases are ordered newest first in the whole history, whatever range `--rev` names:
`--limit N` keeps the N newest introducing commits.

Before: with `--rev A..B`, a case whose introducing commit lay before the range (the usual
case: a bug is written before the fixes a range holds) was ordered by its commit id, so
`--limit` kept whichever ids sorted lowest, and one more commit in the range could change
which. Generated: histories of bugs written in one order and fixed in another, under every
range of the fixes."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.bench import szz
from reviewloop.git.ancestry import newest_first
from reviewloop.git.repository import open_repository
from tests.support.repos import commit, init_repo


@st.composite
def histories(draw: st.DrawFn) -> tuple[int, list[int], int]:
    """(bugs written, the order they are fixed in, how many of the last fixes `--rev` takes)."""
    bugs = draw(st.integers(min_value=2, max_value=5))
    order = draw(st.permutations(range(bugs)))
    return bugs, list(order), draw(st.integers(min_value=1, max_value=bugs))


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories())
def test_cases_are_newest_first_whatever_the_range(tmp_path_factory, history) -> None:
    bugs, fixed_in, taken = history
    root: Path = init_repo(tmp_path_factory.mktemp("r") / "r", {"README.md": "x\n"})
    written = [commit(root, {f"m{n}.py": f"def f{n}(x):\n    return x + {n}\n"},
                      f"add f{n}") for n in range(bugs)]
    for n in fixed_in:
        commit(root, {f"m{n}.py": f"def f{n}(x):\n    return x - {n}\n"}, f"fix: f{n}")
    repo = open_repository(root)

    mined = szz.mine(repo, szz.FixRule(), rev=f"HEAD~{taken}..HEAD")

    fixed = set(fixed_in[bugs - taken:])
    assert [case.id for case in mined.cases] == [
        written[n] for n in reversed(range(bugs)) if n in fixed]


def test_newest_first_keeps_the_history_s_order_of_any_subset(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "r", {"README.md": "x\n"})
    made = [commit(root, {"a.txt": f"{n}\n"}, f"c{n}") for n in range(6)]
    repo = open_repository(root)
    for picked in ([0, 5], [4, 1, 3], [2]):
        shas = {made[n] for n in picked}
        assert newest_first(repo, shas) == [made[n] for n in sorted(picked, reverse=True)]
