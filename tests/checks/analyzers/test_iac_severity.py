"""Offline checkov findings carry the severity a published source gives the same check
(reviewloop/checks/data/iac_severity.json, built by benchmarks/data/make_iac_severity.py):
an SSH port open to the world or a public bucket blocks, routine hygiene does not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov import to_findings
from reviewloop.checks.analyzers.iac_severity import LEVELS, TABLE, rated, severity_of
from reviewloop.findings.schema import Severity
from reviewloop.git.diff import ChangeSet


def _report(*checks: tuple[str, str]) -> dict:
    """checkov's JSON as it is offline: no severity on any check."""
    return {"check_type": "terraform", "results": {"failed_checks": [
        {"check_id": check_id, "check_name": name, "file_path": "/main.tf",
         "file_line_range": [1, 4], "resource": "aws_security_group.admin", "severity": None,
         "guideline": None} for check_id, name in checks]}}


def _ctx(root: Path) -> AnalyzerContext:
    return AnalyzerContext(root=root, changes=ChangeSet(), diff_text="", agent="review-infra",
                           files=("main.tf",))


@pytest.mark.parametrize(("check_id", "expected"), [
    ("CKV_AWS_24", Severity.MUST_FIX),  # SSH open to 0.0.0.0/0: trivy-checks AVD-AWS-0107 HIGH
    ("CKV_AWS_53", Severity.MUST_FIX),  # bucket access block lets public ACLs in: HIGH
    ("CKV_AWS_20", Severity.MUST_FIX),  # bucket ACL readable by everyone: HIGH
    ("CKV_AWS_18", Severity.SHOULD_FIX),  # no access log: LOW
    ("CKV2_AWS_62", Severity.SHOULD_FIX),  # no event notifications: LOW
    ("CKV_DOCKER_2", Severity.SHOULD_FIX),  # no HEALTHCHECK: LOW
    ("CKV_NOT_A_CHECK_1", Severity.SHOULD_FIX),  # rated by no source: as before
])
def test_an_offline_finding_takes_its_published_severity(tmp_path, check_id, expected):
    (finding,) = to_findings(_report((check_id, "a check")), _ctx(tmp_path))

    assert finding.severity is expected


def test_the_rationale_says_which_source_rated_it_and_where_to_look_it_up(tmp_path):
    (finding,) = to_findings(_report(("CKV_AWS_24", "SSH open")), _ctx(tmp_path))

    assert "Rated HIGH by trivy-checks (https://avd.aquasec.com/misconfig/avd-aws-0107)" \
        in finding.rationale
    assert finding.symbol == "aws_security_group.admin"


def test_a_severity_checkov_reports_itself_wins_over_the_table():
    assert severity_of("CKV_AWS_24", "LOW") == (Severity.NIT, "Rated LOW by checkov.")
    assert severity_of("CKV_AWS_18", "CRITICAL")[0] is Severity.MUST_FIX


def test_every_row_of_the_table_is_well_formed_and_says_where_it_comes_from():
    data = json.loads(TABLE.read_text())
    assert set(data["sources"]) == {"trivy-checks", "prisma-cloud-docs"}
    for check_id, (level, source, ref, prisma) in data["checks"].items():
        assert check_id.startswith(("CKV_", "CKV2_")), check_id
        assert level in LEVELS and source in data["sources"] and ref, check_id
        assert prisma is None or prisma in LEVELS
        if source == "trivy-checks":
            assert ref.startswith("AVD-"), check_id
    assert rated("CKV_AWS_24").ref == "AVD-AWS-0107"  # type: ignore[union-attr]
