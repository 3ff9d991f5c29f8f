"""`precommit_hooks.option`: a hook's args read as argparse and clap read them."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.analyzers.precommit_hooks import option

NAMES = ("-c", "--configfile")
PATHS = st.text(st.sampled_from("abc/._-"), min_size=1, max_size=12).filter(
    lambda p: not p.startswith("-"))
OTHERS = st.lists(st.sampled_from(["-r", "-ll", "--quiet", "-x", "tests", "--skip=B101"]),
                  max_size=3)


def _spelled(name: str, path: str, form: int) -> list[str]:
    if form == 0:
        return [name, path]
    if form == 1:
        return [f"{name}={path}"]
    return [f"{name}{path}"] if not name.startswith("--") else [name, path]


@given(before=OTHERS, after=OTHERS, name=st.sampled_from(NAMES), path=PATHS,
       form=st.integers(0, 2))
def test_each_spelling_gives_the_path(before: list[str], after: list[str], name: str,
                                      path: str, form: int) -> None:
    assert option([*before, *_spelled(name, path, form), *after], NAMES) == path


@given(first=PATHS, last=PATHS, names=st.tuples(st.sampled_from(NAMES),
                                                st.sampled_from(NAMES)))
def test_the_last_one_wins(first: str, last: str, names: tuple[str, str]) -> None:
    assert option([names[0], first, "-r", names[1], last], NAMES) == last


def test_no_option_and_not_a_list_give_none() -> None:
    assert option(["-r", "--quiet"], NAMES) is None
    assert option("-c ci/bandit.yml", NAMES) is None
    assert option(["-c"], NAMES) is None
    assert option(["--", "-c", "x.yml"], NAMES) is None
