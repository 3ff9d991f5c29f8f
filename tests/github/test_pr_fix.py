"""Issue #27's acceptance for `/reviewloop fix`, end to end: real CLI processes (the PR's
review job, then the command job) against the loopback GitHub fake (REST checked against
GitHub's OpenAPI description, GraphQL against its schema) whose PR follows its branch in a
real bare "origin", and the loopback Bedrock fake with scripted reviewer and fixer replies.
The fix runs in a worktree of the PR head with the real gates (pytest, sandboxed) and bandit.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from reviewloop.github.markers import read_marker
from tests.support.bedrock import BedrockFake
from tests.support.commands import (
    KEY,
    MAINTAINER,
    OUTSIDER,
    SAFE,
    SHELL,
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
from tests.support.loop_cli import REVIEWERS, wait_until

pytestmark = pytest.mark.timeout(900)


def reviewed(world: PullRequestWorld) -> list[str]:
    # a fix's re-review asks the re-reviewers on the one model in one call (`review.rereview`)
    world.bedrock.script("agents: ", clean_review(12))
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
    # a worktree of the job's checkout on a disk not mounted now (or moved, not yet repaired)
    checkout = world.clone("command-job")
    away = world.tmp / "unmounted" / "wt"
    git(checkout, "worktree", "add", "-q", "--detach", str(away))
    shutil.rmtree(world.tmp / "unmounted")
    done = world.command("/reviewloop fix", MAINTAINER)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"worktree {away}" in git(checkout, "worktree", "list", "--porcelain")  # kept
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
    statuses = len(world.github.calls_to("repos/create-commit-status"))  # the PR job's
    done = world.command("/reviewloop fix", OUTSIDER)
    assert done.returncode == 0, done.stdout + done.stderr
    assert commits_on_pr(world) == 0
    assert len(world.bedrock.requests) == asked  # no fixer, no reviewer
    assert "only people with write access" in replies(world.github)[-1]
    assert len(world.github.calls_to("repos/create-commit-status")) == statuses


def test_a_bots_comment_never_commands(world: PullRequestWorld) -> None:
    reviewed(world)
    calls = len(world.github.calls)
    bot = {"login": "some-app[bot]", "id": 9, "type": "Bot"}
    done = world.command("/reviewloop fix", bot)
    assert done.returncode == 0 and "nothing to do" in done.stdout
    # not even the permission check: the only calls are the test's own comment
    assert world.github.calls_to("repos/get-collaborator-permission-level") == []
    assert len(world.github.calls) == calls


def test_a_fork_gets_the_fix_as_suggestion_blocks_and_nothing_is_pushed(
        tmp_path: Path) -> None:
    origin, base, head = seed(tmp_path)
    with BedrockFake() as bedrock, GitHubFake() as github:
        world = PullRequestWorld(tmp_path, github, bedrock, origin, base, head, fork=True)
        world.open()
        for name in REVIEWERS:
            bedrock.script(f"agent: {name}", clean_review(12))
        ids = reviewed(world)
        script_fix(world, ids)
        done = world.command("/reviewloop fix", MAINTAINER)
        assert done.returncode == 0, done.stdout + done.stderr
        assert github.violations == []
    assert commits_on_pr(world) == 0
    assert github.calls_to("repos/create-commit-status") == []
    review = github.calls_to("pulls/create-review")[-1].body
    assert "comes from a fork" in review["body"]
    assert read_marker(review["body"], KEY, "fix") is not None
    lines = app().splitlines()
    suggested = {(c["path"], c["line"]): c["body"] for c in review["comments"]}
    for number, line in enumerate(lines, start=1):
        if line + "\n" == SHELL:  # each finding's line gets its replacement
            assert f"```suggestion\n{SAFE}```" in suggested[("app.py", number)]
    assert len(suggested) == 2


def test_kill_9_before_the_push_then_the_command_again_gives_one_commit(
        world: PullRequestWorld, tmp_path: Path) -> None:
    ids = reviewed(world)
    script_fix(world, ids)
    crash = crash_env(tmp_path, at="* push *", when="before")
    killed = world.command("/reviewloop fix", MAINTAINER, extra=crash)
    assert killed.returncode == -9 and killed_mark(tmp_path).exists()
    assert commits_on_pr(world) == 0  # the fix was committed in the worktree, never pushed
    script_fix(world, ids)
    again = world.command("/reviewloop fix", MAINTAINER, extra=crash)
    assert again.returncode == 0, again.stdout + again.stderr
    assert commits_on_pr(world) == 1
    assert world.github.status_of(branch(world)) == "success"


def test_kill_9_after_the_push_then_the_command_again_finishes_it_without_a_second_commit(
        world: PullRequestWorld, tmp_path: Path) -> None:
    ids = reviewed(world)
    script_fix(world, ids)
    crash = crash_env(tmp_path, at="* push *", when="after")
    killed = world.command("/reviewloop fix", MAINTAINER, extra=crash)
    assert killed.returncode == -9
    pushed = branch(world)
    assert commits_on_pr(world) == 1
    asked = [r for r in world.bedrock.requests if "You fix review findings" in str(r)]
    again = world.command("/reviewloop fix", MAINTAINER, extra=crash)
    assert again.returncode == 0, again.stdout + again.stderr
    assert branch(world) == pushed and commits_on_pr(world) == 1
    # no second fix was made: the pushed one was reviewed and its threads resolved
    assert [r for r in world.bedrock.requests if "You fix review findings" in str(r)] == asked
    threads = [world.github.thread_of(c["id"]) for c in world.github.state.review_comments]
    assert [t["resolved"] for t in threads] == [True, True]
    assert world.github.status_of(pushed) == "success"


def test_a_redelivered_event_never_makes_a_second_commit(world: PullRequestWorld) -> None:
    ids = reviewed(world)
    script_fix(world, ids)
    first = world.command("/reviewloop fix", MAINTAINER)
    assert first.returncode == 0, first.stdout + first.stderr
    comment = next(c for c in world.github.state.issue_comments
                   if c["body"] == "/reviewloop fix")
    again = world.command("", MAINTAINER, comment=comment)  # the same delivery, again
    assert again.returncode == 0, again.stdout + again.stderr
    assert "answered already" in again.stdout
    assert commits_on_pr(world) == 1


def test_a_head_that_moves_while_the_fix_runs_stops_it_and_says_so(
        world: PullRequestWorld) -> None:
    ids = reviewed(world)
    hold = threading.Event()
    world.bedrock.script(f"id {ids[0][:12]}", fixer_writes(app(first=SAFE), gate=hold))
    world.bedrock.script(f"id {ids[1][:12]}", fixer_writes(app(first=SAFE, second=SAFE)))
    job = world.start_command("/reviewloop fix", MAINTAINER)
    try:
        wait_until(lambda: any("You fix review findings" in str(r)
                             for r in world.bedrock.requests), what="the fixer at work")
        # the author pushes while the fixer works
        other = world.clone("author", world.head)
        (other / "NOTES.md").write_text("more\n")
        git(other, "add", "NOTES.md")
        git(other, "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "notes")
        git(other, "push", "-q", "origin", "HEAD:refs/heads/feature")
        moved = branch(world)
    finally:
        hold.set()
        out, err = job.communicate(timeout=600)
    assert job.returncode == 1, out + err
    assert branch(world) == moved  # nothing pushed onto the moved head
    answer = replies(world.github)[-1]
    assert "moved from" in answer and "nothing was pushed" in answer


def last_output(world: PullRequestWorld, name: str) -> str:
    """The value GitHub keeps for step output `name`: the last one written."""
    lines = (world.tmp / "outputs.txt").read_text().splitlines()
    return [line.partition("=")[2] for line in lines if line.startswith(f"{name}=")][-1]


@pytest.mark.parametrize("refused", [403, 404])
def test_a_status_the_token_may_not_set_is_a_publishing_failure_answered_once(
        world: PullRequestWorld, refused: int) -> None:
    ids = reviewed(world)
    script_fix(world, ids)
    # a workflow without `statuses: write`: GitHub's own answer
    world.github.outage(refused, match="/statuses/", body={
        "message": "Resource not accessible by integration",
        "documentation_url": "https://docs.github.com/rest/commits/statuses"})
    done = world.command("/reviewloop fix", MAINTAINER)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    new = branch(world)
    assert commits_on_pr(world) == 1
    answer = replies(world.github)[-1]
    assert f"Pushed {new[:12]}" in answer and read_marker(answer, KEY, "fix") is not None
    assert "commit status could not be set" in answer and "statuses: write" in answer
    assert last_output(world, "published") == "false"
    assert "statuses: write" in last_output(world, "publish_error")
    assert "Not published to the pull request" in (world.tmp / "summary.md").read_text()
    # the same delivery again: answered, nothing made twice, no crash
    comment = next(c for c in world.github.state.issue_comments
                   if c["body"] == "/reviewloop fix")
    again = world.command("", MAINTAINER, comment=comment)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "answered already" in again.stdout and commits_on_pr(world) == 1


def test_github_failing_mid_command_exits_4_with_the_outputs_and_a_reply(
        world: PullRequestWorld) -> None:
    reviewed(world)
    world.github.outage(403, match="/pulls/7/reviews", body={
        "message": "Resource not accessible by integration"})
    done = world.command("/reviewloop fix", MAINTAINER)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert commits_on_pr(world) == 0
    assert "GitHub failed while carrying out /reviewloop fix" in replies(world.github)[-1]
    assert last_output(world, "published") == "false"


@pytest.mark.parametrize("body", ["/reviewloop fix", "/reviewloop frobnicate"])
def test_github_failing_at_the_permission_check_exits_4_with_the_outputs(
        world: PullRequestWorld, body: str) -> None:
    """The first call of a command (who may command) is as much GitHub's as any later one:
    its failure is exit 4 with the outputs saying why, not reviewloop's internal error."""
    world.github.outage(403, match="/collaborators/", body={
        "message": "Resource not accessible by integration"})
    done = world.command(body, MAINTAINER)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    verb = "fix" if body.endswith("fix") else "…"
    said = f"GitHub failed while carrying out /reviewloop {verb}"
    assert said in done.stderr and said in replies(world.github)[-1]
    assert last_output(world, "published") == "false"
    assert "Resource not accessible by integration" in last_output(world, "publish_error")
    assert commits_on_pr(world) == 0


IDENTITY = ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL")


def no_identity(world: PullRequestWorld) -> dict[str, str]:
    """A runner's git with no identity anywhere (an Actions runner's hostname has no domain,
    so git cannot make one up: `useConfigOnly` says the same)."""
    config = world.tmp / "no-identity.gitconfig"
    config.write_text("[user]\n\tuseConfigOnly = true\n")
    return {"GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1"}


def test_in_actions_with_no_git_identity_the_fix_is_committed_as_the_actions_bot(
        world: PullRequestWorld) -> None:
    ids = reviewed(world)
    script_fix(world, ids)
    done = world.command("/reviewloop fix", MAINTAINER, extra=no_identity(world),
                         without=IDENTITY)
    assert done.returncode == 0, done.stdout + done.stderr
    assert commits_on_pr(world) == 1
    who = git(world.origin, "log", "-1", "--format=%an <%ae>|%cn <%ce>", branch(world)).strip()
    bot = "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"
    assert who == f"{bot}|{bot}"


def test_outside_actions_no_git_identity_is_refused_before_any_model_call(
        world: PullRequestWorld) -> None:
    ids = reviewed(world)
    script_fix(world, ids)
    asked = len(world.bedrock.requests)
    done = world.command("/reviewloop fix", MAINTAINER, extra=no_identity(world),
                         without=(*IDENTITY, "GITHUB_ACTIONS"), args=("--github",))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "git has no author identity" in done.stderr
    assert 'fix: git config --global user.name "Your Name"' in done.stderr
    assert len(world.bedrock.requests) == asked  # no fixer call was spent
    assert commits_on_pr(world) == 0
