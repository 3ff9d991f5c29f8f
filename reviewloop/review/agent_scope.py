"""A reviewer's scope (`include` less `exclude`) as a function of the path, looked up once."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import PurePath

from reviewloop.policy import globs

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
