"""`reviewloop mcp` answers every line that is no JSON-RPC message, as JSON-RPC 2.0 asks:
-32700 Parse error (id null) for a line that is not JSON, -32600 Invalid Request for JSON
that is no message (a request whose `id` is no string or integer among them: the SDK reads
it as a notification, so the raw line tells); a blank line gets nothing, and the session
goes on after each. At the end of stdin every request already received is still answered
(a review in progress ran on, unanswered, until the process ended), but none the client
cancelled."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

mcp = pytest.importorskip("mcp", reason="the `mcp` extra is not installed")
import mcp_types as types  # noqa: E402

from reviewloop.cli.mcp_wire import carries_id, malformed_reply  # noqa: E402
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


VALID_IDS = st.text(max_size=8) | st.integers(-(2**53), 2**53)
BAD_IDS = (st.none() | st.booleans() | st.floats(allow_nan=False, allow_infinity=False)
           | st.lists(JSON, max_size=2) | st.dictionaries(st.text(max_size=4), JSON, max_size=2))
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def _answers(root: Path, messages: list[object], count: int) -> list[dict]:
    """The first `count` replies of a server sent `messages`, its stdin kept open until they
    came."""
    proc = subprocess.Popen([sys.executable, "-m", "reviewloop", "mcp"], cwd=root,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=dict(os.environ))
    guard = threading.Timer(120, proc.kill)  # a bound on a hang, not a timing
    guard.start()
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("".join(json.dumps(m) + "\n" for m in messages))
        proc.stdin.flush()
        replies = [json.loads(proc.stdout.readline() or "null") for _ in range(count)]
        proc.stdin.close()
        assert proc.wait() == 0
    finally:
        guard.cancel()
        proc.kill()
    return replies


@settings(max_examples=5, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ids=st.lists(st.tuples(st.booleans(), VALID_IDS, BAD_IDS), min_size=1, max_size=6,
                    unique_by=lambda drawn: str(drawn[1])))  # a request's id is its own
def test_a_request_whose_id_is_no_string_or_integer_is_refused_and_the_others_answered(
        tmp_path: Path, ids: list[tuple[bool, object, object]]) -> None:
    root = tmp_path / "r"
    if not root.exists():
        init_repo(root, {"a.py": "x = 1\n"})
    sent = [good if valid else bad for valid, good, bad in ids]
    replies = _answers(root, [INITIALIZE, INITIALIZED, *(
        {"jsonrpc": "2.0", "id": rid, "method": "ping"} for rid in sent)], 1 + len(sent))
    assert replies[0]["id"] == 1 and "result" in replies[0]
    refused = [r for r in replies[1:] if "error" in r]
    assert all(r["id"] is None and r["error"]["code"] == types.INVALID_REQUEST
               for r in refused), refused
    assert len(refused) == sum(1 for valid, _, _ in ids if not valid)
    answered = sorted(json.dumps(r["id"]) for r in replies[1:] if "result" in r)
    assert answered == sorted(json.dumps(good) for valid, good, _ in ids if valid)


@given(st.dictionaries(st.text(max_size=6), JSON, max_size=4), JSON)
def test_a_line_carries_an_id_exactly_when_it_is_an_object_with_an_id_member(
        value: dict, rid: object) -> None:
    assert carries_id(json.dumps(value)) == ("id" in value)
    assert carries_id(json.dumps({**value, "id": rid}) + "\r\n")
    assert not carries_id(json.dumps([value, {"id": rid}]))


def test_while_serving_a_command_reads_eof_on_stdin_and_the_server_the_wire() -> None:
    script = (
        "import subprocess, sys\n"
        "from reviewloop.cli.mcp_wire import claimed_stdin\n"
        "with claimed_stdin() as wire:\n"
        "    child = subprocess.run([sys.executable, '-c',"
        " 'import sys; print(repr(sys.stdin.read()))'],"
        " capture_output=True, text=True, check=True).stdout.strip()\n"
        "    print(child, repr(wire.readline().decode()))\n"
        "import os, stat\n"
        "print(stat.S_ISFIFO(os.fstat(0).st_mode))\n")
    done = subprocess.run([sys.executable, "-c", script], input="hello\nrest\n",
                          capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.splitlines() == ["'' 'hello\\n'", "True"], done.stderr


def test_a_closed_stdin_is_a_usage_error_not_a_crash(tmp_path: Path) -> None:
    """With fd 0 closed (`reviewloop mcp <&-`) the event loop took descriptor 0 and the
    server read it as the wire: exit 3, an internal error. It is exit 2, saying why."""
    root = init_repo(tmp_path / "r", {"a.py": "x = 1\n"})
    closed = ("import os, sys\nos.close(0)\n"
              "os.execv(sys.executable, [sys.executable, '-m', 'reviewloop', 'mcp'])\n")
    done = subprocess.run([sys.executable, "-c", closed], cwd=root, capture_output=True,
                          text=True, timeout=120, check=False,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
    assert done.returncode == 2, done.stderr
    assert "stdin is closed" in done.stderr and "fix: let the MCP client start" in done.stderr
    assert "internal error" not in done.stderr and done.stdout == ""


def _call(rid: int, tool: str, **arguments: object) -> dict:
    return {"jsonrpc": "2.0", "id": rid, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}}


REQUESTS = {"ping": {"method": "ping"}, "tools": {"method": "tools/list"},
            "runs": _call(0, "list_runs"), "review": _call(0, "review"),
            "review staged": _call(0, "review", staged=True),
            "no such tool": _call(0, "no_such_tool")}


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(sorted(REQUESTS)), min_size=1, max_size=5),
       cancel=st.booleans())
def test_every_request_received_before_stdin_closes_is_answered(
        tmp_path: Path, kinds: list[str], cancel: bool) -> None:
    """All requests are written at once and stdin closed behind them, the reviews still
    running: each gets its one answer before the server exits 0; a review the client
    cancelled gets none it must wait for, and the server does not wait on it either."""
    root = tmp_path / "r"
    if not root.exists():
        init_repo(root, {"a.py": "x = 1\n"})
        (root / "a.py").write_text("import subprocess\nsubprocess.call('x', shell=True)\n")
    sent = [{"jsonrpc": "2.0", **REQUESTS[kind], "id": 10 + n} for n, kind in enumerate(kinds)]
    cancelled = [_call(99, "review"), {"jsonrpc": "2.0", "method": "notifications/cancelled",
                                       "params": {"requestId": 99}}] if cancel else []
    messages = [INITIALIZE, INITIALIZED, *sent, *cancelled]
    done = subprocess.run([sys.executable, "-m", "reviewloop", "mcp"], cwd=root,
                          input="".join(json.dumps(m) + "\n" for m in messages),
                          capture_output=True, text=True, timeout=300, check=False,
                          env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    answered = [json.loads(line)["id"] for line in done.stdout.splitlines()]
    assert sorted(i for i in answered if i != 99) == [1, *(m["id"] for m in sent)], done.stdout
    assert answered.count(99) <= 1
