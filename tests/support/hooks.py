"""Helpers shared by several test modules (from test_commit_hooks.py and test_user_hooks.py):
canary credentials, hooks that would leak them on the host, and a scripted implementer that
plants files and makes them executable through a test the test gate runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.chat import ScriptedChatModel, tool_call
from tests.support.runner import IMPLEMENTER

CANARIES = {"AWS_SECRET_ACCESS_KEY": "canary-aws-5e1f0c",
            "GITHUB_TOKEN": "canary-gh-5e1f0c",
            "DATABASE_URL": "postgres://app:canary-db-5e1f0c@db/app"}

# Every hook a commit, a merge, a checkout, a ref update, a push or a gc would run.
HOOK_NAMES = ("pre-commit", "prepare-commit-msg", "commit-msg", "post-commit",
              "pre-merge-commit", "post-merge", "post-checkout", "reference-transaction",
              "post-rewrite", "pre-auto-gc", "post-index-change", "pre-push")

CALC = 'def add(a, b):\n    """The sum of a and b."""\n    return a + b\n'


def with_canaries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The credentials a developer's shell holds, as the test process's environment."""
    for name, value in CANARIES.items():
        monkeypatch.setenv(name, value)


def leaking_hook(leak: Path) -> str:
    """A hook that appends its name and the whole environment to `leak` (a host path outside
    any worktree), then fails: run anywhere it would show."""
    return f"#!/bin/sh\n{{ echo \"ran: $0\"; env; }} >> '{leak}'\nexit 1\n"


def planting(model: ScriptedChatModel, files: dict[str, str], *,
             executable: tuple[str, ...] = ()) -> None:
    """The implementer writes calc.py and `files`, and a test that makes `executable` mode
    755 (the test gate runs it inside the sandbox, where the worktree is writable)."""
    chmod = "".join(f"    os.chmod({path!r}, 0o755)\n" for path in executable) or "    pass\n"
    test = f"import os\n\n\ndef test_plant():\n{chmod}"
    model.script(IMPLEMENTER, [
        tool_call("write_file", {"path": "calc.py", "content": CALC}),
        *(tool_call("write_file", {"path": path, "content": text})
          for path, text in files.items()),
        tool_call("write_file", {"path": "tests/test_plant.py", "content": test}),
        "implemented",
    ])


def leaked(leak: Path) -> str:
    """What reached the host file (empty: nothing ran there); never a canary."""
    return leak.read_text() if leak.exists() else ""
