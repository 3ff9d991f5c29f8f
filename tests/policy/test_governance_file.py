"""`.kiro/governance.yaml`: reading its rules, and the errors a malformed file gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.config import Gates, Settings
from reviewloop.errors import ConfigError, ExitCode
from reviewloop.policy.governance import load_policy, with_quality_gates
from reviewloop.policy.governance_file import HumanApproval, load_governance, parse_governance

FULL = """\
version: 2
require_human_approval:
  file_patterns: ["src/payments/**"]
  change_types: [database schema, Security-Config, CI/CD pipeline, environment_variables]
  thresholds:
    files_changed: 10
    lines_added: 400
    complexity_increase: 15
quality_gates:
  test_coverage: 0.85
  lint_errors: 0
"""


def error_of(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        parse_governance(text)
    assert caught.value.exit_code == ExitCode.USAGE
    return caught.value


def test_a_full_file_is_read_with_canonical_change_types_and_notes() -> None:
    rules, notes = parse_governance(FULL)
    assert rules.file_patterns == ("src/payments/**",)
    assert rules.change_types == ("database_schema", "security_config", "ci_cd_pipeline",
                                  "environment_variables")
    assert (rules.files_changed, rules.lines_added, rules.complexity_increase) == (10, 400, 15)
    assert rules.lines_changed is None
    assert rules.test_coverage == 0.85
    assert rules.rule("files_changed") == \
        ".kiro/governance.yaml require_human_approval.thresholds.files_changed"
    assert notes == [
        "version in .kiro/governance.yaml is not a reviewloop setting and was ignored",
        "quality_gates.lint_errors in .kiro/governance.yaml is not a reviewloop setting and "
        "was ignored"]


def test_thresholds_may_sit_directly_under_the_section_in_camel_case() -> None:
    rules, _ = parse_governance("requireHumanApproval:\n  filesChanged: 3\n  linesChanged: 9\n")
    assert (rules.files_changed, rules.lines_changed) == (3, 9)
    assert rules.rule("lines_changed") == ".kiro/governance.yaml requireHumanApproval.linesChanged"


@pytest.mark.parametrize("written, fraction", [(0.85, 0.85), (85, 0.85), ('"85%"', 0.85),
                                               (1, 1.0)])
def test_coverage_as_a_fraction_a_number_or_a_percentage(written: object,
                                                         fraction: float) -> None:
    rules, _ = parse_governance(f"quality_gates:\n  test_coverage: {written}\n")
    assert rules.test_coverage == fraction


def test_an_absent_or_empty_file_sets_nothing(tmp_path: Path) -> None:
    assert load_governance(tmp_path / "missing.yaml") == (HumanApproval(), [])
    assert parse_governance("") == (HumanApproval(), [])


def test_an_unknown_approval_key_is_an_error_with_the_closest_key() -> None:
    error = error_of("require_human_approval:\n  thresholds:\n    files_chnaged: 3\n")
    assert error.where == ".kiro/governance.yaml:3"
    assert 'key "require_human_approval.thresholds.files_chnaged": unknown key' in str(error)
    assert error.fix == "did you mean files_changed?"


def test_an_unknown_change_type_lists_the_known_ones() -> None:
    error = error_of("require_human_approval:\n  change_types: [database_schema, vibes]\n")
    assert error.where == ".kiro/governance.yaml:2"
    assert "unknown change type 'vibes'" in str(error)
    assert error.fix.startswith("use one of database_schema, security_config, ci_cd_pipeline")


@pytest.mark.parametrize("text, keypath, line", [
    ("require_human_approval:\n  thresholds:\n    files_changed: ten\n",
     "require_human_approval.thresholds.files_changed", 3),
    ("require_human_approval:\n  file_patterns: src/**\n",
     "require_human_approval.file_patterns", 2),
    ("require_human_approval: [a]\n", "require_human_approval", 1),
    ("quality_gates:\n  test_coverage: 150\n", "quality_gates.test_coverage", 2),
    ("quality_gates:\n  test_coverage: lots\n", "quality_gates.test_coverage", 2),
])
def test_a_wrong_type_names_the_file_key_and_line(text: str, keypath: str, line: int) -> None:
    error = error_of(text)
    assert error.where == f".kiro/governance.yaml:{line}"
    assert f'key "{keypath}"' in str(error)


def test_a_bad_glob_and_broken_yaml_are_errors() -> None:
    assert "invalid glob" in str(error_of("require_human_approval:\n  file_patterns: ['[a']\n"))
    broken = error_of("require_human_approval:\n\tfiles_changed: 3\n")
    assert broken.where == ".kiro/governance.yaml:2"
    assert "not valid YAML" in str(broken)


def test_one_rule_written_twice_is_an_error() -> None:
    error = error_of("require_human_approval:\n  files_changed: 3\n  thresholds:\n"
                     "    files_changed: 4\n")
    assert "repeats require_human_approval.files_changed" in str(error)


def test_the_policy_carries_the_file_and_its_notes(tmp_path: Path) -> None:
    (tmp_path / ".kiro").mkdir()
    (tmp_path / ".kiro" / "governance.yaml").write_text(FULL, encoding="utf-8")
    policy = load_policy(tmp_path, Settings())
    assert policy.human.files_changed == 10
    assert "version in .kiro/governance.yaml is not a reviewloop setting and was ignored" \
        in policy.notes


def test_the_coverage_gate_reaches_the_settings_unless_reviewloop_sets_its_own(tmp_path: Path
                                                                               ) -> None:
    (tmp_path / ".kiro").mkdir()
    (tmp_path / ".kiro" / "governance.yaml").write_text("quality_gates:\n  test_coverage: 85%\n")
    policy = load_policy(tmp_path, Settings())
    assert with_quality_gates(Settings(), policy).gates.coverage_threshold == 0.85
    own = Settings(gates=Gates(coverage_threshold=0.5))
    assert with_quality_gates(own, policy).gates.coverage_threshold == 0.5


@pytest.mark.parametrize("alternatives", [["a", "b"], ["pay", "bill", "tax"]])
def test_file_patterns_expand_brace_alternatives(alternatives) -> None:
    """fz2 D10: every path-glob setting reads `{a,b}` as Kiro's minimatch does."""
    pattern = "src/{" + ",".join(alternatives) + "}/**"
    rules, _ = parse_governance(f"require_human_approval:\n  file_patterns: ['{pattern}']\n")
    assert rules.file_patterns == tuple(f"src/{a}/**" for a in alternatives)
