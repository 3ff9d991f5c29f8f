"""An analyzer that does not say where its tool ends lines names as not analysed only the
files where an odd break may have moved a finding the review places.

checkov and shellcheck declare no `line_breaks`, so a file holding a break git does not
count (a lone CR, VT, FF, U+2028, …) is held to every break `str.splitlines` knows. Every
file such an analyzer read holding one was named "not analysed": a Terraform module the
change did not touch, read only because a changed variable file sets its variable, and a
changed script whose break lies below every finding, which no numbering can move. The review
lost its "complete" for nothing. Now a file is named when a finding of the analyzer ends
below its first odd break, on a file the change wrote (or, for checkov, which shows an
unchanged file's findings on the change, on any file it read).

Generated: the break's kind and place in an unchanged module read as context (in its
variable file or below its resource: named by none; above its resource, whose finding
checkov shows on the changed value by the variables on its lines: named), in a changed
module above its resource (named), and in a changed script above or below its finding
(named only above).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.line_breaks import REASON
from tests.support.project_rules import found, reviewed

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]  # checkov, shellcheck

ODD = ["\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
CONFIG = "var-file:\n  - envs/m2.tfvars\n"
PLACES = ("variables", "below", "above")


def _group(index: int, cidr: str) -> str:
    return (f'resource "aws_security_group" "sg{index}" {{\n  name        = "sg{index}"\n'
            f'  description = "d"\n  ingress {{\n    description = "ssh"\n'
            f'    from_port   = 22\n    to_port     = 22\n    protocol    = "tcp"\n'
            f'    cidr_blocks = [{cidr}]\n  }}\n}}\n')


def _comments(brk: str, before: int, after: int) -> str:
    """`before` plain comment lines, one holding `brk`, `after` more."""
    return "".join(f"# note {n}\n" for n in range(before)) + f"# a{brk}# b\n" + "".join(
        f"# more {n}\n" for n in range(after))


def _variable(index: int) -> str:
    return f'variable "cidr_{index}" {{\n  type    = string\n  default = "10.0.0.0/8"\n}}\n'


@st.composite
def projects(draw: st.DrawFn) -> tuple[dict[str, str], dict[str, str], str, bool]:
    """(base, change, where the context module's break is, whether the script's break is
    above its finding)."""
    kind = st.sampled_from(ODD)
    around = st.tuples(kind, st.integers(0, 3), st.integers(0, 3))
    brk, before, after = draw(around)
    # in the context module: its variable file, below its resource, or above it
    where = draw(st.sampled_from(PLACES))
    lines = _comments(brk, before, after)
    context = {"m2/main.tf": (lines if where == "above" else "") + _group(2, "var.cidr_2")
               + (lines if where == "below" else ""),
               "m2/variables.tf": _variable(2) + (lines if where == "variables" else "")}
    base = {".checkov.yaml": CONFIG, **context, "envs/m2.tfvars": 'cidr_2 = "10.0.0.0/8"\n',
            "m0/main.tf": "# nothing yet\n"}
    brk, before, after = draw(around)
    module = _comments(brk, before, after) + _group(0, '"0.0.0.0/0"')
    brk, before, after = draw(around)
    above = draw(st.booleans())
    lines = _comments(brk, before, after)
    script = "#!/bin/bash\n" + (lines + "echo $1\n" if above else "echo $1\n" + lines)
    change = {"envs/m2.tfvars": 'cidr_2 = "0.0.0.0/0"\n', "m0/main.tf": module,
              "run.sh": script}
    return base, change, where, above


def _named(report: dict[str, Any], path: str) -> bool:
    """Whether `path` is named as not analysed for its line breaks."""
    return any(REASON in str(why) for entry in report["health"]["files"]
               if entry["path"] == path for why in entry.get("not_read") or [])


@settings(max_examples=6, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=projects())
def test_only_a_file_whose_findings_a_break_may_move_is_named(
        tmp_path_factory: pytest.TempPathFactory, shellcheck_tools: Path, iac_env: Path,
        drawn: tuple[dict[str, str], dict[str, str], str, bool]) -> None:
    base, change, where, above = drawn
    report = reviewed(tmp_path_factory.mktemp("context"), base, change)
    rows = {entry["path"] for entry in report["health"]["files"]}
    assert "m2/main.tf" in rows, sorted(rows)  # read as context: the variable file sets it
    # checkov shows what the change brought about there on the change, by the variables on
    # the finding's lines: a break above its resource may have moved them
    assert _named(report, "m2/main.tf") is (where == "above"), (where, report["health"])
    assert not _named(report, "m2/variables.tf"), report["health"]["files"]
    # the change's own finding on the context module is still shown on the changed value
    assert any(rule == "CKV_AWS_24" for rule, _ in found(report, "checkov", "envs/m2.tfvars")), \
        report["findings"]
    assert _named(report, "m0/main.tf"), report["health"]["files"]  # findings below it
    assert _named(report, "run.sh") is above, (above, report["health"]["files"])
