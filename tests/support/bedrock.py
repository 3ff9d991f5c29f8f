"""A loopback fake of the Bedrock Runtime Converse API, driven by the real boto3 client.

    with BedrockFake() as fake:
        fake.script("agent: review-security", [tool_use("submit", {...})])
        fake.enqueue(text("done"))          # the default script
        fake.fail_next(status=429)          # ThrottlingException once, then the script
        fake.fail_model("us.anthropic.…")   # ThrottlingException for every call to that id

Point botocore at it with `AWS_ENDPOINT_URL_BEDROCK_RUNTIME=fake.url` (the `bedrock_fake`
fixture does that, with dummy credentials and a region).

Realism, each opt-in through the constructor (the defaults behave as before):

* `context_window=200_000`: a request whose estimated input tokens exceed the window gets
  Bedrock's HTTP 400 `ValidationException` "Input is too long for requested model."; with
  an explicit `inferenceConfig.maxTokens`, input + maxTokens over the window gets Claude's
  "input length and `max_tokens` exceed context limit" wording. Tokens are estimated as
  ceil(characters / 4) over tool specs, system and messages (`bedrock_tokens`).
* `prompt_cache=True`: cachePoint blocks cache their prefix as Bedrock does — reads of a
  ready prefix, writes otherwise, a write readable only after its request's prefill, so
  five simultaneous calls all write (`bedrock_tokens.PromptCache`). `cache_min_tokens`
  (default 1,024, Claude Sonnet's minimum) and `cache_ttl` (300 s) as on Bedrock.
* `latency=1.0`: every call takes that long, split as prefill (`prefill_share`, default
  10 %: time to the first token) + generation (the rest). A call with
  `inferenceConfig.maxTokens <= 1` (a cache-warming call) takes only the prefill time and
  is answered by the fake itself (one token, `stopReason: max_tokens`) without using the
  script. A scripted reply's own `delay`, when set, replaces `latency` for that call.
* A reply's `gate` (a `threading.Event`) holds its answer until the test sets it.
* Round 1's reviewers asked in one call are answered from their own `agent: NAME` scripts
  (`bedrock_together`), so a test scripts each reviewer once either way.
* `models={...}`: the ids the account's region serves. The control plane's
  `GET /foundation-models` (ListFoundationModels: the bare ids) and `GET /inference-profiles`
  (ListInferenceProfiles: the `us.`/`global.`… ids) list them, and a call to any other id
  gets Bedrock's HTTP 400 ValidationException "The provided model identifier is invalid.".
  Without it both lists are empty and every id is served. `list_status=403` refuses the
  lists (an IAM policy with bedrock:InvokeModel only); `listings` records the list requests.
  Point the `bedrock` client at the fake with `AWS_ENDPOINT_URL_BEDROCK` (`aws_env` does).

Every request is recorded (`fake.requests`) with its receive time, the estimated tokens and
the cache split the response reported; `fake.write_log(path)` writes them as JSONL.
The usage in a response is computed from the request unless the reply scripts it.
"""

from __future__ import annotations

import itertools
import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from tests.support.bedrock_stream import first_event, rest_events
from tests.support.bedrock_together import together_reply
from tests.support.bedrock_tokens import (
    MAX_CACHE_POINTS,
    CacheUsage,
    PromptCache,
    cache_points,
    segments,
    tokens_of,
)

_ERROR_CODES = {
    400: "ValidationException",
    403: "AccessDeniedException",
    404: "ResourceNotFoundException",
    429: "ThrottlingException",
    500: "InternalServerException",
    503: "ServiceUnavailableException",
}
_tool_ids = itertools.count(1)
_OPERATIONS = ("converse", "converse-stream")
_PROFILE_PREFIXES = ("us", "eu", "apac", "jp", "au", "ca", "us-gov", "global")
_GATE_GUARD_S = 120.0  # only against a hung test: a gate is always opened by its test


@dataclass(frozen=True)
class Reply:
    """One scripted Converse answer (or a deliberately broken one)."""

    content: tuple[dict[str, Any], ...] = ()
    stop_reason: str = "end_turn"
    usage: dict[str, int] = field(default_factory=dict)
    delay: float = 0.0
    raw_body: bytes | None = None  # sent as-is: malformed JSON and the like
    # Held until the test sets it: a reviewer that is "still working" for exactly as long
    # as the test needs, with no wall-clock delay to tune.
    gate: threading.Event | None = field(default=None, compare=False)


def text(content: str, *, input_tokens: int | None = None, output_tokens: int | None = None,
         cache_read: int = 0, cache_write: int = 0, delay: float = 0.0) -> Reply:
    """A plain text answer."""
    return Reply(content=({"text": content},), stop_reason="end_turn", delay=delay,
                 usage=_usage(input_tokens, output_tokens, cache_read, cache_write))


def tool_use(name: str, input: dict[str, Any], *, text_before: str | None = None,
             tool_use_id: str | None = None, input_tokens: int | None = None,
             output_tokens: int | None = None, cache_read: int = 0, cache_write: int = 0,
             delay: float = 0.0, gate: threading.Event | None = None) -> Reply:
    """An answer that calls the tool `name` with `input` (sent once `gate` is set)."""
    block = {"toolUse": {"toolUseId": tool_use_id or f"tooluse_{next(_tool_ids):06d}",
                         "name": name, "input": input}}
    content = ({"text": text_before}, block) if text_before else (block,)
    return Reply(content=content, stop_reason="tool_use", delay=delay, gate=gate,
                 usage=_usage(input_tokens, output_tokens, cache_read, cache_write))


def tool_uses(*calls: tuple[str, dict[str, Any]], delay: float = 0.0) -> Reply:
    """An answer that calls each (name, input) of `calls`, in order, in one reply."""
    blocks = tuple({"toolUse": {"toolUseId": f"tooluse_{next(_tool_ids):06d}", "name": name,
                                "input": input}} for name, input in calls)
    return Reply(content=blocks, stop_reason="tool_use", delay=delay,
                 usage=_usage(None, None, 0, 0))


def malformed(body: bytes = b'{"output": {"message": ', *, delay: float = 0.0) -> Reply:
    """A 200 answer whose body is not valid JSON."""
    return Reply(raw_body=body, delay=delay)


def _usage(input_tokens, output_tokens, cache_read, cache_write) -> dict[str, int]:
    # Only what the script states; the rest is computed from the request.
    usage = {}
    if cache_read:
        usage["cacheReadInputTokens"] = cache_read
    if cache_write:
        usage["cacheWriteInputTokens"] = cache_write
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
    tokens: int = 0  # estimated input tokens, cached or not (bedrock_tokens)
    input_tokens: int = 0  # the response's usage: inputTokens (neither read nor written) …
    cache_read: int = 0  # … cacheReadInputTokens …
    cache_write: int = 0  # … cacheWriteInputTokens …
    output_tokens: int = 0  # … and outputTokens
    status: int = 200
    error: str | None = None  # the AWS error code when the fake answered with one
    duration: float = 0.0  # the modelled time of the call (prefill only for a warm-up)
    warmup: bool = False  # maxTokens <= 1: a cache-warming call

    def system_text(self) -> str:
        return "\n".join(b.get("text", "") for b in self.body.get("system") or []
                         if isinstance(b, dict))

    def tool_names(self) -> list[str]:
        tools = (self.body.get("toolConfig") or {}).get("tools") or []
        return [t["toolSpec"]["name"] for t in tools if "toolSpec" in t]

    def log_entry(self, since: float = 0.0, *, body: bool = True) -> dict[str, Any]:
        """One JSONL record: times relative to `since`, the token split, and the prompt."""
        entry = {f.name: getattr(self, f.name) for f in fields(self)
                 if f.name not in ("body", "headers")}
        entry["at"] = round(self.at - since, 6)
        if body:
            entry["body"] = self.body
        return entry


@dataclass
class _Fault:
    status: int
    code: str
    message: str
    remaining: int


class BedrockFake:
    """Serves `POST /model/{modelId}/converse` on 127.0.0.1 with scripted replies."""

    def __init__(self, default: list[Reply | str] | None = None, *,
                 context_window: int | None = None, prompt_cache: bool = False,
                 cache_min_tokens: int = 1024, cache_ttl: float = 300.0,
                 latency: float = 0.0, prefill_share: float = 0.1,
                 clock: Callable[[], float] = time.monotonic,
                 models: Iterable[str] | None = None, list_status: int = 200):
        if not 0.0 <= prefill_share <= 1.0:
            raise ValueError(f"prefill_share must be within 0..1, not {prefill_share}")
        self.context_window = context_window
        self.cache = PromptCache(min_tokens=cache_min_tokens, ttl=cache_ttl) \
            if prompt_cache else None
        self.latency = latency
        self.prefill_share = prefill_share
        self.models = frozenset(models) if models is not None else None
        self.list_status = list_status
        self.listings: list[str] = []  # control-plane requests (ListFoundationModels, …)
        # When a request arrives, for the prompt cache's timing (a write is readable after
        # its request's prefill). A test about requests that arrive together passes a frozen
        # clock: they then arrive together whatever the machine's load (and nothing sleeps).
        self.clock = clock
        self.started = clock()
        self._lock = threading.Lock()
        self._default: deque[Reply] = deque(_as_reply(r) for r in default or [])
        self._scripts: dict[str, deque[Reply]] = {}
        self._faults: deque[_Fault] = deque()
        self._model_faults: dict[str, _Fault] = {}
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

    def fail_model(self, model_id: str, status: int = 429, *, code: str | None = None,
                   message: str | None = None) -> None:
        """Answer every request to `model_id` with an AWS error (a model whose quota is
        spent): other model ids are answered as usual."""
        code = code or _ERROR_CODES.get(status, "InternalServerException")
        with self._lock:
            self._model_faults[model_id] = _Fault(status, code, message or f"fake {code}", 0)

    @property
    def calls(self) -> list[RecordedRequest]:
        """The requests a script answers: every model call except cache warm-ups."""
        with self._lock:
            return [r for r in self.requests if not r.warmup]

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

    # -- the prompt log --------------------------------------------------------------

    def write_log(self, path: Path | str, *, body: bool = True) -> Path:
        """Every recorded request as one JSON line (times in seconds since the fake started;
        `body=False` leaves the prompt out)."""
        path = Path(path)
        with self._lock:
            requests = list(self.requests)
        with path.open("w", encoding="utf-8") as out:
            for request in requests:
                out.write(json.dumps(request.log_entry(self.started, body=body),
                                     ensure_ascii=False) + "\n")
        return path

    # -- request handling (called from server threads) --------------------------------

    def _record(self, request: RecordedRequest) -> int:
        """Record `request` as it arrives (a test can see a call still in flight); its
        outcome replaces it later (`_settle`)."""
        with self._lock:
            self.requests.append(request)
            return len(self.requests) - 1

    def _settle(self, index: int, request: RecordedRequest) -> None:
        with self._lock:
            self.requests[index] = request

    def _take_fault(self, model_id: str = "") -> _Fault | None:
        with self._lock:
            if model_id in self._model_faults:
                return self._model_faults[model_id]
            if not self._faults:
                return None
            fault = self._faults[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.popleft()
            return fault

    def _take_reply(self, body: dict[str, Any]) -> Reply | None:
        haystack = json.dumps(body.get("system") or []) + json.dumps(body.get("messages") or [])
        with self._lock:
            # round 1's reviewers asked in one call: from their own scripts (bedrock_together)
            if merged := together_reply(self._scripts, body, lambda found, delay, gate: tool_use(
                    "submit_findings", {"findings": found}, delay=delay, gate=gate)):
                return merged
            for marker, queue in self._scripts.items():
                if marker in haystack or json.dumps(marker)[1:-1] in haystack:
                    return queue.popleft() if queue else None
            return self._default.popleft() if self._default else None

    def _too_long(self, body: dict[str, Any], tokens: int) -> str | None:
        """Bedrock's wording when `body` does not fit the context window, else None."""
        if self.context_window is None:
            return None
        if tokens > self.context_window:
            return "Input is too long for requested model."
        max_tokens = (body.get("inferenceConfig") or {}).get("maxTokens")
        if isinstance(max_tokens, int) and tokens + max_tokens > self.context_window:
            return ("The model returned the following errors: input length and `max_tokens` "
                    f"exceed context limit: {tokens} + {max_tokens} > {self.context_window}, "
                    "decrease input length or `max_tokens` and try again")
        return None

    def _cache_usage(self, model_id: str, parts: list, at: float, prefill: float) -> CacheUsage:
        if self.cache is None:
            return CacheUsage(input_tokens=tokens_of(parts))
        return self.cache.account(model_id, parts, at, prefill)


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

    def do_GET(self) -> None:
        """The control plane's lists (ListFoundationModels, ListInferenceProfiles)."""
        owner = self.owner
        path = self.path.split("?")[0]
        owner.listings.append(path)
        if owner.list_status != 200:
            self._error(owner.list_status, _ERROR_CODES.get(owner.list_status, "Exception"),
                        "User is not authorized to perform: bedrock:ListFoundationModels")
            return
        ids = sorted(owner.models or ())
        profiles = [i for i in ids if i.split(".", 1)[0] in _PROFILE_PREFIXES]
        arn = "arn:aws:bedrock:us-east-1::foundation-model/"
        if path == "/foundation-models":
            body: dict[str, Any] = {"modelSummaries": [
                {"modelArn": arn + i, "modelId": i, "modelName": i, "providerName": "fake",
                 "responseStreamingSupported": True, "inferenceTypesSupported": ["ON_DEMAND"],
                 "modelLifecycle": {"status": "ACTIVE"}} for i in ids if i not in profiles]}
        elif path == "/inference-profiles":
            body = {"inferenceProfileSummaries": [
                {"inferenceProfileName": i, "inferenceProfileId": i, "status": "ACTIVE",
                 "type": "SYSTEM_DEFINED", "models": [{"modelArn": arn + i.split(".", 1)[1]}],
                 "inferenceProfileArn": f"arn:aws:bedrock:us-east-1:123456789012:"
                                        f"inference-profile/{i}"} for i in profiles]}
        else:
            self._error(404, "UnknownOperationException", f"no such operation: {self.path}")
            return
        self._send(200, json.dumps(body).encode())

    def do_POST(self) -> None:
        at = self.owner.clock()
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = self.path.split("?")[0].split("/")
        if len(parts) != 4 or parts[1] != "model" or parts[3] not in _OPERATIONS:
            self._error(404, "UnknownOperationException", f"no such operation: {self.path}")
            return
        model_id = unquote(parts[2])
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = raw.decode("utf-8", "replace")
        limit = (body.get("inferenceConfig") or {}).get("maxTokens") if isinstance(body, dict) \
            else None
        request = RecordedRequest(model_id, self.path, body, dict(self.headers), at=at,
                                  warmup=isinstance(limit, int) and limit <= 1)
        self._index = self.owner._record(request)
        if self.owner.models is not None and model_id not in self.owner.models:
            self._refuse(request, 400, "ValidationException",
                         "The provided model identifier is invalid.")
            return
        if fault := self.owner._take_fault(model_id):
            self._refuse(request, fault.status, fault.code, fault.message)
            return
        if problem := validate_converse_request(body):
            self._refuse(request, 400, "ValidationException", problem)
            return
        self._answer(request, body)

    def _answer(self, request: RecordedRequest, body: dict[str, Any]) -> None:
        owner = self.owner
        blocks = segments(body)
        tokens = tokens_of(blocks)
        request = replace(request, tokens=tokens)
        if owner.cache is not None and len(cache_points(blocks)) > MAX_CACHE_POINTS:
            self._refuse(request, 400, "ValidationException",
                         "The model returned the following errors: A maximum of "
                         f"{MAX_CACHE_POINTS} blocks with cache_control may be provided. "
                         f"Found {len(cache_points(blocks))}.")
            return
        if problem := owner._too_long(body, tokens):
            self._refuse(request, 400, "ValidationException", problem)
            return
        max_tokens = (body.get("inferenceConfig") or {}).get("maxTokens")
        warmup = isinstance(max_tokens, int) and max_tokens <= 1
        reply = _WARMUP if warmup else owner._take_reply(body)
        if reply is None:
            # A 4xx botocore does not retry, so a test fails at once instead of backing off.
            self._refuse(request, 400, "BedrockFakeScriptExhausted",
                         "BedrockFake: the script ran out (no reply scripted for this request)")
            return
        call = reply.delay or owner.latency
        prefill = call * owner.prefill_share
        duration = prefill if warmup else call
        cache = owner._cache_usage(request.model_id, blocks, request.at, prefill)
        response = converse_response(reply, body, cache=cache, latency=duration)
        usage = response["usage"]
        owner._settle(self._index, replace(request, input_tokens=usage["inputTokens"],
                              cache_read=usage["cacheReadInputTokens"],
                              cache_write=usage["cacheWriteInputTokens"],
                              output_tokens=usage["outputTokens"], duration=duration,
                              warmup=warmup))
        if request.path.split("?")[0].endswith("/converse-stream") and reply.raw_body is None:
            self._stream(request, reply, response, prefill, duration)
            return
        time.sleep(max(0.0, request.at + duration - time.monotonic()))
        if reply.gate is not None and not reply.gate.wait(timeout=_GATE_GUARD_S):
            self._refuse(request, 400, "BedrockFakeGateNeverOpened",
                         "BedrockFake: the test never released this reply")
            return
        if reply.raw_body is not None:
            self._send(200, reply.raw_body)
            return
        self._send(200, json.dumps(response).encode())

    def _stream(self, request: RecordedRequest, reply: Reply, response: dict[str, Any],
                prefill: float, duration: float) -> None:
        """ConverseStream: messageStart once the prefill is over (the prompt is read and its
        cache written by then), the rest when the generation ends."""
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.amazon.eventstream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-amzn-RequestId", f"fake-{len(self.owner.requests):06d}")
        self.end_headers()
        time.sleep(max(0.0, request.at + prefill - time.monotonic()))
        self._chunk(first_event())
        time.sleep(max(0.0, request.at + duration - time.monotonic()))
        if reply.gate is not None:
            reply.gate.wait(timeout=_GATE_GUARD_S)
        self._chunk(rest_events(response))
        self._chunk(b"")

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _refuse(self, request: RecordedRequest, status: int, code: str, message: str) -> None:
        self.owner._settle(self._index, replace(request, status=status, error=code))
        self._error(status, code, message)

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


def converse_response(reply: Reply, request: dict[str, Any], *, cache: CacheUsage | None = None,
                      latency: float | None = None) -> dict[str, Any]:
    """The Converse response body for `reply`: usage is what the reply scripts, else computed
    from the request (`cache`: its split between cache read, write and the rest)."""
    cache = cache or CacheUsage(input_tokens=max(1, tokens_of(segments(request))))
    usage = {"inputTokens": cache.input_tokens, "cacheReadInputTokens": cache.cache_read,
             "cacheWriteInputTokens": cache.cache_write,
             "outputTokens": max(1, math.ceil(len(json.dumps(list(reply.content))) / 4))}
    usage.update(reply.usage)
    usage["totalTokens"] = (usage["inputTokens"] + usage["outputTokens"]
                            + usage["cacheReadInputTokens"] + usage["cacheWriteInputTokens"])
    latency = reply.delay if latency is None else latency
    return {
        "output": {"message": {"role": "assistant", "content": list(reply.content)}},
        "stopReason": reply.stop_reason,
        "usage": usage,
        "metrics": {"latencyMs": int(latency * 1000) + 1},
    }


# What a cache-warming call (maxTokens <= 1) gets: one token, cut off.
_WARMUP = Reply(content=({"text": "OK"},), stop_reason="max_tokens", usage={"outputTokens": 1})




def aws_env(fake: BedrockFake) -> dict[str, str]:
    """The variables that send boto3 (in this process or a child) to `fake`, with dummy
    credentials and a region."""
    return {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": fake.url, "AWS_ENDPOINT_URL_BEDROCK": fake.url,
            "AWS_ACCESS_KEY_ID": "AKIDFAKEFAKEFAKE",
            "AWS_SECRET_ACCESS_KEY": "fake-secret", "AWS_REGION": "us-east-1"}


@pytest.fixture
def bedrock_fake(monkeypatch):
    """A running BedrockFake that boto3 reaches through its standard endpoint variable."""
    with BedrockFake() as fake:
        for name, value in aws_env(fake).items():
            monkeypatch.setenv(name, value)
        yield fake
