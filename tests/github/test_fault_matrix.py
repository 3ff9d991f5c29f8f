"""Issue #23's GitHub fault matrix: `reviewloop review --github` against the loopback GitHub
fake (REST checked against GitHub's OpenAPI, GraphQL against its schema) with GitHub failing
on each kind of write PR mode makes — the review, single inline comments, the summary
comment's create and update, the edit that marks a comment fixed, the thread resolution —
and on its reads, by repeated 5xx, a timeout, a 403 and a 401.

For every fault: the SARIF, the job summary and the step outputs are written, with the PR's
true counts and `published=false` + `publish_error`, and the exit code says so (1 when
findings block, else 4). Then the fault clears and the same run again leaves the pull request
exactly as a run that never met a fault: every finding posted once, in its state, its thread
resolved or not, one summary — 0 lost, 0 duplicated.

Real git repositories, the real analyzers (no model: bandit, ruff, test-changes), the client's
retry waits recorded by the fake instead of slept.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from reviewloop.app import pull_request
from reviewloop.app.review import ReviewOptions
from reviewloop.cli.review import emit
from reviewloop.cli.terminal import terminal
from reviewloop.config import load_settings
from reviewloop.github.client import GitHubClient
from reviewloop.github.markers import read_marker
from reviewloop.github.posted import read_state
from reviewloop.github.threads import Identity
from tests.support import github as fakes
from tests.support.github import HANG, GitHubFake
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

PULL = f"/repos/{PR_REPO}/pulls/{PR_NUMBER}"
ISSUE = f"/repos/{PR_REPO}/issues/{PR_NUMBER}"
TIMEOUT_S = 1.0  # the client's timeout: a HANG outage is never answered, so it always fires


# --- one Actions run, in process ----------------------------------------------------------


@dataclass(frozen=True)
class Run:
    code: int
    outputs: dict[str, str]
    job_summary: str
    sarif: dict | None


def review(root: Path, tmp: Path, gh: GitHubFake, action: str, *, head_repo: str = PR_REPO,
           **extra) -> Run:
    """One `reviewloop review --github --sarif …` for `action` (`head_repo`: where the PR's
    head lives, another repository for a fork's PR); every file it leaves read."""
    payload = json.loads((EVENTS / f"pull_request.{action}.json").read_text())
    payload["pull_request"]["base"]["sha"] = git(root, "rev-parse", "main")
    payload["pull_request"]["head"]["sha"] = git(root, "rev-parse", "HEAD")
    payload["pull_request"]["head"]["repo"] = {"full_name": head_repo}
    payload.update(extra)
    (tmp / "event.json").write_text(json.dumps(payload))
    for name in ("outputs.txt", "summary.md"):
        (tmp / name).write_text("")
    (tmp / "out.sarif").unlink(missing_ok=True)
    env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
           "GITHUB_EVENT_PATH": str(tmp / "event.json"), "GITHUB_API_URL": gh.url,
           "GITHUB_TOKEN": "ghs_test", "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
           "GITHUB_OUTPUT": str(tmp / "outputs.txt"), "PATH": os.environ["PATH"]}
    code = pull_request.run(_settings(env), root, ReviewOptions(sarif=tmp / "out.sarif"),
                            out=terminal(), show=emit, env=env, client=_client(gh))
    sarif = tmp / "out.sarif"
    return Run(code, dict(line.split("=", 1) for line in
                          (tmp / "outputs.txt").read_text().splitlines()),
               (tmp / "summary.md").read_text(),
               json.loads(sarif.read_text()) if sarif.exists() else None)


def _settings(env: Mapping[str, str]):
    return lambda root, config_file: load_settings(root, environ=env, config_file=config_file)


def _client(gh: GitHubFake) -> Callable[[Mapping[str, str]], GitHubClient]:
    return lambda env: GitHubClient(env["GITHUB_TOKEN"], base_url=env["GITHUB_API_URL"],
                                    sleep=gh.sleeps.append, timeout=TIMEOUT_S)


# --- the pull request: two pushes ---------------------------------------------------------


def opened(root: Path, tmp: Path, gh: GitHubFake, head_repo: str = PR_REPO
           ) -> Callable[[], Run]:
    """The PR as opened; the run that reviews it (call it again to re-run)."""
    show_pr(gh, root)
    return lambda: review(root, tmp, gh, "opened", head_repo=head_repo)


def fixing_push(root: Path, tmp: Path, gh: GitHubFake, head_repo: str = PR_REPO
                ) -> Callable[[], Run]:
    """A push that drops shell=True: B602 becomes fixed, its replacement line brings
    bandit's B603 (a nit). Nothing blocks after it."""
    app = root / "app.py"
    app.write_text(app.read_text().replace(SHELL_LINE, SAFE_LINE))
    before = git(root, "rev-parse", "HEAD")
    git(root, "commit", "-qam", "no shell")
    after = git(root, "rev-parse", "HEAD")
    gh.push(PR_REPO, PR_NUMBER, _diff(root, "main...HEAD"), head_sha=after,
            moved_by=_diff(root, before, "HEAD"))
    return lambda: review(root, tmp, gh, "synchronize", head_repo=head_repo, before=before,
                          after=after)


def _diff(root: Path, *args: str) -> str:
    return git(root, "diff", *args) + "\n"


def pr_view(gh: GitHubFake) -> dict:
    """The pull request as the next run rebuilds it from the markers, with everything a lost
    or a doubled write would change: each finding once, its state and place, its thread,
    one summary with the open counts, how many reviews and comments exist."""
    state = read_state([fakes._public(c) for c in gh.state.review_comments],
                       [fakes._public(r) for r in gh.state.reviews],
                       [fakes._public(c) for c in gh.state.issue_comments], KEY,
                       identity=Identity("github-actions", fakes.BOT["id"]))
    assert state.duplicate_comments == []
    fps = [read_marker(c["body"], KEY, "finding").data["f"]["fp"]
           for c in gh.state.review_comments]
    assert len(fps) == len(set(fps)), "a finding was commented on twice"
    (summary,) = summaries(gh)
    marker = read_marker(summary["body"], KEY, "summary").data
    return {
        "findings": {fp: (p.record.rule, p.state, p.inline)
                     for fp, p in state.findings.items()},
        "threads": {p.fingerprint: gh.thread_of(p.comment_id)["resolved"]
                    for p in state.findings.values() if p.inline},
        "summary_open": marker["open"], "summary_fixed": sorted(marker["fixed"]),
        "reviews": len(gh.state.reviews), "comments": len(gh.state.review_comments),
        "issue_comments": len(gh.state.issue_comments),
    }


@dataclass(frozen=True)
class Reference:
    """What each push leaves when GitHub never fails."""

    runs: tuple[Run, Run]
    views: tuple[dict, dict]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Reference:
    tmp = tmp_path_factory.mktemp("reference")
    root = make_findings_repo(tmp / "repo")
    with GitHubFake() as gh:
        first = opened(root, tmp, gh)()
        view1 = pr_view(gh)
        second = fixing_push(root, tmp, gh)()
        view2 = pr_view(gh)
        assert gh.violations == []
    assert (first.code, second.code) == (1, 0)
    assert first.outputs == {"must_fix": "1", "should_fix": "2", "nit": "0",
                             "sarif": str(tmp / "out.sarif"), "published": "true",
                             "publish_error": ""}
    assert (second.outputs["must_fix"], second.outputs["nit"]) == ("0", "1")
    assert sorted(r for r, state, _ in view2["findings"].values() if state == "fixed") == \
        ["B602"]
    assert list(view2["threads"].values()).count(True) == 1  # B602's thread resolved
    return Reference((first, second), (view1, view2))


# --- the matrix ---------------------------------------------------------------------------

REFUSED = {"message": "Resource not accessible by integration"}
BAD_ANCHOR = {"message": "Unprocessable Entity", "errors": ["Line could not be resolved"]}


@dataclass(frozen=True)
class Fault:
    """GitHub failing on one kind of request during push `push` (0: opened, 1: the fixing
    push); `said`: what `publish_error` must contain."""

    push: int
    outages: tuple[tuple[int, str, dict | None], ...]  # (status or HANG, match, body)
    said: str
    fallback: bool = False  # a designed fallback: the exit code stays the findings'
    headers: dict[str, str] | None = None  # on every failing answer
    fork: bool = False  # the PR's head in another repository (a read-only token expected)


FORK = "octocat/Hello-World-fork"


FAULTS = {
    "review POST 502": Fault(0, ((502, f"POST {PULL}/reviews", None),), "HTTP 502"),
    "review POST timeout": Fault(0, ((HANG, f"POST {PULL}/reviews", None),),
                                 "cannot reach GitHub"),
    # a fork's PR: its token is read-only by design
    "review POST 403 on a fork's PR": Fault(0, ((403, f"POST {PULL}/reviews", REFUSED),),
                                            "HTTP 403", fallback=True, fork=True),
    # the repository's own PR: a token that may not write is the workflow's fault (exit 4)
    "review POST 403 on the repository's own PR": Fault(
        1, ((403, f"POST {PULL}/reviews", REFUSED),), "permissions: pull-requests: write"),
    # a rate limit answered 403 is a rate limit (as 429 is), not a read-only token
    "review POST 403 secondary rate limit": Fault(
        0, ((403, f"POST {PULL}/reviews",
             {"message": "You have exceeded a secondary rate limit."}),),
        "secondary rate limit", headers={"retry-after": "600"}),
    "summary POST 403 primary rate limit": Fault(
        0, ((403, f"POST {ISSUE}/comments", {"message": "API rate limit exceeded"}),),
        "wait", headers={"x-ratelimit-remaining": "0",
                         "x-ratelimit-reset": "4102444800"}),  # 2100: past any cap
    "inline comment POST 502": Fault(0, ((422, f"POST {PULL}/reviews", BAD_ANCHOR),
                                         (502, f"POST {PULL}/comments", None)), "HTTP 502"),
    "summary comment POST 502": Fault(0, ((502, f"POST {ISSUE}/comments", None),),
                                      "HTTP 502"),
    "reads 502": Fault(0, ((502, f"GET {PULL}/comments", None),), "HTTP 502"),
    "every call 401": Fault(0, ((401, "/", {"message": "Bad credentials"}),), "HTTP 401"),
    "second review POST 502": Fault(1, ((502, f"POST {PULL}/reviews", None),), "HTTP 502"),
    "comment PATCH 502": Fault(1, ((502, f"PATCH /repos/{PR_REPO}/pulls/comments/", None),),
                               "HTTP 502"),
    "thread resolve 502": Fault(1, ((502, "POST /graphql mutation", None),), "HTTP 502"),
    "threads query 502": Fault(1, ((502, "POST /graphql query", None),), "HTTP 502"),
    "summary comment PATCH 502": Fault(
        1, ((502, f"PATCH /repos/{PR_REPO}/issues/comments/", None),), "HTTP 502"),
    "summary comment PATCH timeout": Fault(
        1, ((HANG, f"PATCH /repos/{PR_REPO}/issues/comments/", None),),
        "cannot reach GitHub"),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_outputs_survive_the_fault_and_a_rerun_converges(name: str, tmp_path: Path,
                                                         github_fake: GitHubFake,
                                                         reference: Reference) -> None:
    fault, gh = FAULTS[name], github_fake
    root = make_findings_repo(tmp_path / "repo")
    head_repo = FORK if fault.fork else PR_REPO
    rerun = opened(root, tmp_path, gh, head_repo)
    if fault.push == 1:
        assert rerun().code == 1
        rerun = fixing_push(root, tmp_path, gh, head_repo)
    for status, match, body in fault.outages:
        gh.outage(status, match=match, body=body, headers=fault.headers)

    failed = rerun()
    want = reference.runs[fault.push]
    blocks = want.code == 1
    assert failed.code == (want.code if fault.fallback or blocks else 4), failed
    # the PR's counts, as a run that published would give them
    assert {k: failed.outputs[k] for k in ("must_fix", "should_fix", "nit")} == \
        {k: want.outputs[k] for k in ("must_fix", "should_fix", "nit")}
    assert failed.outputs["published"] == "false"
    assert fault.said in failed.outputs["publish_error"]
    # the push's findings (all of the PR's when what was posted could not be read)
    assert set(_rules(want.sarif)) <= set(_rules(failed.sarif))
    assert (("cannot write to this pull request" if fault.fallback
             else "Not published to the pull request") in failed.job_summary)
    assert "`app.py:9`" in failed.job_summary  # B602: open, or fixed by the second push

    gh.heal()
    again = rerun()
    assert (again.code, again.outputs["published"], again.outputs["publish_error"]) == \
        (want.code, "true", "")
    assert {k: v for k, v in again.outputs.items() if k != "sarif"} == \
        {k: v for k, v in want.outputs.items() if k != "sarif"}
    assert pr_view(gh) == reference.views[fault.push]


def _rules(sarif: dict | None) -> list[str]:
    assert sarif is not None
    return sorted(r.get("ruleId", "") for run in sarif["runs"] for r in run["results"])
