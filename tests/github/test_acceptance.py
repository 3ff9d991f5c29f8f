"""Issue #10's pull-request acceptance, end to end: `reviewloop review --github` on three
pushes of a real git repository against the loopback GitHub fake (REST checked against
GitHub's OpenAPI, GraphQL against its schema), with the real analyzers (bandit, ruff,
test-changes) and no model, so every finding comes from the content at each head.

(1) findings posted; (2) a push that fixes one finding, moves another by inserting lines
above it, and touches the file that has a file-level finding; (3) a push that brings the
fixed finding back. After each: no duplicate comment, fixed threads resolved through GraphQL,
the returning one reopened, one summary comment whose counts equal the PR's open findings
as rebuilt from the posted markers, and the step outputs equal too.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from reviewloop.github.converge import posted_ledger
from reviewloop.github.markers import read_marker
from reviewloop.github.posted import read_state
from reviewloop.github.threads import Identity
from tests.support import github as fakes
from tests.support import warm_cli
from tests.support.pr_mode import (
    EVENTS,
    KEY,
    PR_NUMBER,
    PR_REPO,
    SAFE_LINE,
    SHELL_LINE,
    git,
    make_findings_repo,
    show_pr,
    summaries,
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_findings_repo(tmp_path / "repo")


def review(root: Path, tmp: Path, gh, action: str, **extra) -> tuple[subprocess.
                                                                     CompletedProcess, dict]:
    """One Actions run of `reviewloop review --github`, analyzers only (no model)."""
    payload = json.loads((EVENTS / f"pull_request.{action}.json").read_text())
    payload["pull_request"]["base"]["sha"] = git(root, "rev-parse", "main")
    payload["pull_request"]["head"]["sha"] = git(root, "rev-parse", "HEAD")
    payload["pull_request"]["head"]["repo"] = {"full_name": payload["repository"]["full_name"]}
    payload.update(extra)
    event = tmp / f"event-{action}.json"
    event.write_text(json.dumps(payload))
    outputs = tmp / "outputs.txt"
    outputs.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REVIEWLOOP_", "AWS_"))}
    env |= {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(event), "GITHUB_API_URL": gh.url,
            "GITHUB_TOKEN": "ghs_test", "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
            "GITHUB_OUTPUT": str(outputs)}
    done = warm_cli.run(["review", "--sarif", str(tmp / "out.sarif")], root, env=env, timeout=120)
    return done, dict(line.split("=", 1) for line in outputs.read_text().splitlines())


def commit(root: Path, message: str) -> str:
    before = git(root, "rev-parse", "HEAD")
    git(root, "commit", "-qam", message)
    return before


def diff(root: Path, *args: str) -> str:
    """`git diff` verbatim (a trailing blank context line is part of a hunk)."""
    return subprocess.run(["git", "diff", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def next_push(root: Path, gh, tmp_path: Path, before: str):
    gh.push(PR_REPO, PR_NUMBER, diff(root, "main...HEAD"),
            head_sha=git(root, "rev-parse", "HEAD"), moved_by=diff(root, before, "HEAD"))
    return review(root, tmp_path, gh, "synchronize", before=before,
                  after=git(root, "rev-parse", "HEAD"))


def pr_ledger(gh):
    """The PR's findings as the next run would rebuild them: from the markers alone."""
    comments = [fakes._public(c) for c in gh.state.review_comments]
    reviews = [fakes._public(r) for r in gh.state.reviews]
    issues = [fakes._public(c) for c in gh.state.issue_comments]
    return read_state(comments, reviews, issues, KEY, identity=Identity("github-actions",
                                                                        fakes.BOT["id"]))


def open_counts(state) -> dict[str, str]:
    """The open entries of the PR's `Ledger` rebuilt from the markers, as output strings."""
    return {k: str(v) for k, v in posted_ledger(state).counts()["open"].items()}


def check_converged(gh, outputs: dict) -> object:
    ledger = pr_ledger(gh)
    assert ledger.duplicate_comments == []
    fps = [read_marker(c["body"], KEY, "finding").data["f"]["fp"]
           for c in gh.state.review_comments]
    assert len(fps) == len(set(fps)), "a finding was commented on twice"
    heads = [read_marker(r["body"], KEY, "review").data["head"] for r in gh.state.reviews]
    assert len(heads) == len(set(heads)), "two reviews for one head"
    (summary,) = summaries(gh)
    marker = read_marker(summary["body"], KEY, "summary").data
    counts = open_counts(ledger)
    assert {k: str(v) for k, v in marker["open"].items()} == counts
    assert {k: outputs[k] for k in counts} == counts
    for p in ledger.findings.values():  # every fixed thread resolved, every open one not
        if p.thread is not None:
            assert gh.thread_of(p.comment_id)["resolved"] == (p.state == "fixed"), p.record
    return ledger


def by_source(ledger, source: str):
    return [p for p in ledger.findings.values() if p.record.source == source]


def test_three_pushes_converge(repo: Path, tmp_path: Path, github_fake) -> None:
    # (1) findings posted
    show_pr(github_fake, repo)
    first, outputs = review(repo, tmp_path, github_fake, "opened")
    assert first.returncode == 1, first.stdout + first.stderr
    ledger = check_converged(github_fake, outputs)
    (shell,) = by_source(ledger, "bandit")
    (loop,) = by_source(ledger, "ruff-performance")
    (file_level,) = by_source(ledger, "test-changes")
    assert (shell.record.rule, shell.record.start_line, shell.inline) == ("B602", 9, True)
    assert (loop.record.rule, loop.record.file, loop.inline) == ("PERF401", "lib.py", True)
    assert file_level.record.level == "file" and not file_level.inline
    assert outputs == {"must_fix": "1", "should_fix": "2", "nit": "0",
                       "sarif": str(tmp_path / "out.sarif"), "published": "true",
                       "publish_error": ""}
    posted = len(github_fake.state.review_comments)

    # (2) fix the shell line, insert lines above the loop, touch app.py (file-level) again
    app, lib = repo / "app.py", repo / "lib.py"
    app.write_text(app.read_text().replace(SHELL_LINE, SAFE_LINE))
    lib.write_text('"""Helpers for totals."""\n\n' + lib.read_text())
    before = commit(repo, "no shell; a docstring")
    second, outputs = next_push(repo, github_fake, tmp_path, before)
    assert second.returncode == 0, second.stdout + second.stderr
    ledger = check_converged(github_fake, outputs)
    assert ledger.findings[shell.fingerprint].state == "fixed"
    assert ledger.findings[loop.fingerprint].state == "open"  # moved, not re-posted
    assert [p.state for p in by_source(ledger, "test-changes")] == ["open"]  # not twice
    # the new line has a finding of its own (bandit B603, a nit): the only new comment
    (new,) = [p for p in ledger.findings.values() if p.fingerprint not in
              {shell.fingerprint, loop.fingerprint, file_level.fingerprint}]
    assert (new.record.rule, new.record.start_line, new.state) == ("B603", 9, "open")
    assert len(github_fake.state.review_comments) == posted + 1
    shell_thread = github_fake.thread_of(shell.comment_id)["id"]
    assert github_fake.thread_changes == [(shell_thread, True)]
    loop_comment = next(c for c in github_fake.state.review_comments
                        if c["id"] == loop.comment_id)
    assert loop_comment["line"] == loop.line + 2  # GitHub moved it with its code
    assert (outputs["must_fix"], outputs["should_fix"], outputs["nit"]) == ("0", "2", "1")

    # (3) the shell line comes back
    app.write_text(app.read_text().replace(SAFE_LINE, SHELL_LINE))
    before = commit(repo, "shell again")
    third, outputs = next_push(repo, github_fake, tmp_path, before)
    assert third.returncode == 1, third.stdout + third.stderr
    ledger = check_converged(github_fake, outputs)
    assert ledger.findings[shell.fingerprint].state == "open"  # reopened
    assert ledger.findings[new.fingerprint].state == "fixed"
    assert len(github_fake.state.review_comments) == posted + 1  # nothing re-posted
    new_thread = github_fake.thread_of(new.comment_id)["id"]
    assert github_fake.thread_changes == [(shell_thread, True), (new_thread, True),
                                          (shell_thread, False)]
    assert (outputs["must_fix"], outputs["should_fix"], outputs["nit"]) == ("1", "2", "0")


def test_a_force_push_between_diff_and_post_is_reported_not_a_crash(repo: Path,
                                                                     tmp_path: Path,
                                                                     github_fake) -> None:
    show_pr(github_fake, repo)
    # GitHub's PR moved on to another head (force-pushed) before this run posts
    github_fake.push(PR_REPO, PR_NUMBER, git(repo, "diff", "main...HEAD") + "\n",
                     head_sha="f" * 40, force=True)
    done, outputs = review(repo, tmp_path, github_fake, "opened")
    assert done.returncode == 1, done.stdout + done.stderr  # the findings, not a crash (3)
    assert outputs["must_fix"] == "1"
    job_summary = (tmp_path / "summary.md").read_text()
    assert "head moved" in job_summary and "`app.py:9`" in job_summary
    assert "B602" in (tmp_path / "out.sarif").read_text()
    assert github_fake.state.review_comments == []
    assert "::error file=app.py,line=9" in done.stdout


def test_unreadable_markers_never_crash(tmp_path: Path) -> None:
    """A body of ours that someone edited into nonsense is just not a marker."""
    bad = {"id": 1, "path": "a.py", "line": 1, "user": fakes.BOT,
           "body": "x\n<!-- reviewloop:finding AAAA " + "0" * 64 + " -->"}
    assert read_state([bad], [], [], KEY).findings == {}
