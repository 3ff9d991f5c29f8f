"""The fixture CDK app, changed by a task and synthesized once for the module (real npm ci,
real `cdk synth` in the sandbox): the gate and the analyzers share that synth, and each
finding lands on the line of lib/app-stack.ts that created its construct."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.cdk import synth as synthesis
from reviewloop.checks.cdk.analyzers import CdkCheckov, CdkNag
from reviewloop.checks.cdk.app import find_apps, nag_for
from reviewloop.checks.cdk.assembly import origin, stacks
from reviewloop.checks.cdk.gate import SynthGate
from reviewloop.checks.gates.base import GateContext
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.config import Settings
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import parse_diff
from reviewloop.sandbox.bubblewrap import Sandbox
from tests.support.cdk_app import CHANGED_STACK, STACK_FILE, cdk_repo, line_of
from tests.support.gitutil import git

pytestmark = [pytest.mark.npm, pytest.mark.long(seconds=21)]  # long: the module's synth

UPLOADS = line_of(CHANGED_STACK, "new s3.Bucket(this, 'Uploads'")
ADMIN = line_of(CHANGED_STACK, "new ec2.SecurityGroup(this, 'Admin'")
REPORTS = line_of(CHANGED_STACK, "new s3.Bucket(this, 'Reports'")
JOBS = line_of(CHANGED_STACK, "new sqs.Queue(this, 'Jobs'")


@dataclass(frozen=True)
class Changed:
    root: Path
    diff: str
    synth: synthesis.Synth


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Changed:
    root = cdk_repo(tmp_path_factory.mktemp("cdk") / "app")
    (root / STACK_FILE).write_text(CHANGED_STACK)
    (app,) = find_apps(root, (STACK_FILE,))
    synth = synthesis.synthesized(root, app, sandbox=Sandbox(), timeout=600,
                                  nag=nag_for(root))
    assert synth.ok, synth.run.output
    return Changed(root, git(root, "diff"), synth)


def _ctx(changed: Changed) -> AnalyzerContext:
    return AnalyzerContext(root=changed.root, changes=parse_diff(changed.diff),
                           diff_text=changed.diff, agent="review-infrastructure",
                           files=(STACK_FILE,), tests=ProjectTests())


def _on(findings: list[Finding], rule: str, construct: str) -> Finding:
    (found,) = [f for f in findings if f.rule == rule and construct in f.title]
    return found


def test_a_template_resource_maps_to_the_line_that_created_its_construct(
        changed: Changed) -> None:
    (stack,) = stacks(changed.synth.out)
    resources = stack.template["Resources"]
    uploads = next(k for k in resources if k.startswith("Uploads"))
    path = stack.construct_path(uploads)

    found = origin(stack, path or "", changed.root, changed.root)

    assert path == "AppStack/Uploads/Resource"
    assert (found.file, found.line, found.mapped) == (STACK_FILE, UPLOADS, True)
    assert found.last == UPLOADS + 2  # through `});`: a changed property is a changed construct


def test_a_construct_with_no_frame_of_the_project_falls_back_to_its_stacks_line(
        changed: Changed) -> None:
    (stack,) = stacks(changed.synth.out)

    found = origin(stack, "AppStack/BootstrapVersion", changed.root, changed.root)

    app = (changed.root / "bin/app.ts").read_text()
    assert (found.file, found.line, found.mapped) == \
        ("bin/app.ts", line_of(app, "new AppStack("), False)


def test_the_gate_passes_on_the_same_synth_without_running_another(changed: Changed) -> None:
    before = synthesis.synths_started()
    ctx = GateContext(root=changed.root, settings=Settings(), changed_files=(STACK_FILE,),
                      diff_text=changed.diff, branch="work", default_branch="main",
                      phase="implement")

    result = SynthGate().run(ctx)

    assert result.passed and result.summary == "synthesized: ."
    assert synthesis.synths_started() == before
    assert not (changed.root / "cdk.out").exists()  # never the project's own output folder


def test_cdk_nag_reports_on_the_constructs_lines_acknowledged_ones_included(
        changed: Changed) -> None:
    findings = CdkNag().run(_ctx(changed))

    open_world = _on(findings, "AwsSolutions-EC23", "AppStack/Admin/Resource")
    in_transit = _on(findings, "AwsSolutions-S10", "AppStack/Uploads/Resource")
    acknowledged = _on(findings, "AwsSolutions-S1", "AppStack/Reports/Resource")
    assert (open_world.file, open_world.start_line) == (STACK_FILE, ADMIN)
    assert (in_transit.file, in_transit.start_line) == (STACK_FILE, UPLOADS)
    assert acknowledged.start_line == REPORTS and "acknowledges it" in acknowledged.rationale
    assert open_world.source == "cdk-nag" and open_world.severity.value == "must_fix"
    assert "0.0.0.0/0" in open_world.rationale


def test_a_store_left_unencrypted_is_reported_on_its_constructs_line(changed: Changed) -> None:
    # S3 encrypts every bucket, so no rule fails `Uploads` for encryption at rest; a queue
    # asked to be UNENCRYPTED really is (SqsManagedSseEnabled: false), and that is reported
    findings = CdkNag().run(_ctx(changed))

    at_rest = _on(findings, "AwsSolutions-SQS2", "AppStack/Jobs/Resource")
    assert (at_rest.file, at_rest.start_line, at_rest.end_line) == (STACK_FILE, JOBS, JOBS + 2)
    assert not [f for f in findings if "AppStack/Uploads" in f.title
                and "encrypt" in f.rationale.lower() and f.rule != "AwsSolutions-S10"]


def test_a_cdk_nag_from_outside_the_app_checks_the_apps_own_constructs(
        changed: Changed, tmp_path: Path) -> None:
    provisioned = tmp_path / "tools" / "cdk-nag"  # no aws-cdk-lib of its own beside it
    shutil.copytree(changed.root / "node_modules/cdk-nag", provisioned)
    (app,) = find_apps(changed.root, (STACK_FILE,))

    synth = synthesis.synthesized(changed.root, app, sandbox=Sandbox(), timeout=600,
                                  nag=provisioned)

    report = json.loads(synth.nag_report.read_text())
    assert "error" not in report  # it resolved the app's aws-cdk-lib: instanceof held
    assert {"rule": "AwsSolutions-EC23", "path": "AppStack/Admin/Resource"}.items() <= \
        next(v for v in report["violations"] if v["rule"] == "AwsSolutions-EC23").items()


@pytest.mark.pypi
def test_checkov_on_the_templates_reports_on_the_constructs_lines(
        changed: Changed, iac_tools: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", os.fspath(iac_tools))

    findings = CdkCheckov().run(_ctx(changed))

    ssh = _on(findings, "CKV_AWS_24", "AppStack/Admin/Resource")
    public = _on(findings, "CKV_AWS_53", "AppStack/Uploads/Resource")
    unencrypted = _on(findings, "CKV_AWS_27", "AppStack/Jobs/Resource")
    assert (ssh.file, ssh.start_line, ssh.source) == (STACK_FILE, ADMIN, "checkov")
    assert public.start_line == UPLOADS
    assert (unencrypted.file, unencrypted.start_line) == (STACK_FILE, JOBS)
    assert "AWS::EC2::SecurityGroup" in ssh.rationale


BUCKETS_NAMED = """metadata:
  id: "CKV2_CUSTOM_CDK_1"
  name: "S3 buckets must be named"
  category: "GENERAL_SECURITY"
  severity: "HIGH"
definition:
  cond_type: "attribute"
  resource_types: ["AWS::S3::Bucket"]
  attribute: "BucketName"
  operator: "exists"
"""


@pytest.mark.pypi
def test_the_projects_own_checkov_policies_run_on_the_templates(
        changed: Changed, iac_tools: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`.checkov.yaml`'s `external-checks-dir` policies (`checkov_policies`) run on the
    synthesized templates too, as plain `checkov -d` over the app's `cdk.out` runs them."""
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", os.fspath(iac_tools))
    added = {".checkov.yaml": "external-checks-dir:\n  - policies\n",
             "policies/named.yaml": BUCKETS_NAMED}
    for path, text in added.items():
        (changed.root / path).parent.mkdir(exist_ok=True)
        (changed.root / path).write_text(text)
    try:
        findings = CdkCheckov().run(_ctx(changed))
    finally:
        for path in added:
            (changed.root / path).unlink()
        (changed.root / "policies").rmdir()
    named = _on(findings, "CKV2_CUSTOM_CDK_1", "AppStack/Uploads/Resource")
    assert (named.file, named.start_line, named.severity.value) == (STACK_FILE, UPLOADS,
                                                                    "must_fix")
