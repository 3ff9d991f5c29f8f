"""Documentation lookup for the research phase: the MCP servers a Kiro project configures
(`.kiro/settings/mcp.json`, over the user's `~/.kiro/settings/mcp.json`, key `mcpServers`)
offered to the research model as tools — only the tools the user pre-approved for unattended
use there (`autoApprove`), since nobody confirms each call. A server is started on this
machine for each call (stdio), outside the sandbox, and may reach the network; without such
a server the research reads the repository only, offline."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import anyio
from langchain_core.tools import BaseTool, StructuredTool

from reviewloop.errors import UserInputError

MCP_JSON = ".kiro/settings/mcp.json"
INSTALL = "pip install 'reviewloop[mcp]'"
_TIMEOUT_S = 60.0  # one documentation call, server start included
_MAX_RESULT = 8_000  # characters of one answer the model sees
_NAME = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class Server:
    """One stdio MCP server from an mcp.json, and the tools approved to run unattended."""

    name: str
    command: str
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    approved: tuple[str, ...] = ()  # "*" approves every tool


@dataclass(frozen=True)
class Lookup:
    tools: list[BaseTool]
    notes: list[str]  # what is offered, and what runs where


def configured(root: Path, home: Path | None = None) -> tuple[list[Server], list[str]]:
    """The enabled stdio servers (the project's entry wins over the user's of the same name),
    and notes on what was left out."""
    entries: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path in (home or Path.home()) / MCP_JSON, root / MCP_JSON:
        entries.update({name: (path, entry) for name, entry in _servers(path).items()})
    servers, notes = [], []
    for name, (path, entry) in entries.items():
        if entry.get("disabled"):
            continue
        if not isinstance(entry.get("command"), str):
            notes.append(f"MCP server {name} ({path}): not a stdio server (no `command`); "
                         "left out")
            continue
        servers.append(Server(name=name, command=entry["command"],
                              args=tuple(str(a) for a in entry.get("args") or ()),
                              env={str(k): str(v) for k, v in (entry.get("env") or {}).items()},
                              approved=tuple(str(t) for t in entry.get("autoApprove") or ())))
    return servers, notes


def _servers(path: Path) -> dict[str, dict[str, Any]]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise UserInputError(f"{path} is not valid JSON ({exc})", where=str(path),
                             fix="fix the file, or move it away to research without it") from exc
    servers = data.get("mcpServers", {}) if isinstance(data, dict) else None
    if not isinstance(servers, dict) or not all(isinstance(v, dict) for v in servers.values()):
        raise UserInputError(f"{path}: `mcpServers` must map each server name to an object",
                             where=f"{path}: mcpServers",
                             fix='e.g. {"mcpServers": {"docs": {"command": "uvx", "args": [...]}}}')
    return servers


def describe(root: Path, home: Path | None = None) -> str:
    """One line for the user, before anything starts: what research reads and where."""
    servers, _ = configured(root, home)
    if not servers:
        return ("research reads the repository only (offline); no documentation server is "
                f"configured ({MCP_JSON} mcpServers)")
    names = ", ".join(s.name for s in servers)
    return ("research reads the repository (offline) and asks the documentation server(s) "
            f"{names}: each runs on this machine, outside the sandbox, and may reach the "
            "network; only their autoApprove tools are offered")


def lookup(root: Path, home: Path | None = None) -> Lookup:
    """The documentation tools to offer, listed from each server, with notes for the user."""
    servers, notes = configured(root, home)
    if not servers:
        return Lookup([], [*notes, "documentation lookup: no MCP server configured "
                           f"({MCP_JSON} mcpServers); research reads the repository only, "
                           "offline"])
    try:
        from mcp import ClientSession  # noqa: F401  (optional extra: only checked here)
    except ImportError:
        return Lookup([], [*notes, f"documentation lookup needs the `mcp` package: {INSTALL}"])
    tools: list[BaseTool] = []
    for server in servers:
        offered, note = _server_tools(root, server)
        tools += offered
        notes.append(note)
    return Lookup(tools, notes)


def _server_tools(root: Path, server: Server) -> tuple[list[BaseTool], str]:
    try:
        listed = anyio.run(_list, root, server)
    except Exception as exc:  # noqa: BLE001 - an optional server's failure is a note, not fatal
        return [], f"MCP server {server.name}: could not be started ({exc}); left out"
    approved = [t for t in listed if "*" in server.approved or t.name in server.approved]
    if not approved:
        return [], (f"MCP server {server.name}: no tool is in its `autoApprove` list; add the "
                    "documentation tools there to let research use them")
    tools: list[BaseTool] = [StructuredTool(
        name=_NAME.sub("_", f"{server.name}_{t.name}")[:64],
        description=(t.description or t.name)[:1_000], args_schema=dict(t.input_schema),
        func=partial(_call_sync, root, server, t.name)) for t in approved]
    names = ", ".join(t.name for t in approved)
    return tools, (f"documentation lookup: MCP server {server.name} ({names}) runs on this "
                   "machine, outside the sandbox, and may reach the network")


def _params(root: Path, server: Server) -> Any:
    from mcp.client.stdio import StdioServerParameters, get_default_environment

    return StdioServerParameters(command=server.command, args=list(server.args), cwd=root,
                                 env={**get_default_environment(), **server.env})


async def _list(root: Path, server: Server) -> list[Any]:
    from mcp import ClientSession
    from mcp.client.stdio import stdio_client

    with anyio.fail_after(_TIMEOUT_S), open(os.devnull, "w") as quiet:
        async with stdio_client(_params(root, server), errlog=quiet) as (read, write), \
                ClientSession(read, write) as client:
            await client.initialize()
            return list((await client.list_tools()).tools)


async def _call(root: Path, server: Server, tool: str, args: dict[str, Any]) -> str:
    from mcp import ClientSession
    from mcp.client.stdio import stdio_client

    with anyio.fail_after(_TIMEOUT_S), open(os.devnull, "w") as quiet:
        async with stdio_client(_params(root, server), errlog=quiet) as (read, write), \
                ClientSession(read, write) as client:
            await client.initialize()
            result = await client.call_tool(tool, args)
    texts = [getattr(part, "text", "") for part in getattr(result, "content", [])]
    prefix = "error: " if getattr(result, "is_error", False) else ""
    return (prefix + "\n".join(t for t in texts if t))[:_MAX_RESULT] or "(no text returned)"


def _call_sync(root: Path, server: Server, tool: str, **args: Any) -> str:
    try:
        return anyio.run(_call, root, server, tool, args)
    except Exception as exc:  # noqa: BLE001 - the model reads the failure and goes on
        return f"error: the documentation server {server.name} failed: {exc}"
