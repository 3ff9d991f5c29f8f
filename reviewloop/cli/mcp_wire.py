"""`reviewloop mcp`'s stdio transport: the SDK's own, with a reply to every line that is not
a JSON-RPC message, as JSON-RPC 2.0 asks — -32700 Parse error (id null) for a line that is
not JSON, -32600 Invalid Request for JSON that is no message (an array, a number, an object
without `method`: its `id` when it has a usable one, else null). The SDK (mcp 2.x) hands
such a line to the server as an exception item, which its dispatcher only logs, so a client
waiting for an answer waited forever. A blank line is no message and gets no reply.

A request whose `id` is no string or integer (a float, null, a boolean, an array, an
object: MCP allows only the two) is -32600 with a null id too. The SDK reads such a line as
a notification, dropping the `id`, and answers nothing; only the raw line tells, so the
transport reads stdin itself (`Lines`) and notes for each line whether it carried an `id`.

At the end of stdin the SDK stopped serving at once, and a request still in progress (a
review) was never answered. The read stream now ends only once every request it passed on
has been answered or cancelled by the client (`InFlight`)."""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import sys
from collections import deque
from collections.abc import Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO

from reviewloop.errors import UserInputError

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


def carries_id(line: str) -> bool:
    """Whether `line` is a JSON object with an `id` member (of any value)."""
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):
        return False
    return isinstance(value, dict) and "id" in value


def bad_id_reply() -> Any:
    """The error a request whose `id` is no string or integer gets."""
    import mcp_types as types

    return types.JSONRPCError(jsonrpc="2.0", id=None, error=types.ErrorData(
        code=types.INVALID_REQUEST,
        message="Invalid Request: a request's id must be a string or an integer"))


class Lines:
    """stdin's lines as the SDK's transport reads them, each noted in `carried` (in order:
    the transport hands the server one item per line) by whether it carried an `id`."""

    def __init__(self, file: Any):
        self._file = file
        self.carried: deque[bool] = deque()

    def __aiter__(self) -> Lines:
        return self

    async def __anext__(self) -> str:
        line = await self._file.readline()
        if not line:
            raise StopAsyncIteration
        self.carried.append(carries_id(line))
        return str(line)


class InFlight:
    """The requests passed on to the server and not yet answered (a response or an error
    sent for their id) nor cancelled by the client (`notifications/cancelled`, after which
    MCP sends no answer), by id."""

    def __init__(self) -> None:
        self._ids: set[str | int] = set()
        self._changed: Any = None  # an anyio.Event, made in the event loop

    def received(self, message: Any) -> None:
        import mcp_types as types

        if isinstance(message, types.JSONRPCRequest):
            self._ids.add(message.id)
        elif isinstance(message, types.JSONRPCNotification) and \
                message.method == "notifications/cancelled":
            self._done((message.params or {}).get("requestId"))

    def sent(self, message: Any) -> None:
        import mcp_types as types

        if isinstance(message, types.JSONRPCResponse | types.JSONRPCError):
            self._done(message.id)

    def _done(self, request_id: Any) -> None:
        if request_id in self._ids:
            self._ids.discard(request_id)
            if self._changed is not None:
                self._changed.set()

    async def drained(self) -> None:
        """Return once no request is in flight."""
        import anyio

        while self._ids:
            self._changed = anyio.Event()
            await self._changed.wait()


class Answered:
    """The transport's write stream, each message sent noted in `flight` (even when the
    client is gone and the send fails: that request will never be answered either)."""

    def __init__(self, inner: Any, flight: InFlight):
        self._inner = inner
        self._flight = flight

    async def send(self, item: SessionMessage) -> None:
        try:
            await self._inner.send(item)
        finally:
            self._flight.sent(item.message)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self) -> Answered:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc_val: BaseException | None, exc_tb: TracebackType | None) -> None:
        await self.aclose()


class Answering:
    """The transport's read stream, with each unreadable line answered on `write` (and not
    passed on), and each notification whose line carried an `id` (one the SDK could not read
    as a request's); every other message is passed on as it came, noted in `flight`, and
    the stream ends only once no request passed on is in flight."""

    def __init__(self, inner: Any, write: Any, carried: deque[bool] | None = None,
                 flight: InFlight | None = None):
        self._inner = inner
        self._write = write
        self._carried = carried
        self._flight = flight or InFlight()

    @property
    def last_context(self) -> Any:  # the sender's context, which the dispatcher restores
        return getattr(self._inner, "last_context", None)

    async def receive(self) -> SessionMessage:
        import mcp_types as types
        from mcp.shared.message import SessionMessage

        while True:
            item = await self._next()
            carried = bool(self._carried.popleft()) if self._carried else False
            if not isinstance(item, Exception):
                if not (carried and isinstance(item.message, types.JSONRPCNotification)):
                    self._flight.received(item.message)
                    return item
                await self._write.send(SessionMessage(bad_id_reply()))
                continue
            reply = malformed_reply(item)
            if reply is not None:
                await self._write.send(SessionMessage(reply))

    async def _next(self) -> SessionMessage | Exception:
        """The next item; at the end of stdin, only once every request is answered."""
        import anyio

        try:
            return await self._inner.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            await self._flight.drained()
            raise

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


def stdin_open() -> None:
    """Refuse to serve with fd 0 closed (`reviewloop mcp <&-`): checked before the event loop
    starts, which would take descriptor 0 for its own and be read as the wire."""
    try:
        os.fstat(0)
    except OSError:
        raise UserInputError(
            "stdin is closed: an MCP client speaks to `reviewloop mcp` on its stdin",
            where="reviewloop mcp",
            fix="let the MCP client start `reviewloop mcp` (it connects stdin and stdout); "
                "by hand, run it with stdin open") from None


@contextlib.contextmanager
def claimed_stdin() -> Iterator[BinaryIO]:
    """The wire on fd 0, read through a private descriptor while fd 0 itself points at the
    null device (what the SDK does with the stdin it claims): a command a tool runs reads
    EOF, never the client's next message. The private descriptor is never closed: a worker
    thread may still block reading it after the server ended. With no fd 0 to divert, the
    process's stdin as it is."""
    try:
        wire = fcntl.fcntl(0, fcntl.F_DUPFD_CLOEXEC, 3)
    except OSError:
        yield sys.stdin.buffer
        return
    null = os.open(os.devnull, os.O_RDONLY)
    try:
        os.dup2(null, 0)
    finally:
        os.close(null)
    try:
        yield os.fdopen(wire, "rb", closefd=False)
    finally:
        os.dup2(wire, 0)


async def serve_stdio(app: Any) -> None:
    """`app.run("stdio")` (the SDK's `run_stdio_async`), stdin read as `Lines` and the read
    stream `Answering`."""
    import anyio
    from mcp.server.stdio import stdio_server

    server = app._lowlevel_server  # noqa: SLF001 - the one way in to give it our stream
    with claimed_stdin() as wire:
        lines = Lines(anyio.wrap_file(io.TextIOWrapper(wire, encoding="utf-8",
                                                       errors="replace")))
        async with stdio_server(stdin=lines) as (read, write):  # type: ignore[arg-type]
            flight = InFlight()
            await server.run(Answering(read, write, lines.carried, flight),
                             Answered(write, flight), server.create_initialization_options())
