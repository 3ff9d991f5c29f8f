"""A local module is read with its callers in every file kind checkov reads as Terraform.

`module "sg" { source = "./modules/sg"  cidr = "0.0.0.0/0" }` in `call.hcl`: plain `checkov
-d .` reads a folder's `.hcl` files with its `.tf` files and renders the module with the
call's inputs, reporting `module.sg.aws_security_group.ssh` (CKV_AWS_24) on the module's
`main.tf`. The review looked for callers in `.tf`/`.tf.json`/`.tofu` files only: a module
changed to read `var.cidr` was read alone, and passed; and a changed input of an `.hcl`
call was found by checkov but dropped, no call block being looked for in an `.hcl` file.

Generated: each review holds the whole matrix — the caller's file kind (`.tf`, `.hcl`,
`.tofu`, `.tf.json`) × how its `source` spells the module's path (`./modules/sg`, `../sg`,
`./modules/sg/`, `.//modules/sg`, and `modules/sg/`, a registry address to Terraform and
checkov) × what the change writes (the module made to read the input an unchanged call sets
open, or the call's input opened) — placed, led, its block opened (`module "sg" {`,
`module sg {`, indented: the block of a bare label or an indented one was not found, and
what its changed input opened was dropped) and reviewed as drawn. The oracle is plain
`checkov -d .` on the head and on the base: what it reports at the head only is what the
review must report as introduced, and nothing else. Plain checkov skips `.tofu` files,
which the review reads as OpenTofu does (as `.tf`: `checkov.staged`), so their cases are
expected as their `.tf` twins'.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.checkov import plain_checkov
from tests.support.gitutil import git
from tests.support.repos import commit, init_repo
from tests.support.review_cli import review
from tests.support.terraform_text import ssh_group

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]

KINDS = (".tf", ".hcl", ".tofu", ".tf.json")
SPELLINGS = ("./modules/sg", "../sg", "./modules/sg/", ".//modules/sg", "modules/sg/")
CHANGES = ("module reads", "input opened")
OPEN, PRIVATE = "0.0.0.0/0", "10.0.0.0/8"
VARIABLE = 'variable "cidr" {\n  type = string\n}\n\n'
OPENINGS = ('module "sg" {', "module sg {", '  module "sg" {', '\tmodule sg  {')
LEADS = ("", "# the security groups\n", 'locals {\n  team = "ops"\n}\n\n')


@dataclass(frozen=True)
class Case:
    """A caller of kind `kind` in its own folder under `prefix`, calling module `sg` by
    `spelling`; `change` says what the change writes; `lead`: the caller's first lines."""

    index: int
    kind: str
    spelling: str
    change: str
    prefix: str
    lead: str
    opening: str = 'module "sg" {'  # how the block opens: indented, its label bare

    @property
    def top(self) -> str:
        return f"{self.prefix}c{self.index}"

    @property
    def caller(self) -> str:
        folder = f"{self.top}/app" if self.spelling == "../sg" else self.top
        return f"{folder}/call{self.kind}"

    @property
    def module(self) -> str:
        return f"{self.top}/sg" if self.spelling == "../sg" else f"{self.top}/modules/sg"

    def call(self, cidr: str) -> str:
        if self.kind == ".tf.json":
            return json.dumps({"module": {"sg": {"source": self.spelling, "cidr": cidr}}},
                              indent=2) + "\n"
        return f'{self.lead}{self.opening}\n  source = "{self.spelling}"\n  cidr   = "{cidr}"\n}}\n'

    def files(self, head: bool) -> dict[str, str]:
        reads = head or self.change == "input opened"
        opened = head or self.change == "module reads"
        return {self.caller: self.call(OPEN if opened else PRIVATE),
                f"{self.module}/main.tf": VARIABLE + ssh_group(
                    "var.cidr" if reads else f'"{PRIVATE}"')}

    @property
    def local(self) -> bool:
        """Whether Terraform and checkov follow the call into the tree."""
        return self.spelling.startswith(("./", "../")) and self.kind != ".tf.json"

    def expected(self) -> tuple[str, int] | None:
        """Where the review shows the opened group: on the module's resource it changed, or
        on the call's changed input line; None when no run renders the call."""
        if not self.local:
            return None
        if self.change == "module reads":
            return f"{self.module}/main.tf", VARIABLE.count("\n") + 1
        return self.caller, self.lead.count("\n") + 3


@st.composite
def matrices(draw: st.DrawFn) -> tuple[Case, ...]:
    cases = []
    for kind in KINDS:
        for spelling in SPELLINGS:
            for change in CHANGES:
                cases.append(Case(len(cases), kind, spelling, change,
                                  draw(st.sampled_from(("", "envs/", "live/prod/"))),
                                  draw(st.sampled_from(LEADS)), draw(st.sampled_from(OPENINGS))))
    return tuple(cases)


def _opened(checks: list[dict], cases: tuple[Case, ...]) -> set[int]:
    """The cases whose module plain checkov reports open through the call."""
    return {case.index for case in cases for check in checks
            if check["check_id"] == "CKV_AWS_24" and check["resource"].startswith("module.sg.")
            and check["file_path"] == f"/{case.module}/main.tf"}


@pytest.mark.long(seconds=29)
@settings(max_examples=2, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.generate),  # a failure's review is not shrunk
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(matrices(), st.sampled_from((("--head", "feature"), ())))
def test_a_module_is_read_with_its_callers_of_every_kind(iac_env: Path, cases: tuple[Case, ...],
                                                         head: tuple[str, ...]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = init_repo(Path(scratch) / "r", {
            path: text for case in cases for path, text in case.files(head=False).items()})
        base = set(_opened(plain_checkov(iac_env, root), cases))
        git(root, "checkout", "-qb", "feature")
        commit(root, {path: text for case in cases
                      for path, text in case.files(head=True).items()}, "change")
        plain = _opened(plain_checkov(iac_env, root), cases) - base
        done = review(root, "--base", "main", *head, "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    found = {(f["file"], f["start_line"]) for group in ("remaining", "nits")
             for f in report["findings"][group]
             if f["source"] == "checkov" and f["rule"] == "CKV_AWS_24"}
    assert found == {case.expected() for case in cases if case.expected()}, (head, sorted(found))
    # the oracle: plain checkov renders exactly these calls (a `.tofu` one as its `.tf` twin)
    assert plain == {case.index for case in cases if case.local and case.kind != ".tofu"}, plain
    # a changed call of a source that is no folder (`modules/sg`: a registry address) is
    # named: Terraform would fetch it (`terraform_modules.unfetched`)
    assert not [f for f in report["health"]["files"] if f["not_read"]
                and PurePosixPath(f["path"]).suffix != ".tofu"
                and not all("Terraform fetches it" in why for why in f["not_read"])], \
        report["health"]["files"]
