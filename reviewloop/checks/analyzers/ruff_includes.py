"""Files a project's own ruff configuration declares Python beyond the suffixes ruff knows.

`[tool.ruff] extend-include = ["*.pyt"]` (ArcGIS toolboxes), `include = ["*.py", "bin/*.cgi"]`:
plain `ruff check .` lints those files as Python, as the project's users configured it. The
review told a file's language by its suffix or shebang alone, so such a file was text of no
language — read by the secrets scan only — and the review said complete while `ruff check .`
reported an undefined name in it. Now the patterns of the trusted side's configuration (the
tree's for a review of the user's own change, the base's for a pull request: a change never
widens its own review) make a changed file ruff's too, named to it (ruff lints a file it is
given by name whatever its suffix).

The configuration is the one ruff gives each file (`ruff_lookup`: the closest from its folder
up, its `extend` chain followed); a pattern without a `/` matches a file's name in any
folder, one with a `/` its path from that config's folder (ruff's globs: `*` crosses
folders).
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from fnmatch import fnmatchcase
from pathlib import PurePosixPath
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.ruff_lookup import Lookup

KNOWN = (".py", ".pyi", ".ipynb", ".toml")  # read already, or not code


def declared(ctx: AnalyzerContext, known: Sequence[str]) -> list[str]:
    """The changed files (but those in `known`) the `include` or `extend-include` patterns of
    the trusted configuration that governs each match."""
    taken = set(known)
    candidates = [path for path in ctx.files if path not in taken and not path.endswith(KNOWN)]
    if not candidates:
        return []
    lookup = Lookup(ctx)
    found = []
    for path in candidates:
        config = lookup.of(path)
        patterns = _patterns(config.table) if config is not None else ()
        if patterns and config is not None and \
                _matches(posixpath.relpath(path, config.folder or "."), patterns):
            found.append(path)
    return found


def _patterns(table: dict[str, Any]) -> tuple[str, ...]:
    """The include patterns of a ruff configuration's settings."""
    found = [p for key in ("include", "extend-include")
             for p in (table.get(key) or []) if isinstance(p, str)]
    return tuple(p.removeprefix("./") for p in found)


def _matches(path: str, patterns: Sequence[str]) -> bool:
    name = PurePosixPath(path).name
    return any(fnmatchcase(path if "/" in p else name, p) for p in patterns)
