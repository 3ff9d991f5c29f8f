"""`reviewloop mcp`: the loop's read and review operations as MCP tools over stdio, so an
IDE agent (Kiro, Claude Code, any MCP client) can review a change, list tasks, show runs and
start one.

Each tool calls the use case the command line calls (`app/`), in process (`mcp_tools.py`),
and answers in a compact form: the verdict, the counts, the most severe findings with their
`file:line`, what kept the review from being complete, and the URI of the whole report
(`reviewloop://review/ID`, `reviewloop://run/ID`: `review --format json`'s JSON), a resource
the agent reads when it needs more. The tools say what they do to the project (MCP tool
annotations) and the server its version; a line that is no JSON-RPC message is answered
with its JSON-RPC error (`mcp_wire.py`). The SDK's stdio transport points fd 1 at stderr
while it serves, and the use cases speak through a recorded `Output`: nothing a tool runs
can write into the protocol's channel.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from reviewloop import __version__
from reviewloop.checks import interrupts
from reviewloop.cli import mcp_wire
from reviewloop.errors import ExitCode, ReviewloopError, UserInputError, name_too_long

if TYPE_CHECKING:  # the tools load the use cases: only when the server starts
    from reviewloop.cli.mcp_tools import Tools

INSTALL = "pip install 'reviewloop[mcp]'"
INSTRUCTIONS = (
    "reviewloop implements and reviews spec tasks. Use `review` for the findings on a change "
    "(working tree, staged, or base...head): it answers with the verdict, counts and the top "
    "findings, and the URI of the whole report (read it as a resource for every finding). "
    "`list_tasks` lists a spec's tasks, `list_runs`/`show_run` runs and their findings, "
    "`start_run` runs a task up to commit approval.")

_GRACE = 10.0  # seconds a stopped tool call has to unwind (its analyzers are killed at once)


@click.command("mcp")
@click.pass_obj
def mcp_cmd(obj: Any) -> int:
    """Serve reviewloop's tools to an MCP client (Kiro, Claude Code) over stdio."""
    mcp_wire.stdin_open()
    app = server(obj.root)
    failed: list[BaseException] = []

    def serve() -> None:
        import anyio  # with the SDK, which `server` found

        try:
            anyio.run(mcp_wire.serve_stdio, app)  # app.run("stdio"), malformed lines answered
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread below
            failed.append(exc)

    # The server runs beside the main thread, which only waits and so hears a stop at once:
    # the SDK's event loop, on the main thread, unwound only when stdin sent a line or closed.
    serving = threading.Thread(target=serve, name="mcp server", daemon=True)
    serving.start()
    try:
        while serving.is_alive():
            serving.join(0.2)
    except KeyboardInterrupt as exc:  # Ctrl-C, SIGTERM, SIGHUP: their handlers stopped the
        _stopped(exc)                  # commands being waited on (`sandbox.live`)
    if failed:
        raise failed[0]
    return ExitCode.OK


def _stopped(exc: KeyboardInterrupt) -> None:
    """End the process once the tool calls in progress unwound (a review removes its copies
    of the change), or after `_GRACE`: a thread still reads stdin, which Python's exit would
    wait on."""
    CALLS.idle(_GRACE)
    click.echo("interrupted" if interrupts.what(exc) == "Ctrl-C"
               else f"stopped by {interrupts.what(exc)}", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(interrupts.exit_code(exc))


class _Calls:
    """The tool calls in progress."""

    def __init__(self) -> None:
        self._count = 0
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        with self._changed:
            self._count += 1
        try:
            yield
        finally:
            with self._changed:
                self._count -= 1
                self._changed.notify_all()

    def idle(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._count == 0, timeout)


CALLS = _Calls()


def server(root: Path) -> Any:
    """The MCP server for the project at `root` (tools take a `path` below it)."""
    try:
        from mcp.server.mcpserver import MCPServer
        from mcp.server.mcpserver.exceptions import ResourceError, ToolError
        from mcp.types import ToolAnnotations
    except ImportError as exc:
        raise UserInputError("the MCP server needs the `mcp` package", where="reviewloop mcp",
                             fix=INSTALL) from exc
    from reviewloop.cli.mcp_tools import Tools

    def reported(error: type[Exception]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """reviewloop's own errors reach the client as tool (or resource) errors, with the
        fix line."""
        def wrap(tool: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(tool)
            def call(*args: Any, **kwargs: Any) -> Any:
                try:
                    with CALLS.running():
                        return tool(*args, **kwargs)
                except ReviewloopError as exc:
                    raise error(str(exc)) from exc
                except OSError as exc:  # a name too long in a path given: bad input
                    if (too_long := name_too_long(exc)) is None:
                        raise
                    raise error(str(too_long)) from exc
            return call
        return wrap

    app = MCPServer("reviewloop", version=__version__, instructions=INSTRUCTIONS)
    tools = Tools(root)
    # MCP tool annotations: what a tool does to the project. A review only reads it (its
    # record goes under .reviewloop/), and may send the change to a model provider.
    reads = ToolAnnotations(read_only_hint=True, open_world_hint=False)
    for name, fn, hints in (
            ("review", tools.review, ToolAnnotations(
                title="Review a change", read_only_hint=True, open_world_hint=True)),
            ("list_tasks", tools.list_tasks, reads.model_copy(update={"title": "List tasks"})),
            ("list_runs", tools.list_runs, reads.model_copy(update={"title": "List runs"})),
            ("show_run", tools.show_run, reads.model_copy(update={"title": "Show a run"})),
            ("start_run", tools.start_run, ToolAnnotations(
                title="Run a task up to approval", read_only_hint=False, destructive_hint=False,
                idempotent_hint=False, open_world_hint=True))):
        app.tool(name=name, description=DESCRIPTIONS[name], annotations=hints)(
            reported(ToolError)(fn))

    for kind in ("review", "run"):
        app.resource(f"reviewloop://{kind}/{{run_id}}{{?path}}", name=f"{kind}-report",
                     mime_type="application/json",
                     description=f"The whole report of a {kind}: every finding, the ledger, "
                                 "the coverage matrix (`review --format json`'s JSON).")(
            _reader(tools, kind, ResourceError))
    return app


def _reader(tools: Tools, kind: str, error: type[Exception]) -> Callable[..., str]:
    """The resource of a `kind`'s whole report; a run that is not there is a resource error
    with the fix line."""
    def report(run_id: str, path: str = ".") -> str:
        try:
            return tools.report(kind, run_id, path)
        except ReviewloopError as exc:
            raise error(str(exc)) from exc
        except OSError as exc:  # a name too long in a path given: bad input
            if (too_long := name_too_long(exc)) is None:
                raise
            raise error(str(too_long)) from exc
    return report


DESCRIPTIONS = {
    "review": "Review a change with the reviewers and their analyzers: the working tree "
              "(default), the staged change, or BASE...HEAD. Returns the verdict, counts, "
              "the top findings (file:line) and what was not analysed; `report` is the URI "
              "of the whole report.",
    "list_tasks": "The spec's tasks: id, status, title, wave, dependencies, requirements.",
    "list_runs": "Every run in the repository and where it stands.",
    "show_run": "One run: where it stands and its summary (verdict, counts, top findings); "
                "`report` is the URI of its whole report.",
    "start_run": "Run the loop on a task (an id, or `next`) up to commit approval; it never "
                 "commits by itself: approve with `reviewloop approve RUN` after reading the "
                 "summary. `implementer`: llm (the configured model) or manual (the change "
                 "already in the working tree); a command implementer (`cmd:`) is refused "
                 "here.",
}
