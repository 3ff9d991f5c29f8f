"""A small JSON file of a project (a `package.json`, a cloud assembly's manifest) read as the
mapping it holds: the checks ask here, so each reads a file the same way.

An absent or unreadable file, one that does not parse (or is not UTF-8), and one whose top
value is not an object all read as `{}`: a reader that must tell them apart reads the file
itself and says why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def json_object(path: Path) -> dict[str, Any]:
    """The object the JSON file at `path` holds; `{}` when there is none (see above)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError):  # ValueError: not UTF-8, a NUL in the name
        return {}
    return text_object(text)


def text_object(text: str | None) -> dict[str, Any]:
    """The object the JSON text `text` holds; `{}` for no text, or none there."""
    if text is None:
        return {}
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested too deep to parse
        return {}
    return data if isinstance(data, dict) else {}
