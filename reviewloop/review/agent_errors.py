"""How an agent file's problems are told: the key's `file:line`, what is wrong, the fix."""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reviewloop.errors import AgentDefinitionError

_TYPE_WORDS = {
    "string_type": "must be a string",
    "list_type": "must be a list of strings",
    "bool_type": "must be true or false",
    "int_type": "must be an integer",
    "literal_error": "must be one of must_fix, should_fix, nit",
    "model_type": "must be a JSON object",
}
# a scalar's fix follows from the type the key wants; a list's or an object's from the key
_SCALAR_FIXES = {
    "string_type": "a string in double quotes", "int_type": "an integer without quotes, e.g. 10",
    "bool_type": "true or false",
}
_EXAMPLES = {
    "tools": '["fs_read", "code", "grep", "glob"]', "analyzers": '["bandit"]',
    "include": '["src/**/*.py"]', "exclude": '["tests/**"]', "enabled": "true or false",
    "severity_floor": '"should_fix"', "reviewloop": '{"analyzers": [...]}',
}


def schema_error(exc: ValidationError, path: Path, text: str, known: Sequence[str],
                 known_nested: Sequence[str]) -> AgentDefinitionError:
    """The first validation error of an agent file, naming its `file:line` and the fix;
    `known` are the top-level keys, `known_nested` those under `reviewloop`."""
    # An unknown key first: a misspelt key usually also makes a required one "missing".
    error = min(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    loc = tuple(error["loc"])
    keys = tuple(part for part in loc if isinstance(part, str))
    dotted = "".join(f".{p}" if isinstance(p, str) else f"[{p}]" for p in loc).lstrip(".")
    at = where(path, text, keys)
    if error["type"] == "extra_forbidden":
        nested = len(keys) > 1
        keys_here = list(known_nested if nested else known)
        close = difflib.get_close_matches(keys[-1], keys_here, n=1)
        prefix = "reviewloop." if nested else ""
        fix = f'did you mean "{prefix}{close[0]}"?' if close else \
            f"known keys here: {', '.join(prefix + k for k in keys_here)}" + \
            ("" if nested else "; reviewloop's own settings go under \"reviewloop\"")
        return AgentDefinitionError(f'unknown key "{dotted}"', where=at, fix=fix)
    if error["type"] == "missing":
        return AgentDefinitionError(f'missing required key "{dotted}"', where=str(path),
                                    fix=f'add "{dotted}" to the agent file')
    words = _TYPE_WORDS.get(error["type"], error["msg"])
    got = json.dumps(error.get("input"), ensure_ascii=False)
    example = _SCALAR_FIXES.get(error["type"]) or _EXAMPLES.get(str(loc[-1]),
                                                                 "a string in double quotes")
    return AgentDefinitionError(f'key "{dotted}": {words} (got {got})', where=at,
                                fix=f'write "{dotted}" as {example}')


def where(path: Path, text: str, keys: Sequence[str]) -> str:
    """`file:line` of the innermost key found by walking the key path through the text."""
    position, found = 0, False
    for key in keys:
        match = re.compile(rf'"{re.escape(json.dumps(key)[1:-1])}"\s*:').search(text, position)
        if match is None:
            break
        position, found = match.start(), True
    return f"{path}:{text.count(chr(10), 0, position) + 1}" if found else str(path)


def read_text(path: Path) -> str:
    if (problem := not_a_file(path)) is not None:
        raise problem
    try:
        return path.read_text(encoding="utf-8-sig")  # editors on Windows add a BOM
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise AgentDefinitionError("agent file not found", where=str(path),
                                   fix="check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AgentDefinitionError(f"cannot read the agent file ({exc})", where=str(path),
                                   fix="make it a readable UTF-8 JSON file") from None


def json_type(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number")



def not_a_file(path: Path) -> AgentDefinitionError | None:
    """Why an entry named like an agent file is none: a folder, a dangling symlink."""
    if path.is_dir():
        return AgentDefinitionError("a folder, not an agent file", where=str(path),
                                    fix="rename the folder or move the agent files out of it")
    if path.is_symlink() and not path.exists():
        return AgentDefinitionError(
            f"a symlink to {os.readlink(path)}, which does not exist", where=str(path),
            fix="create or check out its target, or remove the link")
    return None
