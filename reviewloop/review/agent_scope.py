"""A reviewer's scope (`include` less `exclude`) as a function of the path, looked up once;
its patterns as an agent file writes them, {a,b} alternatives expanded."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path, PurePath

from reviewloop.config_values import expand_all
from reviewloop.errors import AgentDefinitionError
from reviewloop.policy import globs
from reviewloop.review.agent_errors import where

REMEMBERED = 65_536  # answers a scope keeps


@functools.lru_cache(maxsize=256)
def cached_scope(include: tuple[str, ...], exclude: tuple[str, ...]
                 ) -> tuple[Callable[[str | PurePath], bool], dict[str | PurePath, bool]]:
    """The scope's function and the answers it gave so far, shared by equal scopes."""
    return scope_of(include, exclude), {}


def scope_of(include: Sequence[str], exclude: Sequence[str]) -> Callable[[str | PurePath], bool]:
    """Whether a path is in the scope `include` (empty: every file) less `exclude`."""
    excluded = globs.matcher(tuple(exclude))
    if not include:
        return lambda path: not excluded(path)
    included = globs.matcher(tuple(include))
    return lambda path: included(path) and not excluded(path)


def scope_globs(values: list[str], keypath: tuple[str, ...], path: Path, text: str
                 ) -> tuple[str, ...]:
    """`include`/`exclude` with their {a,b} alternatives expanded (as Kiro's minimatch reads
    them), each pattern checked."""
    try:
        expanded = expand_all(tuple(values)) or ()
    except ValueError as exc:
        raise AgentDefinitionError(f'key "{".".join(keypath)}": {exc}',
                                   where=where(path, text, keypath),
                                   fix='write fewer alternatives, or one pattern for each, '
                                       'e.g. "src/**/*.py"') from None
    for value in expanded:
        try:
            globs.check(value)
        except globs.BadGlob as exc:
            raise AgentDefinitionError(
                f'key "{".".join(keypath)}": invalid glob "{value}" ({exc})',
                where=where(path, text, keypath),
                fix='use *, ** and ? wildcards, e.g. "src/**/*.py"') from None
    return expanded
