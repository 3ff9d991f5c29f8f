"""gitignore-style path globs, shared by reviewer scopes and governance rules.

The matching is `pathspec`'s implementation of git's own rules (`GitIgnoreSpec`), so a
pattern means here what it means in a `.gitignore`: `*` and `?` stay within a folder,
`**` spans folders, `[abc]`/`[!abc]` are classes, `\\` escapes, a pattern without a
`/` (other than a trailing one) matches at any depth, a leading `/` anchors it, a trailing
`/` matches only a folder — here: every file below a folder of that name — and a match on
a folder covers everything below it.

One pattern is one rule here, never a list: a leading `!` or `#` is taken literally (as
`\\!` and `\\#` in a `.gitignore`), not as a negation or a comment.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import PurePath

import pathspec
from pathspec.util import NORMALIZE_PATH_SEPS, normalize_file

from reviewloop.errors import ConfigError
from reviewloop.git.names import posix_text
from reviewloop.policy.literals import literal_search


class BadGlob(ConfigError):
    """A pattern that can never match a path (empty, `./` or `/` alone, an unclosed `[` class,
    a reversed range or a trailing `\\`); the caller re-raises it naming the file and key
    the pattern came from."""


def matches(pattern: str, path: str | PurePath, *, ignore_case: bool = False) -> bool:
    """Whether the repo-relative file `path` is covered by `pattern`."""
    posix = _posix(path) if isinstance(path, str) else path.as_posix()
    folded = posix.lower() if ignore_case else posix
    if not all(piece in folded for piece in _pieces(pattern, ignore_case)):
        return False  # a literal part of the pattern is not in the path: no match possible
    return _matches(pattern, posix, ignore_case)


def matches_any(patterns: tuple[str, ...], path: str | PurePath, *,
                ignore_case: bool = False) -> bool:
    """Whether any of `patterns` covers `path`: `matches` of each, asked of one regular
    expression (a reviewer's 31 scope globs cost 31 calls a file: 0.2 s for 5,000 files)."""
    combined = _combined(patterns, ignore_case)
    if combined is None:
        return any(matches(p, path, ignore_case=ignore_case) for p in patterns)
    posix = _posix(path) if isinstance(path, str) else path.as_posix()
    text = posix.removeprefix("./")
    return combined.search(_normalised(text.lower() if ignore_case else text)) is not None


def matcher(patterns: tuple[str, ...], *, ignore_case: bool = False
            ) -> Callable[[str | PurePath], bool]:
    """`matches_any(patterns, path)` as a function of `path`, the patterns' one expression
    looked up once (a reviewer's scope is asked of every changed file: hashing its ~30
    globs to find their expression again cost more than the search)."""
    combined = _combined(patterns, ignore_case)
    if combined is None:
        return lambda path: matches_any(patterns, path, ignore_case=ignore_case)
    search = combined.search
    needed = _needed(patterns, ignore_case)
    present = needed.search if needed is not None else None

    def match(path: str | PurePath) -> bool:
        posix = _posix(path) if isinstance(path, str) else path.as_posix()
        text = posix.removeprefix("./")
        normal = _normalised(text.lower() if ignore_case else text)
        if present is not None and present(normal) is None:
            return False  # no pattern's literal part is in the path: none can match
        return search(normal) is not None

    return match


@lru_cache(maxsize=1024)
def _needed(patterns: tuple[str, ...], ignore_case: bool) -> re.Pattern[str] | None:
    """A search for the literal parts of which a path matching any of `patterns` holds one
    (each pattern's longest `_pieces`), or None when a pattern has none. Most changed files
    hold none of a scope's (`.tf`, `Dockerfile`, `deploy`): one search of a few literals
    answers them, where the patterns' expression took ~3 µs a path."""
    longest = []
    for pattern in patterns:
        pieces = _pieces(pattern, ignore_case)
        if not pieces:
            return None
        longest.append(max(pieces, key=len))
    return literal_search(longest)


def _normalised(text: str) -> str:
    """`pathspec.util.normalize_file`'s answer, which pathspec's `match_file` asks, without
    its loop over the separators to rewrite when there is none (POSIX)."""
    if NORMALIZE_PATH_SEPS:
        return normalize_file(text)
    return text[1:] if text.startswith("/") else text[2:] if text.startswith("./") else text


@lru_cache(maxsize=1024)
def _combined(patterns: tuple[str, ...], ignore_case: bool) -> re.Pattern[str] | None:
    """pathspec's expressions for `patterns` as one alternation (a path matches it exactly
    when one of them matches: pathspec searches each, here all at once), or None when one
    cannot be joined (flags, or a group name of its own)."""
    parts = []
    for pattern in patterns:
        compiled = _spec(pattern, ignore_case).patterns
        if not compiled or not compiled[0].include:
            continue  # a pattern that can never match (`check`'s refusal) adds nothing
        regex = getattr(compiled[0], "regex", None)
        if not isinstance(regex, re.Pattern) or not isinstance(regex.pattern, str) \
                or regex.flags & ~re.UNICODE:
            return None
        source = regex.pattern.replace(f"(?P<{_DIR_MARK}>", "(?:")
        if "(?P" in source:
            return None
        parts.append(f"(?:{source})")
    with warnings.catch_warnings():  # pathspec's own `[[` classes: it compiled them alike
        warnings.simplefilter("ignore", FutureWarning)
        return re.compile("|".join(parts) if parts else "(?!)")


_DIR_MARK = "ps_d"  # the group pathspec marks a folder's match with (one name in each)


@lru_cache(maxsize=4096)
def _pieces(pattern: str, ignore_case: bool) -> tuple[str, ...]:
    """The literal parts every path the pattern matches contains verbatim: its text between
    wildcards and slashes (`**/` can match no folder, so a slash is never required). A
    pattern with a class or an escape has none: `[ab]` and `\\*` are not literal."""
    text = pattern.strip().removeprefix("./")
    if any(c in text for c in "[]\\"):
        return ()
    if ignore_case:
        text = text.lower()
    return tuple(p for p in re.split(r"[*?/]+", text.lstrip("!#")) if p)


@lru_cache(maxsize=65_536)
def _posix(path: str) -> str:
    return posix_text(path)  # PurePath's answer on POSIX, without building one


# A round asks the same few patterns about the same files again and again (every reviewer's
# scope, for every chunk and every reviewer's input); pathspec's match costs ~20 µs each.
@lru_cache(maxsize=65_536)
def _matches(pattern: str, posix: str, ignore_case: bool) -> bool:
    text = posix.removeprefix("./")
    return _spec(pattern, ignore_case).match_file(text.lower() if ignore_case else text)


class GlobIndex:
    """Which of many patterns a path may match, by the path's names (`candidates`): the
    same answers as trying every pattern, in the patterns' order, without trying them all.

    A pattern whose last name is literal (`tasks.json`, `/.kiro/agents/**`'s `agents`) can
    match a path only when that name is one of the path's (the file's own, or a folder's
    the pattern covers); the others (a wildcard in the last name, a class, an escape) are
    tried for every path."""

    def __init__(self, patterns: Sequence[str]):
        self._by_name: dict[str, list[int]] = {}
        self._always: list[int] = []
        for at, pattern in enumerate(patterns):
            name = _last_name(pattern)
            if name is None:
                self._always.append(at)
            else:
                self._by_name.setdefault(name, []).append(at)
        self._wild = tuple(patterns[at] for at in self._always)
        self._wild_match = matcher(self._wild)  # looked up once, not at every path
        self._names = frozenset(self._by_name)

    def candidates(self, path: str) -> list[int]:
        """The indexes of the patterns `path` may match, ascending (the ones tried for every
        path only when one of them matches it: asked of them at once, `matches_any`)."""
        found = list(self._always) if self._wild and self._wild_match(path) else []
        for name in self._names.intersection(_posix(path).split("/")):  # most: none
            found += self._by_name[name]
        return sorted(found) if found else found


def _last_name(pattern: str) -> str | None:
    """The literal name every path `pattern` matches holds (see `GlobIndex`), or None."""
    text = pattern.strip().removeprefix("./")
    if not text or text[0] in "!#" or any(c in text for c in "[]\\"):
        return None
    names = [n for n in text.split("/") if n and n != "**"]
    last = names[-1] if names else ""
    return last if last and not any(c in last for c in "*?") else None


_BRACES = re.compile(r"(?<!\\)\{[^{}]*,[^{}]*\}")


def check(pattern: str) -> None:
    """Raise BadGlob, naming the reason, for a pattern that can never match."""
    text = pattern.strip()
    if not text:
        raise BadGlob("an empty pattern matches nothing")
    if _BRACES.search(text):  # a shell's or minimatch's, not git's: a name with braces
        raise BadGlob("{a,b} alternatives are not read here (git's globs take them as the "
                      "characters { , }): write one pattern for each, as in \"*.py\", \"*.js\"")
    folds = "[" in text and text != text.lower()  # `[Z-a]` folds to `[z-a]`
    for built in (_compiled(pattern, False), *([_compiled(pattern, True)] if folds else [])):
        if isinstance(built, re.error):
            raise BadGlob(f"a [ ] class that cannot be read ({built.msg}): write a range low "
                          "to high, as in [a-z]")
        if isinstance(built, ValueError):  # pathspec's GitIgnorePatternError
            raise BadGlob(f"git cannot read it ({built.__cause__ or built}); a \\ escapes "
                          "the character after it: write \\\\ for a backslash")
    read = _spec(pattern, False).patterns  # none for `./`; no rule for `/` or `a/[b`
    if not read or not read[0].include:
        raise BadGlob("an unclosed [ class matches nothing" if "[" in text else
                      "only `/` and `./` name no file or folder: write a path after them, "
                      "as in ./src/ or /setup.py")


_NOTHING = pathspec.GitIgnoreSpec([])


def _spec(pattern: str, ignore_case: bool) -> pathspec.GitIgnoreSpec:
    """The pattern as pathspec reads it; one `check` refuses (a class with a reversed range,
    `[z-a]`, or a trailing `\\`) matches nothing, as no path could make it valid."""
    built = _compiled(pattern, ignore_case)
    return _NOTHING if isinstance(built, Exception) else built


@lru_cache(maxsize=1024)
def _compiled(pattern: str, ignore_case: bool) -> pathspec.GitIgnoreSpec | Exception:
    """pathspec's reading of the pattern, or why it has none (asked by `check` when an agent
    file loads, then by every match: built once)."""
    try:
        return _build(pattern, ignore_case)
    except (re.error, ValueError) as exc:
        return exc.with_traceback(None)  # kept in the cache: not the frames it was raised in


def _build(pattern: str, ignore_case: bool) -> pathspec.GitIgnoreSpec:
    text = pattern.strip()
    text = text.removeprefix("./")
    if text.startswith(("!", "#")):
        text = "\\" + text
    if text.endswith("**/"):
        # git: `dir/**/` is every folder below dir (so not dir/x.py); pathspec 1.1 reads it
        # as `dir/**`. `dir/**/*/` says the same to both.
        text += "*/"
    if ignore_case:
        text = text.lower()
    return pathspec.GitIgnoreSpec.from_lines([text])
