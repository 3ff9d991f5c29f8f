"""An agents folder's entries and each file's JSON object: what a file that cannot be read
as an agent is, named with its `file:line:column` and the fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reviewloop.errors import AgentDefinitionError
from reviewloop.review.agent_errors import json_type, read_text


def entries(folder: Path) -> list[Path]:
    """Every `*.json` entry of `folder` (`.JSON` too): a dangling symlink or a folder of that
    name too, so a reviewer that cannot be read is named rather than missing from the
    listing."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.lower().endswith(".json"))


def parse(path: Path) -> tuple[dict[str, Any], str]:
    """The file's JSON object and its text; any problem is an AgentDefinitionError."""
    text = read_text(path)
    try:
        data = json.loads(text, object_pairs_hook=_unique)
    except json.JSONDecodeError as exc:
        raise AgentDefinitionError(
            f"not valid JSON: {exc.msg}", where=f"{path}:{exc.lineno}:{exc.colno}",
            fix=f"correct the JSON syntax at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise AgentDefinitionError(
            "not valid JSON for reviewloop: nested too deeply", where=str(path),
            fix="an agent file is a few levels deep: remove the deeply nested value") from None
    except _Duplicate as exc:
        raise AgentDefinitionError(
            f'key "{exc.key}" appears twice in one object: only the last one would count',
            where=str(path), fix=f'keep one "{exc.key}" (merge the two)') from None
    if not isinstance(data, dict):
        raise AgentDefinitionError(
            f"expected a JSON object at the top level, got {json_type(data)}", where=str(path),
            fix='write the agent as {"name": ..., "description": ..., "prompt": ...}')
    return data, text


class _Duplicate(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are each there once (json.loads keeps the last silently)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _Duplicate(key)
        found[key] = value
    return found


def peek_name(path: Path) -> tuple[str, AgentDefinitionError | None]:
    """The agent's name (else the file's stem: Kiro's own fallback) and, for a file that
    cannot be read as an agent, why: whether it is a reviewer cannot be told from it."""
    try:
        data, _ = parse(path)
    except AgentDefinitionError as exc:
        return path.stem, exc
    name = data.get("name")
    return (name.strip() if isinstance(name, str) and name.strip() else path.stem), None

