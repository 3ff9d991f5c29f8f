"""A comment command on a closed or merged pull request: `fix` and `review` run nothing, push
nothing and say so once; reopened, the same command runs."""

from __future__ import annotations

import itertools

import pytest

from tests.support.commands import (
    MAINTAINER,
    NUMBER,
    REPO,
    PullRequestWorld,
    finding_ids,
    replies,
)
from tests.support.gitutil import git

pytestmark = pytest.mark.timeout(900)

# GitHub answers `pulls/get` of a merged PR with state "closed" and merged true
ENDS = {"closed": ("closed", False), "merged": ("closed", True)}
COMMANDS = ("/reviewloop fix", "/reviewloop review", "/reviewloop fix {id}")


@pytest.mark.parametrize(("end", "command"), list(itertools.product(ENDS, COMMANDS)))
def test_a_closed_pull_request_is_neither_reviewed_nor_fixed(world: PullRequestWorld,
                                                             end: str, command: str) -> None:
    done = world.review()
    assert done.returncode == 1, done.stdout + done.stderr  # two must_fix findings
    ids = finding_ids(world.github)
    pr = world.github.prs[(REPO, NUMBER)]
    pr.state, pr.merged = ENDS[end]
    asked, statuses = len(world.bedrock.requests), len(world.github.calls_to(
        "repos/create-commit-status"))
    posted = len(world.github.state.review_comments)
    before = git(world.origin, "rev-parse", "refs/heads/feature").strip()
    done = world.command(command.format(id=ids[0][:12]), MAINTAINER)
    assert done.returncode == 0, done.stdout + done.stderr
    said = f"@{MAINTAINER['login']} this pull request is {end}: nothing run"
    assert replies(world.github)[-1] == said
    assert said in done.stdout
    assert git(world.origin, "rev-parse", "refs/heads/feature").strip() == before
    assert len(world.bedrock.requests) == asked  # no fixer, no reviewer
    assert len(world.github.calls_to("repos/create-commit-status")) == statuses
    assert len(world.github.state.review_comments) == posted
    # reopened, the same review runs again (a fix needs scripted fixers: tests/github/test_pr_fix)
    pr.state, pr.merged = "open", False
    if command == "/reviewloop review":
        done = world.command(command, MAINTAINER)
        assert len(world.bedrock.requests) > asked, done.stdout + done.stderr
