"""Infrastructure files checkov reads only under another name, or silently not at all:
an OpenTofu file is read (its findings land on it), and a file checkov or hadolint did not
read keeps the review from passing. `reviewloop review --base main --head feature` as a
user runs it, with the suite's checkov and hadolint."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.iac_shapes import IacFile, iac_files
from tests.support.repos import feature_branch
from tests.support.review_cli import review

pytestmark = [pytest.mark.usefixtures("iac_env"), pytest.mark.pypi, pytest.mark.timeout(900)]

OPEN_SSH = b"""resource "aws_security_group" "ssh" {
  name = "open-ssh"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""



def _review(tmp_path: Path, files: dict[str, bytes]) -> tuple[int, dict[str, Any]]:
    root = feature_branch(tmp_path / "r", files)
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "should_fix",
                  "--json")
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return done.returncode, json.loads(done.stdout)


def _rows(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["path"]: row for row in report["health"]["files"]}


def test_an_opentofu_file_is_read_and_its_findings_land_on_it(tmp_path: Path) -> None:
    code, report = _review(tmp_path, {"infra/main.tofu": OPEN_SSH})
    found = {(f["file"], f["rule"]) for f in report["findings"]["remaining"]}
    assert ("infra/main.tofu", "CKV_AWS_24") in found  # SSH open to the world
    row = _rows(report)["infra/main.tofu"]
    assert "checkov (review-infrastructure)" in row["analysed_by"] and row["not_read"] == []
    assert code == 1


def test_files_checkov_or_hadolint_did_not_read_keep_the_review_incomplete(
        tmp_path: Path) -> None:
    """Beside a real misconfiguration: a .tf checkov cannot parse, a Dockerfile with a
    Latin-1 comment (docker builds it; checkov drops it without a word) and one hadolint
    cannot parse."""
    code, report = _review(tmp_path, {
        "infra/main.tf": OPEN_SSH, "infra/broken.tf": b'resource "aws_s3_bucket" "b" {\n',
        "app/Dockerfile": b"FROM ubuntu:24.04\n# caf\xe9\nUSER root\n",
        "web/Dockerfile": b"FRM ubuntu:24.04\nRUN echo hi\n"})
    assert ("infra/main.tf", "CKV_AWS_24") in {
        (f["file"], f["rule"]) for f in report["findings"]["remaining"]}
    rows = _rows(report)
    assert any(why.startswith("checkov: could not parse it") for why in
               rows["infra/broken.tf"]["not_read"])
    assert any(why.startswith("checkov: checkov ran none of its Dockerfile checks") for why in
               rows["app/Dockerfile"]["not_read"])
    assert "hadolint (review-infrastructure)" in rows["app/Dockerfile"]["analysed_by"]
    assert any(why.startswith("hadolint: could not parse it") for why in
               rows["web/Dockerfile"]["not_read"])
    assert report["health"]["complete"] is False and report["verdict"].startswith(
        "incomplete: 3 files not analysed")
    assert code == 1


@settings(max_examples=3, deadline=None, derandomize=True,  # the same three each run
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # `iac`: the same each time
@given(st.lists(iac_files(), min_size=5, max_size=5))
def test_a_template_in_any_shape_is_read_or_named(files: list[IacFile]) -> None:
    """Pods and bucket templates in every shape (one-line JSON, flow YAML, past a 20 kB
    comment or Description, after other documents), five to a review: each has checkov's
    finding on it, or is named as not analysed; never a complete review without it."""
    with tempfile.TemporaryDirectory() as scratch:
        names = {f"infra/t{i}{file.suffix}": file for i, file in enumerate(files)}
        _, report = _review(Path(scratch), {name: file.text.encode()
                                            for name, file in names.items()})
    found = {(f["file"], f["rule"]) for f in report["findings"]["remaining"]}
    rows = _rows(report)
    for name, file in names.items():
        assert {(name, rule) for rule in file.rules} & found or any(
            why.startswith("checkov:") for why in rows[name]["not_read"]), (name, file)
    if not all({(n, r) for r in f.rules} & found for n, f in names.items()):
        assert report["health"]["complete"] is False


@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(description=st.text("abcdefghij ", min_size=1, max_size=60),
       kind=st.sampled_from(("AWS::S3::Bucket", "AWS::SQS::Queue", "AWS::IAM::Role")))
def test_a_flow_template_after_a_comment_is_named(description: str, kind: str) -> None:
    """checkov 3.3.30 reads nothing of a flow-YAML template after a comment line, and says
    nothing; the same template without the comment it reads. Its resource is named with its
    type (`checkov_skips`: checkov's line finder finds no lines for it)."""
    body = (f'{{AWSTemplateFormatVersion: "2010-09-09", Description: "{description}", '
            f'Resources: {{R: {{Type: "{kind}"}}}}}}\n')
    with tempfile.TemporaryDirectory() as scratch:
        _, report = _review(Path(scratch), {"infra/hidden.yaml": f"# {description}\n{body}"
                                            .encode(), "infra/plain.yaml": body.encode()})
    rows = _rows(report)
    assert any(f"finds no lines for R ({kind})" in why
               for why in rows["infra/hidden.yaml"]["not_read"]), rows["infra/hidden.yaml"]
    assert rows["infra/plain.yaml"]["not_read"] == [], rows["infra/plain.yaml"]
    assert report["health"]["complete"] is False
