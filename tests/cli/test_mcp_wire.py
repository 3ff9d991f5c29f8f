"""`reviewloop mcp` answers every line that is no JSON-RPC message, as JSON-RPC 2.0 asks:
-32700 Parse error (id null) for a line that is not JSON, -32600 Invalid Request for JSON
that is no message; a blank line gets nothing, and the session goes on after each."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

mcp = pytest.importorskip("mcp", reason="the `mcp` extra is not installed")
import mcp_types as types  # noqa: E402

from reviewloop.cli.mcp_wire import malformed_reply  # noqa: E402
from tests.support.repos import init_repo  # noqa: E402

INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                         "clientInfo": {"name": "t", "version": "1"}}}


def _unreadable(line: str) -> Exception | None:
    """What the SDK's transport sends the server for `line` (None: a message)."""
    try:
        types.jsonrpc_message_adapter.validate_json(line, by_name=False)
    except Exception as exc:  # noqa: BLE001 - the transport's own catch
        return exc
    return None


def _not_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return True
    return False


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(max_size=10),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


@given(st.text(max_size=40).filter(lambda t: t.strip() and _not_json(t)))
def test_a_line_that_is_not_json_is_a_parse_error_with_a_null_id(text: str) -> None:
    line = text.replace("\n", " ") + "\n"
    exc = _unreadable(line)
    assert exc is not None
    reply = malformed_reply(exc)
    assert reply is not None and reply.id is None
    assert (reply.error.code, reply.error.message) == (types.PARSE_ERROR, "Parse error")


@given(JSON | st.fixed_dictionaries({"jsonrpc": st.just("2.0"), "id": st.integers(0, 99)},
                                    optional={"method": st.integers(), "params": JSON}))
def test_json_that_is_no_message_is_an_invalid_request(value: object) -> None:
    exc = _unreadable(json.dumps(value) + "\n")
    if exc is None:  # some generated values are messages: the server reads those
        return
    reply = malformed_reply(exc)
    assert reply is not None and reply.error.code == types.INVALID_REQUEST
    usable = isinstance(value, dict) and type(value.get("id")) in (int, str)
    assert reply.id == (value["id"] if usable else None)  # type: ignore[index]


@pytest.mark.parametrize("line", ["\n", "   \n", "\t\r\n"])
def test_a_blank_line_gets_no_reply(line: str) -> None:
    exc = _unreadable(line)
    assert exc is not None and malformed_reply(exc) is None


def test_the_server_answers_each_bad_line_in_order_and_serves_on(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    lines = ["{bad", "", "[]", "42", '{"jsonrpc": "2.0", "id": 7}', json.dumps(INITIALIZE),
             "{nope"]
    done = subprocess.run([sys.executable, "-m", "reviewloop", "mcp"], cwd=root,
                          input="\n".join(lines) + "\n", capture_output=True, text=True,
                          timeout=120, env=dict(os.environ), check=False)
    replies = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r.get("id"), (r.get("error") or {}).get("code")) for r in replies] == [
        (None, -32700), (None, -32600), (None, -32600), (7, -32600), (1, None), (None, -32700)]
    assert replies[4]["result"]["serverInfo"]["name"] == "reviewloop"
    assert done.returncode == 0, done.stderr
