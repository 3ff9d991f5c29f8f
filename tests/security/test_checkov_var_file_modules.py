"""A changed variable file of the trusted `.checkov.yaml` reaches the modules that declare
what it sets, in every file kind checkov reads a declaration from.

`var-file: [envs/prod.tfvars]`, and the change sets `cidr_0 = "0.0.0.0/0"` there alone: plain
`checkov -d . --var-file envs/prod.tfvars` reports CKV_AWS_24 on the group of module `m0`,
whose `variable "cidr_0"` is declared in `m0/variables.hcl` (checkov's Terraform runner
reads `.hcl` files as `.tf` ones). The review searched `.tf` files only for the declaring
modules: it never read `m0`, and passed. A declaration in a `.tf.json` file reaches no
value in plain checkov (its JSON runner resolves no variable, and its Terraform runner does
not read the file): such a module is a twin that reports nothing. A `.tofu` one the review
reads as OpenTofu does, as `.tf` (`checkov.staged`; plain checkov skips the name): expected
as its `.tf` twin.

Generated: each review holds every kind of the declaring file × the resource file's kind,
the label spelled as drawn (`variable "x"`, `variable x`), the variable file as `.tfvars` or
`.tfvars.json`, reviewed as a pull request or the working tree; plain checkov on the head
and the base is the oracle. The search stops after `MAX_SEARCHED` files: at the bound the
module past none of it is read, one file past it the variable file is named as not fully
analysed (tested at both sides of the bound).
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.terraform_var_files import CUT, MAX_SEARCHED
from tests.support.checkov import plain_checkov
from tests.support.project_rules import reviewed
from tests.support.terraform_text import ssh_group

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]

KINDS = (".tf", ".hcl", ".tofu", ".tf.json")
CLOSED, OPEN = "10.0.0.0/8", "0.0.0.0/0"
CONFIG = ".checkov.yaml"


@dataclass(frozen=True)
class Module:
    """Module `m{index}`: `cidr_{index}` declared in `variables{declared}` (label quoted
    or not), read by a security group in `main{resource}`."""

    index: int
    declared: str
    resource: str
    quoted: bool

    def files(self) -> dict[str, str]:
        name = f"cidr_{self.index}"
        if self.declared == ".tf.json":
            variables = json.dumps({"variable": {name: {"type": "string", "default": CLOSED}},
                                    }, indent=2) + "\n"
        else:
            label = f'"{name}"' if self.quoted else name
            variables = f'variable {label} {{\n  type    = string\n  default = "{CLOSED}"\n}}\n'
        group = ssh_group(f"var.{name}")
        return {f"m{self.index}/variables{self.declared}": variables,
                f"m{self.index}/main{self.resource}": group}

    @property
    def reached(self) -> bool:
        """Whether the variable file's value reaches the group (see the docstring)."""
        return self.declared != ".tf.json" and self.resource != ".tf.json"


def _values(modules: tuple[Module, ...], path: str, cidr: str) -> str:
    values = {f"cidr_{m.index}": cidr for m in modules}
    if path.endswith(".json"):
        return json.dumps(values, indent=2) + "\n"
    return "".join(f'{name} = "{value}"\n' for name, value in values.items())


def _line(text: str, name: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if name in line)


@st.composite
def projects(draw: st.DrawFn) -> tuple[Module, ...]:
    modules = []
    for declared in KINDS:
        for resource in sorted({".tf", ".hcl", declared}):
            modules.append(Module(len(modules), declared, resource, draw(st.booleans())))
    return tuple(modules)


def _opened(checks: list[dict], modules: tuple[Module, ...]) -> set[int]:
    return {m.index for m in modules for check in checks if check["check_id"] == "CKV_AWS_24"
            and check["file_path"].startswith(f"/m{m.index}/")}


@settings(max_examples=2, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.generate),  # a failure's review is not shrunk
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(projects(), st.sampled_from(("envs/prod.tfvars", "envs/prod.tfvars.json")),
       st.booleans())
def test_a_value_reaches_the_modules_declaring_it_in_every_kind(
        iac_env: Path, modules: tuple[Module, ...], values: str, local: bool) -> None:
    base = {CONFIG: f"var-file:\n  - {values}\n", values: _values(modules, values, CLOSED),
            **{path: text for m in modules for path, text in m.files().items()}}
    change = {values: _values(modules, values, OPEN)}
    plain: dict[str, set[int]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for side, files in (("base", base), ("head", base | change)):
            for path, text in files.items():
                (Path(scratch) / side / path).parent.mkdir(parents=True, exist_ok=True)
                (Path(scratch) / side / path).write_text(text)
            # as its users run it: the project's .checkov.yaml names the variable file
            plain[side] = _opened(plain_checkov(iac_env, Path(scratch) / side), modules)
        report = reviewed(Path(scratch) / "r", base, change, local=local)
    assert plain["head"] - plain["base"] == {m.index for m in modules if m.reached
                                             and m.declared != ".tofu"
                                             and m.resource != ".tofu"}, plain
    found = {f["start_line"] for group in ("remaining", "nits")
             for f in report["findings"][group] if f["source"] == "checkov"
             and f["rule"] == "CKV_AWS_24" and f["file"] == values}
    assert found == {_line(change[values], f"cidr_{m.index}") for m in modules if m.reached}, \
        (found, report["findings"]["remaining"])
    assert not [f for f in report["health"]["files"] if f["not_read"]], report["health"]


@pytest.mark.parametrize(("searched", "local"), [
    (MAX_SEARCHED, False), (MAX_SEARCHED + 1, False), (MAX_SEARCHED + 1, True)])
def test_the_search_stops_at_its_bound_and_names_the_variable_file(
        iac_env: Path, tmp_path: Path, searched: int, local: bool) -> None:
    """`searched` files the search reads (fillers of each kind, and the declaring module's
    two, last by name): one past the bound, the module is not reached and the variable
    file is named with why; at it, the module is read and nothing is named."""
    module = Module(0, ".tf", ".hcl", True)
    fillers = {f"a/f{n:04}{KINDS[n % 3]}": "# nothing\n" for n in range(searched - 2)}
    base = {CONFIG: "var-file: envs/prod.tfvars\n", "envs/prod.tfvars": 'cidr_0 = "10.0.0.0/8"\n',
            **fillers, **{f"z{path}": text for path, text in module.files().items()}}
    report = reviewed(tmp_path / "r", base, {"envs/prod.tfvars": f'cidr_0 = "{OPEN}"\n'},
                      local=local)
    named = [why for f in report["health"]["files"] if f["path"] == "envs/prod.tfvars"
             for why in f["not_read"]]
    opened = [f for f in report["findings"]["remaining"] if f["rule"] == "CKV_AWS_24"]
    if searched > MAX_SEARCHED:
        assert named == [f"checkov: {CUT}"] and not opened, named
        assert report["health"]["complete"] is False
    else:
        assert not named and len(opened) == 1, (named, opened)
