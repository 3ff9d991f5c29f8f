"""`reviewloop mcp` through the MCP Python SDK's own client over stdio, against real git
repositories: the tools are listed, a review returns the analyzers' findings, tasks come
from the spec, and a run started through the server is listed and shown with its summary."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.support.gitutil import git
from tests.support.loop_cli import SPEC, make_example, manual_change

mcp = pytest.importorskip("mcp", reason="the `mcp` extra is not installed")
from mcp import ClientSession  # noqa: E402
from mcp.client.stdio import StdioServerParameters, stdio_client  # noqa: E402

SHELL = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
TOOLS = {"review", "list_tasks", "list_runs", "show_run", "start_run"}


def call(root: Path, *steps: tuple[str, dict[str, Any]]) -> tuple[set[str], list[Any]]:
    """Start the server in `root`, list its tools, make the calls in order."""
    async def session() -> tuple[set[str], list[Any]]:
        params = StdioServerParameters(command=sys.executable, args=["-m", "reviewloop", "mcp"],
                                       cwd=root, env=dict(os.environ))
        async with stdio_client(params) as (read, write), ClientSession(read, write) as client:
            await client.initialize()
            names = {tool.name for tool in (await client.list_tools()).tools}
            results = [await client.call_tool(name, args) for name, args in steps]
        return names, results

    return anyio.run(session)


def test_the_server_reviews_a_change_and_lists_the_tasks(tmp_path: Path):
    root = make_example(tmp_path)
    (root / "shell.py").write_text(SHELL)

    names, (review, tasks, bad) = call(root, ("review", {}), ("list_tasks", {}),
                                       ("show_run", {"run_id": "nope"}))

    assert names == TOOLS
    assert not review.is_error, review.content
    found = review.structured_content["findings"]["remaining"]
    assert any(f["rule"] == "B602" and f["file"] == "shell.py" for f in found), found
    assert review.structured_content["verdict"]
    assert not tasks.is_error
    listed = {t["id"]: t for t in tasks.structured_content["tasks"]}
    assert "T2" in listed and listed["T2"]["status"] == "open"
    assert bad.is_error and "no run 'nope'" in bad.content[0].text


def test_a_run_started_through_the_server_waits_for_approval_and_is_shown(tmp_path: Path):
    root = make_example(tmp_path)
    git(root, "switch", "-qc", "work")
    manual_change(root)

    _, (started, runs) = call(root, ("start_run", {"task": "T2", "implementer": "manual",
                                                   "spec": SPEC}),
                              ("list_runs", {}))

    assert not started.is_error, started.content
    run = started.structured_content["run"]
    assert run["task_id"] == "T2" and run["status"] == "awaiting_approval"
    assert [r["run_id"] for r in runs.structured_content["runs"]] == [run["run_id"]]
    _, (shown,) = call(root, ("show_run", {"run_id": run["run_id"]}))
    assert not shown.is_error, shown.content
    summary = shown.structured_content["summary"]
    assert shown.structured_content["status"] == "awaiting_approval"
    assert summary["task_id"] == "T2" and summary["ledger"] and summary["reviewers"]
    assert "T2:" not in git(root, "log", "--format=%s")  # nothing committed without approval


def test_the_kiro_recipe_starts_this_server_and_pre_approves_only_the_reads():
    from tests.support.paths import ROOT

    agent = json.loads((ROOT / "recipes" / "kiro" / "reviewloop-agent.json").read_text())
    server = agent["mcpServers"]["reviewloop"]
    assert (server["command"], server["args"]) == ("reviewloop", ["mcp"])
    allowed = {tool.split("/", 1)[1] for tool in agent["allowedTools"]}
    assert allowed == TOOLS - {"start_run"}  # starting a run is always asked for
