"""One tool list for every model call of a round that a fix follows: the reviewers and the
fixer declare the same tools, so the fixer's requests read the prefix the reviewers cached.

A provider caches a request's prefix in the order it reads it: tool specs first, then the
system prompt. Two requests with different tool lists share no cached prefix, whatever their
system prompts share, so a fixer with its editing tools could never read what the
reviewers wrote. Here every call of the round declares the same list (the editor's tools,
then `submit_findings`) and may *use* only the tools it is granted: each other tool is a
stand-in with the same name, description and arguments that answers `refused: …` and does
nothing. A reviewer still reads only; the fixer never submits findings.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, ValidationError


def granted_only(declared: Sequence[BaseTool], granted: Collection[str], who: str
                 ) -> list[BaseTool]:
    """`declared`, in order, with every tool not in `granted` replaced by its refusing
    stand-in (`who` names the caller in the refusal)."""
    usable = ", ".join(t.name for t in declared if t.name in granted) or "none"
    return [tool if tool.name in granted else refusing(
        tool, f"{tool.name} is not one of the tools of {who} (yours: {usable})")
        for tool in declared]


def refusing(tool: BaseTool, why: str) -> BaseTool:
    """A tool the provider sees exactly as `tool` (name, description, arguments) that does
    nothing and answers `refused: <why>`."""

    def refuse(**_: object) -> str:
        return f"refused: {why}"

    def invalid(_: ValidationError) -> str:
        return f"refused: {why}"

    schema = tool.args_schema
    if not (isinstance(schema, dict) or (isinstance(schema, type)
                                        and issubclass(schema, BaseModel))):
        raise TypeError(f"{tool.name}: a tool without an argument schema cannot be declared")
    return StructuredTool.from_function(func=refuse, name=tool.name,
                                        description=tool.description, args_schema=schema,
                                        handle_validation_error=invalid)
