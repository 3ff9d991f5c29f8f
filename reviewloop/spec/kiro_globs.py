"""The globs Kiro reads (hook `when.patterns`, steering `fileMatchPattern`), matched as Kiro
matches them: with minimatch's syntax, emulated by `wcmatch`.

`**` spans folders, `*` and `?` stay inside one, `[a-c]`/`[!a]`/`[[:upper:]]` are classes,
`{a,b}` and `{1..3}` alternatives, `+(a|b)`/`@(a)`/`?(a)`/`*(a)` extglobs, and a leading `!`
means "not" (`!!` cancels it). A dot-file is a file like any other (minimatch's `dot`), and a
pattern without `/` also matches a file's base name (`matchBase`: `*.tsx` matches
`src/App.tsx`), each `{…}` alternative on its own (`{docs/**,*.md}` matches
`a/README.md`). Paths are repository-relative with `/`.

A list of patterns (`matches_any`: a hook's `when.patterns`, a steering file's list) is read
as wcmatch's `NEGATE | NEGATEALL` and globby read one: a path matches when a pattern without
`!` matches it (any path, when every pattern has one) and no `!` pattern's glob does. A
`!` pattern excludes; it never adds every other file (`["src/**/*.ts", "!**/*.test.ts"]`
fired for `README.md` and for `src/a.test.ts` when each pattern was asked alone).

A pattern that could never match a repository path as Kiro hands it over (`/src/*.ts`,
`./src/*.ts`, `src/`, `# x`), that names folders with `\\`, or whose braces expand past
`MAX_EXPANSIONS`, is refused by `problem`: silently never firing, a hook or a steering rule
would go missing with nothing said. tests/spec/test_kiro_globs.py holds the matcher to npm's
own minimatch over a grid of patterns × paths.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterable
from typing import NamedTuple

MAX_EXPANSIONS = 1000  # patterns one `{…}` pattern may expand to


class Refusal(NamedTuple):
    """Why a pattern cannot be matched as Kiro would, and what to write instead."""

    reason: str
    fix: str


@functools.lru_cache(maxsize=512)
def problem(pattern: str) -> Refusal | None:
    """Why `pattern` cannot be matched as Kiro would match it, or None."""
    body = pattern.lstrip("!")
    if not body.strip():
        return Refusal("an empty pattern (or one of only `!`) names no file",
                       "remove it, or write the files it is for (`src/**/*.ts`)")
    if body.startswith("#"):
        return Refusal("minimatch reads a pattern starting with `#` as a comment, which "
                       "matches no file", "write `[#]…` for a name that starts with `#`, "
                       "or remove it")
    if "\\" in body:
        return Refusal("minimatch reads `\\` as an escape, not a folder separator",
                       "write `/` between folders (`src/**/*.ts`)")
    if body.startswith("/"):
        return Refusal("a pattern starting with `/` matches absolute paths only, and Kiro "
                       "matches workspace-relative ones", "drop the leading `/` (`src/**/*.ts`)")
    if body.endswith("/"):
        return Refusal("a pattern ending with `/` matches folders only, never a file",
                       f"write `{body}**` for every file beneath")
    if any(part in (".", "..") for part in body.split("/")):
        return Refusal("a `.` or `..` folder in a pattern matches no workspace-relative path",
                       "write the path from the workspace root (`src/**/*.ts`, not "
                       "`./src/**/*.ts`)")
    from wcmatch import _wcparse  # its documented limit error lives there

    try:
        _compiled(body)
    except _wcparse.PatternLimitException as exc:
        return Refusal(f"cannot be read as a glob ({exc})",
                       f"write at most {MAX_EXPANSIONS} `{{…}}` alternatives, or split the "
                       "pattern in several")
    return None


def matches(pattern: str, path: str) -> bool:
    """Whether repository path `path` matches `pattern` as Kiro's minimatch says; False for a
    pattern `problem` refuses (its reader refused it already)."""
    body = pattern.lstrip("!")
    negated = (len(pattern) - len(body)) % 2 == 1
    if problem(pattern) is not None:
        return False
    return _compiled(body)(path) != negated


def matches_any(patterns: Iterable[str], path: str) -> bool:
    """Whether `path` matches the list `patterns`: one of its positive patterns (any path,
    with none) and none of its `!` ones (each pattern read as `matches` reads it)."""
    positive: list[str] = []
    negative: list[str] = []
    for pattern in patterns:
        body = pattern.lstrip("!")
        (negative if (len(pattern) - len(body)) % 2 else positive).append(body)
    if any(matches(body, path) for body in negative):
        return False
    return not positive or any(matches(body, path) for body in positive)


@functools.lru_cache(maxsize=512)
def _compiled(body: str) -> Callable[[str], bool]:
    from wcmatch import glob  # ~10 ms: only a project with Kiro globs pays it

    # MATCHBASE, like minimatch's matchBase, applies to each brace-expanded alternative that
    # has no `/` (minimatch 3 through 10: a one-segment pattern of its set matches the base
    # name), so `{src/**/*.ts,*.py}` matches `lib/x.py` and never `lib/x.ts`
    flags = glob.GLOBSTAR | glob.BRACE | glob.EXTGLOB | glob.DOTGLOB | glob.MATCHBASE
    with warnings.catch_warnings():  # `[[…]]` classes: `re`'s "possible nested set" notice
        warnings.simplefilter("ignore", FutureWarning)
        return glob.compile(body, flags=flags, limit=MAX_EXPANSIONS).match
