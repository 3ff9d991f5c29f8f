"""A module call whose module is not in the tree is named when the change touches it.

`module "s3" { source = "terraform-aws-modules/s3-bucket/aws"  acl = "public-read" }`:
Terraform fetches the module at `terraform init`; the review reads the tree offline, so the
public bucket it makes was never looked at, and the review said `complete`. Now a changed
call with a registry or git source, or a local one naming no folder of the tree, or a
changed `terraform.tfvars` setting a variable such a call passes on, names the file with the
fix, and the verdict is incomplete. A call the change does not touch is not named, nor one
whose local module is in the tree (checkov reads that one with it).

Generated: each review holds drawn calls, each in a folder of its own, by kind of source and
by how the change reaches it. checkov for real."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent
from tests.support.terraform_text import ssh_group

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]

SOURCES = {"registry": "terraform-aws-modules/security-group/aws",
           "git": "git::https://example.invalid/m.git//sg?ref=v1",
           "missing": "./modules/missing", "local": "./modules/sg"}
REACHES = ("block", "tfvars", "elsewhere")  # the call's own lines, its input, neither


@dataclass(frozen=True)
class Call:
    source: str
    reach: str
    decoy: bool = False  # a map input before `source` holding a `source` key of its own

    def named(self) -> bool:
        return self.source != "local" and self.reach != "elsewhere"


def files(call: Call, top: str, changed: bool) -> dict[str, str]:
    cidr = '"0.0.0.0/0"' if changed and call.reach == "block" else "var.cidr"
    decoy = '  tags = {\n    source = "terraform"\n  }\n' if call.decoy else ""
    main = (f'variable "cidr" {{\n  type = string\n}}\n\nmodule "sg" {{\n{decoy}'
            f'  source = "{SOURCES[call.source]}"\n  cidr   = {cidr}\n}}\n')
    if changed and call.reach == "elsewhere":
        main += '\noutput "x" {\n  value = 1\n}\n'
    tfvars = 'cidr = "0.0.0.0/0"\n' if changed and call.reach == "tfvars" else \
        'cidr = "10.0.0.0/8"\n'
    return {f"{top}/main.tf": main, f"{top}/terraform.tfvars": tfvars,
            f"{top}/modules/sg/main.tf": 'variable "cidr" {\n  type = string\n}\n\n' +
            ssh_group("var.cidr")}


_calls = st.lists(st.builds(Call, st.sampled_from(sorted(SOURCES)), st.sampled_from(REACHES),
                            st.booleans()), min_size=1, max_size=4, unique=True)


@settings(max_examples=6, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.generate),  # a failure's review is not shrunk
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@example([Call("local", "block", decoy=True), Call("registry", "block", decoy=True)])
@given(_calls)
def test_a_touched_call_of_a_module_not_in_the_tree_is_named(iac_env: Path,
                                                              calls: list[Call]) -> None:
    tops = [f"c{index}" for index in range(len(calls))]
    base = {p: t for call, top in zip(calls, tops, strict=True)
            for p, t in files(call, top, changed=False).items()}
    head = {p: t for call, top in zip(calls, tops, strict=True)
            for p, t in files(call, top, changed=True).items() if base[p] != t}
    with tempfile.TemporaryDirectory() as scratch:
        repo = Repo(Path(scratch), base)
        report = run_for_agent(agent("review-infrastructure", ("checkov",)), repo.root,
                               repo.change(head))
    health = next(h for h in report.health if h.name == "checkov")
    assert health.status == "ok", health
    expected = {}
    for call, top in zip(calls, tops, strict=True):
        if call.named():
            file = f"{top}/main.tf" if call.reach == "block" else f"{top}/terraform.tfvars"
            expected[file] = SOURCES[call.source]
    named = {path: why for path, why in health.unread.items() if 'module "sg" from' in why}
    assert set(named) == set(expected), (calls, health.unread)
    for path, source in expected.items():
        why = named[path]
        assert f'module "sg" from {source} was not read' in why and "fix: " in why, why
        assert ("no such folder" in why) is (source == SOURCES["missing"]), why
