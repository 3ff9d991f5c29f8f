"""The checkov analyzer: which files are IaC, the JSON mapping, a missing tool, the real tool."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reviewloop.checks.analyzers import AnalyzerContext
from reviewloop.review.evidence import run_for_agent
from reviewloop.checks.analyzers.checkov import Checkov, framework, to_findings
from reviewloop.diff import ChangeSet
from reviewloop.findings import Severity
from tests.checks.analyzers import Repo, agent

SAMPLE = Path(__file__).with_name("checkov_sample.json")
CFN = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"
K8S = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n"
DOCKERFILE = "FROM python:latest\nRUN pip install flask\nADD app.py /app.py\n" \
             'CMD ["python", "/app.py"]\n'
BUCKET = 'resource "aws_s3_bucket" "{name}" {{\n  bucket = "{name}"\n  acl    = "public-read"\n}}\n'


@pytest.mark.parametrize(("path", "text", "expected"), [
    ("Dockerfile", None, "dockerfile"),
    ("services/api/Dockerfile.prod", None, "dockerfile"),
    ("build/app.dockerfile", None, "dockerfile"),
    ("Containerfile", None, "dockerfile"),
    ("infra/main.tf", None, "terraform"),
    ("infra/vars.tf.json", None, "terraform"),
    (".github/workflows/ci.yml", "on: push\n", "github_actions"),
    ("templates/stack.yaml", CFN, "cloudformation"),
    ("templates/stack.json", '{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}', "cloudformation"),
    ("k8s/pod.yml", K8S, "kubernetes"),
    ("config/settings.yaml", "debug: true\nkind_of: thing\n", None),
    ("package.json", '{"name": "x"}', None),
    ("app/main.py", "apiVersion: v1\nkind: Pod\n", None),
    (".github/dependabot.yml", "version: 2\n", None),
])
def test_framework_by_name_and_content(path, text, expected):
    assert framework(path, text) == expected


def _ctx(root: Path) -> AnalyzerContext:
    return AnalyzerContext(root=root, changes=ChangeSet(), diff_text="", agent="review-infra",
                           files=("Dockerfile", ".github/workflows/ci.yml"))


def test_recorded_report_maps_to_findings(tmp_path):
    findings = to_findings(json.loads(SAMPLE.read_text()), _ctx(tmp_path))

    assert [(f.rule, f.file, f.start_line, f.end_line, f.severity) for f in findings] == [
        ("CKV_DOCKER_7", "Dockerfile", 1, 1, Severity.MUST_FIX),  # HIGH
        ("CKV_DOCKER_4", "Dockerfile", 3, 3, Severity.SHOULD_FIX),  # no severity: default
        ("CKV2_GHA_1", ".github/workflows/ci.yml", 1, 1, Severity.NIT),  # LOW; line 0 → 1
    ]
    first = findings[0]
    assert first.source == "checkov" and first.agent == "review-infra"
    assert first.title == "Ensure the base image uses a non latest version tag"
    assert "Dockerfile.FROM" in first.rationale and "prismacloud" in first.rationale


def test_a_bare_summary_means_nothing_was_scanned(tmp_path):
    summary = {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0}

    assert to_findings(summary, _ctx(tmp_path)) == []


def test_missing_checkov_is_reported_with_the_install_command(tmp_path, monkeypatch):
    repo = Repo(tmp_path)
    diff = repo.change({"Dockerfile": DOCKERFILE})
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))

    report = run_for_agent(agent("review-infrastructure", ("checkov",)), repo.root, diff)

    assert report.findings == [] and report.errors == []
    assert report.missing == [("checkov: checkov is not installed: pipx install checkov (it "
                              "cannot share an environment with langchain-aws)")]
    assert Checkov().available() is not None


@pytest.mark.skipif(shutil.which("checkov") is None, reason="checkov is not installed")
def test_real_checkov_reports_only_the_changed_iac(tmp_path):
    repo = Repo(tmp_path, {"infra/main.tf": BUCKET.format(name="old")})
    diff = repo.change({
        "infra/main.tf": BUCKET.format(name="old") + "\n" + BUCKET.format(name="new"),
        "Dockerfile": DOCKERFILE,
        "config/settings.yaml": "debug: true\n",
        "app.py": "print('hi')\n",
    })

    report = run_for_agent(agent("review-infrastructure", ("checkov",)), repo.root, diff)

    assert report.complete, report.errors
    by_file: dict[str, set[int]] = {}
    for f in report.findings:
        by_file.setdefault(f.file, set()).add(f.start_line)
    assert set(by_file) == {"Dockerfile", "infra/main.tf"}
    assert by_file["infra/main.tf"] == {6}  # the new bucket only; the old one starts at 1
    rules = {f.rule for f in report.findings}
    assert {"CKV_DOCKER_7", "CKV_DOCKER_4"} <= rules
    assert all(f.source == "checkov" and f.agent == "review-infrastructure"
               for f in report.findings)
