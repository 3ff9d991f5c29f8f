"""A loopback fake of the Bedrock Runtime Converse API, driven by the real boto3 client.

    with BedrockFake() as fake:
        fake.script("agent: review-security", [tool_use("submit", {...})])
        fake.enqueue(text("done"))          # the default script
        fake.fail_next(status=429)          # ThrottlingException once, then the script

Point botocore at it with `AWS_ENDPOINT_URL_BEDROCK_RUNTIME=fake.url` (the `bedrock_fake`
fixture does that, with dummy credentials and a region).
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import pytest

_ERROR_CODES = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}
_tool_ids = itertools.count(1)


@dataclass(frozen=True)
class Reply:
    """One scripted Converse answer (or a deliberately broken one)."""

    content: tuple[dict[str, Any], ...] = ()
    stop_reason: str = "end_turn"
    usage: dict[str, int] = field(default_factory=dict)
    delay: float = 0.0
    raw_body: bytes | None = None  # sent as-is: malformed JSON and the like


def text(content: str, *, input_tokens: int | None = None, output_tokens: int | None = None,
         cache_read: int = 0, cache_write: int = 0, delay: float = 0.0) -> Reply:
    """A plain text answer."""
    return Reply(content=({"text": content},), stop_reason="end_turn", delay=delay,
                 usage=_usage(input_tokens, output_tokens, cache_read, cache_write))


def tool_use(name: str, input: dict[str, Any], *, text_before: str | None = None,
             tool_use_id: str | None = None, input_tokens: int | None = None,
             output_tokens: int | None = None, cache_read: int = 0, cache_write: int = 0,
             delay: float = 0.0) -> Reply:
    """An answer that calls the tool `name` with `input`."""
    block = {"toolUse": {"toolUseId": tool_use_id or f"tooluse_{next(_tool_ids):06d}",
                         "name": name, "input": input}}
    content = ({"text": text_before}, block) if text_before else (block,)
    return Reply(content=content, stop_reason="tool_use", delay=delay,
                 usage=_usage(input_tokens, output_tokens, cache_read, cache_write))


def malformed(body: bytes = b'{"output": {"message": ', *, delay: float = 0.0) -> Reply:
    """A 200 answer whose body is not valid JSON."""
    return Reply(raw_body=body, delay=delay)


def _usage(input_tokens, output_tokens, cache_read, cache_write) -> dict[str, int]:
    usage = {"cacheReadInputTokens": cache_read, "cacheWriteInputTokens": cache_write}
    if input_tokens is not None:
        usage["inputTokens"] = input_tokens
    if output_tokens is not None:
        usage["outputTokens"] = output_tokens
    return usage


@dataclass(frozen=True)
class RecordedRequest:
    model_id: str
    path: str
    body: Any  # parsed JSON, or the raw text when it did not parse
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)  # when the fake received it

    def system_text(self) -> str:
        return "\n".join(b.get("text", "") for b in self.body.get("system") or []
                         if isinstance(b, dict))

    def tool_names(self) -> list[str]:
        tools = (self.body.get("toolConfig") or {}).get("tools") or []
        return [t["toolSpec"]["name"] for t in tools if "toolSpec" in t]


@dataclass
class _Fault:
    status: int
    code: str
    message: str
    remaining: int


class BedrockFake:
    """Serves `POST /model/{modelId}/converse` on 127.0.0.1 with scripted replies."""

    def __init__(self, default: list[Reply | str] | None = None):
        self._lock = threading.Lock()
        self._default: deque[Reply] = deque(_as_reply(r) for r in default or [])
        self._scripts: dict[str, deque[Reply]] = {}
        self._faults: deque[_Fault] = deque()
        self.requests: list[RecordedRequest] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting -------------------------------------------------------------------

    def script(self, marker: str, replies: list[Reply | str]) -> None:
        """Answer requests whose system prompt or messages contain `marker` with `replies`."""
        with self._lock:
            self._scripts.setdefault(marker, deque()).extend(_as_reply(r) for r in replies)

    def enqueue(self, *replies: Reply | str) -> None:
        """Add replies to the default script (requests no marker matches)."""
        with self._lock:
            self._default.extend(_as_reply(r) for r in replies)

    def fail_next(self, status: int = 429, count: int = 1, *, code: str | None = None,
                  message: str | None = None) -> None:
        """Answer the next `count` requests with an AWS error instead of a reply."""
        code = code or _ERROR_CODES.get(status, "InternalServerException")
        with self._lock:
            self._faults.append(_Fault(status, code, message or f"fake {code}", count))

    # -- lifecycle -------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "BedrockFake is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> BedrockFake:
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True, name="bedrock-fake")
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- request handling (called from server threads) --------------------------------

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _take_fault(self) -> _Fault | None:
        with self._lock:
            if not self._faults:
                return None
            fault = self._faults[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.popleft()
            return fault

    def _take_reply(self, body: dict[str, Any]) -> Reply | None:
        if (body.get("inferenceConfig") or {}).get("maxTokens") == 1:
            # A cache warm-up: Bedrock stops after one token; no script is consumed.
            return Reply(content=({"text": "OK"},), stop_reason="max_tokens",
                         usage=_usage(None, 1, 0, 0))
        haystack = json.dumps(body.get("system") or []) + json.dumps(body.get("messages") or [])
        with self._lock:
            for marker, queue in self._scripts.items():
                if marker in haystack or json.dumps(marker)[1:-1] in haystack:
                    return queue.popleft() if queue else None
            return self._default.popleft() if self._default else None


def _as_reply(reply: Reply | str) -> Reply:
    return text(reply) if isinstance(reply, str) else reply


class _QuietServer(ThreadingHTTPServer):
    """A client that gave up (a killed process, a test that ended) is not an error here."""

    def handle_error(self, request, client_address) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    owner: BedrockFake
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # keep pytest output clean
        pass

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = self.path.split("?")[0].split("/")
        if len(parts) != 4 or parts[1] != "model" or parts[3] != "converse":
            self._error(404, "UnknownOperationException", f"no such operation: {self.path}")
            return
        model_id = unquote(parts[2])
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = raw.decode("utf-8", "replace")
        self.owner._record(RecordedRequest(model_id, self.path, body, dict(self.headers)))
        if fault := self.owner._take_fault():
            self._error(fault.status, fault.code, fault.message)
            return
        if problem := validate_converse_request(body):
            self._error(400, "ValidationException", problem)
            return
        reply = self.owner._take_reply(body)
        if reply is None:
            # A 4xx botocore does not retry, so a test fails at once instead of backing off.
            self._error(400, "BedrockFakeScriptExhausted",
                        "BedrockFake: the script ran out (no reply scripted for this request)")
            return
        if reply.delay:
            time.sleep(reply.delay)
        if reply.raw_body is not None:
            self._send(200, reply.raw_body)
            return
        self._send(200, json.dumps(converse_response(reply, body)).encode())

    def _error(self, status: int, code: str, message: str) -> None:
        # botocore reads the error code from this header, the text from the body.
        error_type = f"{code}:http://internal.amazon.com/coral/com.amazon.bedrock/"
        self._send(status, json.dumps({"message": message}).encode(),
                   {"x-amzn-ErrorType": error_type})

    def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-amzn-RequestId", f"fake-{len(self.owner.requests):06d}")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def validate_converse_request(body: Any) -> str | None:
    """The first shape problem Bedrock would reject `body` for, or None."""
    if not isinstance(body, dict):
        return "The request body is not a JSON object."
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "The messages field is required and must be a non-empty list."
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ("user", "assistant"):
            return f"messages.{index}.role must be one of user, assistant."
        content = message.get("content")
        if not isinstance(content, list) or not content:
            return f"messages.{index}.content must be a non-empty list of content blocks."
    if messages[0]["role"] != "user":
        return "A conversation must start with a user message. Try again with a conversation " \
               "that starts with a user message."
    for index, block in enumerate(body.get("system") or []):
        if not isinstance(block, dict) or not ({"text", "cachePoint", "guardContent"} & set(block)):
            return f"system.{index} must be a text, cachePoint or guardContent block."
    for index, tool in enumerate((body.get("toolConfig") or {}).get("tools", [])):
        if "cachePoint" in tool:
            continue
        spec = tool.get("toolSpec") if isinstance(tool, dict) else None
        if not isinstance(spec, dict) or not spec.get("name"):
            return f"toolConfig.tools.{index}.toolSpec.name is required."
        if not isinstance((spec.get("inputSchema") or {}).get("json"), dict):
            return f"toolConfig.tools.{index}.toolSpec.inputSchema.json must be a JSON object."
    return None


def converse_response(reply: Reply, request: dict[str, Any]) -> dict[str, Any]:
    """The Converse response body for `reply`, with usage defaulted from the request size."""
    usage = dict(reply.usage)
    usage.setdefault("inputTokens", max(1, len(json.dumps(request)) // 4))
    usage.setdefault("outputTokens", max(1, len(json.dumps(list(reply.content))) // 4))
    usage["totalTokens"] = (usage["inputTokens"] + usage["outputTokens"]
                            + usage["cacheReadInputTokens"] + usage["cacheWriteInputTokens"])
    return {
        "output": {"message": {"role": "assistant", "content": list(reply.content)}},
        "stopReason": reply.stop_reason,
        "usage": usage,
        "metrics": {"latencyMs": int(reply.delay * 1000) + 1},
    }


@pytest.fixture
def bedrock_fake(monkeypatch):
    """A running BedrockFake that boto3 reaches through its standard endpoint variable."""
    with BedrockFake() as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", fake.url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDFAKEFAKEFAKE")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake-secret")
        monkeypatch.setenv("AWS_REGION", "us-east-1")
        yield fake
