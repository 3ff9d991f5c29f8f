"""Terraform code in an `.hcl` file is read by checkov as plain `checkov -d .` reads it: with
the folder's `.tf` files, as one module.

Before: `infra/sg.hcl` declaring a security group open on port 22 to the world was given to
the secrets scan alone, the review exit 0 and complete, while `checkov -d .` reported
CKV_AWS_24 on it (checkov's Terraform runner takes `.tf` and `.hcl` alike, and loads a
folder's `.hcl` files with its `.tf` files). Now an `.hcl` file is one of the module's: read
alone, with the variables a `.tf` beside it declares, when a changed variable default opens
a resource it holds, and when a rename makes it one (`x.hcl.off` → `x.hcl`). Terraform's
`.terraform.lock.hcl` holds no resources and checkov's walk skips it (a hidden name): not
given. A matrix over names Terragrunt, Packer and a project give such files."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.repos import init_repo
from tests.support.review_cli import review

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900), pytest.mark.usefixtures("iac_env")]

GROUP = """resource "aws_security_group" "ssh" {
  name        = "ssh"
  description = "ssh"
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [CIDR]
  }
}
"""
OPEN = GROUP.replace("CIDR", '"0.0.0.0/0"')
BY_VAR = GROUP.replace("CIDR", "var.cidr")
VARIABLE = 'variable "cidr" {\n  type    = string\n  default = "%s"\n}\n'
LOCK = """provider "registry.terraform.io/hashicorp/aws" {
  version = "5.0.0"
  hashes  = ["h1:%s"]
}
"""


@pytest.mark.parametrize("name", ("sg.hcl", "network.pkr.hcl", "terragrunt.hcl"))
def test_terraform_in_an_hcl_file_is_read_as_checkov_reads_it(name: str) -> None:
    base = {"b/vars.tf": VARIABLE % "0.0.0.0/0", f"c/{name}": BY_VAR,
            "c/vars.tf": VARIABLE % "10.0.0.0/8", f"d/{name}.off": f"{OPEN}# parked\n",
            "e/main.tf": "# empty\n", "e/.terraform.lock.hcl": LOCK % "a"}
    with tempfile.TemporaryDirectory() as scratch:
        root = init_repo(Path(scratch) / "r", base)
        git(root, "checkout", "-qb", "feature")
        for path, text in {f"a/{name}": OPEN, f"b/{name}": BY_VAR,
                           "c/vars.tf": VARIABLE % "0.0.0.0/0",
                           "e/.terraform.lock.hcl": LOCK % "b"}.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        git(root, "mv", f"d/{name}.off", f"d/{name}")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "change")
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never",
                      "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    shown = {(f["rule"], f["file"]) for group in ("remaining", "nits")
             for f in report["findings"][group] if f["source"] == "checkov"}
    rows = {r["path"]: r for r in report["health"]["files"]}
    for path in (f"a/{name}", f"b/{name}", "c/vars.tf", f"d/{name}"):
        assert ("CKV_AWS_24", path) in shown, (path, sorted(shown))
        assert any(a.startswith("checkov") for a in rows[path]["analysed_by"]), rows[path]
    assert [why for why in rows[f"d/{name}"]["not_read"] if "renamed into" in why]
    lock = rows["e/.terraform.lock.hcl"]
    assert not any(a.startswith("checkov") for a in lock["analysed_by"]), lock
    assert lock["not_read"] == [], lock
