"""`precommit_hooks.option`: a hook's args read as argparse and clap read them."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.analyzers.precommit_hooks import hooks, option

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


junk = st.none() | st.integers() | st.text(max_size=3) | st.lists(st.integers(), max_size=2)
hook_dicts = st.fixed_dictionaries({"id": st.sampled_from(["eslint", "ruff", "bandit"])}, optional={
    "args": st.lists(st.sampled_from(["-c", "x.yml", "--fix"]), max_size=3) | junk,
    "files": st.sampled_from(["^src/", r"\.js$", "("]), "exclude": st.sampled_from(["^vendor/"])})


@given(st.lists(st.fixed_dictionaries({"rev": st.sampled_from(["v1", 3]), "hooks": st.lists(
    hook_dicts | junk, max_size=3) | junk}) | junk, max_size=4) | junk)
def test_hooks_reads_every_hook_mapping_in_order_and_nothing_else(repos: object) -> None:
    data = {"repos": repos}
    expected = [(repo, hook) for repo in (repos if isinstance(repos, list) else [])
                if isinstance(repo, dict) and isinstance(repo.get("hooks"), list)
                for hook in repo["hooks"] if isinstance(hook, dict)]
    read = list(hooks(data))
    assert [h.id for h in read] == [hook["id"] for _, hook in expected]
    for found, (repo, hook) in zip(read, expected, strict=True):
        args = hook.get("args")
        assert found.args == ([str(a) for a in args] if isinstance(args, list) else None)
        assert found.rev == (repo["rev"] if isinstance(repo["rev"], str) else None)
        for path in ("vendor/src/a.js", "src/a.js", "src/a.py"):
            assert found.takes(path) is _taken(hook, path), (hook, path)


def _taken(hook: dict[str, str], path: str) -> bool:
    """pre-commit's reading: `files` searched (all by default), `exclude` not; a pattern
    Python cannot compile (pre-commit refuses the config) takes every file."""
    files = hook.get("files", "")
    if files == "(":
        return True
    return bool(re.search(files, path)) and not (
        "exclude" in hook and re.search(hook["exclude"], path))
