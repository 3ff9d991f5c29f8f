"""PR mode reviews an export of the head commit, which has no `node_modules`: the export links
the checkout's installed packages, so the CDK CLI and cdk-nag run there as in the working
tree (they once reported "no CDK CLI" for every `--head` review). A CDK pull request that opens
SSH to the world fails the must-fix gate. Real npm ci, real synth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cdk_app import CHANGED_STACK, STACK_FILE, cdk_repo
from tests.support.gitutil import git
from tests.support.review_cli import review

pytestmark = [pytest.mark.npm, pytest.mark.pypi]  # the fixture's npm ci; checkov
SSH = "    admin.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22), 'ssh from anywhere');\n"


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


def test_a_head_review_that_opens_ssh_on_an_existing_group_fails_the_must_fix_gate(
        tmp_path: Path, iac_tools: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the ingress rule is its own line; checkov and cdk-nag report it on the security group's
    # construct, which the change did not write: only the base's synth tells it is new
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(iac_tools))
    root = cdk_repo(tmp_path / "app")
    (root / STACK_FILE).write_text(CHANGED_STACK.replace(SSH, ""))
    git(root, "commit", "-qam", "the stack, its admin group closed")
    git(root, "switch", "-qc", "feature")
    (root / STACK_FILE).write_text(CHANGED_STACK)
    git(root, "commit", "-qam", "open ssh")

    done = review(root, "--base", "work", "--head", "feature", "--tests", "--json",
                  "--fail-on", "must_fix")

    assert done.returncode == 1, done.stderr[-2000:]
    remaining = json.loads(done.stdout)["findings"]["remaining"]
    ssh = {f["rule"]: f for f in remaining if f["rule"] in ("CKV_AWS_24", "AwsSolutions-EC23")}
    assert set(ssh) == {"CKV_AWS_24", "AwsSolutions-EC23"}, [f["rule"] for f in remaining]
    assert ssh["CKV_AWS_24"]["severity"] == "must_fix" and ssh["CKV_AWS_24"]["introduced"]
    assert not {f["rule"] for f in remaining} & {"CKV_AWS_27", "AwsSolutions-SQS2"}  # the base's
