"""A bounded tool-calling loop shared by the implementer, the fixer and the reviewers.

It is also where text leaves for the model: every prompt message and every tool result
passes the secrets scanner's redaction first, and every model call has a total deadline.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    ToolCall,
    ToolMessage,
    message_chunk_to_message,
)
from langchain_core.tools import BaseTool

from reviewloop.checks.secrets.scanner import redact
from reviewloop.errors import ReviewloopError

if TYPE_CHECKING:  # annotations only: the model classes load LangSmith's tracers
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import Runnable


class AgentLoopError(ReviewloopError):
    """The model did not finish within its step budget or never used the required tool."""


class ModelTimeout(AgentLoopError):
    """One model call (retries included) took longer than `llm_timeout_s`."""


class ModelCallFailed(AgentLoopError):
    """The provider refused or failed a call after its client's retries: throttling, a 5xx,
    credentials that stopped working. The environment's fault, never reviewloop's."""


@dataclass
class LoopResult:
    messages: list[BaseMessage]
    replies: list[AIMessage] = field(default_factory=list)
    final: Any = None  # the validated argument of the finishing tool, when there is one


Finish = Callable[[dict[str, Any]], Any]  # validates the finishing tool's args or raises


def run_agent(
    model: BaseChatModel,
    messages: Sequence[BaseMessage],
    tools: Sequence[BaseTool],
    *,
    max_steps: int = 30,
    finish_tool: BaseTool | None = None,
    finish: Finish | None = None,
    nudges: int = 1,
    timeout_s: float | None = None,
    on_reply: Callable[[AIMessage], None] | None = None,
    on_first_token: Callable[[], None] | None = None,
    stop: Callable[[Sequence[ToolMessage]], bool] | None = None,
) -> LoopResult:
    """Call the model, run the tools it asks for, repeat until it stops.

    With `finish_tool`, the loop ends when the model calls it with arguments that `finish`
    accepts; a reply with no tool call, or arguments that fail validation, gets `nudges`
    corrective messages before the loop gives up with AgentLoopError. A model call that
    takes longer than `timeout_s` raises ModelTimeout. `on_reply` sees every reply as it
    arrives, so a caller can count the tokens of a run that then fails. With
    `on_first_token`, the first call is streamed and it is called at the first event: the
    provider has read the prompt (and written its cache) by then. With `stop`, the loop also
    ends after a reply whose tool results (one per call, in order) it says end the work
    (`agent.done`).
    """
    bound_tools = [*tools, *([finish_tool] if finish_tool else [])]
    bound = with_tools(model, bound_tools) if bound_tools else model
    by_name = {t.name: t for t in tools}
    result = LoopResult(messages=[redacted(m) for m in messages])
    misses = 0
    for step in range(max_steps):
        reply = _model_reply(bound, result.messages, timeout_s,
                             on_first_token if step == 0 else None)
        result.messages.append(reply)
        result.replies.append(reply)
        if on_reply is not None:
            on_reply(reply)
        calls = getattr(reply, "tool_calls", None) or []
        if not calls:
            if finish_tool is None:
                return result
            misses += 1
            if misses > nudges:
                raise AgentLoopError(f"the model never called {finish_tool.name}")
            result.messages.append(HumanMessage(
                f"Reply by calling the `{finish_tool.name}` tool; plain text is not read."))
            continue
        done, misses = _run_calls(calls, by_name, finish_tool, finish, result, misses)
        batch = [m for m in result.messages[-len(calls):] if isinstance(m, ToolMessage)]
        # a call the provider could not parse was never run: it ends nothing
        if done or (stop is not None and not getattr(reply, "invalid_tool_calls", None)
                    and stop(batch)):
            return result
        if misses > nudges:
            shown = finish_tool.name if finish_tool is not None else "the finishing tool"
            raise AgentLoopError(f"{shown} arguments were still invalid after "
                                 f"{nudges} correction(s)")
    raise AgentLoopError(f"no final answer within {max_steps} model calls")


def _model_reply(bound: Runnable[Any, Any], messages: list[BaseMessage],
                 timeout_s: float | None, on_first: Callable[[], None] | None = None) -> Any:
    """The model's next reply; a provider's failure becomes ModelCallFailed (its first line)."""
    try:
        if on_first is not None:
            return call_with_deadline(lambda: _streamed(bound, messages, on_first), timeout_s)
        return call_with_deadline(lambda: bound.invoke(messages), timeout_s)
    except AgentLoopError:
        raise
    # The provider boundary: each LangChain provider raises its own client's errors (botocore,
    # openai, httpx, …) and they share no base class; all of them mean the call failed.
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        raise ModelCallFailed(f"the model call failed: {type(exc).__name__}: {first}") from exc


def _streamed(bound: Runnable[Any, Any], messages: list[BaseMessage],
              on_first: Callable[[], None]) -> AIMessage:
    """The reply streamed and put back together (tool calls and usage included)."""
    total: Any = None
    for chunk in bound.stream(messages):
        if total is None:
            on_first()
        total = chunk if total is None else total + chunk
    if total is None:
        raise ModelCallFailed("the model call failed: the stream ended without an event")
    reply = message_chunk_to_message(total)
    return reply if isinstance(reply, AIMessage) else AIMessage(content=reply.content)


def _run_calls(calls: Sequence[ToolCall], by_name: Mapping[str, BaseTool],
               finish_tool: BaseTool | None, finish: Finish | None, result: LoopResult,
               misses: int) -> tuple[bool, int]:
    done = False
    for call in calls:
        name, args = call["name"], call.get("args") or {}
        call_id = call.get("id") or name
        if finish_tool is not None and name == finish_tool.name:
            try:
                result.final = finish(args) if finish else args
                done = True
                content = "received"
            except ValueError as exc:  # pydantic ValidationError is a ValueError
                misses += 1
                content = f"invalid arguments, fix them and call {name} again:\n{exc}"
        elif name in by_name:
            content = _invoke_tool(by_name[name], args)
        else:
            content = (f"error: unknown tool {name!r}; available: "
                       f"{', '.join(sorted(by_name))}")
        result.messages.append(ToolMessage(content=redact(str(content)), tool_call_id=call_id,
                                           name=name))
    return done, misses


def _invoke_tool(tool: BaseTool, args: dict[str, Any]) -> str:
    try:
        return str(tool.invoke(args))
    except ValueError as exc:  # argument validation: tell the model, let it try again
        return f"error: {exc}"


def with_tools(model: BaseChatModel, tools: Sequence[BaseTool]) -> Runnable[Any, Any]:
    """`model.bind_tools(tools)`, converted once per model and tool set: the reviewers of a
    run bind the same tools (the same names, descriptions and argument classes; only the
    functions behind them differ, and those run here, never in the binding), and turning
    them into the provider's schema costs ~20 ms each time."""
    key = tuple((t.name, t.description, t.args_schema) for t in tools)
    with _BOUND_LOCK:
        for entry in _BOUND:
            if entry[0] is model and entry[1] == key:
                return entry[2]
    bound = model.bind_tools(list(tools))
    with _BOUND_LOCK:
        _BOUND.append((model, key, bound))
        del _BOUND[:-16]
    return bound


_BOUND: list[tuple[Any, tuple, Any]] = []  # (model, tool key, bound): the last few bindings
_BOUND_LOCK = threading.Lock()


def redacted(message: BaseMessage) -> BaseMessage:
    """`message` with every secret in its text replaced by `[REDACTED:<rule>]`."""
    content = message.content
    if isinstance(content, str):
        new: Any = redact(content)
    else:
        new = [{**block, "text": redact(block["text"])}
               if isinstance(block, dict) and isinstance(block.get("text"), str) else block
               for block in content]
    return message if new == content else message.model_copy(update={"content": new})


def call_with_deadline(call: Callable[[], Any], timeout_s: float | None) -> Any:
    """`call()`, or ModelTimeout after `timeout_s` seconds.

    The call runs on a daemon thread: a provider that never answers cannot be interrupted
    from Python, but it no longer holds the agent (or the process's exit) hostage; its
    client's own read timeout ends the abandoned request later.
    """
    if timeout_s is None:
        return call()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    # In the caller's context: LangChain callbacks (the live view's token counts, tracing)
    # reach the model call through context variables.
    worker = threading.Thread(target=contextvars.copy_context().run, args=(target,),
                              name="model-call", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        raise ModelTimeout(f"the model did not answer within {timeout_s:g}s (llm_timeout_s); "
                           "the call was abandoned")
    if "error" in box:
        raise box["error"]
    return box["value"]
