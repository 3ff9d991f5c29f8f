"""Deleting a protective line counts: a misconfiguration the change makes by removing a line
(or a whole resource) is in the verdict whatever the check id, though checkov reports it on
lines the change did not write; one the base already had stays outside. Real checkov on
real git repositories, a generator of deletions over Terraform and Dockerfiles."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from reviewloop.findings.rounds import normalise_scope, outside_reason
from reviewloop.git.diff import parse_diff
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

pytestmark = pytest.mark.pypi  # checkov, provisioned once into the session's cache

BUCKET = '''resource "aws_s3_bucket" "data" {
  bucket = "data"
}

resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
'''
ACCESS_BLOCK = BUCKET[BUCKET.index('resource "aws_s3_bucket_public_access_block"'):]
DOCKERFILE = 'FROM python:3.12-slim\nRUN useradd app\nCOPY app.py /app.py\n' \
             'HEALTHCHECK CMD true\nCMD ["python", "/app.py"]\nUSER app\n'


@dataclass(frozen=True)
class Deletion:
    """A base file and the same file with protective lines deleted: `rule` must be found."""

    name: str
    path: str
    base: str
    deleted: tuple[str, ...]  # each removed verbatim (a line, or a whole resource)
    rule: str

    @property
    def head(self) -> str:
        text = self.base
        for part in self.deleted:
            assert part in text, part
            text = text.replace(part, "", 1)
        return text


DELETIONS = [
    Deletion("access block resource", "infra/main.tf", BUCKET, ("\n" + ACCESS_BLOCK,),
             "CKV2_AWS_6"),
    Deletion("block_public_acls line", "infra/main.tf", BUCKET,
             ("  block_public_acls       = true\n",), "CKV_AWS_53"),
    Deletion("restrict_public_buckets line", "infra/main.tf", BUCKET,
             ("  restrict_public_buckets = true\n",), "CKV_AWS_56"),
    Deletion("trailing USER", "Dockerfile", DOCKERFILE, ("USER app\n",), "CKV_DOCKER_3"),
    Deletion("USER and HEALTHCHECK", "deploy/api.Dockerfile", DOCKERFILE,
             ("HEALTHCHECK CMD true\n", "USER app\n"), "CKV_DOCKER_3"),
]


@pytest.fixture
def tools(iac_tools: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", os.fspath(iac_tools))
    monkeypatch.setenv("REVIEWLOOP_TOOLS_OFFLINE", "1")
    return iac_tools


@pytest.mark.parametrize("case", DELETIONS, ids=lambda c: c.name)
def test_a_deleted_protective_line_puts_its_finding_in_the_verdict(tools, tmp_path, case):
    repo = Repo(tmp_path, {case.path: case.base})
    diff = repo.change({case.path: case.head})

    report = run_for_agent(agent("review-infrastructure", ("checkov",)), repo.root, diff)

    assert report.complete, (report.missing, report.errors)
    found = [f for f in report.findings if f.rule == case.rule]
    assert found, [(f.rule, f.start_line) for f in report.findings]
    changes = parse_diff(diff)
    scope = normalise_scope({f.path: f.added_lines for f in changes.files})
    cuts = {f.path: sorted(f.removals) for f in changes.files}
    assert all(outside_reason(f, scope, cuts) is None for f in found)  # the ledger agrees


def test_what_the_base_already_had_stays_outside_the_change(tools, tmp_path):
    # the bucket has no access log in the base already (CKV_AWS_18); deleting the access
    # block introduces CKV2_AWS_6 on the same lines, and only that one is the change's
    repo = Repo(tmp_path, {"infra/main.tf": BUCKET})
    diff = repo.change({"infra/main.tf": BUCKET.replace("\n" + ACCESS_BLOCK, "")})

    report = run_for_agent(agent("review-infrastructure", ("checkov",)), repo.root, diff)

    introduced = {f.rule for f in report.findings if f.introduced}
    assert "CKV2_AWS_6" in introduced
    assert "CKV_AWS_18" not in {f.rule for f in report.findings}
    (new,) = [f for f in report.findings if f.rule == "CKV2_AWS_6"]
    assert new.symbol == "aws_s3_bucket.data" and "change introduced it" in new.rationale
