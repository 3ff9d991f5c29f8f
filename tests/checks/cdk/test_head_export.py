"""PR mode reviews an export of the head commit, which has no `node_modules`: the export links
the checkout's installed packages, so the CDK CLI and cdk-nag run there as in the working
tree (they once reported "no CDK CLI" for every `--head` review). Real npm ci, real synth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cdk_app import CHANGED_STACK, STACK_FILE, cdk_repo
from tests.support.gitutil import git
from tests.support.review_cli import review

pytestmark = [pytest.mark.npm, pytest.mark.pypi]  # the fixture's npm ci; checkov


def test_a_head_review_synthesizes_the_app_with_the_checkouts_packages(
        tmp_path: Path, iac_tools: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(iac_tools))
    root = cdk_repo(tmp_path / "app")
    (root / STACK_FILE).write_text(CHANGED_STACK)
    git(root, "commit", "-qam", "the change")
    done = review(root, "--base", "main", "--head", "work", "--tests", "--json",
                  "--fail-on", "never")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    cdk = {h["name"]: h for h in report["health"]["analyzers"] if h["name"].startswith("cdk-")}
    assert {h["status"] for h in cdk.values()} == {"ok"}, cdk
    rules = {f["rule"] for group in ("remaining", "nits") for f in report["findings"][group]}
    assert {"AwsSolutions-SQS2", "AwsSolutions-EC23"} <= rules, rules  # cdk-nag in the export
