"""`run TASK` and `run next` refuse the options that shape a batch (`--continue`, `--jobs`,
`--approve-at-end`) with exit 2, naming them and the fix, before anything is created —
instead of running the one task as if they had not been given. Every combination."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.loop_cli import (
    SPEC,
    cli,
    example_project,  # noqa: F401 - the fixture `project` here
)

FLAGS = {"--continue": ["--continue"], "--jobs 2": ["--jobs", "2"],
         "--approve-at-end": ["--approve-at-end"]}
CASES = [(target, combo) for target in ("T2", "next")
         for size in (1, 2, 3) for combo in combinations(FLAGS, size)
         if target == "T2" or size == 3]


@pytest.mark.parametrize(("target", "combo"), CASES, ids=lambda c: "+".join(c) if
                         isinstance(c, tuple) else c)
def test_batch_options_on_one_task_are_refused(project: Path, target: str,
                                               combo: tuple[str, ...]) -> None:
    head = git(project, "rev-parse", "HEAD")
    argv = [arg for flag in combo for arg in FLAGS[flag]]

    done = cli(project, "run", target, "--spec", SPEC, "--implementer", "manual",
               "--branch", "work", *argv)

    assert done.returncode == 2, done.stdout + done.stderr
    named = " and ".join(combo)
    assert f"{named} apply to `run all` only, not to `run {target}`" in done.stderr
    assert f"fix: drop {' '.join(combo)}, or run every open task: reviewloop run all " \
           f"{' '.join(combo)}" in done.stderr
    assert git(project, "rev-parse", "HEAD") == head
    assert git(project, "branch", "--list", "work") == ""  # refused before anything
    assert not (project / ".reviewloop").exists()
