"""A change to a call of a local Terraform module is read with the module it calls.
`module "sg" { source = "./modules/sg" }`: plain `checkov -d` renders the module with the
caller's inputs and reports `module.sg.aws_security_group.ssh` on the module's file. The
review gave checkov the changed file's own folder only, so a changed input (`cidr =
"0.0.0.0/0"`), or the caller's `terraform.tfvars` feeding it, never reached the module, and
the review passed while checkov on the head reported SSH open to the world. Now the folders
a changed module calls with a local source are read with it, at the head and at the base,
and what the change opened there is shown on the call's changed input, or on the variable
line that feeds it. The other way, a module changed to read an input is read with the
unchanged modules that call it, whose value it now reads.

Generated: each review (of the head commit, or of the working tree) holds drawn callers in
drawn folders, their modules at drawn relative paths, and modules changed to read what an
unchanged caller passes, with twins — the base passed the open value already, a caller
that passes a narrow one, a module from the registry, a source that leads out of the tree (never
followed) — which must report nothing."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.gitutil import git
from tests.support.repos import init_repo
from tests.support.review_cli import review
from tests.support.terraform_text import ssh_group

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]

MODULE = 'variable "cidr" {\n  type = string\n}\n\n' + ssh_group("var.cidr")
FIXED = MODULE.replace("[var.cidr]", '["10.0.0.0/8"]')  # reads no input
CALL = 'module "sg" {\n  source = "SOURCE"\nMETA  cidr   = CIDR\n}\n'
FED = 'variable "ssh" {\n  type = string\n}\n\n'
OUTPUT = 'output "note" {\n  value = "NOTE"\n}\n'
OPEN, PRIVATE = '"0.0.0.0/0"', '"10.0.0.0/8"'


@dataclass(frozen=True)
class Caller:
    """A module in `folder` calling `module` (a folder of the tree, or `remote`/`outside`
    it) with `cidr` then `cidr_after`, or through `var.ssh` set in `terraform.tfvars`
    (`fed`); the review is to report CKV_AWS_24 on `(file, line)` of it, or nothing."""

    folder: str
    module: str
    cidr: str
    cidr_after: str
    expected: tuple[str, int] | None
    fed: bool = False
    remote: bool = False
    outside: bool = False
    reads: bool = False  # the change makes the module read `cidr`; the caller is unchanged
    meta: str = ""  # a `count` or `for_each` line of the call (`module.sg[0].…`)

    def source(self, root: Path) -> str:
        if self.remote:
            return self.module
        target = root.parent / self.module if self.outside else root / self.module
        relative = os.path.relpath(target, root / self.folder)
        return relative if relative.startswith("..") else f"./{relative}"

    def main(self, root: Path, note: str) -> str:
        if self.reads:
            note = "base"
        call = CALL.replace("SOURCE", self.source(root)).replace("META", self.meta)
        if self.fed:
            return FED + call.replace("CIDR", "var.ssh") + OUTPUT.replace("NOTE", note)
        return call.replace("CIDR", self.cidr if note == "base" else self.cidr_after) + \
            OUTPUT.replace("NOTE", note)

    def values(self, note: str) -> str:
        return f"ssh = {self.cidr if note == 'base' else self.cidr_after}\n"


@st.composite
def callers(draw: st.DrawFn, index: int) -> tuple[Caller, ...]:
    def folder(name: str) -> str:
        return draw(st.sampled_from((f"{name}{index}", f"envs/{index}/{name}")))

    def module(caller: str) -> str:
        # one module folder a caller: checkov reports a module's resource once whichever
        # callers call it (`caller_file_path` names one), in a plain `checkov -d` too
        name = Path(caller).name
        return draw(st.sampled_from((f"{caller}/modules/sg", f"modules/{index}/{name}")))

    opened, fed, had = folder("opened"), folder("fed"), folder("had")
    meta = draw(st.sampled_from(("", "  count  = 1\n", '  for_each = toset(["a"])\n')))
    remote, out = folder("remote"), folder("out")
    calling, private = folder("calling"), folder("private")
    reading = module(calling)
    return (
        # the module changed to read an input its unchanged caller sets open, and its twin
        Caller(calling, reading, OPEN, OPEN, (f"{reading}/main.tf", 5), reads=True),
        Caller(private, module(private), PRIVATE, PRIVATE, None, reads=True),
        Caller(opened, module(opened), PRIVATE, OPEN, (f"{opened}/main.tf", 3 + bool(meta)),
               meta=meta),
        Caller(fed, module(fed), PRIVATE, OPEN, (f"{fed}/terraform.tfvars", 1), fed=True),
        # twins: the base passed it open already; from the registry; out of the tree
        Caller(had, module(had), OPEN, OPEN, None),
        Caller(remote, "terraform-aws-modules/security-group/aws", PRIVATE, OPEN, None,
               remote=True),
        Caller(out, f"outside{index}", PRIVATE, OPEN, None, outside=True),
    )


def _repo(root: Path, drawn: tuple[Caller, ...]) -> Path:
    modules = {f"{c.module}/main.tf": FIXED if c.reads else MODULE for c in drawn
               if not (c.remote or c.outside)}
    for c in drawn:
        if c.outside:
            (root.parent / c.module).mkdir(parents=True, exist_ok=True)
            (root.parent / c.module / "main.tf").write_text(MODULE)
    init_repo(root, {**modules, **{f"{c.folder}/main.tf": c.main(root, "base") for c in drawn},
                     **{f"{c.folder}/terraform.tfvars": c.values("base") for c in drawn
                        if c.fed},
                     "notes.md": "notes\n"})
    git(root, "checkout", "-qb", "feature")
    for c in drawn:
        (root / c.folder / "main.tf").write_text(c.main(root, "head"))
        if c.fed:
            (root / c.folder / "terraform.tfvars").write_text(c.values("head"))
        if c.reads:
            (root / c.module / "main.tf").write_text(MODULE)
    git(root, "commit", "-qam", "change")
    return root


@settings(max_examples=3, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.generate),  # a failure's review is not shrunk
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.tuples(callers(0), callers(1)).map(lambda pair: pair[0] + pair[1]),
       st.sampled_from((("--head", "feature"), ())))
def test_a_changed_call_is_read_with_its_local_module(iac_env: Path,
                                                      drawn: tuple[Caller, ...],
                                                      head: tuple[str, ...]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = _repo(Path(scratch) / "r", drawn)
        done = review(root, "--base", "main", *head, "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    found = {(f["file"], f["start_line"]): f for group in ("remaining", "nits")
             for f in report["findings"][group]
             if f["source"] == "checkov" and f["rule"] == "CKV_AWS_24"}
    assert set(found) == {c.expected for c in drawn if c.expected}, (head, sorted(found))
    for (file, _), finding in found.items():
        if "/modules/" in f"/{file}":  # on the change's own line, in the module
            continue
        assert finding["introduced"] and 'through module "sg"' in finding["rationale"], finding
        assert ("it reads var.ssh" if file.endswith(".tfvars") else
                "the change sets the module's inputs here") in finding["rationale"], finding
    checkov = [a for a in report["health"]["analyzers"] if a["name"] == "checkov"]
    assert [a["status"] for a in checkov] == ["ok"], checkov
