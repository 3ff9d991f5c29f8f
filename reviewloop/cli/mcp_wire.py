"""`reviewloop mcp`'s stdio transport: the SDK's own, with a reply to every line that is not
a JSON-RPC message, as JSON-RPC 2.0 asks — -32700 Parse error (id null) for a line that is
not JSON, -32600 Invalid Request for JSON that is no message (an array, a number, an object
without `method`: its `id` when it has a usable one, else null). The SDK (mcp 2.x) hands
such a line to the server as an exception item, which its dispatcher only logs, so a client
waiting for an answer waited forever. A blank line is no message and gets no reply."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the SDK is an extra, loaded when the server starts
    from mcp.shared.message import SessionMessage


def malformed_reply(exc: Exception) -> Any | None:
    """The JSON-RPC error a line the SDK could not read as a message gets; None for a blank
    line."""
    import mcp_types as types
    from pydantic import ValidationError

    errors = exc.errors() if isinstance(exc, ValidationError) else []
    given = errors[0].get("input") if errors else None
    if any(e["type"] == "json_invalid" for e in errors) or not errors:
        if isinstance(given, str | bytes) and not given.strip():
            return None
        code, message, rid = types.PARSE_ERROR, "Parse error", None
    else:  # the object itself is the input of a top-level error (a member missing, …)
        whole = next((e["input"] for e in errors if isinstance(e.get("input"), dict)
                      and (len(e["loc"]) <= 1 or (len(e["loc"]) == 2
                                                  and e["type"] == "missing"))), None)
        rid = whole.get("id") if whole is not None else None
        rid = rid if isinstance(rid, str) or (isinstance(rid, int)
                                              and not isinstance(rid, bool)) else None
        code, message = types.INVALID_REQUEST, "Invalid Request: not a JSON-RPC 2.0 message"
    return types.JSONRPCError(jsonrpc="2.0", id=rid,
                              error=types.ErrorData(code=code, message=message))


class Answering:
    """The transport's read stream, with each unreadable line answered on `write` (and not
    passed on); every message is passed on as it came."""

    def __init__(self, inner: Any, write: Any):
        self._inner = inner
        self._write = write

    @property
    def last_context(self) -> Any:  # the sender's context, which the dispatcher restores
        return getattr(self._inner, "last_context", None)

    async def receive(self) -> SessionMessage:
        from mcp.shared.message import SessionMessage

        while True:
            item = await self._inner.receive()
            if not isinstance(item, Exception):
                return item
            reply = malformed_reply(item)
            if reply is not None:
                await self._write.send(SessionMessage(reply))

    async def aclose(self) -> None:
        await self._inner.aclose()

    def __aiter__(self) -> Answering:
        return self

    async def __anext__(self) -> SessionMessage:
        import anyio

        try:
            return await self.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            raise StopAsyncIteration from None

    async def __aenter__(self) -> Answering:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc_val: BaseException | None, exc_tb: TracebackType | None) -> None:
        await self.aclose()


async def serve_stdio(app: Any) -> None:
    """`app.run("stdio")` (the SDK's `run_stdio_async`), its read stream `Answering`."""
    from mcp.server.stdio import stdio_server

    server = app._lowlevel_server  # noqa: SLF001 - the one way in to give it our stream
    async with stdio_server() as (read, write):
        await server.run(Answering(read, write), write, server.create_initialization_options())
