"""A rename that enables a file is the change's, all of it. Moving a parked workflow into
`.github/workflows/`, an example variable file to `terraform.tfvars`, a `.tf` file into a
module or a Dockerfile to its name writes no line, so every finding on the file lay on
"unchanged" lines and was dropped, and the review passed while zizmor or checkov on the
head reported a `pull_request_target` injection or SSH open to the world. Now a rename into
a name that makes a tool read the file as something it was not (`checks.analyzers.roles`)
makes its findings the change's, a misconfiguration its values open elsewhere in the module
is shown on it, and the file is named as unread by the model reviewers (the diff shows none
of it). A module moved whole (its folder renamed) is the same module: nothing joined it.

Generated: each review holds a drawn rename of every kind from a drawn parked name, and its
twin renamed within the same role (one workflow to another name in the folder, a variable
file to another name Terraform loads, a module's folder renamed): the twin's old findings
stay outside."""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.gitutil import git
from tests.support.repos import init_repo
from tests.support.review_cli import review

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900),
              pytest.mark.skipif(shutil.which("zizmor") is None,
                                 reason="zizmor (dev extra) not on PATH")]

WORKFLOW = """on: pull_request_target
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.pull_request.title }}"
"""
MODULE = """variable "cidr" {
  type    = string
  default = "10.0.0.0/8"
}

resource "aws_security_group" "ssh" {
  name        = "ssh"
  description = "ssh"
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }
}
"""
OPEN_GROUP = MODULE.replace("[var.cidr]", '["0.0.0.0/0"]').replace(
    'variable "cidr"', 'variable "unused"').replace("ssh", "open")
VALUES = 'region = "eu-west-1"\ncidr   = "0.0.0.0/0"\n'


@dataclass(frozen=True)
class Rename:
    """`old` renamed to `new` (same text); `analyzer` reports `rule` on `new` at `line`."""

    old: str
    new: str
    text: str
    analyzer: str
    rule: str
    line: int
    twin: bool = False  # renamed within the same role: not the change's
    whole_module: bool = False  # its folder's main.tf moves with it: the module renamed


@st.composite
def renames(draw: st.DrawFn, index: int) -> tuple[Rename, ...]:
    parked = draw(st.sampled_from((".github/workflows-disabled/", "ci/", "docs/examples/")))
    ext = draw(st.sampled_from((".yml", ".yaml")))
    stem = f"deploy{index}"
    module = f"infra{index}"
    var_old = draw(st.sampled_from((f"{module}/open.tfvars.example", f"{module}/prod.tfvars",
                                    f"{module}/x.auto.tfvars.off",
                                    f"vars/{index}/terraform.tfvars")))
    var_new = draw(st.sampled_from((f"{module}/terraform.tfvars", f"{module}/open.auto.tfvars")))
    tf_old = draw(st.sampled_from((f"parked{index}/open.tf", f"{module}/open.tf.off")))
    return (
        Rename(f"{parked}{stem}{ext}", f".github/workflows/{stem}{ext}", WORKFLOW, "zizmor",
               "template-injection", 6),
        Rename(f".github/workflows/old{index}.yml", f".github/workflows/new{index}.yml",
               WORKFLOW, "zizmor", "template-injection", 6, twin=True),
        Rename(var_old, var_new, VALUES, "checkov", "CKV_AWS_24", 2),
        Rename(tf_old, f"{module}/open.tf", OPEN_GROUP, "checkov", "CKV_AWS_24", 6),
        Rename(f"kept{index}/terraform.tfvars", f"kept{index}/prod.auto.tfvars", VALUES,
               "checkov", "CKV_AWS_24", 2, twin=True),
        Rename(f"envs/{index}/{draw(st.sampled_from(('old', 'staging')))}/open.tf",
               f"envs/{index}/{draw(st.sampled_from(('new', 'prod')))}/open.tf", OPEN_GROUP,
               "checkov", "CKV_AWS_24", 6, twin=True, whole_module=True),
    )


def _repo(root: Path, drawn: tuple[Rename, ...]) -> Path:
    modules = {f"{Path(r.old if r.whole_module else r.new).parent}/main.tf": MODULE
               for r in drawn if r.rule == "CKV_AWS_24"}
    # each text its own (a comment at its end), so git pairs each rename as drawn
    init_repo(root, {**{path: f"{text}# {path}\n" for path, text in modules.items()},
                     **{r.old: f"{r.text}# {r.old}\n" for r in drawn}})
    git(root, "checkout", "-qb", "feature")
    for r in drawn:
        (root / r.new).parent.mkdir(parents=True, exist_ok=True)
        git(root, "mv", r.old, r.new)
        if r.whole_module:
            git(root, "mv", f"{Path(r.old).parent}/main.tf", f"{Path(r.new).parent}/main.tf")
    git(root, "commit", "-qm", "enable")
    return root


@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.tuples(renames(0), renames(1)).map(lambda pair: pair[0] + pair[1]))
def test_a_rename_into_a_role_makes_the_file_the_changes(iac_env: Path,
                                                         drawn: tuple[Rename, ...]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = _repo(Path(scratch) / "r", drawn)
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never",
                      "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    found = {(f["source"], f["rule"], f["file"], f["start_line"])
             for group in ("remaining", "nits") for f in report["findings"][group]}
    rows = {r["path"]: r for r in report["health"]["files"]}
    for rename in drawn:
        key = (rename.analyzer, rename.rule, rename.new, rename.line)
        unread = [reason for reason in rows[rename.new]["not_read"] if "renamed into" in reason]
        if rename.twin:
            assert key not in found, (rename, sorted(found))
            assert unread == [], rows[rename.new]
        else:
            assert key in found, (rename, sorted(found))
            assert unread, rows[rename.new]
    assert report["health"]["complete"] is False
