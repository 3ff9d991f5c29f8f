"""The checkov analyzer: which files are IaC, the JSON mapping, a tool that cannot be provisioned
(the real tool: test_checkov_provisioned.py)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov import Checkov, framework, to_findings
from reviewloop.findings.schema import Severity
from reviewloop.git.diff import ChangeSet
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent
from tests.support.checkov import (  # noqa: F401 - shared helpers and fixtures
    BUCKET,
    DOCKERFILE,
)
from tests.support.iac_shapes import SHAPES, IacFile, iac_files, pod, render

SAMPLE = Path(__file__).with_name("checkov_sample.json")
CFN = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  B:\n    Type: AWS::S3::Bucket\n"
K8S = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n"


@pytest.mark.parametrize(("path", "text", "expected"), [
    ("Dockerfile", None, "dockerfile"),
    ("services/api/Dockerfile.prod", None, "dockerfile"),
    ("build/app.dockerfile", None, "dockerfile"),
    ("build/api.Dockerfile", None, "dockerfile"),
    ("Containerfile", None, "dockerfile"),
    ("infra/main.tf", None, "terraform"),
    ("infra/vars.tf.json", None, "terraform_json"),
    (".github/workflows/ci.yml", "on: push\n", "github_actions"),
    (".github/workflows/shared/x.yml", "on: push\n", "github_actions"),
    ("app/.github/workflows/a/b/deploy.yaml", "on: push\n", "github_actions"),
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


@settings(max_examples=300, deadline=None)
@given(iac_files())
def test_a_template_is_iac_in_every_shape_and_wherever_it_says_so(file: IacFile):
    """Block or flow YAML, pretty or one-line JSON, keys in any order, after a long comment
    or value, after other documents: as checkov reads it (CKV_K8S_16 on a one-line JSON Pod,
    a bucket after a 21,000-character Description)."""
    assert framework(f"infra/thing{file.suffix}", file.text) == file.framework


@settings(max_examples=60, deadline=None)
@given(iac_files())
def test_a_changed_template_is_given_to_checkov_from_its_whole_text(file: IacFile):
    """The text read from the tree is all of it: no window at its start."""
    with tempfile.TemporaryDirectory() as scratch:
        name = f"infra/thing{file.suffix}"
        (Path(scratch) / "infra").mkdir()
        (Path(scratch) / name).write_text(file.text)
        ctx = AnalyzerContext(root=Path(scratch), changes=ChangeSet(), diff_text="",
                              agent="review-infra", files=(name,))

        assert Checkov().targets(ctx) == {name: file.framework}


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(SHAPES), st.sampled_from(("apiVersion", "kind")))
def test_yaml_or_json_without_a_manifests_keys_is_not_iac(shape, dropped):
    data = {key: value for key, value in pod("apiVersion and kind, in a value").items()
            if key != dropped}
    suffix = ".json" if shape.startswith("json") else ".yaml"

    assert framework(f"config/settings{suffix}", render(data, shape)) is None


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


def test_checkov_that_cannot_be_provisioned_is_missing_with_the_fix(tmp_path, monkeypatch):
    repo = Repo(tmp_path)
    diff = repo.change({"Dockerfile": DOCKERFILE})
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools-here"))
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(tmp_path / "tools"))

    report = run_for_agent(agent("review-infrastructure", ("checkov",)), repo.root, diff)

    assert report.findings == [] and report.errors == []
    assert report.missing == [
        f"checkov: checkov 3.3.30 is not cached in {tmp_path / 'tools'} and "
        "REVIEWLOOP_TOOLS_OFFLINE is set; fix: run `reviewloop tools install checkov` where "
        "PyPI is reachable (or point REVIEWLOOP_TOOLS_DIR at a cache that has it)"]
    assert Checkov().available() is not None


def test_a_skipped_check_is_a_finding_too(tmp_path):
    """checkov drops a check an inline `#checkov:skip=` comment names into `skipped_checks`:
    it is reported like a failed one, and reviewloop decides whether the comment counts."""
    check = {"check_id": "CKV_AWS_20", "check_name": "S3 Bucket has an ACL defined which "
             "allows public READ access.", "resource": "aws_s3_bucket.b",
             "file_path": "/main.tf", "file_abs_path": str(tmp_path / "infra/main.tf"),
             "file_line_range": [6, 10],
             "check_result": {"result": "SKIPPED", "suppress_comment": "public site"}}
    report = {"check_type": "terraform", "results": {"failed_checks": [],
                                                      "skipped_checks": [check]}}
    ctx = AnalyzerContext(root=tmp_path, changes=ChangeSet(), diff_text="",
                          agent="review-infrastructure", files=("infra/main.tf",))

    (found,) = to_findings(report, ctx)

    assert (found.rule, found.file, found.start_line, found.end_line) == (
        "CKV_AWS_20", "infra/main.tf", 6, 10)


def test_checkov_runs_outside_the_tree_on_absolute_paths_and_keeps_skipped_checks(tmp_path):
    argv = Checkov().command(Path("/tools/checkov"), {"infra/main.tf": "terraform"}, tmp_path)

    assert "--quiet" not in argv  # it would drop the skipped checks
    assert argv[argv.index("-f") + 1] == str(tmp_path / "infra/main.tf")
    assert Checkov.isolated  # the tree's .checkov.yaml is never read


def test_terraform_is_read_as_the_modules_its_changed_files_belong_to(tmp_path):
    tree, scratch = tmp_path / "tree", tmp_path / "view"
    for name in ("infra/main.tf", "infra/vars.tf", "infra/terraform.tfvars",
                 "infra/prod.auto.tfvars.json", "infra/dev.tfvars", "infra/net.tf",
                 "infra/net.tofu", "infra/README.md", "infra/sub/other.tf"):
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(name)
    (tree / "infra/linked.tf").symlink_to("/etc/hostname")  # out of the tree: not followed
    (tree / "shared").mkdir()
    (tree / "shared/locals.tf").write_text("shared/locals.tf")
    (tree / "infra/locals.tf").symlink_to("../shared/locals.tf")  # inside it: read

    given, aliases = Checkov().staged({"infra/main.tf": "terraform"}, tree, scratch)
    argv = Checkov().command(Path("/tools/checkov"), given, tree)

    assert argv[argv.index("-d") + 1] == str(scratch) and "-f" not in argv
    assert argv[argv.index("--framework") + 1:][:2] == ["terraform", "terraform_json"]
    view = {Path(alias).relative_to(scratch).as_posix(): Path(real).relative_to(tree).as_posix()
            for alias, real in aliases.items()}
    # the folder's Terraform files and the variables Terraform loads by itself (not
    # `-var-file` ones, not subfolders, not links out of the tree), each folder at its path;
    # OpenTofu's twin wins, under a .tf name
    assert view == {"tf/infra/main.tf": "infra/main.tf", "tf/infra/vars.tf": "infra/vars.tf",
                    "tf/infra/terraform.tfvars": "infra/terraform.tfvars",
                    "tf/infra/prod.auto.tfvars.json": "infra/prod.auto.tfvars.json",
                    "tf/infra/net.tf": "infra/net.tofu", "tf/infra/locals.tf": "infra/locals.tf"}
    assert (scratch / "tf/infra/net.tf").read_text() == "infra/net.tofu"
    assert (scratch / "tf/infra/locals.tf").read_text() == "shared/locals.tf"


def test_other_files_are_given_one_by_one(tmp_path):
    targets = {"k8s/pod.yaml": "kubernetes", ".github/workflows/ci.yml": "github_actions"}

    assert Checkov().staged(targets, tmp_path, tmp_path / "view") == (targets, {})


def test_a_dockerfile_is_given_under_the_name_checkov_reads(tmp_path):
    """checkov skips `Containerfile` and `Dockerfile-prod` by their names: each goes to it
    as a link named `Dockerfile`, one folder each, and comes back under its own name."""
    tree, scratch = tmp_path / "tree", tmp_path / "view"
    for name in ("Containerfile", "svc/Dockerfile-prod", "pod.yaml"):
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(name)
    given, aliases = Checkov().staged({"Containerfile": "dockerfile", "pod.yaml": "kubernetes",
                                       "svc/Dockerfile-prod": "dockerfile"}, tree, scratch)
    assert given == {str(scratch / "0/Dockerfile"): "dockerfile", "pod.yaml": "kubernetes",
                     str(scratch / "2/Dockerfile"): "dockerfile"}
    assert aliases == {str(scratch / "0/Dockerfile"): str(tree / "Containerfile"),
                       str(scratch / "2/Dockerfile"): str(tree / "svc/Dockerfile-prod")}
    assert (scratch / "2/Dockerfile").read_text() == "svc/Dockerfile-prod"
