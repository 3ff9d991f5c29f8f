"""A change to a value alone: a variable file Terraform loads by itself, or a variable's
default, opens a security group the change did not write. Real checkov on real git
repositories, a generator of modules: which file carries the value (`terraform.tfvars`,
`x.auto.tfvars`, their JSON forms on one line or spread, a `default` in `variables.tf`),
the port, the private CIDR the base had, whether the resource is in a file of its own; and
whether the base was already open (then the change to another value of the same resource
brings nothing new)."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

pytestmark = [pytest.mark.usefixtures("iac_env"), pytest.mark.pypi, pytest.mark.timeout(900)]

OPEN = "0.0.0.0/0"
RULES = {22: "CKV_AWS_24", 3389: "CKV_AWS_25"}  # the port open to the world
CARRIERS = ("terraform.tfvars", "x.auto.tfvars", "terraform.tfvars.json", "x.auto.tfvars.json",
            "variables.tf")
SECURITY_GROUP = '''resource "aws_security_group" "sg" {
  name        = "sg-${var.env}"
  description = "sg"
  ingress {
    description = "admin"
    from_port   = var.port
    to_port     = var.port
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }
}
'''


@dataclass(frozen=True)
class Module:
    """A module whose security group reads `var.env`, `var.cidr` and `var.port`; the change
    sets `cidr` to the world (it was `closed`), or, `open_at_base`, only `env`."""

    carrier: str  # the file whose values change
    open_at_base: bool
    port: int
    closed: str
    apart: bool  # the resource in main.tf, else beside the variables in variables.tf
    spread: bool  # a JSON carrier on several lines, else on one

    def files(self, head: bool) -> dict[str, str]:
        env = "prod" if head else "dev"
        cidr = OPEN if head or self.open_at_base else self.closed
        defaults = {"env": env, "cidr": cidr, "port": self.port} \
            if self.carrier == "variables.tf" else {"env": "dev", "cidr": self.closed,
                                                    "port": 80}
        files = {"infra/variables.tf": "".join(
            f'variable "{name}" {{\n  default = {json.dumps(value)}\n}}\n'
            for name, value in defaults.items())}
        if self.carrier != "variables.tf":
            values = {"env": env, "cidr": cidr, "port": self.port}
            files[f"infra/{self.carrier}"] = json.dumps(
                values, indent=2 if self.spread else None) + "\n" \
                if self.carrier.endswith(".json") else \
                "".join(f"{name} = {json.dumps(value)}\n" for name, value in values.items())
        resource = "infra/main.tf" if self.apart else "infra/variables.tf"
        files[resource] = files.get(resource, "") + SECURITY_GROUP
        return files


modules = st.builds(Module, carrier=st.sampled_from(CARRIERS), open_at_base=st.booleans(),
                    port=st.sampled_from(sorted(RULES)),
                    closed=st.sampled_from(("10.0.0.0/8", "192.168.10.0/24")),
                    apart=st.booleans(), spread=st.booleans())


@pytest.mark.parametrize("open_at_base", [False, True], ids=["closed at base", "open at base"])
@pytest.mark.parametrize("carrier", CARRIERS)
@settings(max_examples=2, deadline=None, derandomize=True,  # each example runs checkov twice
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # iac_env: the same
@given(data=st.data())
def test_a_value_that_opens_an_unchanged_resource_is_reported_on_the_value(
        carrier: str, open_at_base: bool, data: st.DataObject) -> None:
    module = data.draw(modules.map(lambda m: Module(carrier, open_at_base, m.port, m.closed,
                                                    m.apart, m.spread)))
    with tempfile.TemporaryDirectory() as scratch:
        repo = Repo(Path(scratch), module.files(head=False))
        head = module.files(head=True)
        diff = repo.change(head)
        report = run_for_agent(agent("review-infrastructure", ("checkov",)), repo.root, diff)

    assert report.complete, (report.missing, report.errors)
    (row,) = [h for h in report.health if h.name == "checkov"]
    path = f"infra/{carrier}"
    assert path in row.files and path not in row.unread  # the matrix: checkov read it
    found = [f for f in [*report.findings, *report.outside] if f.source == "checkov"]
    if open_at_base:  # the security group was open before: nothing of it is the change's
        assert found == [], [(f.rule, f.file, f.start_line) for f in found]
        return
    # the world is let in to the port, and only that: the unattached group's CKV2_AWS_5
    # is the base's as well
    (new,) = found
    assert (new.rule, new.file, new.introduced) == (RULES[module.port], path, True)
    assert new in report.findings and new.symbol == "aws_security_group.sg"
    if module.carrier == "variables.tf" and not module.apart:
        return  # the resource is in the changed file: it stays on its own lines
    cidr_line = next(n for n, line in enumerate(head[path].splitlines(), 1) if OPEN in line)
    assert new.start_line <= cidr_line <= new.end_line, (new.start_line, new.end_line)
    resource = "infra/main.tf" if module.apart else "infra/variables.tf"
    assert f"aws_security_group.sg in {resource}" in new.rationale and \
        "var.cidr" in new.rationale, new.rationale


@pytest.mark.parametrize("renamed", [False, True], ids=["deleted", "renamed away"])
@settings(max_examples=1, deadline=None, derandomize=True,  # each example runs checkov twice
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(port=st.sampled_from(sorted(RULES)), json_form=st.booleans(),
       closed=st.sampled_from(("10.0.0.0/8", "192.168.10.0/24")))
def test_a_deleted_restricting_variable_file_beside_a_module_edit_is_reported(
        port: int, json_form: bool, renamed: bool, closed: str) -> None:
    """The base's `restrict.auto.tfvars` closed a default open to the world; the change
    deletes it (or renames it to a name Terraform does not load) and edits a comment of
    `main.tf`: the base run must read the module with the file it had."""
    restrict = "infra/restrict.auto.tfvars" + (".json" if json_form else "")
    values = {"cidr": closed, "env": "dev"}
    base = {"infra/variables.tf": 'variable "cidr" {\n  default = "0.0.0.0/0"\n}\n'
                                  f'variable "port" {{\n  default = {port}\n}}\n'
                                  'variable "env" {\n  default = "dev"\n}\n',
            restrict: json.dumps(values) + "\n" if json_form else
            "".join(f"{name} = {json.dumps(value)}\n" for name, value in values.items()),
            "infra/main.tf": "# network rules\n" + SECURITY_GROUP}
    with tempfile.TemporaryDirectory() as scratch:
        repo = Repo(Path(scratch), base)
        head = {"infra/main.tf": "# network rules, reviewed\n" + SECURITY_GROUP}
        if renamed:
            head["infra/restrict.tfvars.off"] = base[restrict]
        diff = repo.change(head, delete=(restrict,))
        report = run_for_agent(agent("review-infrastructure", ("checkov",)), repo.root, diff)

    assert report.complete, (report.missing, report.errors)
    found = [f for f in [*report.findings, *report.outside]
             if f.source == "checkov" and f.rule == RULES[port]]
    assert [(f.file, f.introduced) for f in found] == [("infra/main.tf", True)], found


@pytest.mark.parametrize("attribute", ["env", "cidr"])  # both read by the group
@settings(max_examples=1, deadline=None, derandomize=True,  # each example runs checkov twice
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(port=st.sampled_from(sorted(RULES)))
def test_an_attribute_of_another_changed_tf_file_does_not_take_the_finding(
        attribute: str, port: int) -> None:
    """The change opens `variable "cidr"`'s default and adds a log group whose attribute
    (`env =`, `cidr =`: names the group reads) sets no variable: the finding is on the
    default."""
    def variables(cidr: str) -> str:
        return f'variable "cidr" {{\n  default = "{cidr}"\n}}\n' \
               f'variable "port" {{\n  default = {port}\n}}\n' \
               'variable "env" {\n  default = "dev"\n}\n'

    logs = f'resource "aws_cloudwatch_log_group" "app" {{\n  {attribute} = "app"\n' \
           '  retention_in_days = 365\n}\n'
    base = {"infra/variables.tf": variables("10.0.0.0/8"),
            "infra/main.tf": SECURITY_GROUP}
    with tempfile.TemporaryDirectory() as scratch:
        repo = Repo(Path(scratch), base)
        diff = repo.change({"infra/variables.tf": variables(OPEN), "infra/logs.tf": logs})
        report = run_for_agent(agent("review-infrastructure", ("checkov",)), repo.root, diff)

    assert report.complete, (report.missing, report.errors)
    (new,) = [f for f in report.findings if f.source == "checkov" and f.rule == RULES[port]]
    assert (new.file, new.start_line, new.introduced) == ("infra/variables.tf", 2, True), \
        (new.file, new.start_line, new.rationale)
    assert "var.cidr" in new.rationale, new.rationale
