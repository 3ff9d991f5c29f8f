"""A change that only takes a file away from a Terraform module is the change's. Deleting a
bucket's public access block, or the `*.auto.tfvars` that narrowed a security group's
default `0.0.0.0/0`, or renaming either out of the module (`block.tf.off`, another folder),
writes no line the module still has: checkov was given no file, and the review passed while
`checkov -d` on the head reported the bucket open and SSH open to the world. Now the module
is read as it is, compared with the base's, and what the taken file held back is a finding
about that file as a whole.

Generated: each review holds a drawn module of each kind in a drawn folder, taken from in a
drawn way (deleted, renamed to a name Terraform does not load, moved to another folder),
with its twins — a taken file that held nothing back, one whose finding the base already
had, a module deleted whole — which must report nothing."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.gitutil import git
from tests.support.repos import init_repo
from tests.support.review_cli import review
from tests.support.terraform_text import ssh_group

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]

BUCKET = 'resource "aws_s3_bucket" "data" {\n  bucket = "data"\n}\n'
BLOCK = """resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
"""
GROUP = ('variable "cidr" {\n  type    = string\n  default = "0.0.0.0/0"\n}\n\n'
         + ssh_group("var.cidr"))
OPEN = GROUP.replace("[var.cidr]", '["0.0.0.0/0"]')  # open at the base already
NARROW = 'cidr = "10.0.0.0/8"\n'
NARROW_JSON = '{"cidr": "10.0.0.0/8"}\n'
OUTPUT = 'output "note" {\n  value = "kept"\n}\n'


@dataclass(frozen=True)
class Taken:
    """`old` (holding `text`) taken from a module whose other files are `kept`; the
    review is to report `rule` about the file where the change left it (None: nothing)."""

    old: str
    text: str
    kept: dict[str, str]
    rule: str | None
    how: str  # deleted, renamed, moved
    whole: bool = False  # `kept` deleted with it: the module gone

    def new(self, index: int) -> str | None:
        if self.how == "deleted":
            return None
        if self.how == "renamed":
            return f"{self.old}.off"
        return f"attic/{index}/{Path(self.old).name}"


@st.composite
def taken(draw: st.DrawFn, index: int) -> tuple[Taken, ...]:
    def folder(name: str) -> str:
        return draw(st.sampled_from((f"{name}{index}", f"envs/{index}/{name}")))

    def how() -> str:
        return draw(st.sampled_from(("deleted", "renamed", "moved")))

    bucket, group, both = folder("bucket"), folder("ssh"), folder("both")
    out, opened = folder("out"), folder("open")
    values = draw(st.sampled_from(("terraform.tfvars", "narrow.auto.tfvars",
                                   "narrow.auto.tfvars.json")))
    narrow = NARROW_JSON if values.endswith(".json") else NARROW
    main = draw(st.sampled_from(("main.tf", "main.tofu")))
    return (
        Taken(f"{bucket}/{draw(st.sampled_from(('block.tf', 'pab.tf')))}", BLOCK,
              {f"{bucket}/{main}": BUCKET}, "CKV2_AWS_6", how()),
        Taken(f"{group}/{values}", narrow, {f"{group}/{main}": GROUP}, "CKV_AWS_24", how()),
        # two taken from one module: each finding on the file that held it back
        Taken(f"{both}/block.tf", BLOCK, {f"{both}/main.tf": BUCKET + GROUP}, "CKV2_AWS_6",
              how()),
        Taken(f"{both}/{values}", narrow, {}, "CKV_AWS_24", how()),
        # twins: held nothing back; the base had it already; the module gone whole
        Taken(f"{out}/outputs.tf", OUTPUT, {f"{out}/main.tf": BUCKET + BLOCK}, None, how()),
        Taken(f"{opened}/{values}", narrow, {f"{opened}/main.tf": OPEN}, None, how()),
        Taken(f"gone{index}/block.tf", BLOCK, {f"gone{index}/main.tf": BUCKET}, None,
              "deleted", whole=True),
    )


def _repo(root: Path, drawn: tuple[Taken, ...]) -> Path:
    files = {path: text for t in drawn for path, text in t.kept.items()}
    # each text its own, so git pairs no deletion with another file's rename
    files |= {t.old: t.text.replace('}', f', "owner": "{t.old}"}}') if t.old.endswith(".json")
              else f"{t.text}# {t.old}\n" for t in drawn}
    init_repo(root, {**files, "notes.md": "notes\n"})
    git(root, "checkout", "-qb", "feature")
    for index, t in enumerate(drawn):
        new = t.new(index)
        if new is None:
            git(root, "rm", "-q", t.old)
        else:
            (root / new).parent.mkdir(parents=True, exist_ok=True)
            git(root, "mv", t.old, new)
        if t.whole:
            git(root, "rm", "-q", *t.kept)
    git(root, "commit", "-qm", "take away")
    return root


@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.tuples(taken(0), taken(1)).map(lambda pair: pair[0] + pair[1]))
def test_a_file_taken_from_a_module_is_the_changes(iac_env: Path,
                                                   drawn: tuple[Taken, ...]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = _repo(Path(scratch) / "r", drawn)
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never",
                      "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    found = {(f["rule"], f["file"]): f for group in ("remaining", "nits")
             for f in report["findings"][group] if f["source"] == "checkov"}
    wanted = {(t.rule, t.new(index) or t.old) for index, t in enumerate(drawn) if t.rule}
    assert set(found) == wanted, (sorted(found), sorted(wanted))
    for finding in found.values():
        assert finding["level"] == "file" and finding["introduced"], finding
        assert "which the change did not write" in finding["rationale"], finding
    assert set(report["files"]["deleted"]) == {
        *(t.old for t in drawn if t.how == "deleted"),
        *(path for t in drawn if t.whole for path in t.kept)}, report["files"]
    checkov = [a for a in report["health"]["analyzers"] if a["name"] == "checkov"]
    assert [a["status"] for a in checkov] == ["ok"], checkov
