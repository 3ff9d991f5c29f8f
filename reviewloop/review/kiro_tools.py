"""Kiro tool names mapped onto the read-only tools a reviewer may use; the rest is refused."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

# What a reviewer can be granted, in the order they are listed everywhere.
READ_ONLY_TOOLS = ("fs_read", "code", "grep", "glob")

# Kiro spellings (CLI 2.x names and V3 short names) of the read-only tools.
_READ_ONLY_ALIASES = {
    "read": "fs_read",
    "fs_read": "fs_read",
    "code": "code",
    "grep": "grep",
    "glob": "glob",
}
# Selectors that mean "every built-in tool": a reviewer gets the read-only part of it.
_EVERYTHING = frozenset({"*", "@builtin", "@builtin/*"})
# Tools with side effects: never granted, whatever the file asks for.
_SIDE_EFFECTS = frozenset({
    "write", "fs_write", "shell", "execute_bash", "execute_cmd", "aws", "use_aws",
})
# Real Kiro tools that simply have no counterpart in a review.
_NOT_FOR_REVIEWERS = frozenset({
    "thinking", "todo_list", "knowledge", "introspect", "web", "web_search", "web_fetch",
    "use_subagent", "subagent", "delegate", "report_issue", "report", "session",
})


@dataclass(frozen=True)
class ToolGrant:
    """The tools a reviewer gets and one note per requested tool it does not get."""

    tools: tuple[str, ...]
    notes: tuple[str, ...] = ()
    # (index in the list, name, hint) of names no Kiro or reviewloop tool has: the loader
    # refuses the file, since a typo would silently take a tool away from the reviewer
    unknown: tuple[tuple[int, str, str], ...] = ()


def map_tools(requested: Sequence[str] | None) -> ToolGrant:
    """Map a Kiro `tools` list onto `READ_ONLY_TOOLS`.

    No `tools` key at all grants the whole read-only set (a reviewer needs to look around);
    an explicit empty list grants nothing. Known tools a reviewer may not have are dropped with
    a note; names no tool has are returned in `unknown` for the loader to refuse.
    """
    if requested is None:
        return ToolGrant(READ_ONLY_TOOLS)
    granted: set[str] = set()
    notes: list[str] = []
    unknown: list[tuple[int, str, str]] = []
    for index, raw in enumerate(requested):
        name = raw.strip()
        if name.startswith("@builtin/") and name not in _EVERYTHING:
            name = name.removeprefix("@builtin/")
        if name in _READ_ONLY_ALIASES:
            granted.add(_READ_ONLY_ALIASES[name])
        elif name in _EVERYTHING:
            granted.update(READ_ONLY_TOOLS)
            notes.append(f'tool "{raw}" grants only the read-only tools '
                         f'{", ".join(READ_ONLY_TOOLS)}')
        elif name in _SIDE_EFFECTS:
            notes.append(f'ignored tool "{raw}": reviewers never get write, shell or AWS tools')
        elif name.startswith("@"):
            notes.append(f'ignored tool "{raw}": reviewers never get MCP server tools')
        elif name in _NOT_FOR_REVIEWERS:
            notes.append(f'ignored tool "{raw}": not available to reviewers')
        else:
            unknown.append((index, raw, _hint(raw)))
    return ToolGrant(tuple(t for t in READ_ONLY_TOOLS if t in granted), tuple(notes),
                     tuple(unknown))


def _hint(raw: str) -> str:
    """The fix for an unknown tool name: the closest known one, else the read-only set."""
    known = [*_READ_ONLY_ALIASES, *sorted(_SIDE_EFFECTS), *sorted(_NOT_FOR_REVIEWERS)]
    close = difflib.get_close_matches(raw, known, n=1)
    if close:
        return f'did you mean "{close[0]}"?'
    return f"a reviewer may be granted {', '.join(READ_ONLY_TOOLS)} (or \"*\" for all four)"
