"""What a setting's value may be beyond its type: no true/false for a number (nor a number
for a true/false), a context window a reviewer call fits in, a price table with known keys.
Each was accepted once and turned a guard-rail off without a word (`reviewloop.config`)."""

from __future__ import annotations

import difflib
import itertools
import json
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, get_args

from pydantic import AfterValidator

# The smallest context window a reviewer call fits in: the rules, the task, the persona and
# the reply take a few thousand tokens before any diff (`review.round.DIFF_SHARE`).
MIN_CONTEXT_WINDOW = 8_000


def check_windows(windows: dict[str, int]) -> dict[str, int]:
    """`[review] context_windows`: each at least MIN_CONTEXT_WINDOW tokens (0, -5 or 128
    meant for 128k left no reviewer a file and the verdict clean)."""
    for model, tokens in windows.items():
        if tokens < MIN_CONTEXT_WINDOW:
            raise ValueError(
                f'"{model}" = {tokens} is not a context window: it is in tokens and at '
                f"least {MIN_CONTEXT_WINDOW:,} (128k is 128000)")
    return windows


def scalar_kind(value: Any, annotation: Any) -> Any:
    """`value` for a field of `annotation`, refused when it is true/false for a number or a
    number for a true/false (`max_rounds = true` was 1, `sandbox_network = 0` false); the
    environment's strings still convert."""
    kinds = _scalar_kinds(annotation)
    if isinstance(value, bool) and kinds & {int, float} and bool not in kinds:
        raise ValueError("a number, not true or false")
    if isinstance(value, int | float) and not isinstance(value, bool) and kinds == {bool}:
        raise ValueError("true or false, not a number")
    return value


def _scalar_kinds(annotation: Any) -> set[Any]:
    """The scalar types a field takes: {int} for `int | None`, {} for a table or a list."""
    return {a for a in (get_args(annotation) or (annotation,)) if a in (int, float, bool)}


PRICE_KEYS = ("input", "output", "cache_read", "cache_write")  # USD per million tokens


def check_price(model: str, price: object) -> None:
    """A `[prices."<model>"]` table: known keys (a typo priced the model at $0 and turned
    `max_cost_usd` off), input and output both set, each a number at least 0."""
    where = f'prices."{model}"'
    if not isinstance(price, Mapping):
        raise ValueError(f"{where} must be a table of {', '.join(PRICE_KEYS)}")
    for key in price:
        if key not in PRICE_KEYS:
            close = difflib.get_close_matches(str(key).lower(), PRICE_KEYS, n=1)
            raise ValueError(f'unknown key "{where}.{key}"' + (
                f' (did you mean "{close[0]}"?)' if close else "") +
                f"; the keys are {', '.join(PRICE_KEYS)}")
    for key, value in price.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
            raise ValueError(f"{where}.{key} = {value!r}: a price is a number of USD per "
                             "million tokens, 0 or more")
    if missing := [k for k in ("input", "output") if k not in price]:
        raise ValueError(f"{where} has no {' and no '.join(missing)} price: set both (USD per "
                         "million tokens); a missing one counted as $0")


def unknown_key_fix(key: str, path: tuple[str, ...], known: Iterable[str],
                    top: Iterable[str], outer: str = "") -> str:
    """The fix for an unknown key `key` in the table at `path`: a top-level setting written
    after a `[table]` line, which TOML puts in that table (`model` after `[gates]` is
    `gates.model`), is to move above it; else the closest known key, or those known there.
    `outer`: the table the settings are in, as the file's headers name it (`tool.reviewloop`
    in pyproject.toml), where the key goes."""
    if path and key in top:
        table = ".".join((outer, *path) if outer else path)
        under = f"under `[{outer}]`, " if outer else ""
        return (f"move `{key}` {under}above `[{table}]`: `{key}` is a top-level setting, and "
                f"every key after a `[{table}]` line belongs to that table")
    names = list(known)
    close = difflib.get_close_matches(key, names, n=1)
    return f'did you mean "{".".join((*path, close[0]))}"?' if close else \
        f"known keys here: {', '.join(names)}"


_LISTS = ("tuple_type", "list_type", "set_type", "frozen_set_type")


def value_fix(dotted: str, error_type: str, given: object) -> str:
    """The fix for a value of the wrong type: a list wanted where one text was given (`test =
    "pytest"`, the natural first guess) is shown as the list it should be (a JSON string is
    a TOML basic string)."""
    key = dotted.rpartition(".")[2]
    if error_type in _LISTS and isinstance(given, str):
        listed = json.dumps(given, ensure_ascii=False).replace("\x7f", "\\u007f")
        return f'make "{dotted}" a list: {key} = [{listed}]'
    if error_type in _LISTS:
        return f'make "{dotted}" a list, e.g. {key} = ["first", "second"]'
    return f'set "{dotted}" to a valid value'



# `{a,b}` alternatives in one path glob: at most this many patterns come of it.
MAX_ALTERNATIVES = 64


def expand_braces(pattern: str) -> tuple[str, ...]:
    """The patterns a path glob's `{a,b}` alternatives stand for, as a shell, minimatch
    (Kiro) or editorconfig reads them: `conf/{prod,dev}.yaml` is `conf/prod.yaml` and
    `conf/dev.yaml`; nested groups and several groups multiply out, in order, duplicates
    dropped. A `{` with no top-level comma (`{a}`), an unclosed one or an escaped `\\{` is
    taken literally, as a shell does. git's globs take the braces as characters, so a
    pattern written for the other tools never matched: each setting expands them first.
    ValueError past MAX_ALTERNATIVES patterns (a typo would otherwise make thousands)."""
    if pattern.count("{") > MAX_ALTERNATIVES:  # bounds the depth and the scans, as the count
        raise ValueError(f"{pattern[:80]!r}{'…' if len(pattern) > 80 else ''} holds more than "
                         f"{MAX_ALTERNATIVES} '{{': write fewer {{a,b}} groups, or one pattern "
                         "for each with * or ** wildcards")
    found: list[str] = []
    _expand(pattern, found)
    return tuple(dict.fromkeys(found))


def expand_all(patterns: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """`expand_braces` of each pattern of a setting, in order (None stays None)."""
    if patterns is None:
        return None
    found = [p for pattern in patterns for p in expand_braces(pattern)]
    if blank := next((p for p in patterns if not all(e.strip() for e in expand_braces(p))),
                     None):
        raise ValueError(f"{blank!r} holds an empty {{a,b}} alternative, a pattern that "
                         "names no file: remove the empty one")
    return tuple(dict.fromkeys(found))


def _expand_setting(patterns: tuple[str, ...]) -> tuple[str, ...]:
    return expand_all(patterns) or ()


# A setting's list of path globs, read with its {a,b} alternatives expanded.
Globs = Annotated[tuple[str, ...], AfterValidator(_expand_setting)]


def _expand(pattern: str, found: list[str]) -> None:
    group = _group(pattern)
    if group is None:
        if len(found) >= MAX_ALTERNATIVES:
            raise ValueError(f"{{a,b}} alternatives in {pattern!r} make more than "
                             f"{MAX_ALTERNATIVES} patterns: write fewer, or one pattern for "
                             "each with * or ** wildcards")
        found.append(pattern)
        return
    start, commas, end = group
    cuts = (start, *commas, end)
    for left, right in itertools.pairwise(cuts):
        _expand(pattern[:start] + pattern[left + 1:right] + pattern[end + 1:], found)


def _group(pattern: str) -> tuple[int, list[int], int] | None:
    """The first `{…}` holding a top-level comma: (its `{`, those commas, its `}`)."""
    at = 0
    while at < len(pattern):
        if pattern[at] == "\\":
            at += 2
            continue
        if pattern[at] == "{" and (group := _closed(pattern, at)) is not None:
            return group
        at += 1
    return None


def _closed(pattern: str, start: int) -> tuple[int, list[int], int] | None:
    depth, at = 0, start + 1
    commas: list[int] = []
    while at < len(pattern):
        char = pattern[at]
        if char == "\\":
            at += 1
        elif char == "{":
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif char == "}":
            return (start, commas, at) if commas else None
        elif char == "," and not depth:
            commas.append(at)
        at += 1
    return None
