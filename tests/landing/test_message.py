"""Commit messages: plain or conventional subjects, the type from the task or the config, the
review stats and trailers kept in the body; and a real run that writes one."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.config import Commits
from reviewloop.findings.ledger import Ledger
from reviewloop.landing.message import CommitFacts, commit_message, commit_type, conventional
from tests.support.bedrock import BedrockFake
from tests.support.gitutil import git
from tests.support.loop_cli import (
    MODEL,
    SPEC,
    clean_reviews,
    cli,
    example_project,  # noqa: F401 - the fixture `project` here
    fake_env,
    manual_change,
)

CONVENTIONAL_HISTORY = ["feat: add search", "fix(api): 404 on empty id", "docs: usage",
                        "Merge branch 'x'", "tidy up"]


def facts(**style: str) -> CommitFacts:
    return CommitFacts(run_id="r-1", task_id="T2", ledger=Ledger(), rounds=1, passed_tests=7,
                       style=Commits.model_validate(style))


@pytest.mark.parametrize("title, kind", [
    ("Delete a todo", "feat"), ("Fix the crash on an empty title", "fix"),
    ("Bug: dates parse as UTC", "fix"), ("Document the API in the README", "docs"),
    ("Add tests for the store", "test"), ("Refactor the store into modules", "refactor"),
    ("Optimize listing", "perf"), ("Bump requests", "build"),
    ("Build the upload document workflow", "feat"),
])
def test_the_type_comes_from_the_task_title(title: str, kind: str) -> None:
    assert commit_type(title) == kind


def test_plain_subject_by_default_with_stats_and_trailers_in_the_body() -> None:
    assert commit_message(facts(), "Delete a todo") == (
        "T2: Delete a todo\n\n"
        "Implemented and reviewed with reviewloop: 1 review round(s), 0 finding(s) fixed, "
        "0 open, 0 nit(s), 7 tests passing.\n\n"
        "Reviewloop-Run: r-1\nReviewloop-Task: T2\n")


def test_conventional_subject_keeps_the_same_body() -> None:
    message = commit_message(facts(conventional="on"), "Fix the crash on an empty title")
    head, _, body = message.partition("\n\n")
    assert head == "fix: Fix the crash on an empty title (T2)"
    assert body == commit_message(facts(), "x").partition("\n\n")[2]


def test_configured_type_and_scope_win_and_the_subject_stays_short() -> None:
    subject = commit_message(facts(conventional="on", type="chore", scope="api"),
                             "x" * 100).splitlines()[0]
    assert subject.startswith("chore(api): xxx") and subject.endswith("x (T2)")
    assert len(subject) == 72


def test_auto_follows_the_branch_history() -> None:
    assert conventional(Commits(), CONVENTIONAL_HISTORY)  # 3 of 4 non-merge subjects
    assert not conventional(Commits(), ["Add search", "Fix bug", "feat: one"])
    assert not conventional(Commits(), [])
    assert not conventional(Commits(conventional="off"), CONVENTIONAL_HISTORY)
    assert conventional(Commits(conventional="on"), [])


def test_a_run_in_a_conventional_repository_commits_a_conventional_subject(project: Path
                                                                           ) -> None:
    for subject in ("feat: first", "fix: second"):
        git(project, "commit", "-q", "--allow-empty", "-m", subject)
    manual_change(project)
    with BedrockFake() as fake:
        clean_reviews(fake)
        done = cli(project, "run", "next", "--spec", SPEC, "--implementer", "manual",
                   "--model", MODEL, "--branch", "task-2", "--yes", env=fake_env(fake))
    assert done.returncode == 0, done.stdout + done.stderr
    message = git(project, "log", "-1", "--format=%B")
    assert message.startswith("feat: Delete a todo (T2)\n\nImplemented and reviewed with "
                              "reviewloop: 1 review round(s)")
    assert "Reviewloop-Task: T2" in message
