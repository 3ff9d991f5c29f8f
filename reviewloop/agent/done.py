"""`done`: an editing agent ends its work in the same reply as its last edit.

Without it an edit is always followed by one more model call, whose only purpose is the
agent's closing words; that call reads the whole conversation again (the cached prefix, the
findings or the task, the edit and its result). With `done` beside its last `edit_file` or
`write_file`, the agent ends there: the loop runs the reply's calls in order and stops once
they have all run, if none of them was refused or failed (`ended`). A failed call keeps the
conversation going, so the agent sees why and tries again; a plain reply with no tool call
still ends the work as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, ConfigDict, Field

NAME = "done"
_FAILED = ("refused:", "error:")


class _DoneArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    summary: str = Field(description="Your final reply.")


def done_tool() -> BaseTool:
    """The tool the provider sees; calling it does nothing but say the work ends here."""

    def end(summary: str) -> str:
        return ("ending here, unless another call of this reply failed: then fix it and call "
                f"{NAME} again")

    return StructuredTool.from_function(
        func=end, name=NAME, args_schema=_DoneArgs,
        description="End your work in the reply of your last edit; ignored if a call of that "
                    "reply fails.")


def ended(batch: Sequence[ToolMessage]) -> bool:
    """Whether a reply's tool results (`batch`, one per call) end the work: `done` was called
    and no other call of the reply was refused or failed."""
    called = any(m.name == NAME for m in batch)
    return called and not any(m.name != NAME and str(m.content).startswith(_FAILED)
                              for m in batch)


def final_words(messages: Sequence[BaseMessage]) -> str | None:
    """The summary `done` was called with in the last reply of `messages`, if it was."""
    last = next((m for m in reversed(messages) if isinstance(m, AIMessage)), None)
    for call in (last.tool_calls if last is not None else []):
        if call["name"] == NAME:
            return str((call.get("args") or {}).get("summary", ""))
    return None
