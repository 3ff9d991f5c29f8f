"""Reading Kiro's YAML files (`.kiro/config.yaml`, `.kiro/governance.yaml`): errors that name
the file, the key path and its line, and notes for the keys reviewloop does not read.

Kiro publishes no schema for these files, so keys may be camelCase, snake_case or kebab-case;
`canonical` maps each spelling to reviewloop's name for it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewloop.config import load_yaml
from reviewloop.config_values import expand_all
from reviewloop.errors import ConfigError
from reviewloop.policy import globs

if TYPE_CHECKING:
    import yaml

KeyPath = tuple[str, ...]
Known = Mapping[str, tuple[str, ...]]  # canonical name -> accepted spellings (snake_case)


def read_text(path: Path, name: str) -> str | None:
    """The file's text, None when it does not exist; a `ConfigError` when unreadable."""
    if not path.is_file():
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot be read ({exc})", where=name,
                          fix="make it a readable UTF-8 YAML file, or remove it") from None


def parse(text: str, name: str) -> Any:
    """The YAML document; a `ConfigError` naming the file and line when it is not YAML."""
    import yaml  # loaded by `load_yaml`: here only for its errors

    try:
        return load_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        where = f"{name}:{line}" if line else name
        at = f"line {line} of {name}" if line else name
        raise ConfigError(f"not valid YAML ({exc.problem or exc})", where=where,
                          fix=f"correct the YAML syntax at {at}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"cannot be read ({exc})", where=name,
                          fix="make it a readable UTF-8 YAML file, or remove it") from None


class KiroReader:
    """Type checks over one parsed file; errors name the key path and, when known, the line."""

    def __init__(self, text: str, name: str):
        self._text = text
        self.name = name
        self.notes: list[str] = []

    def section(self, parent: Mapping[str, Any], keypath: KeyPath, known: Known, *,
                strict: bool = False, hint: Callable[[str], str] = lambda key: ""
                ) -> Mapping[str, Any]:
        """The mapping at `keypath` ({} when absent). Keys it does not know are noted, or
        with `strict` refused with the closest known spelling."""
        value = parent.get(keypath[-1])
        if value is None:
            return {}
        if isinstance(value, list):
            value = self._merged(keypath, value)
        if not isinstance(value, Mapping):
            raise self.error(keypath, "expected a mapping, or a list of `key: value` items",
                             value, f"write {keypath[-1]}: as a mapping of keys, or remove it")
        for key in value:
            if canonical(key, known) is not None:
                continue
            where = ".".join((*keypath, str(key)))
            if strict:
                close = difflib.get_close_matches(snake(str(key)), list(known), n=1)
                fix = f"did you mean {close[0]}?" if close else \
                    f"known keys here: {', '.join(known)}"
                raise self.error((*keypath, str(key)), "unknown key", value[key], fix)
            self.notes.append(f"{where} in {self.name} is not a reviewloop setting and was "
                              f"ignored{hint(str(key))}")
        return value

    def _merged(self, keypath: KeyPath, items: list[Any]) -> dict[Any, Any]:
        """A list of one-key maps (`- file_changes_over: 10`), the form Kiro's guides
        publish, read as the one mapping it spells out; a key set twice is an error."""
        merged: dict[Any, Any] = {}
        for number, item in enumerate(items, start=1):
            if not isinstance(item, Mapping):
                raise self.error(keypath, f"item {number} of the list is not a `key: value` "
                                 "entry", item, f"write each item of {keypath[-1]} as "
                                 "`- key: value`, or write it as a mapping of keys")
            for key, value in item.items():
                if key in merged:
                    raise self.error((*keypath, str(key)), "is set twice in the list", value,
                                     f"keep one `- {key}: …` item under {keypath[-1]}")
                merged[key] = value
        return merged

    def find(self, parent: Mapping[str, Any], keypath: KeyPath,
             spellings: tuple[str, ...]) -> KeyPath | None:
        """The key path of the one key of `parent` spelled as one of `spellings`."""
        keys = [k for k in parent if isinstance(k, str) and snake(k) in spellings]
        if len(keys) > 1:
            raise self.error((*keypath, keys[1]), f"repeats {'.'.join((*keypath, keys[0]))}",
                             parent[keys[1]], f"keep one of {keys[0]} and {keys[1]}")
        return (*keypath, keys[0]) if keys else None

    def whole(self, keypath: KeyPath, value: Any, *, floor: int = 1) -> int | None:
        """A whole number of at least `floor`, or None (no limit)."""
        if value is None or (isinstance(value, int) and not isinstance(value, bool)
                             and value >= floor):
            return value
        raise self.error(keypath, f"expected a whole number of at least {floor}, or null",
                         value, f"set {keypath[-1]} to a number such as 20, or null for no "
                                "limit")

    def strings(self, keypath: KeyPath, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
            return tuple(v.strip() for v in value)
        raise self.error(keypath, "expected a list of non-empty strings", value,
                         f'write it as a list, e.g. {keypath[-1]}: ["first", "second"]')

    def globs(self, keypath: KeyPath, value: Any) -> tuple[str, ...]:
        """`strings`, each a path glob whose {a,b} alternatives are expanded (minimatch's,
        which Kiro matches with)."""
        try:
            return expand_all(self.strings(keypath, value)) or ()
        except ValueError as exc:
            raise self.error(keypath, str(exc), value, "write fewer {a,b} alternatives, or "
                             "one pattern for each") from None

    def check_globs(self, keypath: KeyPath, patterns: tuple[str, ...]) -> None:
        for pattern in patterns:
            try:
                globs.check(pattern)
            except globs.BadGlob as exc:
                raise self.error(keypath, f"invalid glob {pattern!r}: {exc}", pattern,
                                 'use *, ** and ? wildcards, e.g. "db/migrations/**"') from None

    def error(self, keypath: KeyPath, problem: str, value: Any, fix: str) -> ConfigError:
        line = line_of(self._text, keypath)
        where = f"{self.name}:{line}" if line else self.name
        subject = f'key "{".".join(keypath)}": ' if keypath else ""
        return ConfigError(f"{subject}{problem} (got {value!r})", where=where, fix=fix)


def snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).replace("-", "_").lower()


def canonical(key: Any, known: Known) -> str | None:
    if not isinstance(key, str):
        return None
    snaked = snake(key)
    return next((name for name, spellings in known.items() if snaked in spellings), None)


def line_of(text: str, keypath: KeyPath) -> int | None:
    """The 1-based line the key path is written on, when the file says so plainly."""
    import yaml

    node = yaml.compose(text, Loader=yaml.SafeLoader)
    line = None
    for key in keypath:
        pair = _pair(node, key)
        if pair is None:
            return line
        line, node = pair[0].start_mark.line + 1, pair[1]
    return line


def _pair(node: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The key and value nodes of `key` in a mapping, or in a list of `key: value` items."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        return next(((k, v) for k, v in node.value if k.value == key), None)
    if isinstance(node, yaml.SequenceNode):
        return next((pair for item in node.value if isinstance(item, yaml.MappingNode)
                     if (pair := _pair(item, key)) is not None), None)
    return None
