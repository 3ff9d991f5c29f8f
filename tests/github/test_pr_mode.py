"""`reviewloop review --github` end to end: real webhook payloads pointed at a real git repo,
the loopback GitHub fake (OpenAPI-validated) and the loopback Bedrock fake."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import jsonschema

from reviewloop.github.markers import read_marker
from reviewloop.review.definitions import builtin_names
from tests.support import warm_cli
from tests.support.bedrock import BedrockFake, tool_use
from tests.support.pr_mode import (
    KEY,
    event,
    feature_repo,  # noqa: F401 - the fixture `repo` here
    git,
    posted_inline,
    show_pr,
    summaries,
)

SARIF_SCHEMA = Path(__file__).parents[1] / "fixtures" / "schemas" / "sarif-2.1.0.json"
MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
REVIEWERS = builtin_names()  # from the registry, not copied


def run(root: Path, tmp: Path, event_path: Path, gh, bedrock) -> tuple[subprocess.CompletedProcess,
    dict]:
    outputs = tmp / "outputs.txt"
    outputs.write_text("")
    env = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
           "GITHUB_EVENT_PATH": str(event_path), "GITHUB_API_URL": gh.url,
           "GITHUB_TOKEN": "ghs_test", "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
           "GITHUB_OUTPUT": str(outputs), "REVIEWLOOP_MODEL": MODEL,
           "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": bedrock.url,
           "AWS_ENDPOINT_URL_BEDROCK": bedrock.url, "AWS_ACCESS_KEY_ID": "AKIDFAKE",
           "AWS_SECRET_ACCESS_KEY": "fake", "AWS_REGION": "us-east-1"}
    done = warm_cli.run(["review", "--sarif", str(tmp / "out.sarif")], root, env=env, timeout=120)
    values = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    return done, values


def script(bedrock: BedrockFake, findings: dict[str, list]) -> None:
    for name in REVIEWERS:
        bedrock.script(f"agent: {name}",
                       [tool_use("submit_findings", {"findings": findings.get(name, [])})])


SHELL = {"severity": "must_fix", "file": "app.py", "start_line": 9, "end_line": 9,
         "title": "shell=True runs a caller-supplied command", "rationale": "injection",
         "suggestion": "pass a list and drop shell=True", "confidence": 0.9}


def review_with(repo: Path, tmp_path: Path, gh, action: str, findings: dict, **extra):
    """One Actions run for `action` with scripted reviewers; (process, outputs, prompts)."""
    with BedrockFake() as bedrock:
        script(bedrock, findings)
        done, outputs = run(repo, tmp_path, event(repo, tmp_path, action, **extra), gh,
                            bedrock)
        prompts = [r.system_text() for r in bedrock.requests]
    return done, outputs, prompts


def opened(repo: Path, tmp_path: Path, gh, findings: dict):
    show_pr(gh, repo)
    return review_with(repo, tmp_path, gh, "opened", findings)


def pushed(repo: Path, tmp_path: Path, gh, findings: dict, before: str):
    show_pr(gh, repo, push=True)
    return review_with(repo, tmp_path, gh, "synchronize", findings, before=before,
                       after=git(repo, "rev-parse", "HEAD"))


def summary_marker(gh) -> dict:
    """The data of the summary comment's marker."""
    (summary,) = summaries(gh)
    marker = read_marker(summary["body"], KEY, "summary")
    assert marker is not None
    return marker.data


def fixed_comments(gh) -> list[dict]:
    """Inline comments whose own marker says fixed."""
    markers = [(c, read_marker(c["body"], KEY, "finding")) for c in gh.state.review_comments]
    return [c for c, m in markers if m is not None and m.data.get("st") == "fixed"]


def resolved_threads(gh) -> list[str]:
    return [t["id"] for t in gh.state.threads if t["resolved"]]


def test_opened_then_fixed_push_converges(repo: Path, tmp_path: Path, github_fake) -> None:
    first, outputs, _ = opened(repo, tmp_path, github_fake, {"review-security": [SHELL]})
    assert first.returncode == 1, first.stdout + first.stderr
    assert outputs["must_fix"] == "1"
    (review,) = github_fake.calls_to("pulls/create-review")
    assert [c["line"] for c in review.body["comments"]] == [9]
    assert read_marker(review.body["comments"][0]["body"], KEY, "finding")
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text()))
    assert "shell=True" in (tmp_path / "summary.md").read_text()
    # the one name branch protection requires, on every reviewed head (D14)
    assert github_fake.status_of(git(repo, "rev-parse", "HEAD")) == "failure"

    before = git(repo, "rev-parse", "HEAD")
    (repo / "app.py").write_text((repo / "app.py").read_text().replace(
        "subprocess.call(cmd, shell=True)", "subprocess.call(list(cmd))"))
    git(repo, "commit", "-qam", "no shell")
    second, outputs, prompts = pushed(repo, tmp_path, github_fake, {}, before)
    assert second.returncode == 0, second.stdout + second.stderr
    assert outputs["must_fix"] == "0"
    # Only the new commit was reviewed: its line is added, the first push's lines are context.
    assert all("+    return subprocess.call(list(cmd))" in p for p in prompts)
    assert not any("+def run(cmd):" in p for p in prompts)
    # nothing posted twice (the new line's own bandit nit, B603, is a new finding)
    inline = [c["body"].splitlines()[0] for c in posted_inline(github_fake)]
    assert len(inline) == len(set(inline)) and sum("bandit/B602" in c for c in inline) == 1
    (fixed,) = fixed_comments(github_fake)
    assert fixed["body"].startswith("✅ **Fixed**")
    assert resolved_threads(github_fake) == [github_fake.thread_of(fixed["id"])["id"]]
    assert len(summaries(github_fake)) == 1
    assert github_fake.status_of(git(repo, "rev-parse", "HEAD")) == "success"
    # the first run's writing the summary's own id into it, then the second run's update
    assert len(github_fake.calls_to("issues/update-comment")) == 2


def test_an_unrelated_push_does_not_clear_an_open_must_fix(repo: Path, tmp_path: Path,
                                                           github_fake) -> None:
    first, _, _ = opened(repo, tmp_path, github_fake, {"review-security": [SHELL]})
    assert first.returncode == 1
    before = git(repo, "rev-parse", "HEAD")
    (repo / "NOTES.md").write_text("unrelated\n")
    git(repo, "add", "NOTES.md")
    git(repo, "commit", "-qm", "notes")
    second, _, _ = pushed(repo, tmp_path, github_fake, {}, before)
    assert second.returncode == 1, second.stdout + second.stderr
    assert "1 finding(s) at or above must_fix are open on this pull request" in \
        second.stderr
    # this push's own review found nothing; the comment judges the PR, headline and verdict
    (summary,) = summaries(github_fake)
    assert summary["body"].startswith("**Open on this pull request: ")
    assert "**Verdict:** findings remain" in summary["body"]
    assert fixed_comments(github_fake) == [] and resolved_threads(github_fake) == []


def test_a_read_only_fork_token_falls_back_to_annotations(repo: Path, tmp_path: Path,
                                                          github_fake) -> None:
    github_fake.fail_next(403, match="POST", times=5,
                          body={"message": "Resource not accessible by integration"})
    show_pr(github_fake, repo)
    done, outputs, _ = review_with(repo, tmp_path, github_fake, "opened",
                                   {"review-security": [SHELL]}, head_repo="someone/fork")
    assert done.returncode == 1, done.stdout + done.stderr  # still blocks: nothing is lost
    # bandit's B602 anchors the finding the security reviewer also reported
    assert "::error file=app.py,line=9,endLine=9,title=reviewloop review-security B602::" in \
        done.stdout
    assert "cannot write to this pull request" in done.stderr
    assert outputs["must_fix"] == "1"
    assert "shell=True" in (tmp_path / "summary.md").read_text()
    assert github_fake.calls_to("repos/create-commit-status") == []  # a read-only token


def test_a_status_the_token_may_not_set_is_a_warning_with_the_fix(repo: Path, tmp_path: Path,
                                                                  github_fake) -> None:
    """A workflow written before the status needed `statuses: write`: the review is published
    and its exit code kept; the missing status is said with the fix (a branch protection
    requiring it keeps waiting, so nothing merges unreviewed)."""
    github_fake.outage(403, match="/statuses/", body={
        "message": "Resource not accessible by integration"})
    done, outputs, _ = opened(repo, tmp_path, github_fake, {})
    assert done.returncode == 1, done.stdout + done.stderr  # the PR's blocking bandit finding
    assert outputs.get("published") != "false"
    assert "`reviewloop` commit status could not be set" in done.stderr
    assert "statuses: write" in done.stderr
    assert len(summaries(github_fake)) == 1  # the review itself was published


def test_force_push_reviews_the_whole_pr_and_reopened_posts_no_duplicates(
        repo: Path, tmp_path: Path, github_fake) -> None:
    opened(repo, tmp_path, github_fake, {"review-security": [SHELL]})
    before = git(repo, "rev-parse", "HEAD")
    (repo / "app.py").write_text((repo / "app.py").read_text() + "# amended\n")
    git(repo, "commit", "-q", "-a", "--amend", "-m", "add run (amended)")  # history rewritten
    forced, _, prompts = pushed(repo, tmp_path, github_fake, {"review-security": [SHELL]},
                                before)
    assert forced.returncode == 1
    assert all("+def run(cmd):" in p for p in prompts)  # the whole PR again, not a range

    reopened, _, _ = review_with(repo, tmp_path, github_fake, "reopened",
                                 {"review-security": [SHELL]})
    assert reopened.returncode == 1
    assert len(posted_inline(github_fake)) == 1  # the same finding is never posted twice
    assert len(summaries(github_fake)) == 1


def test_a_push_after_a_review_that_left_a_file_unread_reviews_the_whole_pr_again(
        repo: Path, tmp_path: Path, github_fake) -> None:
    """A push that does not touch the file an earlier review could not parse must not
    judge the PR as if that file were read: the summary's marker says the review was not
    whole, and the next push diffs from the PR's base again, naming the file."""
    (repo / "broken.py").write_text("def broken(:\n    pass\n")
    git(repo, "add", "broken.py")
    git(repo, "commit", "-qm", "broken")
    first, _, _ = opened(repo, tmp_path, github_fake, {})
    assert first.returncode == 1, first.stdout + first.stderr
    assert summary_marker(github_fake)["whole"] is False
    before = git(repo, "rev-parse", "HEAD")
    (repo / "NOTES.md").write_text("unrelated\n")
    git(repo, "add", "NOTES.md")
    git(repo, "commit", "-qm", "notes")
    second, _, prompts = pushed(repo, tmp_path, github_fake, {}, before)
    assert second.returncode == 1, second.stdout + second.stderr
    assert prompts and all("def broken(:" in p for p in prompts)  # the whole PR again
    (summary,) = summaries(github_fake)
    assert "broken.py" in summary["body"] and "not analysed" in summary["body"]
    assert summary_marker(github_fake)["whole"] is False


def test_a_whole_review_marks_its_summary_so_the_next_push_reviews_only_what_is_new(
        repo: Path, tmp_path: Path, github_fake) -> None:
    opened(repo, tmp_path, github_fake, {"review-security": [SHELL]})
    assert summary_marker(github_fake)["whole"] is True
