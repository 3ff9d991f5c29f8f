"""Helpers shared by several test modules (from test_config_trust.py)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support import pr_mode as pr_mode
from tests.support import warm_cli
from tests.support.pr_mode import event, show_pr


def pr_review(root: Path, tmp: Path, gh) -> tuple[subprocess.CompletedProcess, dict]:
    """One Actions run of PR mode with the LLM off (no model configured)."""
    show_pr(gh, root)
    outputs = tmp / "outputs.txt"
    outputs.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVIEWLOOP_")}
    env.update({"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
                "GITHUB_EVENT_PATH": str(event(root, tmp, "opened")),
                "GITHUB_API_URL": gh.url, "GITHUB_TOKEN": "ghs_test",
                "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"), "GITHUB_OUTPUT": str(outputs)})
    done = warm_cli.run(["review", "--sarif", str(tmp / "out.sarif")], root, env=env, timeout=180)
    return done, dict(line.split("=", 1) for line in outputs.read_text().splitlines())
