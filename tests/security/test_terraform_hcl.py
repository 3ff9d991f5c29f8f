"""Terraform code in an `.hcl` file is read by checkov as plain `checkov -d .` reads it: with
the folder's `.tf` files, as one module.

Before: `infra/sg.hcl` declaring a security group open on port 22 to the world was given to
the secrets scan alone, the review exit 0 and complete, while `checkov -d .` reported
CKV_AWS_24 on it (checkov's Terraform runner takes `.tf` and `.hcl` alike, and loads a
folder's `.hcl` files with its `.tf` files). Now an `.hcl` file is one of the module's: read
alone, with the variables a `.tf` beside it declares, when a changed variable default opens
a resource it holds, and when a rename makes it one (`x.hcl.off` → `x.hcl`). Terraform's
`.terraform.lock.hcl` holds no resources and checkov's walk skips it (a hidden name): not
given. A matrix over names Terragrunt, Packer and a project give such files, each name's
folders side by side in one change, reviewed once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.gitutil import git
from tests.support.iac_tools import module_reviews
from tests.support.repos import init_repo
from tests.support.review_cli import review

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]

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


NAMES = ("sg.hcl", "network.pkr.hcl", "terragrunt.hcl")


def _case(name: str) -> tuple[dict[str, str], dict[str, str]]:
    """One name's folders (under `n<index>/`): the base's files and the change's writes."""
    at = f"n{NAMES.index(name)}"
    base = {"b/vars.tf": VARIABLE % "0.0.0.0/0", f"c/{name}": BY_VAR,
            "c/vars.tf": VARIABLE % "10.0.0.0/8",
            # parked with the case's own text: git pairs the rename within its folder only
            f"d/{name}.off": f"{OPEN}# parked by {at}\n",
            "e/main.tf": "# empty\n", "e/.terraform.lock.hcl": LOCK % "a"}
    change = {f"a/{name}": OPEN, f"b/{name}": BY_VAR, "c/vars.tf": VARIABLE % "0.0.0.0/0",
              "e/.terraform.lock.hcl": LOCK % "b"}
    return ({f"{at}/{p}": t for p, t in base.items()},
            {f"{at}/{p}": t for p, t in change.items()})


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, iac_tools: Path) -> dict[str, Any]:
    """One review of every name's folders side by side: checkov reads a folder as one
    module, so each name's answer is the one a review of its folders alone gives."""
    with module_reviews(tmp_path_factory, iac_tools):
        base = {p: t for name in NAMES for p, t in _case(name)[0].items()}
        root = init_repo(tmp_path_factory.mktemp("hcl") / "r", base)
        git(root, "checkout", "-qb", "feature")
        for name in NAMES:
            for path, text in _case(name)[1].items():
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_text(text)
            at = f"n{NAMES.index(name)}"
            git(root, "mv", f"{at}/d/{name}.off", f"{at}/d/{name}")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "change")
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never",
                      "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout))


@pytest.mark.parametrize("name", NAMES)
def test_terraform_in_an_hcl_file_is_read_as_checkov_reads_it(
        report: dict[str, Any], name: str) -> None:
    at = f"n{NAMES.index(name)}"
    shown = {(f["rule"], f["file"]) for group in ("remaining", "nits")
             for f in report["findings"][group] if f["source"] == "checkov"}
    rows = {r["path"]: r for r in report["health"]["files"]}
    for path in (f"{at}/a/{name}", f"{at}/b/{name}", f"{at}/c/vars.tf", f"{at}/d/{name}"):
        assert ("CKV_AWS_24", path) in shown, (path, sorted(shown))
        assert any(a.startswith("checkov") for a in rows[path]["analysed_by"]), rows[path]
    assert [why for why in rows[f"{at}/d/{name}"]["not_read"] if "renamed into" in why]
    lock = rows[f"{at}/e/.terraform.lock.hcl"]
    assert not any(a.startswith("checkov") for a in lock["analysed_by"]), lock
    assert lock["not_read"] == [], lock
