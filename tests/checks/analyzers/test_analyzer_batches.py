"""bandit and ruff are given a change's files in batches under a fixed byte limit
(`git.argv`): 7,000 changed files in a deep folder (2.4 MB of names) passed ARG_MAX and both
failed to start ("Argument list too long"), every file named as not analysed (f_abs D3).
The limit is made small here — no test depends on the machine's ARG_MAX — and each batch's
report joins the one report: every file's findings, in whichever batch it was."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reviewloop.git import argv
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent
from tests.support.processes import started

SHELL = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
UNDEFINED = "def f():\n    return missing_name\n"


def _paths(command: list[str]) -> list[str]:
    return command[command.index("--") + 1:]


@settings(max_examples=3, deadline=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],  # a shrink reruns the tools
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(count=st.integers(3, 12), depth=st.integers(1, 6), limit=st.integers(200, 700))
def test_every_file_is_read_whatever_the_batches(
        tmp_path_factory: pytest.TempPathFactory, count: int, depth: int, limit: int) -> None:
    folder = "/".join(f"segment_{n:02d}_with_a_long_name" for n in range(depth))
    files = {f"{folder}/module_{n:03d}.py": SHELL + UNDEFINED for n in range(count)}
    repo = Repo(tmp_path_factory.mktemp("r") / "repo")
    diff = repo.change(files)
    with pytest.MonkeyPatch.context() as patch, started() as runs:
        patch.setattr(argv, "ARGV_BYTES", limit)
        security = run_for_agent(agent("sec", ("bandit",)), repo.root, diff)
        upkeep = run_for_agent(agent("upkeep", ("ruff-maintainability",)), repo.root, diff)
    for report in (security, upkeep):
        assert report.errors == [] and all(not h.unread for h in report.health), report.health
    assert {f.file for f in security.findings if f.rule == "B602"} == set(files)
    assert {f.file for f in upkeep.findings if f.rule == "F821"} == set(files)
    # bandit read these few files in reviewloop's process (`bandit_api`), batch by batch:
    # no command line; its CLI, for larger sets, is given the same batches
    assert not [c for c in runs if "bandit" in c and "--" in c]
    ruff = [c for c in runs if "check" in c and "--output-format" in c]
    assert ruff
    for command in ruff:
        paths = _paths(command)
        assert paths and (sum(len(os.fsencode(p)) + 1 for p in paths) <= limit
                          or len(paths) == 1), command
    whole = sum(len(os.fsencode(str(repo.root / f))) + 1 for f in files)
    if whole > limit:  # more than one batch was needed, and was run
        assert len(ruff) >= 2


def test_no_file_is_no_run() -> None:
    """No batch for no file: ruff given no path would check its whole folder."""
    assert list(argv.batches([])) == []
