"""Files a project's own ruff configuration declares Python beyond the suffixes ruff knows.

`[tool.ruff] extend-include = ["*.py3"]`, `include = ["*.py", "bin/*.cgi"]`:
plain `ruff check .` lints those files as Python, as the project's users configured it. The
review told a file's language by its suffix or shebang alone, so such a file was text of no
language — read by the secrets scan only — and the review said complete while `ruff check .`
reported an undefined name in it. Now the patterns of the trusted side's configuration (the
tree's for a review of the user's own change, the base's for a pull request: a change never
widens its own review) make a changed file ruff's too, named to it (ruff lints a file it is
given by name whatever its suffix).

The configuration is the one ruff gives each file (`ruff_lookup`: the closest from its folder
up, its `extend` chain followed). A pattern matches as ruff's globs (the `globset` crate,
`*` crossing folders) match it (`glob`): against the file's path from the folder of the
config of the chain that declares the pattern (`tool.pyt` includes that folder's only; the
review took the governing config's folder for all: fuzz round 9a, D4), one without a `/`
as written against its
absolute path too; a leading `**/` matches no folder as well as many, `{cgi,pyt}` is one
of its alternatives. `fnmatch` did neither: `**/*.pyt` missed a root-level `tool.pyt`,
`*.{cgi,pyt}` and `**/bin/*` missed what ruff lints (fuzz round 6, D10).
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.ruff_lookup import Lookup
from reviewloop.git.names import under

KNOWN = (".py", ".pyi", ".ipynb", ".toml")  # read already, or not code
DEFAULT = ("*.py", "*.pyi", "*.ipynb")  # ruff's default `include` (but `**/pyproject.toml`)


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
        patterns = anchored(config.layers) if config is not None else ()
        if patterns and matches(path, patterns,
                                Path(os.path.realpath(under(ctx.root, path))).as_posix()):
            found.append(path)
    return found


def anchored(layers: Sequence[tuple[str, dict[str, Any]]]) -> tuple[tuple[str, str], ...]:
    """The include patterns of a chain of configs (`ruff_lookup.Governing.layers`, farthest
    first), each as (the pattern from the repository's root, as written): the last `include`
    and every `extend-include`, each from the folder of the config that declares it, as ruff
    resolves them (a root's `api/bin/*.cgi` inherited by `api/ruff.toml` is the root's
    `api/bin`, not `api/api/bin`: fuzz round 9a, D4)."""
    include: list[tuple[str, str]] = []
    extra: list[tuple[str, str]] = []
    for path, table in layers:
        folder = posixpath.dirname(path)
        if isinstance(table.get("include"), list):
            include = _from(folder, table["include"])
        extra += _from(folder, table.get("extend-include"))
    return (*include, *extra)


def linted(ctx: AnalyzerContext, path: str,
           layers: Sequence[tuple[str, dict[str, Any]]]) -> bool:
    """`takes`, for the changed file `path` of the checkout."""
    return takes(path, layers, Path(os.path.realpath(under(ctx.root, path))).as_posix())


def takes(path: str, layers: Sequence[tuple[str, dict[str, Any]]], absolute: str) -> bool:
    """Whether plain `ruff check .` lints `path` (`absolute`: its absolute path) as Python
    under the chain `layers` (its governing config's, farthest first): its `include`
    (the last one set, else ruff's default `*.py`, `*.pyi`, `*.ipynb`) or an `extend-include`
    takes it. A file ruff is named lints whatever its `include`: the project's own rules
    ran on `scripts/x.py` its `include = ["src/**/*.py"]` leaves out (fuzz round 9a, D8)."""
    include, extra = None, []
    for config, table in layers:
        folder = posixpath.dirname(config)
        if isinstance(table.get("include"), list):
            include = _from(folder, table["include"])
        extra += _from(folder, table.get("extend-include"))
    default = [(pattern, pattern) for pattern in DEFAULT]
    return matches(path, [*(default if include is None else include), *extra], absolute)


def _from(folder: str, patterns: Any) -> list[tuple[str, str]]:
    return [(posixpath.normpath(posixpath.join(folder, p)), p.removeprefix("./"))
            for p in (patterns if isinstance(patterns, list) else []) if isinstance(p, str)]


def matches(path: str, patterns: Sequence[tuple[str, str]], absolute: str) -> bool:
    """Whether `path` (from the repository's root; `absolute`, the file's absolute path) is
    included by one of `patterns` (`anchored`): ruff anchors each at its config's folder
    (`tool.pyt` is that folder's only; `*.pyt` reaches any folder below, `*` crossing), and
    a pattern written without a `/` also matches as written against the absolute path
    (`[!t]*` takes `tool.pyt`: the path starts `/`)."""
    return any(glob(rooted).fullmatch(path)
               or ("/" not in written and glob(written).fullmatch(absolute))
               for rooted, written in patterns)


@cache
def glob(pattern: str) -> re.Pattern[str]:
    """`pattern` as globset reads it (no literal separator: `*`, a trailing `/**` too, and `?`
    cross `/`; a leading `**/` and a `/**/` any folders, none too; `{a,b}`; `[...]`,
    `[!...]`; `\\` escapes), as a regular expression on a path."""
    out, i, depth = [], 0, 0
    while i < len(pattern):
        rest = pattern[i:]
        if rest.startswith("**/") and (i == 0 or pattern[i - 1] == "/"):
            out.append("(?:.*/)?")
            i += 3
        elif rest.startswith("*"):
            out.append(".*")
            i += len(rest) - len(rest.lstrip("*"))
        elif rest[0] == "?":
            out.append(".")
            i += 1
        elif rest[0] == "[" and (end := _class_end(pattern, i)) > 0:
            body = pattern[i + 1:end]
            body = "^" + body[1:] if body[:1] == "!" else body
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = end + 1
        elif rest[0] == "{":
            out.append("(?:")
            depth, i = depth + 1, i + 1
        elif rest[0] == "}" and depth:
            out.append(")")
            depth, i = depth - 1, i + 1
        elif rest[0] == "," and depth:
            out.append("|")
            i += 1
        elif rest[0] == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(rest[0]))
            i += 1
    return re.compile("".join(out) + ")" * depth, re.DOTALL)


def _class_end(pattern: str, start: int) -> int:
    """Where the `[...]` class opening at `start` closes (a `]` first in it is a member);
    -1 when it does not."""
    i = start + 1 + (pattern[start + 1:start + 2] == "!")
    i += pattern[i:i + 1] == "]"
    end = pattern.find("]", i)
    return end
