"""An infrastructure pull request that opens SSH to the world fails the default must-fix gate
offline (checkov's severity from the published table), and one that only adds routine
hygiene findings does not. Real checkov, real `reviewloop review --base --head`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.review_cli import repo, review

pytestmark = pytest.mark.pypi  # the suite's shared tools cache (tests/support/iac_tools.py)

GROUP = '''resource "aws_security_group" "admin" {{
  name        = "admin"
  description = "Administration"
  vpc_id      = "vpc-0123456789abcdef0"

  ingress {{
    description = "SSH"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["{cidr}"]
  }}
}}
'''


def _pull_request(tmp_path: Path, cidr: str) -> Path:
    root = repo(tmp_path)
    (root / "infra").mkdir()
    (root / "infra" / "network.tf").write_text(GROUP.format(cidr="10.0.0.0/8"))
    git(root, "add", ".")
    git(root, "commit", "-qm", "the admin group")
    git(root, "switch", "-qc", "feature")
    (root / "infra" / "network.tf").write_text(GROUP.format(cidr=cidr))
    git(root, "commit", "-qam", "widen the admin group")
    return root


@pytest.mark.parametrize(("cidr", "code"), [("0.0.0.0/0", 1), ("10.1.0.0/16", 0)])
def test_opening_ssh_to_the_world_fails_the_must_fix_gate_offline(
        tmp_path: Path, iac_tools: Path, monkeypatch: pytest.MonkeyPatch, cidr: str,
        code: int) -> None:
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(iac_tools))
    root = _pull_request(tmp_path, cidr)

    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "must_fix",
                  "--json")

    assert done.returncode == code, done.stderr[-2000:]
    report = json.loads(done.stdout)
    blocking = {f["rule"] for f in report["findings"]["remaining"]
                if f["severity"] == "must_fix"}
    assert blocking == ({"CKV_AWS_24"} if code else set())
