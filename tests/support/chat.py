"""A scripted LangChain chat model for graph and agent logic tests.

    model = ScriptedChatModel()
    model.script("agent: review-security", [tool_call("submit_review", {...})])
    model.enqueue("implemented")              # the default queue
    ...
    model.history      # every message list the model was asked, in call order

A reply is an AIMessage, a string (a text answer) or a callable(messages) -> AIMessage.
The script is chosen by a marker found in the system message text, like the Bedrock fake.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import PrivateAttr

ScriptedReply = AIMessage | str | Callable[[list[BaseMessage]], AIMessage]
_call_ids = itertools.count(1)


def tool_call(name: str, args: dict[str, Any], id: str | None = None, *,
              content: str = "") -> AIMessage:
    """An AIMessage that calls the tool `name` with `args`."""
    call_id = id or f"call_{next(_call_ids):06d}"
    return AIMessage(content=content,
                     tool_calls=[{"name": name, "args": args, "id": call_id,
                                  "type": "tool_call"}])


def message_text(message: BaseMessage) -> str:
    """The text of a message whose content is a string or a list of blocks."""
    if isinstance(message.content, str):
        return message.content
    return "\n".join(b if isinstance(b, str) else str(b.get("text", ""))
                     for b in message.content)


class ScriptedChatModel(BaseChatModel):
    """Answers from scripts keyed by a system-prompt marker, else from a default queue."""

    model_name: str = "scripted"
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _default: deque = PrivateAttr(default_factory=deque)
    _scripts: dict = PrivateAttr(default_factory=dict)
    _history: list = PrivateAttr(default_factory=list)
    _offered: list = PrivateAttr(default_factory=list)
    _bound: list = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    # -- scripting ----------------------------------------------------------------

    def enqueue(self, *replies: ScriptedReply) -> ScriptedChatModel:
        """Add replies to the default queue (calls no script marker matches)."""
        with self._lock:
            self._default.extend(replies)
        return self

    def script(self, marker: str, replies: Sequence[ScriptedReply]) -> ScriptedChatModel:
        """Answer calls whose system message contains `marker` with `replies`, in order."""
        with self._lock:
            self._scripts.setdefault(marker, deque()).extend(replies)
        return self

    # -- what the model was asked ----------------------------------------------------

    @property
    def history(self) -> list[list[BaseMessage]]:
        """The message list of every call, in call order."""
        with self._lock:
            return list(self._history)

    @property
    def offered_tools(self) -> list[list[str]]:
        """The tool names offered with every call, parallel to `history`."""
        with self._lock:
            return list(self._offered)

    @property
    def bound_tools(self) -> list[str]:
        """Tool names from the latest `bind_tools` call."""
        with self._lock:
            return list(self._bound[-1]) if self._bound else []

    def remaining(self) -> int:
        """Replies not used yet, across all scripts."""
        with self._lock:
            return len(self._default) + sum(len(q) for q in self._scripts.values())

    # -- BaseChatModel ----------------------------------------------------------------

    def bind_tools(self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any):
        formatted = [convert_to_openai_tool(t) for t in tools]
        names = [t["function"]["name"] for t in formatted]
        with self._lock:
            self._bound.append(names)
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=formatted, **kwargs)

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: Any = None, **kwargs: Any) -> ChatResult:
        tools = [t["function"]["name"] for t in kwargs.get("tools") or []]
        with self._lock:
            self._history.append(list(messages))
            self._offered.append(tools)
            reply = self._next_reply(messages)
        message = self._materialise(reply, messages)
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _next_reply(self, messages: list[BaseMessage]) -> ScriptedReply:
        system = "\n".join(message_text(m) for m in messages if isinstance(m, SystemMessage))
        for marker, queue in self._scripts.items():
            if marker in system:
                if queue:
                    return queue.popleft()
                raise AssertionError(
                    f"ScriptedChatModel: the script for {marker!r} ran out at call "
                    f"{len(self._history)}; last message: {_tail(messages)}")
        if self._default:
            return self._default.popleft()
        raise AssertionError(
            f"ScriptedChatModel: no reply left at call {len(self._history)} "
            f"(default queue empty, no marker of {sorted(self._scripts)} in the system "
            f"prompt); last message: {_tail(messages)}")

    def _materialise(self, reply: ScriptedReply, messages: list[BaseMessage]) -> AIMessage:
        if callable(reply) and not isinstance(reply, BaseMessage):
            reply = reply(messages)
        message = AIMessage(content=reply) if isinstance(reply, str) else reply
        if not isinstance(message, AIMessage):
            raise AssertionError(f"ScriptedChatModel: a reply must be an AIMessage, got "
                                 f"{type(message).__name__}")
        if message.usage_metadata is None:
            prompt_chars = sum(len(message_text(m)) for m in messages)
            output = max(1, len(message_text(message)) // 4 + 10 * len(message.tool_calls))
            inputs = max(1, prompt_chars // 4)
            message = message.model_copy(update={"usage_metadata": {
                "input_tokens": inputs, "output_tokens": output,
                "total_tokens": inputs + output}})
        return message


def _tail(messages: list[BaseMessage]) -> str:
    if not messages:
        return "(none)"
    return f"{type(messages[-1]).__name__}: {message_text(messages[-1])[:200]!r}"
