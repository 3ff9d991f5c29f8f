"""Helpers shared by several test modules (from test_pr_mode.py)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from reviewloop.github.markers import read_marker, repository_key
from tests.support.repos import branch_repo

EVENTS = Path(__file__).parents[1] / "fixtures" / "github" / "events"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture(name="repo")
def feature_repo(tmp_path: Path) -> Path:
    return make_feature_repo(tmp_path)


SHELL_LINE = "    return subprocess.call(cmd, shell=True)\n"
SAFE_LINE = "    return subprocess.call(list(cmd))\n"
LOOP = "    for i in items:\n        out.append(i * 2)\n"


APP = "import subprocess\n\n\ndef ok():\n    return 1\n"
LIB = "def total(items):\n    return sum(items)\n"


def make_findings_repo(root: Path) -> Path:
    """main, then `feature`: a shell=True call (bandit B602, must_fix), a loop ruff's
    PERF401 flags (should_fix), and no test for either (test-changes, file level)."""
    return branch_repo(root, {"app.py": APP, "lib.py": LIB}, {
        "app.py": APP + "\n\ndef run(cmd):\n" + SHELL_LINE,
        "lib.py": LIB + "\n\ndef doubled(items):\n    out = []\n" + LOOP + "    return out\n"},
        message="run and doubled")


def make_feature_repo(tmp_path: Path) -> Path:
    """main has app.py; the `feature` branch adds `subprocess.call(cmd, shell=True)`."""
    return branch_repo(tmp_path / "repo", {"app.py": APP},
                       {"app.py": APP + "\n\ndef run(cmd):\n" + SHELL_LINE}, message="add run")


def event(root: Path, tmp: Path, name: str, *, head_repo: str | None = None,
          **extra) -> Path:
    """The payload of `name` at the checkout's head, written to a file (`head_repo`: where
    the head lives, another repository for a fork's PR; by default the repository)."""
    payload = json.loads((EVENTS / f"pull_request.{name}.json").read_text())
    repo_name = payload["repository"]["full_name"]
    payload["pull_request"]["base"]["sha"] = git(root, "rev-parse", "main")
    payload["pull_request"]["head"]["sha"] = git(root, "rev-parse", "HEAD")
    payload["pull_request"]["head"]["repo"] = {"full_name": head_repo or repo_name}
    payload.update(extra)
    path = tmp / f"event-{name}.json"
    path.write_text(json.dumps(payload))
    return path


OPENED = json.loads((EVENTS / "pull_request.opened.json").read_text())


PR_REPO, PR_NUMBER = OPENED["repository"]["full_name"], OPENED["number"]


KEY = repository_key(OPENED["repository"]["id"])


def show_pr(gh, repo: Path, *, push: bool = False) -> None:
    """Tell the fake what the PR's diff and head are now, as GitHub would know them."""
    (gh.push if push else gh.open_pr)(PR_REPO, PR_NUMBER,
                                      git(repo, "diff", "main...HEAD") + "\n",
                                      head_sha=git(repo, "rev-parse", "HEAD"))


def posted_inline(gh) -> list[dict]:
    return [c for call in gh.calls_to("pulls/create-review")
            for c in call.body.get("comments", [])]


def summaries(gh) -> list[dict]:
    return [c for c in gh.state.issue_comments if read_marker(c["body"], KEY, "summary")]
