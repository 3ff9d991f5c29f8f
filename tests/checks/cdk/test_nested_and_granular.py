"""CDK complete: a NestedStack's template is scanned by checkov like its parent's; every
granular cdk-nag finding is its own finding (the `[…]` part kept in the rule id and the
fingerprint, so triage folds none), on the construct's source line; a failed synth says why.
Real npm ci, real `cdk synth` in the sandbox."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.base import AnalyzerContext, AnalyzerError
from reviewloop.checks.cdk import synth as synthesis
from reviewloop.checks.cdk.analyzers import CdkCheckov, CdkNag
from reviewloop.checks.cdk.app import find_apps, nag_for
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.findings.grouping import group
from reviewloop.git.diff import parse_diff
from reviewloop.sandbox.bubblewrap import Sandbox
from tests.support.cdk_app import BROKEN_STACK, STACK_FILE, cdk_repo, line_of
from tests.support.gitutil import git

pytestmark = pytest.mark.npm

MANAGED = ("AmazonS3FullAccess", "AmazonSQSFullAccess", "AmazonSNSFullAccess",
           "AmazonDynamoDBFullAccess", "CloudWatchFullAccess")
STACK = """import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

class Workers extends cdk.NestedStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new sqs.Queue(this, 'Jobs', {
      encryption: sqs.QueueEncryption.UNENCRYPTED,
    });
  }
}

export class AppStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);
    new Workers(this, 'Workers');
    new iam.Role(this, 'Operator', {
      assumedBy: new iam.AccountRootPrincipal(),
      managedPolicies: [
POLICIES
      ],
    });
  }
}
""".replace("POLICIES", "\n".join(
    f"        iam.ManagedPolicy.fromAwsManagedPolicyName('{name}')," for name in MANAGED))
JOBS = line_of(STACK, "new sqs.Queue(this, 'Jobs'")
OPERATOR = line_of(STACK, "new iam.Role(this, 'Operator'")


@dataclass(frozen=True)
class App:
    root: Path
    ctx: AnalyzerContext


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> App:
    root = cdk_repo(tmp_path_factory.mktemp("cdk") / "app")
    (root / STACK_FILE).write_text(STACK)
    diff = git(root, "diff")
    ctx = AnalyzerContext(root=root, changes=parse_diff(diff), diff_text=diff,
                          agent="review-infrastructure", files=(STACK_FILE,),
                          tests=ProjectTests())
    return App(root, ctx)


@pytest.mark.pypi
def test_checkov_scans_the_nested_stacks_template_too(app: App, iac_tools: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", os.fspath(iac_tools))

    findings = CdkCheckov().run(app.ctx)

    (queue,) = [f for f in findings if f.rule == "CKV_AWS_27"]
    assert (queue.file, queue.start_line) == (STACK_FILE, JOBS)
    assert queue.symbol == "AppStack/Workers/Jobs/Resource"
    assert ".nested.template.json" in queue.rationale
    assert queue.severity.value == "must_fix"  # trivy-checks AVD-AWS-0096: HIGH


def test_each_granular_cdk_nag_finding_is_its_own_and_triage_keeps_them_apart(app: App) -> None:
    findings = CdkNag().run(app.ctx)

    managed = [f for f in findings if f.rule and f.rule.startswith("AwsSolutions-IAM4[")]
    assert sorted(f.rule for f in managed) == sorted(
        f"AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{name}]"
        for name in MANAGED)
    assert {(f.file, f.start_line) for f in managed} == {(STACK_FILE, OPERATOR)}
    assert len({f.fingerprint for f in managed}) == len(MANAGED)
    assert len(group(managed)) == len(MANAGED)  # five IAM4 findings stay five


def test_a_failed_synth_says_why_where_the_user_reads_it(tmp_path: Path) -> None:
    root = cdk_repo(tmp_path / "broken")
    (root / STACK_FILE).write_text(BROKEN_STACK)
    diff = git(root, "diff")
    ctx = AnalyzerContext(root=root, changes=parse_diff(diff), diff_text=diff,
                          agent="review-infrastructure", files=(STACK_FILE,),
                          tests=ProjectTests())
    (found,) = find_apps(root, (STACK_FILE,))
    assert not synthesis.synthesized(root, found, sandbox=Sandbox(), timeout=600,
                                     nag=nag_for(root)).ok

    with pytest.raises(AnalyzerError) as failed:
        CdkNag().run(ctx)

    said = str(failed.value)
    assert "did not synthesize: `cdk synth (in .)` exited with" in said
    assert "There is already a Construct with name 'Reports'" in said  # the app's own error
    assert said.endswith(f"(not read: {STACK_FILE})")  # what the failure left unread
    assert failed.value.files == (STACK_FILE,)  # and named per file in the coverage matrix
