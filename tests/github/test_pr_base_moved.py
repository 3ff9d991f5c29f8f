"""A follow-up push whose review runs under other rules than the last one's leaves the PR
with the counts a fresh review of the same head and base gives — the counts for a head never
depend on the PR's history (`github.followup.reconfigured`, `app.pull_request`):

* the base branch changed a file the review takes from it (a secrets rule, a linter's
  config, a tool's table of pyproject.toml, the settings) between two pushes that do not
  merge it: the push touching another file is reviewed whole, as a retarget is;
* the project's tests off for the last push and on for this one (`run-tests`): the files of
  earlier pushes get the coverage check too, as after "the LLM reviewers off then on".

A base that changed only code or prose keeps the follow-up to the files the push changed.
`reviewloop review --github` runs as the Action runs it, against the loopback GitHub fake,
analyzers only (no model)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from reviewloop.github.markers import read_marker
from tests.support.github import GitHubFake
from tests.support.pr_mode import KEY
from tests.support.pr_runs import Run, payload, pushed_event, review, shown, verdict
from tests.support.repos import branch_repo, commit, git

OK = "def ok():\n    return 1\n"
GITLEAKS = ('[extend]\nuseDefault = true\n\n[[rules]]\nid = "acme-token"\n'
            "description = \"ACME API token\"\nregex = '''acme_[A-Za-z0-9]{24}'''\n")
PYPROJECT = '[project]\nname = "p"\nversion = "0"\n'


@dataclass(frozen=True)
class Scenario:
    """The PR's first push adds `pr` to x.py; then the base branch commits `later` (not
    merged into the PR); `matters`: the base's change alters what a review of x.py finds."""

    pr: str
    later: dict[str, str]
    matters: bool = True
    base: dict[str, str] = field(default_factory=dict)


SCENARIOS = {
    "a secrets rule (.gitleaks.toml)": Scenario(
        "\nLABEL = 'acme_" + "aaaabbbbccccddddeeeeffff'\n", {".gitleaks.toml": GITLEAKS}),
    "a linter's config (ruff.toml)": Scenario(
        "\n\ndef hi():\n    print('hi')\n", {"ruff.toml": '[lint]\nextend-select = ["T20"]\n'}),
    "a tool's table of pyproject.toml": Scenario(
        "\n\ndef out():\n    return open('/data/scratch/out.txt', 'w')\n",
        {"pyproject.toml": PYPROJECT + '[tool.bandit.hardcoded_tmp_directory]\n'
                                       'tmp_dirs = ["/data/scratch"]\n'},
        base={"pyproject.toml": PYPROJECT}),
    "the settings (.reviewloop.toml)": Scenario(
        "\n\ndef two():\n    return 2\n", {".reviewloop.toml": "max_rounds = 3\n"},
        matters=False),
    "code and prose only": Scenario(
        "\n\ndef two():\n    return 2\n", {"z.py": OK, "README.md": "# p\n"}, matters=False),
}
PARTIAL = re.compile(r"\(\d+ file\(s\) whose change differs since the last review\)")


def open_findings(text: str) -> list[str]:
    """The entries the job summary lists as open on the PR, without their links."""
    part = re.search(r"^### Remaining findings\n(.*?)(?=^###|\Z)", text, re.M | re.S)
    return sorted(re.sub(r"\]\([^)]*\)", "]", line)
                  for line in (part[1] if part else "").splitlines() if line.startswith("- "))


def fresh(root: Path, tmp: Path, args: tuple[str, ...] = ()) -> Run:
    """The oracle: the PR at its head and base, reviewed anew."""
    with GitHubFake() as gh:
        shown(gh, root)
        return review(root, tmp, gh, payload(root, "opened"), args=args)


@pytest.mark.parametrize("name", SCENARIOS)
def test_a_base_that_changed_a_trusted_file_is_a_whole_review(name: str,
                                                               tmp_path: Path) -> None:
    case = SCENARIOS[name]
    root = branch_repo(tmp_path / "repo", {"x.py": OK, "y.py": OK, **case.base},
                       {"x.py": OK + case.pr}, message="push 1")
    with GitHubFake() as gh:
        shown(gh, root)
        first = review(root, tmp_path / "run1", gh, payload(root, "opened"))
        git(root, "switch", "-q", "main")
        commit(root, case.later, "the base moves")
        git(root, "switch", "-q", "feature")
        second = review(root, tmp_path / "run2", gh,
                        pushed_event(root, gh, "push 2", {"y.py": OK + "# c\n"}))
    want = fresh(root, tmp_path / "fresh")
    assert (second.code, second.counts()) == (want.code, want.counts()), second.job_summary
    assert open_findings(second.job_summary) == open_findings(want.job_summary)
    trusted = name != "code and prose only"
    assert bool(PARTIAL.search(second.job_summary)) is not trusted, second.job_summary
    if case.matters:  # the oracle sees the base's new rule: the old counts were wrong
        assert want.counts() != first.counts(), want.job_summary


@pytest.mark.parametrize("then", [True, False], ids=["tests on", "tests still off"])
def test_a_push_that_runs_the_tests_after_one_that_did_not_reviews_the_whole_pr(
        then: bool, tmp_path: Path) -> None:
    """x.py's new function came in a push reviewed without the tests: the push that runs
    them reads it too (coverage judges it, or says it could not), as a fresh `--tests`
    review of the head does; the summary's marker records that the tests ran."""
    files = {"pyproject.toml": PYPROJECT + "[tool.pytest.ini_options]\ntestpaths = ['tests']\n",
             "x.py": OK, "y.py": OK,
             "tests/test_y.py": "import y\n\n\ndef test_ok():\n    assert y.ok() == 1\n"}
    root = branch_repo(tmp_path / "repo", files, {
        "x.py": OK + "\n\ndef fresh(a):\n    if a:\n        return a * 2\n    return 0\n"},
        message="push 1")
    args = ("--tests",) if then else ()
    with GitHubFake() as gh:
        shown(gh, root)
        review(root, tmp_path / "run1", gh, payload(root, "opened"))
        marks = [_marker(gh)]
        second = review(root, tmp_path / "run2", gh,
                        pushed_event(root, gh, "push 2", {"y.py": OK + "# c\n"}), args=args)
        marks.append(_marker(gh))
    want = fresh(root, tmp_path / "fresh", args)
    assert (second.code, second.counts(), verdict(second.job_summary)) == (
        want.code, want.counts(), verdict(want.job_summary)), second.job_summary
    assert bool(PARTIAL.search(second.job_summary)) is not then, second.job_summary
    assert [m.get("tests", False) for m in marks] == [False, then]


def _marker(gh: GitHubFake) -> dict:
    (data,) = [m.data for c in gh.state.issue_comments
               if (m := read_marker(c["body"], KEY, "summary")) is not None]
    return data
