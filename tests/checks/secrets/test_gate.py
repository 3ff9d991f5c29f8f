"""The secrets gate blocks added credentials and never echoes them."""

from __future__ import annotations

from pathlib import Path

from reviewloop.checks.gates.base import GateContext
from reviewloop.checks.secrets.gate import SecretsGate
from reviewloop.config import Settings

# Built at run time so the file itself carries no token.
TOKEN = "ghp_" + "Zq3X9vB1nK7mP2wR5tY8uL4cD6fH0jA1sE3g"


def context(diff_text: str) -> GateContext:
    return GateContext(root=Path("."), settings=Settings(), changed_files=("app.py",),
                       diff_text=diff_text, branch="work", default_branch="main",
                       phase="implement")


def diff(line: str, sign: str = "+") -> str:
    return ("diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n@@ -1,1 +1,2 @@\n"
            f" import os\n{sign}{line}\n")


def test_an_added_token_fails_the_gate_with_a_redacted_report() -> None:
    result = SecretsGate().run(context(diff(f'TOKEN = "{TOKEN}"')))
    assert not result.passed and result.blocking
    assert "app.py:2:" in result.output_tail
    assert TOKEN not in result.output_tail and TOKEN not in result.summary
    assert [f.severity.value for f in result.findings] == ["must_fix"]


def test_a_removed_token_is_not_a_new_secret() -> None:
    text = ("diff --git a/app.py b/app.py\n--- a/app.py\n+++ b/app.py\n@@ -1,2 +1,1 @@\n"
            f" import os\n-TOKEN = \"{TOKEN}\"\n")
    assert SecretsGate().run(context(text)).passed


def test_clean_additions_pass() -> None:
    result = SecretsGate().run(context(diff('TOKEN = os.environ["GITHUB_TOKEN"]')))
    assert result.passed and result.summary == "no secret in added lines"
