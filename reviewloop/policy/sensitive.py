"""Sensitive files: the paths that may hold secrets, never read by a model, prompted or committed."""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import PurePath

DEFAULT_SENSITIVE = (
    ".env", ".env.*", "*.pem", "*.key", "id_rsa*", "*secret*", "*credentials*",
)


def is_sensitive(rel: PurePath, patterns: Iterable[str] = DEFAULT_SENSITIVE) -> bool:
    """gitignore-style: a pattern with a slash matches the path, one without any part."""
    text = rel.as_posix().lower()
    parts = [p.lower() for p in rel.parts]
    for pattern in (p.lower() for p in patterns):
        if "/" in pattern:
            if fnmatchcase(text, pattern.lstrip("/")):
                return True
        elif any(fnmatchcase(part, pattern) for part in parts):
            return True
    return False
