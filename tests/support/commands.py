"""A pull request that comment commands act on, end to end: a bare "origin" holding `main`
and the PR's branch (and `refs/pull/N/head`, as GitHub keeps it), the PR on the GitHub fake
following that branch, a clone where the PR's review job runs (at the head) and a clone
where the command job runs (the default branch, as `issue_comment` checks it out), the
loopback Bedrock fake behind the real boto3 stack, and the CLI run as Actions runs it.

The PR adds two `shell=True` calls far apart in `app.py`: bandit's B602, two 🔴 must_fix
findings that are two fix groups. Its test change keeps the test-changes analyzer quiet.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from reviewloop.github.markers import read_marker, repository_key
from tests.support import warm_cli
from tests.support.bedrock import BedrockFake, text, tool_use
from tests.support.github import GitHubFake
from tests.support.gitutil import git
from tests.support.loop_cli import MODEL, REVIEWERS, fake_env
from tests.support.pr_mode import EVENTS
from tests.support.repos import branch_repo

REPO, NUMBER, REPO_ID = "octo/fixme", 7, 4242
KEY = repository_key(REPO_ID)
MAINTAINER = {"login": "maintainer", "id": 501, "type": "User"}
OUTSIDER = {"login": "drive-by", "id": 502, "type": "User"}
SHELL = "    return subprocess.call(cmd, shell=True)\n"
SAFE = "    return cmd.split()\n"
GAP = "".join(f"\n\ndef pad{n}():\n    return {n}\n" for n in range(3))
BASE_APP = "import subprocess\n\n\ndef ok():\n    return 1\n"


def app(first: str = SHELL, second: str = SHELL) -> str:
    return (BASE_APP + "\n\ndef run(cmd):\n" + first + GAP + "\n\ndef run_again(cmd):\n"
            + second)


TEST = ("from app import ok\n\n\ndef test_ok():\n    assert ok() == 1\n")
PR_TEST = TEST + "\n\ndef test_ok_again():\n    assert ok() == 1\n"


def seed(tmp: Path) -> tuple[Path, str, str]:
    """The bare origin: (path, main's sha, the PR head's sha)."""
    work = branch_repo(tmp / "seed", {
        "app.py": BASE_APP, "tests/test_app.py": TEST, "conftest.py": "",
        ".reviewloop.toml": f'[gates]\nbuild = []\ntest = ["{sys.executable} -m pytest -q -p '
                            'no:cacheprovider"]\n\n[review]\ncache_warm = false\n'},
        {"app.py": app(), "tests/test_app.py": PR_TEST}, message="add run and run_again")
    base, head = (git(work, "rev-parse", ref).strip() for ref in ("main", "HEAD"))
    bare = tmp / "origin.git"
    git(tmp, "clone", "-q", "--bare", str(work), str(bare))
    git(bare, "update-ref", f"refs/pull/{NUMBER}/head", head)
    return bare, base, head


@dataclass
class PullRequestWorld:
    """The PR, its remote and its two jobs' checkouts; `env` runs the CLI against both fakes."""

    tmp: Path
    github: GitHubFake
    bedrock: BedrockFake
    origin: Path
    base: str
    head: str
    fork: bool = False
    events: list[Path] = field(default_factory=list)

    def open(self) -> None:
        diff = git(self.origin, "diff", f"{self.base}...{self.head}")
        self.github.open_pr(REPO, NUMBER, diff, head_sha=self.head, repository_id=REPO_ID)
        pr = self.github.prs[(REPO, NUMBER)]
        pr.base_sha, pr.head_ref = self.base, "feature"
        pr.head_repo = "someone/fixme" if self.fork else None
        self.github.remotes[REPO] = self.origin
        self.github.permissions["maintainer"] = "write"

    def clone(self, name: str, ref: str | None = None) -> Path:
        target = self.tmp / name
        if not target.exists():
            git(self.tmp, "clone", "-q", str(self.origin), str(target))
        if ref is not None:
            git(target, "fetch", "-q", "origin", f"refs/pull/{NUMBER}/head")
            git(target, "checkout", "-q", "--detach", ref)
        return target

    def env(self, event_name: str, event: Path) -> dict[str, str]:
        outputs = self.tmp / "outputs.txt"
        outputs.touch()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("REVIEWLOOP_",
                                                                        "AWS_", "GITHUB_"))}
        return env | fake_env(self.bedrock) | {
            "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event_name,
            "GITHUB_EVENT_PATH": str(event), "GITHUB_API_URL": self.github.url,
            "GITHUB_TOKEN": "ghs_test", "GITHUB_STEP_SUMMARY": str(self.tmp / "summary.md"),
            "GITHUB_OUTPUT": str(outputs), "REVIEWLOOP_MODEL": MODEL,
            "GIT_AUTHOR_NAME": "reviewloop", "GIT_AUTHOR_EMAIL": "bot@example.com",
            "GIT_COMMITTER_NAME": "reviewloop", "GIT_COMMITTER_EMAIL": "bot@example.com"}

    def review(self) -> subprocess.CompletedProcess:
        """The PR workflow's run on `opened`, in a checkout of the head."""
        payload = json.loads((EVENTS / "pull_request.opened.json").read_text())
        payload["repository"] |= {"full_name": REPO, "id": REPO_ID}
        payload["number"] = NUMBER
        pull = payload["pull_request"]
        pull["number"] = NUMBER
        pull["base"] |= {"sha": self.base, "ref": "main"}
        pull["head"] |= {"sha": self.head, "ref": "feature",
                         "repo": {"full_name": "someone/fixme" if self.fork else REPO}}
        event = self._write("pull_request", payload)
        return run_cli(self.clone("pr-job", self.head), self.env("pull_request", event))

    def command(self, body: str, user: dict[str, Any], *, extra: dict[str, str] | None = None,
                review_comment: bool = False, comment: dict[str, Any] | None = None,
                without: tuple[str, ...] = (), args: tuple[str, ...] = ()
                ) -> subprocess.CompletedProcess:
        """`body` commented by `user` (posted on the fake), and the command job's run (its
        environment plus `extra`, minus the names in `without`; `review` plus `args`)."""
        job = self.start_command(body, user, extra=extra, review_comment=review_comment,
                                 comment=comment, without=without, args=args)
        out, err = job.communicate(timeout=600)
        return subprocess.CompletedProcess(job.args, job.returncode, out, err)

    def start_command(self, body: str, user: dict[str, Any], *,
                      extra: dict[str, str] | None = None, review_comment: bool = False,
                      comment: dict[str, Any] | None = None, without: tuple[str, ...] = (),
                      args: tuple[str, ...] = ()) -> warm_cli.Process | subprocess.Popen:
        """`command`, started in the background."""
        posted = comment or self.github.add_issue_comment(REPO, NUMBER, body, user=user)
        name = "pull_request_review_comment" if review_comment else "issue_comment"
        event = self._write(name, comment_payload(name, posted))
        env = {k: v for k, v in (self.env(name, event) | (extra or {})).items()
               if k not in without}
        return warm_cli.popen(["review", *args], self.clone("command-job"), env=env)

    def _write(self, name: str, payload: dict[str, Any]) -> Path:
        path = self.tmp / f"event-{len(self.events)}-{name}.json"
        path.write_text(json.dumps(payload))
        self.events.append(path)
        return path


@pytest.fixture
def world(tmp_path: Path) -> Iterator[PullRequestWorld]:
    """A PR with its remote and both fakes; every reviewer answers clean (twelve times)."""
    origin, base, head = seed(tmp_path)
    with BedrockFake() as bedrock, GitHubFake() as github:
        pr = PullRequestWorld(tmp_path, github, bedrock, origin, base, head)
        pr.open()
        for name in REVIEWERS:
            bedrock.script(f"agent: {name}", clean_review(12))
        yield pr
        assert github.violations == []


def comment_payload(name: str, comment: dict[str, Any]) -> dict[str, Any]:
    """The real example payload of `name`, made about our PR and `comment`."""
    payload = json.loads((EVENTS / f"{name}.created.json").read_text())
    payload["repository"] |= {"full_name": REPO, "id": REPO_ID}
    payload["comment"] |= {"id": comment["id"], "body": comment["body"],
                           "user": comment["user"],
                           "author_association": comment.get("author_association", "NONE")}
    if name == "issue_comment":
        payload["issue"] |= {"number": NUMBER, "pull_request": {
            "url": f"https://api.github.com/repos/{REPO}/pulls/{NUMBER}"}}
    else:
        payload["pull_request"]["number"] = NUMBER
    return payload


def run_cli(root: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return warm_cli.run(["review"], root, env=env, timeout=600)


def clean_review(times: int = 1) -> list:
    return [tool_use("submit_findings", {"findings": []}) for _ in range(times)]


def fixer_writes(content: str, gate: threading.Event | None = None) -> list:
    """A fixer conversation: it writes app.py as `content` (once `gate` is set, when
    given), then says it is done."""
    return [tool_use("write_file", {"path": "app.py", "content": content}, gate=gate),
            text("fixed")]


def finding_ids(github: GitHubFake) -> list[str]:
    """The fingerprints of the findings posted inline, in comment order."""
    out = []
    for comment in github.state.review_comments:
        marker = read_marker(comment["body"], KEY, "finding")
        if marker is not None:
            out.append(marker.data["f"]["fp"])
    return out


def replies(github: GitHubFake) -> list[str]:
    """The bodies of the bot's issue comments other than the summary."""
    return [c["body"] for c in github.state.issue_comments
            if c["user"]["type"] == "Bot" and read_marker(c["body"], KEY, "summary") is None]
