"""Issue #43's acceptance for `reviewloop stats` on a pull request: a review, a writer's
`/reviewloop ignore`, a fix pushed, a second review — and the stats say, per rule, one
finding ignored and one fixed; the job summary carries the review's timeline."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from tests.support import warm_cli
from tests.support.commands import (
    MAINTAINER,
    NUMBER,
    SAFE,
    SHELL,
    PullRequestWorld,
    app,
    finding_ids,
)
from tests.support.gitutil import git
from tests.support.mermaid import check_shape
from tests.support.paths import ROOT

pytestmark = pytest.mark.timeout(900)
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "stats.schema.json").read_text())


def stats(root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "AWS_"))}
    done = warm_cli.run(["stats", "--json"], root, env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(done.stdout)
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    return data


def rule(data: dict, name: str) -> dict:
    return next(row for row in data["rules"] if row["name"] == name)


def push_fix(pr: PullRequestWorld) -> None:
    """The author fixes the second shell call and pushes: the PR's new head."""
    author = pr.clone("author", pr.head)
    (author / "app.py").write_text(app(SHELL, SAFE))
    git(author, "commit", "-qam", "no shell in run_again")
    git(author, "push", "-q", "origin", "HEAD:refs/heads/feature")
    pr.head = git(author, "rev-parse", "HEAD").strip()
    git(pr.origin, "update-ref", f"refs/pull/{NUMBER}/head", pr.head)


def test_stats_after_a_review_an_ignore_a_fix_and_a_second_review(
        world: PullRequestWorld) -> None:
    first = world.review()
    assert first.returncode == 1, first.stdout + first.stderr
    ids = finding_ids(world.github)
    assert len(ids) == 2  # bandit B602 in run() and in run_again()
    job = world.tmp / "pr-job"
    opened = stats(job)
    # the push's review counted as the PR
    assert opened["sources"] == {"runs": 0, "reviews": 0, "pull_requests": 1,
                                 "bench_replays": 0, "unreadable": []}
    assert (rule(opened, "bandit:B602")["findings"], rule(opened, "bandit:B602")["open"]) == \
        (2, 2)
    summary = (world.tmp / "summary.md").read_text()
    chart = "```mermaid\n" + summary.split("```mermaid\n", 1)[1].split("```", 1)[0] + "```"
    assert check_shape(chart) and "review review-security" in chart

    ignored = world.command(f"/reviewloop ignore {ids[0][:12]} cmd is a constant here",
                            MAINTAINER)
    assert ignored.returncode == 1, ignored.stdout + ignored.stderr  # one must_fix open
    after_ignore = stats(world.tmp / "command-job")  # the command job's own review
    b602 = rule(after_ignore, "bandit:B602")
    assert (b602["ignored"], b602["open"], b602["noise"]) == (1, 1, 1)

    push_fix(world)
    second = world.review()
    assert second.returncode == 0, second.stdout + second.stderr
    final = stats(job)
    assert final["sources"]["pull_requests"] == 1 and final["sources"]["reviews"] == 0
    b602 = rule(final, "bandit:B602")
    assert {k: b602[k] for k in ("findings", "fixed", "ignored", "suppressed", "open",
                                 "escalated", "noise")} == {
        "findings": 2, "fixed": 1, "ignored": 1, "suppressed": 0, "open": 0, "escalated": 0,
        "noise": 1}
    assert b602["reviewers"] == ["review-security"]
    security = next(r for r in final["reviewers"] if r["name"] == "review-security")
    assert (security["fixed"], security["ignored"]) == (1, 1)
    bandit = next(r for r in final["analyzers"] if r["name"] == "bandit")
    assert (bandit["fixed"], bandit["ignored"]) == (1, 1)
    text = warm_cli.run(["stats"], job, env={k: v for k, v in os.environ.items()
                                             if not k.startswith("GITHUB_")}, timeout=300)
    assert "bandit:B602" in text.stdout and "1 pull request(s)" in text.stdout
