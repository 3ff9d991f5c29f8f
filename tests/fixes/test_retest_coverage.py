"""The new-code coverage of a fix round's full gates judges only what the fix round changed
(`Retest.full`): a pull request's own untested function, measured from the PR base as
`/reviewloop fix` measures its change (`runs/pr_fix.py`), is never charged to the fixer, and a
public function the fix itself adds untested fails the gate naming only it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from reviewloop.config import Gates, Settings
from reviewloop.fixes.retest import Retest
from reviewloop.git.repository import Snapshot, open_repository
from tests.support.gitutil import git
from tests.support.repos import init_repo

ADD = "def add(a, b):\n    return a + b\n"
SCALE = "\n\ndef scale(a, k):\n    return a * k\n"
FILES = {"calc.py": ADD, "conftest.py": "",
         "tests/test_calc.py": "from calc import add\n\n\ndef test_add():\n"
                               "    assert add(1, 2) == 3\n"}


def _strict() -> Settings:
    test = f"{sys.executable} -m pytest -q -p no:cacheprovider"
    return Settings(model="scripted", gates=Gates(build=(), test=(test,), coverage="strict"))


def _pull_request(tmp_path: Path) -> tuple[Path, Retest]:
    """A PR adding `scale` with no test, and the Retest `/reviewloop fix` builds for it:
    baseline at the PR base, `before` at the PR head (the tree the fix round starts from)."""
    root = init_repo(tmp_path / "p", FILES, message="base")
    base = git(root, "rev-parse", "HEAD").strip()
    (root / "calc.py").write_text(ADD + SCALE)
    git(root, "commit", "-qam", "the PR")
    head = git(root, "rev-parse", "HEAD").strip()
    repo = open_repository(root)
    tree = git(root, "rev-parse", f"{base}^{{tree}}").strip()
    baseline = Snapshot(head=head, base=base, tree=tree, files={})
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    return root, Retest(repo, _strict(), baseline, (), run_dir, repo.snapshot(base=base))


def _coverage(retest: Retest) -> tuple[bool, str]:
    report = retest.full()
    [result] = [r for r in report.results if r.name == "coverage"]
    return report.passed, result.summary


def test_a_tested_fix_on_a_pr_with_an_untested_function_of_its_own_passes(
        tmp_path: Path) -> None:
    root, retest = _pull_request(tmp_path)
    (root / "calc.py").write_text('def add(a, b):\n    """Sum."""\n    return a + b\n' + SCALE)
    passed, summary = _coverage(retest)
    assert passed, summary
    assert "scale" not in summary


def test_a_function_the_fix_adds_untested_fails_the_gate_naming_only_it(
        tmp_path: Path) -> None:
    root, retest = _pull_request(tmp_path)
    (root / "calc.py").write_text(ADD + SCALE + "\n\ndef halve(a):\n    return a / 2\n")
    passed, summary = _coverage(retest)
    assert not passed
    assert summary.endswith("not executed by any test: halve"), summary


def test_a_fix_round_that_undid_itself_has_no_coverage_of_its_own_to_judge(
        tmp_path: Path) -> None:
    _, retest = _pull_request(tmp_path)
    report = retest.full()
    assert report.passed, report
    assert "coverage" not in [r.name for r in report.results]


# A fix group's own re-test (`Retest.relevant`): coverage only after its checks passed, only
# when the group's change adds or changes a public function, never the line threshold.

GUARDED = ("def add(a, b):\n    if a is None:\n        raise TypeError('a is None')\n"
           "    return a + b\n")  # the raise no test runs: 1 of the 2 changed lines


def _group(tmp_path: Path, threshold: float | None = None) -> tuple[Path, Retest, list[str]]:
    """A project whose `add` is tested, a Retest for a fix round starting there, and the
    gates it starts, in order (its `on_gate`)."""
    root = init_repo(tmp_path / "p", FILES, message="start")
    repo = open_repository(root)
    test = f"{sys.executable} -m pytest -q -p no:cacheprovider"
    gates = Gates(build=(), test=(test,), coverage="strict", coverage_threshold=threshold)
    started: list[str] = []
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    snapshot = repo.snapshot()
    retest = Retest(repo, Settings(model="scripted", gates=gates), snapshot, (), run_dir,
                    snapshot, on_gate=lambda name, result: started.append(name)
                    if result is None else None)
    return root, retest, started


def test_a_groups_guard_below_the_threshold_passes_its_own_retest_and_full_judges_it(
        tmp_path: Path) -> None:
    root, retest, started = _group(tmp_path, threshold=0.75)
    since = retest.before
    (root / "calc.py").write_text(GUARDED)
    report = retest.relevant(["calc.py"], since)
    assert report.passed, report.feedback()
    [own] = [r for r in report.results if r.name == "coverage"]
    assert "threshold" not in own.summary, own.summary
    assert started.count("coverage") == 1, started
    full = retest.full()  # the whole round is this guard alone: 50%, below 75%
    assert not full.passed
    [judged] = [r for r in full.results if r.name == "coverage"]
    assert "1 of 2 covered (50%), below the 75% threshold" in judged.summary, judged.summary


def test_a_group_whose_tests_fail_is_told_them_without_a_coverage_run(tmp_path: Path) -> None:
    root, retest, started = _group(tmp_path)
    since = retest.before
    (root / "calc.py").write_text(ADD.replace("a + b", "a - b") + SCALE)  # scale untested
    report = retest.relevant(["calc.py"], since)
    assert [r.name for r in report.failed] == ["test"]
    assert "coverage" not in started, started


@pytest.mark.parametrize("edit", [
    ADD + "\n\ndef _double(a):\n    return a * 2\n",  # a private function
    ADD + "\nLIMIT = 10\n",  # a module constant
    "# the calculator\n" + ADD,  # a comment above the function
], ids=["private-function", "constant", "comment"])
def test_a_group_adding_no_public_function_runs_no_coverage(tmp_path: Path,
                                                            edit: str) -> None:
    """Under a threshold too: the lines are the full gates' to judge, on the whole round."""
    root, retest, started = _group(tmp_path, threshold=0.75)
    since = retest.before
    (root / "calc.py").write_text(edit)
    report = retest.relevant(["calc.py"], since)
    assert report.passed, report.feedback()
    assert "coverage" not in started, started


def test_a_group_adding_an_untested_function_after_its_tests_pass_is_told_it(
        tmp_path: Path) -> None:
    root, retest, started = _group(tmp_path, threshold=0.75)
    since = retest.before
    (root / "calc.py").write_text(ADD + SCALE)
    report = retest.relevant(["calc.py"], since)
    assert [r.name for r in report.failed] == ["coverage"]
    assert report.failed[0].summary.endswith("not executed by any test: scale"), \
        report.failed[0].summary
    assert started.count("coverage") == 1, started
