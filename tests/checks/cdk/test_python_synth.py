"""A Python CDK app, changed and synthesized once for the module (real aws-cdk-lib from PyPI in
its `.venv`, the CDK CLI on PATH, real `cdk synth` in the sandbox): checkov's and cdk-nag's
findings land on the Python line that created each construct — in the stack module, in the
app's entry, and in a helper module — as `cdk synth` and `checkov -d cdk.out` report them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.provision import TOOLS, install
from reviewloop.checks.cdk import synth as synthesis
from reviewloop.checks.cdk.analyzers import CdkCheckov, CdkNag
from reviewloop.checks.cdk.app import find_apps, nag_for
from reviewloop.checks.cdk.language import PYTHON
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import parse_diff
from tests.support.cdk_app import line_of
from tests.support.cdk_python import APP, PARTS, STORAGE, cli_folder, jsii_sandbox, python_repo
from tests.support.gitutil import git
from tests.support.tools_cache import cache_root as tools_cache

pytestmark = [pytest.mark.pypi, pytest.mark.npm,  # aws-cdk-lib's wheel; the CDK CLI, checkov
              pytest.mark.long(seconds=69)]  # the app's synth (its module fixture)
CHANGED = ("app.py", "stacks/storage.py", "stacks/parts.py")


@dataclass(frozen=True)
class Changed:
    root: Path
    diff: str
    synth: synthesis.Synth


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Changed:
    root = python_repo(tmp_path_factory.mktemp("cdk-python") / "app")
    (root / "stacks/storage.py").write_text(STORAGE)  # the public-access blocks switched off
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", f"{cli_folder()}:/usr/bin:/bin")
        patch.setenv("REVIEWLOOP_TOOLS_DIR", str(tools_cache()))
        install(TOOLS["cdk-nag"], tools_cache())  # the provisioned one: the app has none
        (app,) = find_apps(root, CHANGED)
        assert app.language is PYTHON and app.problem is None, app.problem
        synth = synthesis.synthesized(root, app, sandbox=jsii_sandbox(root, patch), timeout=600,
                                      nag=nag_for(root))
    assert synth.ok, synth.run.output
    return Changed(root, git(root, "diff"), synth)


def _findings(changed: Changed, analyzer: CdkCheckov | CdkNag) -> list[Finding]:
    ctx = AnalyzerContext(root=changed.root, changes=parse_diff(changed.diff),
                          diff_text=changed.diff, agent="review-infrastructure",
                          files=CHANGED, tests=ProjectTests())
    return analyzer.findings(changed.synth, ctx)


def _lines(found: list[Finding], rules: set[str]) -> set[tuple[str, str, int]]:
    return {(f.rule or "", f.file, f.start_line) for f in found if f.rule in rules}


def test_checkov_reports_the_python_lines_that_created_the_constructs(
        changed: Changed, iac_env: Path) -> None:
    found = _findings(changed, CdkCheckov())

    bucket = line_of(STORAGE, 's3.Bucket(self, "Uploads"')
    public = {"CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"}
    assert _lines(found, public) == {(r, "stacks/storage.py", bucket) for r in public}
    uploads = next(f for f in found if f.rule == "CKV_AWS_53")
    assert uploads.end_line == bucket + 3 and "Storage/Uploads" in uploads.title
    assert _lines(found, {"CKV_AWS_27"}) == {  # the queue, in the app's entry
        ("CKV_AWS_27", "app.py", line_of(APP, 'sqs.Queue(self, "Jobs"'))}
    assert _lines(found, {"CKV_AWS_26"}) == {  # the topic a helper makes
        ("CKV_AWS_26", "stacks/parts.py", line_of(PARTS, "sns.Topic("))}


def test_cdk_nag_runs_on_a_python_app_and_reports_on_the_same_lines(changed: Changed) -> None:
    found = _findings(changed, CdkNag())

    assert ("AwsSolutions-SQS2", "app.py", line_of(APP, 'sqs.Queue(self, "Jobs"')) in \
        _lines(found, {"AwsSolutions-SQS2"})
    assert ("AwsSolutions-S10", "stacks/storage.py",
            line_of(STORAGE, 's3.Bucket(self, "Uploads"')) in _lines(found, {"AwsSolutions-S10"})
    assert all(f.file in CHANGED for f in found), [(f.rule, f.file) for f in found]
