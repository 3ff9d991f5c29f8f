"""Helpers shared by several test modules (from test_worktrees.py)."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from tests.support.bedrock import BedrockFake, tool_use
from tests.support.loop_cli import (
    REVIEWERS,
)

AGENT = """import os, pathlib, sys
sys.stdin.read()
tid = os.environ["REVIEWLOOP_TASK_ID"]
slug = tid.replace(".", "_")
pathlib.Path(f"feature_{slug}.py").write_text(f"VALUE = {tid!r}\\n")
want = "broken" if tid in os.environ.get("AGENT_BROKEN", "").split(",") else tid
pathlib.Path("tests").mkdir(exist_ok=True)
pathlib.Path(f"tests/test_feature_{slug}.py").write_text(
    f"from feature_{slug} import VALUE\\n\\n\\ndef test_value():\\n    assert VALUE == {want!r}\\n")
"""


def reviews(fake: BedrockFake, times: int, gate: threading.Event | None = None) -> None:
    """`times` clean answers per reviewer; with `gate`, each held until the test sets it."""
    for name in REVIEWERS:
        fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": []},
                                                gate=gate)] * times)


def implementer(tmp_path: Path) -> str:
    agent = tmp_path / "agent.py"
    agent.write_text(AGENT)
    return f"cmd:{sys.executable} {agent}"
