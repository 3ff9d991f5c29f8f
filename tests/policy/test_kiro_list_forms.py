"""Kiro's governance files in the form Kiro's guides publish: sections as lists of one-key
items, thresholds as percentages. Each is read as the mapping it spells out; what really is
malformed still names the file, the key path, its line and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.config import Settings
from reviewloop.errors import ConfigError, ExitCode
from reviewloop.git.diff import parse_diff
from reviewloop.policy import change_types
from reviewloop.policy.approval import (
    Complexity,
    approval_reasons,
    needs_base_lines,
    needs_complexity,
)
from reviewloop.policy.governance import Policy, load_policy
from reviewloop.policy.governance_file import parse_governance
from tests.support.kiro_guides import KIRO_CONFIG, KIRO_GOVERNANCE


def kiro_policy(tmp_path: Path, config: str | None = None,
                governance: str | None = None) -> Policy:
    (tmp_path / ".kiro").mkdir(exist_ok=True)
    if config is not None:
        (tmp_path / ".kiro" / "config.yaml").write_text(config, encoding="utf-8")
    if governance is not None:
        (tmp_path / ".kiro" / "governance.yaml").write_text(governance, encoding="utf-8")
    return load_policy(tmp_path, Settings())


def error_of(tmp_path: Path, **files: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        kiro_policy(tmp_path, **files)
    assert caught.value.exit_code == ExitCode.USAGE
    return caught.value


def test_the_published_config_list_reads_like_the_mapping(tmp_path: Path) -> None:
    listed = kiro_policy(tmp_path, config=KIRO_CONFIG)
    (tmp_path / "m").mkdir()
    mapping = kiro_policy(tmp_path / "m",
                          config="governance:\n  require_approval:\n    file_changes_over: 10\n"
                                 "    lines_changed_over: 500\n"
                                 '    files_matching: ["**/migrations/**", "infra/**"]\n')
    assert (listed.max_files, listed.max_lines) == (10, 500)
    assert listed.approval_paths == mapping.approval_paths
    assert "infra/**" in listed.approval_paths
    assert listed.rules["max_files"] == \
        ".kiro/config.yaml governance.require_approval.file_changes_over"


def test_the_published_governance_list_reads_like_the_mapping() -> None:
    rules, notes = parse_governance(KIRO_GOVERNANCE)
    assert rules.file_patterns == ("src/auth/**", "**/*.sql")
    assert rules.change_types == ("database_schema", "api_contract", "security_config")
    assert (rules.files_changed, rules.lines_added) == (10, 500)
    assert rules.complexity_increase is None
    assert rules.relative == {"complexity_increase": 0.2}
    assert rules.rule("complexity_increase") == \
        ".kiro/governance.yaml require_human_approval.thresholds.complexity_increase"
    assert notes == []


def test_thresholds_may_be_a_list_too() -> None:
    rules, _ = parse_governance("require_human_approval:\n  thresholds:\n"
                                "    - files_changed: 2\n    - lines_added: 40\n")
    assert (rules.files_changed, rules.lines_added) == (2, 40)


def test_a_key_in_two_items_is_an_error_naming_it_and_its_line(tmp_path: Path) -> None:
    error = error_of(tmp_path, config="governance:\n  require_approval:\n"
                                      "    - file_changes_over: 10\n"
                                      "    - file_changes_over: 5\n")
    said = str(error)
    assert 'key "governance.require_approval.file_changes_over": is set twice' in said
    assert error.where == ".kiro/config.yaml:3"
    assert "keep one `- file_changes_over: …` item" in (error.fix or "")


def test_two_spellings_of_one_rule_in_two_items_is_an_error(tmp_path: Path) -> None:
    said = str(error_of(tmp_path, governance="require_human_approval:\n"
                                             "  - files_changed: 10\n"
                                             "  - thresholds: {filesChanged: 5}\n"))
    assert "repeats require_human_approval.files_changed" in said


@pytest.mark.parametrize("item", ["- file_changes_over", "- [10]", "- 10"])
def test_an_item_that_is_not_key_value_is_an_error(tmp_path: Path, item: str) -> None:
    error = error_of(tmp_path, config=f"governance:\n  require_approval:\n    {item}\n")
    assert "item 1 of the list is not a `key: value` entry" in str(error)
    assert error.where == ".kiro/config.yaml:2"


def test_an_unknown_key_in_a_list_item_names_its_line(tmp_path: Path) -> None:
    error = error_of(tmp_path, governance="require_human_approval:\n"
                                          "  - file_patterns: [\"a/**\"]\n"
                                          "  - file_patterm: [\"b/**\"]\n")
    assert 'key "require_human_approval.file_patterm": unknown key' in str(error)
    assert error.where == ".kiro/governance.yaml:3"
    assert error.fix == "did you mean file_patterns?"


def test_a_percentage_file_count_is_refused_with_the_reason() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_governance("require_human_approval:\n  files_changed: 20%\n")
    assert "a percentage of what? files_changed counts the files" in str(caught.value)
    assert caught.value.fix == "set files_changed to a whole number such as 10"


def test_a_malformed_percentage_is_still_an_error() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_governance("require_human_approval:\n  lines_added: lots%\n")
    assert "expected a whole number" in str(caught.value)


# ---- percentages decide by the base


def relative(text: str) -> Policy:
    return Policy(human=parse_governance(text)[0])


def test_a_relative_complexity_limit_compares_with_the_complexity_before() -> None:
    rules = relative("require_human_approval:\n  thresholds:\n    complexity_increase: 20%\n")
    assert needs_complexity(rules) and not needs_base_lines(rules)
    rule = ".kiro/governance.yaml require_human_approval.thresholds.complexity_increase"
    ask = {"files": ["a.py"], "added": 5, "removed": 0}
    assert approval_reasons(rules, **ask, complexity=Complexity(increase=4, before=20)) == []
    assert approval_reasons(rules, **ask, complexity=Complexity(increase=5, before=20)) == [
        f"complexity up by 5 decision points, 25% of the 20 decision points its files had "
        f"(limit 20%, {rule})"]
    assert approval_reasons(rules, **ask, complexity=Complexity(increase=1, before=0)) == [
        f"complexity up by 1 decision points, where its files had no decision points before "
        f"(limit 20%, {rule})"]
    assert approval_reasons(rules, **ask, complexity=Complexity(increase=-3, before=0)) == []
    # not measured is not under the limit
    assert approval_reasons(rules, **ask, complexity=Complexity(error="ruff exited 2")) == [
        f"complexity increase could not be measured (ruff exited 2; {rule})"]


def test_relative_line_limits_compare_with_the_files_size_before() -> None:
    rules = relative("require_human_approval:\n  - lines_added: 10%\n"
                     "  - lines_changed: 50%\n")
    assert needs_base_lines(rules) and not needs_complexity(rules)
    changes = parse_diff("")
    assert approval_reasons(rules, files=["a.py"], added=10, removed=5, changes=changes,
                            base_lines=100) == []
    assert approval_reasons(rules, files=["a.py"], added=11, removed=40, changes=changes,
                            base_lines=100) == [
        "11 lines added, 11% of the 100 lines its files had (limit 10%, .kiro/governance.yaml "
        "require_human_approval.lines_added)",
        "51 lines changed, 51% of the 100 lines its files had (limit 50%, "
        ".kiro/governance.yaml require_human_approval.lines_changed)"]
    assert approval_reasons(rules, files=["a.py"], added=1, removed=0, changes=changes) == [
        "lines added could not be compared with the files' size before the change "
        "(.kiro/governance.yaml require_human_approval.lines_added)",
        "lines changed could not be compared with the files' size before the change "
        "(.kiro/governance.yaml require_human_approval.lines_changed)"]


@pytest.mark.parametrize("path", ["api/openapi.yaml", "proto/todo.proto", "schema.graphql",
                                  "docs/swagger.json"])
def test_the_guides_api_contract_type_is_recognised_by_path(path: str) -> None:
    diff = (f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n"
            f"+++ b/{path}\n@@ -0,0 +1 @@\n+x\n")
    assert [kind for kind, _ in change_types.detect(["api_contract"], parse_diff(diff))] == \
        ["api_contract"]
    assert change_types.known("API contract") == "api_contract"
