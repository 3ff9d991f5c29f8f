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

# What makes it slow is what it checks: one review of both sides, each exported and
# synthesized in the sandbox (the CDK CLI, npx and the TypeScript app loading aws-cdk-lib and
# cdk-nag: ~6 s of CPU a synth, one after the other, the base's needed to tell the ingress
# rule is new) and its templates read by checkov (two runs). Measured outside pytest with
# `/usr/bin/time python -m reviewloop review --base work --head feature --tests --json` on
# this repository: 19.5 s user + 2.4 s sys (checkov cold), 77 s of wall at load 13 on two
# cores; the last session's cgroup count was 35 s of CPU. `review`'s usual 180 s guard is
# sized for reviews of a few seconds of CPU: at load 22 this one's share of two cores
# (~1/11 of one) needs ~240–390 s. So its guard is proportionate to its CPU (as 180 s is to
# ~4 s), and pytest's own hang guard above it; nothing it checks is dropped.
GUARD = 900
pytestmark = [pytest.mark.npm, pytest.mark.pypi,  # the fixture's npm ci; checkov
              pytest.mark.timeout(GUARD + 300)]
SSH = "    admin.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22), 'ssh from anywhere');\n"


@pytest.mark.long(seconds=36)
def test_a_head_review_synthesizes_with_the_checkouts_packages_and_opening_ssh_fails_the_gate(
        tmp_path: Path, iac_tools: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # One review, both sides exported: a head review against the fixture app's own commit
    # checked the same export and synth (its cdk analyzers ok, cdk-nag's rules reported), at
    # four synths for the two. The ingress rule is its own line; checkov and cdk-nag report
    # it on the security group's construct, which the change did not write: only the base's
    # synth tells it is new.
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(iac_tools))
    root = cdk_repo(tmp_path / "app")
    (root / STACK_FILE).write_text(CHANGED_STACK.replace(SSH, ""))
    git(root, "commit", "-qam", "the stack, its admin group closed")
    git(root, "switch", "-qc", "feature")
    (root / STACK_FILE).write_text(CHANGED_STACK)
    git(root, "commit", "-qam", "open ssh")

    done = review(root, "--base", "work", "--head", "feature", "--tests", "--json",
                  "--fail-on", "must_fix", guard=GUARD)

    assert done.returncode == 1, done.stderr[-2000:]
    report = json.loads(done.stdout)
    # the CDK CLI and cdk-nag ran in the export (they once said "no CDK CLI" there)
    cdk = {h["name"]: h for h in report["health"]["analyzers"] if h["name"].startswith("cdk-")}
    assert cdk and {h["status"] for h in cdk.values()} == {"ok"}, cdk
    remaining = report["findings"]["remaining"]
    ssh = {f["rule"]: f for f in remaining if f["rule"] in ("CKV_AWS_24", "AwsSolutions-EC23")}
    assert set(ssh) == {"CKV_AWS_24", "AwsSolutions-EC23"}, [f["rule"] for f in remaining]
    assert ssh["CKV_AWS_24"]["severity"] == "must_fix" and ssh["CKV_AWS_24"]["introduced"]
    assert not {f["rule"] for f in remaining} & {"CKV_AWS_27", "AwsSolutions-SQS2"}  # the base's
