"""Files a project's own ruff configuration declares Python beyond the suffixes ruff knows.

`[tool.ruff] extend-include = ["*.pyt"]` (ArcGIS toolboxes), `include = ["*.py", "bin/*.cgi"]`:
plain `ruff check .` lints those files as Python, as the project's users configured it. The
review told a file's language by its suffix or shebang alone, so such a file was text of no
language — read by the secrets scan only — and the review said complete while `ruff check .`
reported an undefined name in it. Now the patterns of the trusted side's configuration (the
tree's for a review of the user's own change, the base's for a pull request: a change never
widens its own review) make a changed file ruff's too, named to it (ruff lints a file it is
given by name whatever its suffix).

Only the root's `ruff.toml`, `.ruff.toml` or `pyproject.toml` is read, in ruff's own order
of precedence; a pattern without a `/` matches a file's name in any folder, one with a `/`
its path from the root (ruff's globs: `*` crosses folders).
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Sequence
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.git.provenance import read_at
from reviewloop.git.repository import open_repository
from reviewloop.policy.trust import Trust

CONFIGS = ("ruff.toml", ".ruff.toml", "pyproject.toml")  # ruff's precedence at one folder
KNOWN = (".py", ".pyi", ".ipynb", ".toml")  # read already, or not code


def declared(ctx: AnalyzerContext, known: Sequence[str]) -> list[str]:
    """The changed files (but those in `known`) the trusted configuration's `include` or
    `extend-include` patterns match."""
    base, checkout = _side(ctx.trust)
    patterns = _patterns(str(ctx.root), None, None) if base is None else \
        _at_base(str(ctx.root), base, checkout)
    if not patterns:
        return []
    taken = set(known)
    return [path for path in ctx.files if path not in taken
            and not path.endswith(KNOWN) and _matches(path, patterns)]


def _side(trust: Trust | None) -> tuple[str | None, str | None]:
    """(the base commit, the repository it is in) when the trusted side is a commit; the
    tree's own configuration otherwise."""
    if trust is None or trust.trusted_all or trust.base is None:
        return None, None
    return trust.base, trust.checkout


@functools.lru_cache(maxsize=8)
def _at_base(root: str, base: str, checkout: str | None) -> tuple[str, ...]:
    """`_patterns` of a commit, which never changes: read once."""
    return _patterns(root, base, checkout)


def _patterns(root: str, base: str | None, checkout: str | None) -> tuple[str, ...]:
    """The include patterns of the first configuration file that configures ruff (a
    `pyproject.toml` without `[tool.ruff]` is no ruff configuration); none when none does or
    it does not parse."""
    for name in CONFIGS:
        if base is None:
            try:
                text: str | None = (Path(root) / name).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
        else:
            text = read_at(open_repository(Path(checkout or root)), base, name)
        if text is None:
            continue
        try:
            table = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return ()
        if name == "pyproject.toml":
            table = table.get("tool", {}).get("ruff")
            if not isinstance(table, dict):
                continue
        found = [p for key in ("include", "extend-include")
                 for p in (table.get(key) or []) if isinstance(p, str)]
        return tuple(p.removeprefix("./") for p in found)
    return ()


def _matches(path: str, patterns: Sequence[str]) -> bool:
    name = PurePosixPath(path).name
    return any(fnmatchcase(path if "/" in p else name, p) for p in patterns)
