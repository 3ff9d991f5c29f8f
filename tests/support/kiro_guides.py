"""Kiro's governance files as its guides publish them (`.kiro/config.yaml`, `.kiro/
governance.yaml`): lists of one-key items, kept verbatim so a test that uses them uses
what a Kiro team has."""

KIRO_CONFIG = """\
governance:
  require_approval:
    - file_changes_over: 10
    - lines_changed_over: 500
    - files_matching: ["**/migrations/**", "infra/**"]
"""
KIRO_GOVERNANCE = """\
require_human_approval:
  - file_patterns: ["src/auth/**", "**/*.sql"]
  - change_types: [database_schema, api_contract, security]
  - thresholds:
      files_changed: 10
      lines_added: 500
      complexity_increase: 20%
"""


def with_file_limit(text: str, limit: int) -> str:
    """A guide's text with only its changed-files limit lowered (to stop a small change)."""
    return text.replace("file_changes_over: 10", f"file_changes_over: {limit}").replace(
        "files_changed: 10", f"files_changed: {limit}")
