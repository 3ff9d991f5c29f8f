"""A checkov finding on a resource the change did not write is shown on the changed line that
sets a variable it reads, found by the diff's added line numbers in the variable file's
lines: git's. Odd breaks in comments above that line (generated: a lone CR, a form feed,
NEL, U+2028, …) are inside git's lines; the file split by `str.splitlines` put the added
line's number on a line above it, which sets nothing, and the finding went to the first
changed line "though no changed line sets a variable it reads"."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov_vars import on_changed_variables
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import parse_diff
from tests.support.analyzers import Repo
from tests.support.odd_breaks import broken_lines, git_line

MAIN = '''resource "aws_security_group" "sg" {
  ingress {
    cidr_blocks = [var.cidr]
  }
}
'''


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(above=broken_lines("#"))
def test_the_finding_goes_to_the_git_line_that_sets_the_variable(
        tmp_path_factory: pytest.TempPathFactory, above: str) -> None:
    before = f'{above}env = "dev"\n# the network\ncidr = "10.0.0.0/8"\n'
    after = before.replace("10.0.0.0/8", "0.0.0.0/0")
    repo = Repo(tmp_path_factory.mktemp("r"), {"infra/main.tf": MAIN,
                                               "infra/terraform.tfvars": before})
    repo.change({"infra/terraform.tfvars": after})
    diff = repo.exact_diff()
    ctx = AnalyzerContext(root=repo.root, changes=parse_diff(diff), diff_text=diff, agent="x",
                          files=("infra/terraform.tfvars",))
    finding = Finding(severity=Severity.MUST_FIX, file="infra/main.tf", start_line=1,
                      end_line=5, title="open", rationale="Open to the world.",
                      confidence=1.0, agent="x", source="checkov", rule="CKV_AWS_24")

    shown = on_changed_variables(finding, ctx, ["infra/terraform.tfvars"])

    line = git_line(after, "cidr =")
    assert shown is not None
    assert (shown.file, shown.start_line, shown.end_line) == \
        ("infra/terraform.tfvars", line, line), (above, shown.rationale)
    assert "it reads var.cidr, which the change sets here" in shown.rationale
