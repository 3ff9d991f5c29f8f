"""Pull requests in real repositories, reviewed by `reviewloop review --base main --head
feature` (LLM off, the real analyzers): helpers for the suppression-trust tests."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support import warm_cli
from tests.support.repos import branch_repo, commit

AWS_KEY = "AKIAQX4UJ2ZKL5BQW7NP"  # the shape of an AWS key id, no real key
SHELL = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True){}\n"


def pr_repo(root: Path, base: dict[str, str], *prs: dict[str, str]) -> Path:
    """`main` holding `base`, then `feature` with one commit per mapping in `prs`."""
    branch_repo(root, {"README.md": "fixture\n", **base})
    for files in prs:
        commit(root, files, "pr")
    return root


@dataclass(frozen=True)
class Review:
    """What `reviewloop review` said: its exit code and its JSON report."""

    code: int
    report: dict[str, Any]
    stderr: str

    def remaining(self, rule: str | None = None) -> list[dict[str, Any]]:
        found = self.report["findings"]["remaining"]
        return [f for f in found if rule is None or f["rule"] == rule]

    def suppressed(self) -> list[dict[str, Any]]:
        return self.report["findings"]["suppressed"]

    def tricks(self) -> list[tuple[str, int]]:
        """(file, line) of every `adds-suppression` finding."""
        return sorted((f["file"], f["start_line"]) for f in self.remaining("adds-suppression"))


def review(root: Path, *args: str) -> Review:
    """`reviewloop review --format json` (default: the PR, main..feature) in `root`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    argv = args or ("--base", "main", "--head", "feature")
    done = warm_cli.run(["review", *argv, "--format", "json"], root, env=env, timeout=300)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return Review(done.returncode, json.loads(done.stdout), done.stderr)
