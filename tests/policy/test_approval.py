"""Which rule asks for a human's approval: `.kiro/governance.yaml`'s patterns, change types and
thresholds next to the limits, each reason naming where the rule is written."""

from __future__ import annotations

from reviewloop.git.diff import parse_diff
from reviewloop.policy.approval import Complexity, approval_reasons, needs_complexity
from reviewloop.policy.governance import Policy
from reviewloop.policy.governance_file import parse_governance

RULES = """\
require_human_approval:
  file_patterns: ["src/payments/**"]
  change_types: [database_schema, ci_cd_pipeline]
  thresholds:
    files_changed: 3
    lines_added: 100
    complexity_increase: 5
"""


def policy(text: str = RULES) -> Policy:
    return Policy(human=parse_governance(text)[0])


def diff_adding(path: str, line: str) -> str:
    return (f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n"
            f"+++ b/{path}\n@@ -0,0 +1 @@\n+{line}\n")


def test_nothing_asks_for_a_small_ordinary_change() -> None:
    changes = parse_diff(diff_adding("src/app.py", "x = 1"))
    assert approval_reasons(policy(), files=["src/app.py"], added=1, removed=0,
                            changes=changes, complexity=Complexity(increase=2)) == []


def test_each_rule_that_asks_is_named_with_its_key() -> None:
    changes = parse_diff(diff_adding("src/payments/refund.py",
                                     'db.execute("ALTER TABLE refunds ADD note TEXT")'))
    files = ["src/payments/refund.py", "a.py", "b.py", "c.py"]
    rule = ".kiro/governance.yaml require_human_approval"
    assert approval_reasons(policy(), files=files, added=150, removed=0, changes=changes,
                            complexity=Complexity(increase=9)) == [
        f"4 files changed (limit 3, {rule}.thresholds.files_changed)",
        f"150 lines added (limit 100, {rule}.thresholds.lines_added)",
        f"touches src/payments/refund.py (matches src/payments/**) ({rule}.file_patterns)",
        "database schema change: src/payments/refund.py:1 adds 'db.execute(\"ALTER TABLE "
        f"refunds ADD note TEXT\")' ({rule}.change_types)",
        f"complexity up by 9 decision points (limit 5, {rule}.thresholds.complexity_increase)",
    ]


def test_a_ci_change_is_recognised_by_its_path() -> None:
    changes = parse_diff(diff_adding(".github/workflows/ci.yml", "on: push"))
    assert approval_reasons(policy(), files=[".github/workflows/ci.yml"], added=1, removed=0,
                            changes=changes, complexity=Complexity(increase=0)) == [
        "touches a protected path: .github/workflows/ci.yml (matches .github/workflows/**)",
        "CI/CD pipeline change: .github/workflows/ci.yml (matches .github/workflows/**) "
        "(.kiro/governance.yaml require_human_approval.change_types)"]


def test_complexity_that_could_not_be_measured_asks_a_human() -> None:
    assert needs_complexity(policy())
    assert approval_reasons(policy(), files=["a.py"], added=1, removed=0,
                            complexity=Complexity(error="ruff exited with 2")) == [
        "complexity increase could not be measured (ruff exited with 2; .kiro/governance.yaml "
        "require_human_approval.thresholds.complexity_increase)"]


def test_without_a_complexity_threshold_nothing_is_measured() -> None:
    assert not needs_complexity(policy("require_human_approval:\n  files_changed: 3\n"))
