"""What a change to reviewloop's settings weakens: the host's protection (refused) or only the
review (named for the approval)."""

from __future__ import annotations

import json

import pytest

from reviewloop.policy.commands import DEFAULT_DENY
from reviewloop.policy.sensitive import DEFAULT_SENSITIVE
from reviewloop.policy.weakening import Weakening, weakenings

TOML = ".reviewloop.toml"
PYPROJECT = "pyproject.toml"
KIRO = ".kiro/config.yaml"


def _keys(found: list[Weakening]) -> list[tuple[str, bool]]:
    return [(w.key, w.refused) for w in found]


@pytest.mark.parametrize(("before", "after", "key", "change"), [
    (None, 'sandbox = "off"\n', "sandbox", 'set to "off"'),
    ('sandbox = "bwrap"\n', 'sandbox = "off"\n', "sandbox", 'set to "off"'),
    ("", "sandbox_network = true\n", "sandbox_network", "set to true"),
    ("", 'sandbox_network = "true"\n', "sandbox_network", "set to true"),  # as pydantic reads it
    ("", 'sandbox_env = ["AWS_SECRET_ACCESS_KEY"]\n', "sandbox_env",
     'adds "AWS_SECRET_ACCESS_KEY"'),
    ("", 'sandbox_read = ["~/.aws"]\n', "sandbox_read", 'adds "~/.aws"'),
    ("", '[commands]\nallow = ["pytest", "curl"]\n', "commands.allow", 'adds "curl"'),
    ('[commands]\nallow = ["pytest"]\n', "[commands]\nallow = []\n", "commands.allow",
     "set to [] (anything not denied may run)"),
    ("", '[commands]\ndeny = ["sudo"]\n', "commands.deny", 'drops "rm -rf"'),
    ("", 'sensitive = [".env*"]\n', "sensitive", 'drops "*.env"'),
    ("", 'checkpoint_url = "postgresql://elsewhere/db"\n', "checkpoint_url",
     'set to "postgresql://elsewhere/db"'),
])
def test_a_weaker_sandbox_or_command_policy_is_refused(before, after, key, change):
    [found] = [w for w in weakenings(TOML, before, after) if w.key == key]
    assert found.refused and found.change.startswith(change)
    assert found.describe().startswith(f"{TOML}: {key} {change}")


@pytest.mark.parametrize(("after", "key"), [
    ("[gates]\ntest = []\n", "gates.test"),
    ("[gates]\nbuild = []\n", "gates.build"),
    ('[gates]\nprotected_branches = ["main"]\n', "gates.protected_branches"),
    ("[governance]\nmax_files = 500\n", "governance.max_files"),
    ('[governance]\napproval_paths = ["*.sql"]\n', "governance.approval_paths"),
    ('reviewers = ["review-performance"]\n', "reviewers"),
    ('agents_dirs = ["my-reviewers"]\n', "agents_dirs"),
])
def test_a_lower_review_is_named_for_the_approval_not_refused(after, key):
    assert _keys(weakenings(TOML, "", after)) == [(key, False)]


def test_coverage_no_longer_strict_is_named():
    assert _keys(weakenings(TOML, '[gates]\ncoverage = "strict"\n', "")) == [
        ("gates.coverage", False)]


@pytest.mark.parametrize("after", [
    "", 'sandbox = "bwrap"\n', "sandbox_network = false\n",
    f"[commands]\ndeny = {json.dumps([*DEFAULT_DENY, 'curl'])}\n",
    '[commands]\nallow = ["pytest"]\n',
    f"sensitive = {json.dumps([*DEFAULT_SENSITIVE, '*.secret'])}\n", "max_rounds = 5\n",
    '[gates]\ntest = ["pytest -x"]\n', "[governance]\nmax_files = 5\n",
])
def test_a_change_that_keeps_or_tightens_the_protection_weakens_nothing(after):
    assert weakenings(TOML, "", after) == []


def test_a_list_that_replaces_the_defaults_drops_them():
    # `deny = ["curl"]` is the whole list: the built-in patterns are gone
    [found] = weakenings(TOML, "", '[commands]\ndeny = ["curl"]\n')
    assert found.key == "commands.deny" and '"sudo"' in found.change and found.refused


def test_deleting_a_file_that_tightened_the_policy_is_a_weakening():
    before = '[commands]\ndeny = ["rm -rf", "sudo", "curl"]\n'
    assert _keys(weakenings(TOML, before, None)) == [("commands.deny", True)]


def test_pyproject_counts_its_tool_reviewloop_table_only():
    before = '[project]\nname = "x"\n'
    after = before + '[tool.reviewloop]\nsandbox = "off"\n[tool.other]\nsandbox = "off"\n'
    assert _keys(weakenings(PYPROJECT, before, after)) == [("tool.reviewloop.sandbox", True)]
    assert weakenings(PYPROJECT, before, before + 'dependencies = ["requests"]\n') == []


def test_a_file_the_loader_refuses_weakens_nothing_it_fails_the_next_run():
    assert weakenings(TOML, "", 'sandbox = "nope"\n') == []
    assert weakenings(TOML, "", "sandbox = \n") == []
    assert weakenings(TOML, "", 'sandbox_off = "yes"\n') == []  # unknown key: refused


def test_kiro_security_lists_widen_or_narrow():
    before = "security:\n  deniedCommands: [curl]\n  sensitiveFiles: ['*.secret']\n"
    after = "security:\n  trustedCommands: [bash]\n"
    assert _keys(weakenings(KIRO, before, after)) == [
        ("security.trustedCommands", True), ("security.deniedCommands", True),
        ("security.sensitiveFiles", True)]
    assert weakenings(KIRO, after, before + "  trustedCommands: [bash]\n") == []
    assert weakenings(KIRO, None, "security: [broken\n") == []


def test_other_files_are_not_settings():
    assert weakenings("app.py", None, 'sandbox = "off"\n') == []
    assert weakenings("sub/.reviewloop.toml", None, 'sandbox = "off"\n') == []
