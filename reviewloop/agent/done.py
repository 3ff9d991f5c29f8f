"""`done`: an editing agent ends its work in the same reply as its last edit.

Without it an edit is always followed by one more model call, whose only purpose is the
agent's closing words; that call reads the whole conversation again (the cached prefix, the
findings or the task, the edit and its result). With `done` beside its last `edit_file` or
`write_file`, the agent ends there: the loop runs the reply's calls in order and stops once
they have all run, if every one of them succeeded (`ended`: fail-closed, a result counts
only when it is a known success — a refusal, an error, an unknown tool, a command that
exited non-zero or timed out, `done`'s own bad arguments all keep the conversation going,
and so does a call the provider could not parse, `tool_loop.run_agent`). The agent then sees
why and tries again; a plain reply with no tool call still ends the work as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, ConfigDict, Field

NAME = "done"
_FAILED = ("refused:", "error:")
_ENDING = "ending here"


class _DoneArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    summary: str = Field(description="Your final reply.")


def done_tool() -> BaseTool:
    """The tool the provider sees; calling it does nothing but say the work ends here."""

    def end(summary: str) -> str:
        return (f"{_ENDING}, unless another call of this reply failed: then fix it and call "
                f"{NAME} again")

    return StructuredTool.from_function(
        func=end, name=NAME, args_schema=_DoneArgs,
        description="End your work in the reply of your last edit; ignored if a call of that "
                    "reply fails.")


def succeeded(result: ToolMessage) -> bool:
    """Whether one tool result is a known success: `done` accepted its arguments, a command
    exited 0 (`tools.editor_tools`' `run`), any other tool answered neither `refused:` nor
    `error:` (`tools._as_tool`; an unknown tool's answer is an error, `tool_loop`)."""
    text = str(result.content)
    if result.name == NAME:
        return text.startswith(_ENDING)
    if result.name == "run_command":
        return text.split("\n", 1)[0] == "exit code 0"
    return not text.startswith(_FAILED)


def ended(batch: Sequence[ToolMessage]) -> bool:
    """Whether a reply's tool results (`batch`, one per call) end the work: `done` was called
    and every call of the reply, `done` included, succeeded."""
    return any(m.name == NAME for m in batch) and all(map(succeeded, batch))


def final_words(messages: Sequence[BaseMessage]) -> str | None:
    """What `done` was called with in the last reply of `messages` (each call's summary, in
    order, one per line), or None when it was not called there."""
    last = next((m for m in reversed(messages) if isinstance(m, AIMessage)), None)
    said = [str((call.get("args") or {}).get("summary", ""))
            for call in (last.tool_calls if last is not None else []) if call["name"] == NAME]
    return "\n".join(said) if said else None
