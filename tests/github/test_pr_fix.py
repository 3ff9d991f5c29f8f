"""Issue #27's acceptance for `/reviewloop fix`, end to end: real CLI processes (the PR's
review job, then the command job) against the loopback GitHub fake (REST checked against
GitHub's OpenAPI description, GraphQL against its schema) whose PR follows its branch in a
real bare "origin", and the loopback Bedrock fake with scripted reviewer and fixer replies.
The fix runs in a worktree of the PR head with the real gates (pytest, sandboxed) and bandit.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.github.markers import read_marker
from tests.support.bedrock import BedrockFake
from tests.support.commands import (
    KEY,
    MAINTAINER,
    NUMBER,
    OUTSIDER,
    REPO,
    SAFE,
    PullRequestWorld,
    app,
    clean_review,
    finding_ids,
    fixer_writes,
    replies,
    seed,
)
from tests.support.crash import crash_env, killed_mark
from tests.support.github import GitHubFake
from tests.support.gitutil import git
from tests.support.loop_cli import REVIEWERS

pytestmark = pytest.mark.timeout(900)


@pytest.fixture
def world(tmp_path: Path):
    origin, base, head = seed(tmp_path)
    with BedrockFake() as bedrock, GitHubFake() as github:
        pr = PullRequestWorld(tmp_path, github, bedrock, origin, base, head)
        pr.open()
        for name in REVIEWERS:
            bedrock.script(f"agent: {name}", clean_review(12))
        yield pr
        assert github.violations == []


def reviewed(world: PullRequestWorld) -> list[str]:
    done = world.review()
    assert done.returncode == 1, done.stdout + done.stderr  # two must_fix findings
    ids = finding_ids(world.github)
    assert len(ids) == 2, world.github.state.review_comments
    return ids


def script_fix(world: PullRequestWorld, ids: list[str]) -> None:
    """One fixer conversation per finding (they are two fix groups)."""
    world.bedrock.script(f"id {ids[0][:12]}", fixer_writes(app(first=SAFE)))
    world.bedrock.script(f"id {ids[1][:12]}", fixer_writes(app(first=SAFE, second=SAFE)))


def branch(world: PullRequestWorld) -> str:
    return git(world.origin, "rev-parse", "refs/heads/feature").strip()


def commits_on_pr(world: PullRequestWorld) -> int:
    return int(git(world.origin, "rev-list", "--count", f"{world.head}..feature"))


def test_a_writers_fix_is_one_pushed_commit_fixing_both_threads_resolved_check_green(
        world: PullRequestWorld) -> None:
    ids = reviewed(world)
    script_fix(world, ids)
    done = world.command("/reviewloop fix", MAINTAINER)
    assert done.returncode == 0, done.stdout + done.stderr
    assert commits_on_pr(world) == 1
    new = branch(world)
    assert git(world.origin, "show", f"{new}:app.py") == app(first=SAFE, second=SAFE)
    message = git(world.origin, "log", "-1", "--format=%B", new)
    assert "Reviewloop-Run: pr7-" in message and "Reviewloop-Command: " in message
    github = world.github
    threads = [github.thread_of(c["id"]) for c in github.state.review_comments]
    assert [t["resolved"] for t in threads] == [True, True], [
        c["body"][:200] for c in github.state.review_comments]
    assert github.status_of(new) == "success"
    answer = replies(github)[-1]
    assert f"Pushed {new[:12]}" in answer and read_marker(answer, KEY, "fix") is not None


def test_an_outsiders_fix_gets_a_reply_and_nothing_runs(world: PullRequestWorld) -> None:
    reviewed(world)
    asked = len(world.bedrock.requests)
    done = world.command("/reviewloop fix", OUTSIDER)
    assert done.returncode == 0, done.stdout + done.stderr
    assert commits_on_pr(world) == 0
    assert len(world.bedrock.requests) == asked  # no fixer, no reviewer
    assert "only people with write access" in replies(world.github)[-1]
    assert world.github.calls_to("repos/create-commit-status") == []


def test_a_bots_comment_never_commands(world: PullRequestWorld) -> None:
    reviewed(world)
    calls = len(world.github.calls)
    bot = {"login": "some-app[bot]", "id": 9, "type": "Bot"}
    done = world.command("/reviewloop fix", bot)
    assert done.returncode == 0 and "nothing to do" in done.stdout
    # not even the permission check: the only calls are the test's own comment
    assert world.github.calls_to("repos/get-collaborator-permission-level") == []
    assert len(world.github.calls) == calls
