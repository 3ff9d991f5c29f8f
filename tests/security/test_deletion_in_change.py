"""A misconfiguration made by deleting a line is part of the change: deleting
`restrict_public_buckets = true` or `encrypted = true` inside a Terraform resource makes checkov
report the resource block, and that finding is open and in the verdict, not "outside the
change". A finding on a resource the change did not touch stays outside it.

`reviewloop review` runs for real (git, the graph, triage, the ledger) with checkov's own
report of the changed file, recorded from checkov 3.3.30 and mapped by the real adapter; the
same review with the real checkov is marked `pypi` (it provisions checkov from PyPI)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov import Checkov, to_findings
from reviewloop.checks.analyzers.registry import ANALYZERS
from reviewloop.config import Settings
from reviewloop.findings.ledger import Status
from reviewloop.findings.schema import Finding
from reviewloop.review.definitions import AgentDefinition
from reviewloop.review.evidence import AnalyzerReport, run_for_agent
from reviewloop.runs.review import DiffSource, blocking, review_change
from tests.support.analyzers import FakeAnalyzer
from tests.support.repos import init_repo

BEFORE = """resource "aws_s3_bucket_public_access_block" "site" {
  bucket                  = "site"
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_ebs_volume" "data" {
  availability_zone = "us-east-1a"
  encrypted         = true
  size              = 40
}
resource "aws_ebs_volume" "logs" {
  availability_zone = "us-east-1a"
  size              = 10
}
"""
AFTER = BEFORE.replace("  restrict_public_buckets = true\n", "").replace(
    "  encrypted         = true\n", "")


def _check(check_id: str, name: str, lines: list[int], resource: str) -> dict[str, Any]:
    return {"check_id": check_id, "check_name": name, "file_path": "/infra/main.tf",
            "file_line_range": lines, "resource": resource, "severity": None}


_CMK = "Ensure EBS Volume is encrypted by KMS using a customer managed Key (CMK)"
_EBS = "Ensure all data stored in the EBS is securely encrypted"
# What checkov 3.3.30 reports on AFTER (`checkov -f main.tf -o json --compact`).
REPORT = {"check_type": "terraform", "results": {"failed_checks": [
    _check("CKV_AWS_56", "Ensure S3 bucket has 'restrict_public_buckets' enabled", [1, 6],
           "aws_s3_bucket_public_access_block.site"),
    _check("CKV_AWS_189", _CMK, [8, 11], "aws_ebs_volume.data"),
    _check("CKV_AWS_3", _EBS, [8, 11], "aws_ebs_volume.data"),
    _check("CKV_AWS_189", _CMK, [12, 15], "aws_ebs_volume.logs"),
    _check("CKV_AWS_3", _EBS, [12, 15], "aws_ebs_volume.logs"),
]}}


class RecordedCheckov(FakeAnalyzer):
    """checkov, answering with its recorded report through the real adapter's mapping."""

    name = "checkov"

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        assert ctx.files == ("infra/main.tf",)
        return to_findings(REPORT, ctx)


def _repo(tmp_path: Path) -> Path:
    root = init_repo(tmp_path / "iac", {"infra/main.tf": BEFORE})
    (root / "infra/main.tf").write_text(AFTER)  # two protective lines deleted, nothing added
    return root


def _review(root: Path, checkov: object) -> Any:
    table = {**ANALYZERS, "checkov": checkov}

    def analyze(agent: AgentDefinition, diff_text: str, where: Path, **options: Any
                ) -> AnalyzerReport:
        return run_for_agent(agent, where, diff_text, registry=table,  # type: ignore[arg-type]
                             only=options.get("only"))

    return review_change(root, Settings(), DiffSource(), model_factory=lambda name: None,
                         llm=False, analyze=analyze)


def _statuses(summary: Any) -> dict[tuple[str, str], Status]:
    return {(e.finding.rule or "", e.finding.location): e.status for e in summary.ledger}


def _assert_the_deletions_count(summary: Any) -> None:
    statuses = _statuses(summary)
    assert statuses[("CKV_AWS_56", "infra/main.tf:1-6")] is Status.OPEN
    assert statuses[("CKV_AWS_3", "infra/main.tf:8-11")] is Status.OPEN
    # the logs volume the change did not touch (its first line is in the diff's context):
    # shown outside the change, never counted
    outside = [e for e in summary.ledger if e.finding.start_line == 12]
    assert outside and all(e.status is Status.OUT_OF_SCOPE for e in outside)
    assert all("outside the change" in e.reason for e in outside)
    assert blocking(summary, "should_fix")


def test_a_deleted_protective_line_puts_its_resource_in_the_verdict(tmp_path: Path) -> None:
    summary = _review(_repo(tmp_path), RecordedCheckov())
    _assert_the_deletions_count(summary)
    opened = [e for e in summary.ledger if e.status is Status.OPEN and e.finding.rule]
    assert {e.finding.rule for e in opened} == {"CKV_AWS_56", "CKV_AWS_3", "CKV_AWS_189"}


@pytest.mark.pypi
@pytest.mark.timeout(900)
def test_the_same_with_the_real_checkov(tmp_path: Path, first_use_tools: Path) -> None:
    # checkov gets its own environment on first use, as a review provisions it
    checkov = Checkov()
    assert checkov.available() is None
    _assert_the_deletions_count(_review(_repo(tmp_path), checkov))
