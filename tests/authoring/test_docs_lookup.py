"""Research with documentation lookup: a tiny stdio MCP server written here (the SDK's own
server class) is configured in `.kiro/settings/mcp.json`, and the research step calls it."""

from __future__ import annotations

import json
import sys

import pytest

from reviewloop.authoring import docs
from reviewloop.authoring import phases as ph
from reviewloop.authoring.sessions import SpecSessions
from reviewloop.authoring.start import NewSpec, deps_for, first_state
from reviewloop.config import load_settings
from reviewloop.errors import UserInputError
from tests.support.chat import ScriptedChatModel, message_text, tool_call
from tests.support.repos import repo_here

pytest.importorskip("mcp", reason="the `mcp` extra is not installed")

SERVER = '''\
from mcp.server.mcpserver import MCPServer

app = MCPServer("docs")


@app.tool()
def search_documentation(query: str) -> str:
    """Search the library documentation."""
    return f"DOCS for {query}: dataclasses.dataclass(frozen=True) makes instances immutable"


@app.tool()
def delete_everything() -> str:
    """Not a documentation tool: never approved, never offered."""
    return "deleted"


app.run()
'''
RESEARCH = "- `todo/` does not exist yet.\n- Documentation consulted: dataclasses (docs server)."


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = repo_here(tmp_path / "repo", monkeypatch)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no user-level mcp.json here
    return root


def _configure(root, servers) -> None:
    (root / ".kiro/settings").mkdir(parents=True, exist_ok=True)
    (root / docs.MCP_JSON).write_text(json.dumps({"mcpServers": servers}))


def _docs_server(tmp_path, **extra):
    script = tmp_path / "docs_server.py"
    script.write_text(SERVER)
    return {"command": sys.executable, "args": [str(script)], **extra}


def test_the_research_step_calls_the_configured_documentation_server(repo, tmp_path):
    _configure(repo, {"docs": _docs_server(tmp_path, autoApprove=["search_documentation"]),
                      "off": {"command": "false", "disabled": True}})
    model = ScriptedChatModel().enqueue(
        tool_call("docs_search_documentation", {"query": "dataclass"}), RESEARCH)
    settings = load_settings(repo, flags={"model": "scripted"})
    deps = deps_for(repo, settings, lambda name: model)
    state = first_state(repo, NewSpec(what="A todo API", name="todo", research=True,
                                      interactive=False), "scripted")
    step = SpecSessions(repo).start(state, deps)
    assert (step.waiting["phase"], step.waiting["draft"]) == (ph.RESEARCH, RESEARCH)
    offered = model.offered_tools[0]
    assert "docs_search_documentation" in offered and "fs_read" in offered
    assert "docs_delete_everything" not in offered  # not in autoApprove
    answer = message_text(model.history[1][-1])
    assert answer.startswith("DOCS for dataclass: dataclasses.dataclass(frozen=True)")
    assert "documentation tools" in message_text(model.history[0][-1])


def test_a_server_with_nothing_approved_is_named_and_left_out(repo, tmp_path):
    _configure(repo, {"docs": _docs_server(tmp_path)})
    found = docs.lookup(repo)
    assert found.tools == []
    assert found.notes == ["MCP server docs: no tool is in its `autoApprove` list; add the "
                           "documentation tools there to let research use them"]


def test_a_server_that_does_not_start_is_a_note_not_a_failure(repo):
    _configure(repo, {"broken": {"command": "/nonexistent/docs-server",
                                 "autoApprove": ["*"]}})
    found = docs.lookup(repo)
    assert found.tools == []
    assert found.notes[0].startswith("MCP server broken: could not be started")


def test_without_a_server_research_says_it_reads_the_repository_only(repo):
    found = docs.lookup(repo)
    assert found.tools == [] and found.notes == [
        "documentation lookup: no MCP server configured (.kiro/settings/mcp.json mcpServers); "
        "research reads the repository only, offline"]
    assert docs.describe(repo).startswith("research reads the repository only (offline)")
    assert "no documentation server was asked" in ph.skeleton(
        ph.RESEARCH, ph.Inputs(what="x", name="x", approved={}))


def test_the_project_entry_wins_over_the_users_and_remote_servers_are_named(repo, tmp_path):
    home = tmp_path / "home"
    (home / ".kiro/settings").mkdir(parents=True)
    (home / docs.MCP_JSON).write_text(json.dumps({"mcpServers": {
        "docs": {"command": "user-docs"}, "remote": {"url": "https://mcp.example.com"}}}))
    _configure(repo, {"docs": {"command": "project-docs", "autoApprove": ["search"]}})
    servers, notes = docs.configured(repo, home)
    assert [(s.name, s.command, s.approved) for s in servers] == [
        ("docs", "project-docs", ("search",))]
    assert notes == [f"MCP server remote ({home / docs.MCP_JSON}): not a stdio server "
                     "(no `command`); left out"]
    assert "docs: each runs on this machine, outside the sandbox" in docs.describe(repo, home)


def test_a_malformed_mcp_json_names_the_file_and_the_key(repo):
    _configure(repo, ["not", "an", "object"])
    with pytest.raises(UserInputError, match="mcpServers") as raised:
        docs.configured(repo)
    assert str(repo / docs.MCP_JSON) in str(raised.value)
