"""A changed Terraform variable file is read by checkov exactly when Terraform loads it by
itself; one only a `-var-file` loads is named as not read, never shown as checkov's.

Terraform (and plain `checkov -d`, which reads no `-var-file` unless told) loads
`terraform.tfvars`, `*.auto.tfvars` and their `.json` forms, case-sensitively; `prod.tfvars`,
`envs/dev.tfvars.json`, `Terraform.tfvars` or `x.AUTO.tfvars` set nothing unless a
`-var-file` names them. The review must not claim such a file's values were read: its row
names it as not read by checkov, with the reason and the fix, and checkov is not among the
analyzers that read it.

Generated: a library of variable file names (`NAMES`), each the only change to a module of
its own whose security group a value the file sets would open to 0.0.0.0/0. Plain `checkov
-d .` is the oracle of which files it reads: it reports CKV_AWS_24 on that module exactly
when it loaded the file."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from tests.support.checkov import plain_checkov
from tests.support.project_rules import reviewed

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]

# auto-loaded forms and forms only a `-var-file` loads
NAMES = ("terraform.tfvars", "terraform.tfvars.json", "prod.auto.tfvars", "a.b.auto.tfvars.json",
         "prod.tfvars", "dev.tfvars.json", "Terraform.tfvars", "x.AUTO.tfvars", "auto.tfvars",
         "terraform.tfvars.auto.tfvars")
GROUP = ('resource "aws_security_group" "sg" {\n  name        = "sg"\n  description = "d"\n'
         '  ingress {\n    description = "ssh"\n    from_port   = 22\n    to_port     = 22\n'
         '    protocol    = "tcp"\n    cidr_blocks = [var.cidr]\n  }\n}\n')
VARIABLE = 'variable "cidr" {\n  type    = string\n  default = "10.0.0.0/8"\n}\n'


def _value(name: str) -> str:
    return json.dumps({"cidr": "0.0.0.0/0"}) + "\n" if name.endswith(".json") \
        else 'cidr = "0.0.0.0/0"\n'


@settings(max_examples=2, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.generate),  # a failure's review is not shrunk
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(NAMES), min_size=3, max_size=6, unique=True))
@example(list(NAMES))
def test_a_variable_file_is_read_by_checkov_exactly_when_terraform_loads_it_itself(
        iac_env: Path, names: list[str]) -> None:
    base = {f"m{i}/main.tf": GROUP + VARIABLE for i in range(len(names))}
    change = {f"m{i}/{name}": _value(name) for i, name in enumerate(names)}
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "plain"
        for path, text in {**base, **change}.items():
            (tree / path).parent.mkdir(parents=True, exist_ok=True)
            (tree / path).write_text(text)
        opened = {check["file_path"].lstrip("/").split("/")[0] for check in
                  plain_checkov(iac_env, tree, "--framework", "terraform")
                  if check["check_id"] == "CKV_AWS_24"}
        report = reviewed(Path(scratch) / "r", base, change)
    rows = {row["path"]: row for row in report["health"]["files"]}
    assert opened, "the oracle loads terraform.tfvars at least"
    for path in change:
        module, row = path.split("/")[0], rows[path]
        by_checkov = [why for why in row["not_read"] if why.startswith("checkov:")]
        if module in opened:  # read: not named, and the finding it brings about shown
            assert not by_checkov, (path, by_checkov)
            assert any(by.startswith("checkov") for by in row["analysed_by"]), row
        else:
            assert any("only when a `-var-file` names it" in why for why in by_checkov), row
            assert not any(by.startswith("checkov") for by in row["analysed_by"]), row
    assert report["health"]["complete"] is (set(opened) == {p.split("/")[0] for p in change})
