"""`reviewloop mcp`: the loop's read and review operations as MCP tools over stdio, so an
IDE agent (Kiro, Claude Code, any MCP client) can review a change, list tasks, show runs and
start one.

Each tool runs reviewloop's own command line on the project, in its own process, and
returns what that command prints as JSON (`review --format json`, `tasks --json`,
`runs --json` — the schemas in docs/schemas/): one behaviour, whichever way it is asked for.
A process per call also keeps stdout, the protocol's channel here, clean, and a crash in one
call from taking the server down. `show_run` reads the run's saved summary directly.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from reviewloop.errors import ExitCode, ReviewloopError, UserInputError

INSTALL = "pip install 'reviewloop[mcp]'"
_CALL_TIMEOUT_S = 3600.0  # a run on a real model can take long; the client may cancel sooner


class ToolFailed(UserInputError):
    """A command the tool ran failed; the message is what it said on stderr."""


@click.command("mcp")
@click.pass_obj
def mcp_cmd(obj: Any) -> int:
    """Serve reviewloop's tools to an MCP client (Kiro, Claude Code) over stdio."""
    server(obj.root).run("stdio")
    return ExitCode.OK


def server(root: Path) -> Any:
    """The MCP server for the project at `root` (tools take a `path` below it)."""
    try:
        from mcp.server.mcpserver import MCPServer
        from mcp.server.mcpserver.exceptions import ToolError
    except ImportError as exc:
        raise UserInputError("the MCP server needs the `mcp` package", where="reviewloop mcp",
                             fix=INSTALL) from exc

    def reported(tool: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        """reviewloop's own errors reach the client as tool errors, with the fix line."""
        @functools.wraps(tool)
        def call(*args: Any, **kwargs: Any) -> dict[str, Any]:
            try:
                return tool(*args, **kwargs)
            except ReviewloopError as exc:
                raise ToolError(str(exc)) from exc
        return call

    app = MCPServer("reviewloop", instructions=(
        "reviewloop implements and reviews spec tasks. Use `review` for the findings on a "
        "change (working tree, staged, or base...head), `list_tasks` for a spec's tasks, "
        "`list_runs`/`show_run` for runs and their findings, `start_run` to run a task up "
        "to commit approval."))

    @app.tool()
    @reported
    def review(path: str = ".", base: str | None = None, head: str | None = None,
               staged: bool = False) -> dict[str, Any]:
        """Review a change with the reviewers and their analyzers: the working tree
        (default), the staged change, or BASE...HEAD. Returns findings, statuses, verdict."""
        args = ["review", "--format", "json", "--fail-on", "never"]
        args += ["--staged"] if staged else []
        args += ["--base", base] if base else []
        args += ["--head", head] if head else []
        return _json(_cli(root, path, args))

    @app.tool()
    @reported
    def list_tasks(path: str = ".", spec: str | None = None) -> dict[str, Any]:
        """The spec's tasks: id, status, title, wave, dependencies, requirements."""
        return _json(_cli(root, path, ["tasks", "--json", *(["--spec", spec] if spec else [])]))

    @app.tool()
    @reported
    def list_runs(path: str = ".") -> dict[str, Any]:
        """Every run in the repository and where it stands."""
        return _json(_cli(root, path, ["runs", "--json"]))

    @app.tool()
    @reported
    def show_run(run_id: str, path: str = ".") -> dict[str, Any]:
        """One run: where it stands and its summary (findings fixed, open, escalated)."""
        return run_details(_inside(root, path), run_id)

    @app.tool()
    @reported
    def start_run(task: str, path: str = ".", implementer: str = "llm",
                  branch: str | None = None, spec: str | None = None) -> dict[str, Any]:
        """Run the loop on a task (an id, or `next`) up to commit approval; it never
        commits by itself: approve with `reviewloop approve RUN` after reading the summary."""
        args = ["run", task, "--implementer", implementer]
        args += ["--branch", branch] if branch else []
        args += ["--spec", spec] if spec else []
        done = _cli(root, path, args, ok=(ExitCode.OK, ExitCode.BLOCKING))
        runs = _json(_cli(root, path, ["runs", "--json"]))["runs"]
        said = re.search(r"(?:\(run |\bRun )([\w.-]+)", done.stdout)  # the run it started
        mine = [r for r in runs if said and r["run_id"] == said[1]]
        run = mine[0] if mine else max(runs, key=lambda r: r["created"], default=None)
        return {"exit_code": done.returncode, "output": done.stdout.strip(), "run": run}

    return app


def run_details(root: Path, run_id: str) -> dict[str, Any]:
    """The `runs --json` row of `run_id` and the summary its last checkpoint holds."""
    from reviewloop.app.runs import rows
    from reviewloop.config import load_settings
    from reviewloop.session.facts import run_summary

    row = next((r for r in rows(load_settings(root), root) if r["run_id"] == run_id), None)
    if row is None:
        raise ToolFailed(f"no run {run_id!r} in this repository", where=str(root),
                         fix="list the runs with the list_runs tool")
    return {**row, "summary": run_summary(root, run_id)}


def _inside(root: Path, path: str) -> Path:
    target = (root / path).resolve()
    if not target.is_relative_to(root.resolve()):
        raise ToolFailed(f"{path} is outside the project the server was started in",
                         where=str(root), fix="pass a path inside it, or start the server there")
    return target


def _cli(root: Path, path: str, args: list[str],
         ok: tuple[int, ...] = (ExitCode.OK,)) -> subprocess.CompletedProcess[str]:
    # -P: the project's own top-level packages never shadow reviewloop's imports
    done = subprocess.run([sys.executable, "-P", "-m", "reviewloop", *args],
                          cwd=_inside(root, path), capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=_CALL_TIMEOUT_S, check=False)
    if done.returncode not in ok:
        said = done.stderr.strip() or done.stdout.strip() or f"exit {done.returncode}"
        raise ToolFailed(f"reviewloop {args[0]} failed (exit {done.returncode}): {said}",
                         where=" ".join(["reviewloop", *args]))
    return done


def _json(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    data = json.loads(done.stdout)
    return data if isinstance(data, dict) else {"items": data}
