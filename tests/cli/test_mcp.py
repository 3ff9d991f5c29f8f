"""`reviewloop mcp` through the MCP Python SDK's own client over stdio, against real git
repositories: the server says its version, each tool what it does to the project (MCP tool
annotations); a review answers in a bounded compact form whose whole report is a resource
away; tasks come from the spec; a run started through the server is listed and shown. The
tools call the use cases in process and never write to stdout, the protocol's channel."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

from reviewloop import __version__
from tests.support.gitutil import git
from tests.support.loop_cli import SPEC, make_example, manual_change

mcp = pytest.importorskip("mcp", reason="the `mcp` extra is not installed")
from mcp import ClientSession  # noqa: E402
from mcp.client.stdio import StdioServerParameters, stdio_client  # noqa: E402

SHELL = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
TOOLS = {"review", "list_tasks", "list_runs", "show_run", "start_run"}
BOUND = 8_000  # bytes: a review's answer, however large the change


class Session:
    """What one server session showed: its initialize answer, its tools, the calls' results
    and the resources read after them."""

    def __init__(self) -> None:
        self.info: Any = None
        self.tools: dict[str, Any] = {}
        self.results: list[Any] = []
        self.read: list[Any] = []


def call(root: Path, *steps: tuple[str, dict[str, Any]], read_reports: bool = False
         ) -> Session:
    """Start the server in `root`, list its tools, make the calls in order; with
    `read_reports`, read the report resource each answer names."""
    seen = Session()

    async def session() -> None:
        params = StdioServerParameters(command=sys.executable, args=["-m", "reviewloop", "mcp"],
                                       cwd=root, env=dict(os.environ))
        async with stdio_client(params) as (read, write), ClientSession(read, write) as client:
            seen.info = await client.initialize()
            seen.tools = {tool.name: tool for tool in (await client.list_tools()).tools}
            for name, args in steps:
                result = await client.call_tool(name, args)
                seen.results.append(result)
                uri = (result.structured_content or {}).get("report")
                if read_reports and uri:
                    seen.read.append(await client.read_resource(uri))

    anyio.run(session)
    return seen


def size(data: Any) -> int:
    return len(json.dumps(data, ensure_ascii=False).encode())


def test_the_server_says_its_version_and_what_each_tool_does(tmp_path: Path):
    seen = call(make_example(tmp_path))

    assert seen.info.server_info.name == "reviewloop"
    assert seen.info.server_info.version == __version__
    assert set(seen.tools) == TOOLS
    hints = {name: tool.annotations for name, tool in seen.tools.items()}
    for name in ("list_tasks", "list_runs", "show_run"):
        assert hints[name].read_only_hint is True and hints[name].open_world_hint is False
    assert hints["review"].read_only_hint is True
    assert hints["review"].open_world_hint is True  # a model provider may read the change
    start = hints["start_run"]
    assert (start.read_only_hint, start.destructive_hint, start.idempotent_hint) == (
        False, False, False)  # it adds a worktree and a branch, and never commits alone


def test_a_review_answers_compactly_and_its_whole_report_is_a_resource(tmp_path: Path):
    root = make_example(tmp_path)
    (root / "shell.py").write_text(SHELL)
    for n in range(120):  # a large change: the full report grows, the answer does not
        (root / "many" / f"m{n}.py").parent.mkdir(exist_ok=True)
        (root / "many" / f"m{n}.py").write_text(SHELL)

    seen = call(root, ("review", {}), ("list_tasks", {}), ("show_run", {"run_id": "nope"}),
                read_reports=True)
    review, tasks, bad = seen.results

    assert not review.is_error, review.content
    answer = review.structured_content
    assert "B602" in {f["rule"] for f in answer["top_findings"]}
    assert all(":" in f["where"] for f in answer["top_findings"])
    assert answer["verdict"] and answer["blocks"] and answer["findings_not_shown"] > 0
    assert answer["counts"]["open"]["must_fix"] + answer["counts"]["open"].get(
        "should_fix", 0) >= 121
    assert "LLM reviewers are OFF" in " ".join(answer["said"])  # said, not printed
    assert size(answer) < BOUND
    assert answer["report"] == f"reviewloop://review/{answer['run_id']}"
    (report,) = seen.read
    full = json.loads(report.contents[0].text)
    remaining = full["findings"]["remaining"]
    assert {"shell.py", "many/m0.py", "many/m119.py"} <= {f["file"] for f in remaining}
    assert size(full) > 10 * size(answer)
    assert not tasks.is_error
    listed = {t["id"]: t for t in tasks.structured_content["tasks"]}
    assert "T2" in listed and listed["T2"]["status"] == "open"
    assert bad.is_error and "no run 'nope'" in bad.content[0].text


def test_a_run_started_through_the_server_waits_for_approval_and_is_shown(tmp_path: Path):
    root = make_example(tmp_path)
    git(root, "switch", "-qc", "work")
    manual_change(root)

    started, runs = call(root, ("start_run", {"task": "T2", "implementer": "manual",
                                              "spec": SPEC}),
                         ("list_runs", {})).results

    assert not started.is_error, started.content
    run = started.structured_content["run"]
    assert run["task_id"] == "T2" and run["status"] == "awaiting_approval"
    assert any("waiting for approval" in line for line in started.structured_content["said"])
    assert [r["run_id"] for r in runs.structured_content["runs"]] == [run["run_id"]]
    seen = call(root, ("show_run", {"run_id": run["run_id"]}), read_reports=True)
    (shown,), (report,) = seen.results, seen.read
    assert not shown.is_error, shown.content
    assert shown.structured_content["status"] == "awaiting_approval"
    assert shown.structured_content["report"] == f"reviewloop://run/{run['run_id']}"
    assert shown.structured_content["reviewers"] and shown.structured_content["verdict"]
    full = json.loads(report.contents[0].text)
    assert full["task"]["id"] == "T2" and full["reviewers"]
    assert "T2:" not in git(root, "log", "--format=%s")  # nothing committed without approval


def test_a_command_implementer_and_what_names_no_file_are_refused_with_the_fix(
        tmp_path: Path):
    """The client's model chooses a tool's arguments: `cmd:` would run its command line
    on this machine with the user's rights, outside the sandbox. A `path` that cannot name
    a file (a NUL byte, past PATH_MAX) is refused before it is resolved, part by part."""
    root = make_example(tmp_path)
    git(root, "switch", "-qc", "work")
    manual_change(root)
    canary = tmp_path / "ran"
    commands = [f"cmd:touch {canary}", f' cmd:"touch {canary}" ', f"cmd:sh -c 'touch {canary}'"]
    paths = ["a\0b", "a/" * 2_100, "x" * 5_000, "é" * 2_100]

    seen = call(root, *[("start_run", {"task": "T2", "implementer": command, "spec": SPEC})
                        for command in commands],
                *[(tool, {"path": path}) for path in paths for tool in ("review", "list_runs")],
                ("start_run", {"task": "T2", "implementer": "manual", "spec": "s\0"}))

    for result in seen.results:
        assert result.is_error
    said = [result.content[0].text for result in seen.results]
    assert all("unsandboxed" in text and "fix: use llm or manual" in text
               for text in said[:len(commands)]), said
    assert all("is not a path" in text and "fix: pass a folder" in text
               for text in said[len(commands):]), said
    assert not canary.exists()
    assert all("the tool's path argument" in text for text in said[len(commands):-1]), said
    assert "the tool's spec argument: spec is not a path" in said[-1], said[-1]


def test_a_tool_writes_nothing_to_stdout(tmp_path: Path, capfd: pytest.CaptureFixture[str]):
    """In process, as the server calls it: what the use case says is in the answer."""
    from reviewloop.cli.mcp_tools import Tools

    root = make_example(tmp_path)
    (root / "shell.py").write_text(SHELL)
    capfd.readouterr()

    answer = Tools(root).review()

    assert capfd.readouterr().out == ""
    assert any("LLM reviewers are OFF" in line for line in answer["said"])


def test_the_kiro_recipe_starts_this_server_and_pre_approves_only_the_reads():
    from tests.support.paths import ROOT

    agent = json.loads((ROOT / "recipes" / "kiro" / "reviewloop-agent.json").read_text())
    server = agent["mcpServers"]["reviewloop"]
    assert (server["command"], server["args"]) == ("reviewloop", ["mcp"])
    allowed = {tool.split("/", 1)[1] for tool in agent["allowedTools"]}
    assert allowed == TOOLS - {"start_run"}  # starting a run is always asked for


def test_list_runs_names_a_file_in_the_state_folders_place(tmp_path: Path):
    """As `reviewloop runs` does (exit 2): the agent is not told there are no runs."""
    root = make_example(tmp_path)
    (root / ".reviewloop").write_text("not a folder\n")
    (listed,) = call(root, ("list_runs", {})).results
    assert listed.is_error
    assert ".reviewloop is a file, not reviewloop's state folder" in listed.content[0].text


def _long(name: str) -> bool:
    return any(len(part.encode()) > 255 for part in name.split("/"))


def test_a_name_longer_than_the_file_system_allows_is_refused_with_the_reason(tmp_path: Path):
    """f_a D5: a `path` or `spec` holding a name over 255 bytes (well under PATH_MAX) is a
    tool error saying so, not "Error executing tool" with no reason; one of 255 bytes is
    looked up as usual (not there). Names are of one-, two- and four-byte characters, alone,
    under a folder or in the middle of the path. A spec the settings name with such a name
    reaches the tool's error the same way."""
    root = make_example(tmp_path)
    names = [f"{where}{ch * (size // len(ch.encode()))}{after}"
             for ch in ("a", "é", "😀") for size in (252, 256, 300, 1_000)
             for where, after in (("", ""), ("docs/", ""), ("x/", "/tasks.md"))]
    steps = [(tool, {key: name}) for name in names
             for tool, key in (("list_tasks", "spec"), ("list_tasks", "path"),
                               ("show_run", "path"), ("review", "path"))]
    seen = call(root, *[(tool, {**args, "run_id": "T2"} if tool == "show_run" else args)
                        for tool, args in steps])
    for (tool, args), result in zip(steps, seen.results, strict=True):
        said = result.content[0].text
        if result.is_error:  # with its reason and fix, never the bare "Error executing tool"
            assert said.startswith(f"Error executing tool {tool}: ") and "fix:" in said, said
        assert (result.is_error and "longer than 255 bytes" in said) is \
            _long(next(iter(args.values()))), said
    (root / ".reviewloop.toml").write_text(f'spec = "docs/{"b" * 300}.md"\n')
    said = call(root, ("list_tasks", {})).results[0].content[0].text
    assert "a name in this path is longer than the file system allows" in said, said
