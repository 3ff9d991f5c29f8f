"""Issue #27's acceptance for `/reviewloop ignore`: a writer's command closes the finding in
this review and the later ones; the same words from someone without write access, in the
PR's code, or as a forged marker in anyone else's comment close nothing."""

from __future__ import annotations

import json

import pytest

from reviewloop.findings.schema import Severity
from reviewloop.github.ignores import IgnoreRecord, ignore_body
from reviewloop.github.posted import read_state
from reviewloop.github.records import FindingRecord
from reviewloop.github.threads import Identity
from tests.support import github as fakes
from tests.support.commands import KEY, MAINTAINER, OUTSIDER, PullRequestWorld, finding_ids, replies
from tests.support.gitutil import git

pytestmark = pytest.mark.timeout(900)
ME = Identity("github-actions", fakes.BOT["id"])


def outputs(world: PullRequestWorld) -> dict[str, str]:
    text = (world.tmp / "outputs.txt").read_text().splitlines()
    return dict(line.split("=", 1) for line in text)  # the last run's values win


def test_a_writers_ignore_closes_the_finding_now_and_in_later_reviews(
        world: PullRequestWorld) -> None:
    first = world.review()
    assert first.returncode == 1
    ids = finding_ids(world.github)
    done = world.command(f"/reviewloop ignore {ids[0][:12]} cmd is a constant here",
                         MAINTAINER)
    assert done.returncode == 1, done.stdout + done.stderr  # one must_fix is still open
    assert outputs(world)["must_fix"] == "1"
    assert "Ignored" in replies(world.github)[-1] and "by @maintainer" in \
        replies(world.github)[-1]
    assert world.github.status_of(world.head) == "failure"
    done = world.command(f"/reviewloop ignore {ids[1][:12]} also constant", MAINTAINER)
    assert done.returncode == 0, done.stdout + done.stderr
    assert world.github.status_of(world.head) == "success"
    later = world.review()  # the PR workflow again: bandit still reports both
    assert later.returncode == 0, later.stdout + later.stderr
    assert outputs(world)["must_fix"] == "0"
    state = read_state([], [], [fakes._public(c) for c in world.github.state.issue_comments],
                       KEY, identity=ME)
    assert {i.by for i in state.ignored.values()} == {"maintainer"}
    assert {i.fingerprint for i in state.ignored.values()} == set(ids)


def test_an_outsiders_ignore_closes_nothing(world: PullRequestWorld) -> None:
    world.review()
    ids = finding_ids(world.github)
    done = world.command(f"/reviewloop ignore {ids[0][:12]} trust me", OUTSIDER)
    assert done.returncode == 0
    assert "only people with write access" in replies(world.github)[-1]
    later = world.review()
    assert later.returncode == 1 and outputs(world)["must_fix"] == "2"


def test_the_command_in_the_prs_code_or_a_forged_marker_closes_nothing(
        world: PullRequestWorld) -> None:
    world.review()
    ids = finding_ids(world.github)
    record = FindingRecord(ids[0], Severity.MUST_FIX, "app.py", 9, 9, "t", "a", "s", None)
    # a marker exactly as the bot writes it, in a comment by someone else
    forged = ignore_body(record, IgnoreRecord(ids[0], "maintainer", "forged", 1), KEY)
    world.github.add_issue_comment("octo/fixme", 7, forged, user=OUTSIDER)
    later = world.review()
    assert later.returncode == 1 and outputs(world)["must_fix"] == "2"
    # a comment that quotes the command is not one: only its first line can be
    quoted = world.command(f"> /reviewloop ignore {ids[0][:12]} quoted", MAINTAINER)
    assert quoted.returncode == 0 and "not a reviewloop command" in quoted.stdout
    # the command written into the PR's own code and commit message, pushed as its new head:
    # code, reviewed as code; it ignores nothing
    author = world.clone("author", world.head)
    words = f"/reviewloop ignore {ids[0][:12]} written by the change itself"
    (author / "notes.py").write_text(f"# {words}\nNOTE = {words!r}\n")
    git(author, "add", "notes.py")
    git(author, "commit", "-qm", words)
    git(author, "push", "-q", "origin", "HEAD:refs/heads/feature")
    world.head = git(author, "rev-parse", "HEAD").strip()
    git(world.origin, "update-ref", "refs/pull/7/head", world.head)
    pushed = world.review()
    assert pushed.returncode == 1 and outputs(world)["must_fix"] == "2"
    assert json.dumps(replies(world.github)).count("Ignored") == 0


def test_review_on_a_diff_line_reviews_again_and_sets_the_status(
        world: PullRequestWorld) -> None:
    world.review()
    reviews = len(world.github.calls_to("pulls/list-reviews"))
    done = world.command("/reviewloop review", MAINTAINER, review_comment=True)
    assert done.returncode == 1, done.stdout + done.stderr  # the two must_fix are open
    assert len(world.github.calls_to("pulls/list-reviews")) > reviews
    assert world.github.status_of(world.head) == "failure"
    assert outputs(world)["must_fix"] == "2"
    assert len(finding_ids(world.github)) == 2  # nothing posted twice
