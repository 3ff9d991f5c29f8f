"""`reviewloop bench` in a shallow clone (GitHub Actions' `actions/checkout` default): the
oldest commits it holds have no parents, and are named as the clone's cut, never as root
commits; when no case is left the bench exits 2 saying the clone is shallow and how to fetch
the history, instead of measuring nothing with exit 0. Before: depth 1 said "a root commit,
nothing before it to blame", 0 cases, exit 0. Generated: every depth of the planted history."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.bench import szz
from reviewloop.git.history import shallow_cut
from reviewloop.git.repository import open_repository
from tests.support import warm_cli
from tests.support.bench_repo import planted
from tests.support.gitutil import git
from tests.support.repos import init_repo

HISTORY = 9  # commits `planted` makes


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = init_repo(tmp_path_factory.mktemp("origin") / "r")
    planted(root)
    assert git(root, "rev-list", "--count", "HEAD").strip() == str(HISTORY)
    return root


def _clone(origin: Path, where: Path, depth: int) -> Path:
    git(where, "clone", "-q", "--depth", str(depth), f"file://{origin}", "c")
    return where / "c"


@settings(max_examples=HISTORY, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(depth=st.integers(1, HISTORY - 1))
def test_a_shallow_clone_names_its_cut_never_a_root(origin: Path, tmp_path_factory,
                                                    depth: int) -> None:
    clone = _clone(origin, tmp_path_factory.mktemp("s"), depth)
    repo = open_repository(clone)
    cut = shallow_cut(repo)
    assert cut == {git(clone, "rev-list", "--max-parents=0", "HEAD").strip()}
    full = szz.mine(open_repository(origin), szz.FixRule())
    mined = szz.mine(repo, szz.FixRule())
    assert mined.shallow and not full.shallow
    assert not any("root commit" in line and "cut" not in line for line in mined.skipped), \
        mined.skipped
    assert any("the shallow clone's cut" in line for line in mined.skipped), mined.skipped
    # what the cut leaves is a subset of the full history's cases, never another case
    assert {c.id for c in mined.cases} <= {c.id for c in full.cases}


@pytest.mark.parametrize("depth", [1, 2, HISTORY - 1])
def test_bench_in_a_shallow_clone_with_no_case_exits_2_with_the_fix(origin: Path,
                                                                    tmp_path: Path,
                                                                    depth: int) -> None:
    clone = _clone(origin, tmp_path, depth)
    found = szz.mine(open_repository(clone), szz.FixRule()).cases
    done = warm_cli.run(["bench", "--dry-run"], clone, env=dict(os.environ), timeout=120)
    if found:  # cases within reach: measured, as in a full clone
        assert done.returncode == 0, done.stderr
        assert f"{len(found)} case(s)" in done.stdout
    else:
        assert done.returncode == 2, (done.stdout, done.stderr)
        assert "this clone is shallow: its history is cut, and HEAD gave no case" in done.stderr
        assert "git fetch --unshallow" in done.stderr and "fetch-depth: 0" in done.stderr


def test_a_full_clone_with_no_fix_still_lists_no_case_and_exits_0(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "r", {"a.py": "A = 1\n"})
    done = warm_cli.run(["bench", "--dry-run"], root, env=dict(os.environ), timeout=120)
    assert done.returncode == 0, done.stderr
    assert "0 case(s)" in done.stdout
