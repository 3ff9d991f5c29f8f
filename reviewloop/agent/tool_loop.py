"""A bounded tool-calling loop shared by the implementer, the fixer and the reviewers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.tools import BaseTool

from reviewloop.errors import ReviewloopError


class AgentLoopError(ReviewloopError):
    """The model did not finish within its step budget or never used the required tool."""


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
) -> LoopResult:
    """Call the model, run the tools it asks for, repeat until it stops.

    With `finish_tool`, the loop ends when the model calls it with arguments that `finish`
    accepts; a reply with no tool call, or arguments that fail validation, gets `nudges`
    corrective messages before the loop gives up with AgentLoopError.
    """
    bound_tools = [*tools, *([finish_tool] if finish_tool else [])]
    bound = model.bind_tools(bound_tools) if bound_tools else model
    by_name = {t.name: t for t in tools}
    result = LoopResult(messages=list(messages))
    misses = 0
    for _ in range(max_steps):
        reply = bound.invoke(result.messages)
        result.messages.append(reply)
        result.replies.append(reply)
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
        if done:
            return result
        if misses > nudges:
            raise AgentLoopError(f"{finish_tool.name} arguments were still invalid after "
                                 f"{nudges} correction(s)")
    raise AgentLoopError(f"no final answer within {max_steps} model calls")


def _run_calls(calls, by_name, finish_tool, finish, result: LoopResult, misses: int):
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
            content = f"unknown tool {name!r}; available: {', '.join(sorted(by_name))}"
        result.messages.append(ToolMessage(content=str(content), tool_call_id=call_id, name=name))
    return done, misses


def _invoke_tool(tool: BaseTool, args: dict[str, Any]) -> str:
    try:
        return str(tool.invoke(args))
    except ValueError as exc:  # argument validation: tell the model, let it try again
        return f"error: {exc}"
