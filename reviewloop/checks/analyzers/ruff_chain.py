"""The trusted side's ruff `extend` chain written out for ruff itself to resolve, one file a
config, for the project's own rule run (`ruff._project_rules`).

ruff applies a chain layer by layer: each config's `select`, `extend-select` and `ignore`
in turn (within a config, by how specific each selector is), a top-level `select` and
`[lint] select` being one setting of that config (`lint.` winning); and it resolves each
path pattern (`per-file-ignores`, `src`) from the folder of the config that DECLARES it.
reviewloop flattened the chain into one table (`ruff_lookup.merged`) and passed one
`lint.select` and one `lint.ignore`: a child's `extend-select` of a rule its parent ignored
was lost (fuzz round 9a, D2; mixed top-level and `[lint]` spellings, D10), and a root's
`per-file-ignores` inherited by `api/ruff.toml` applied from `api/` (D4). Now each config
of the chain is written to a scratch folder as its own file extending the one before (the
farthest extending ruff's long-standing default selection, `E4, E7, E9, F`: the project's
ruff version is not known), with its path patterns made absolute from its own folder in the
checkout (`src`, when no config sets it, ruff's default `[".", "src"]` from the governing
config's folder: isort's first-party modules), and the project's run is `ruff check
--config <the governing one>`: ruff's own rule selection, not a copy of it.

Settings that name files ruff walks or change what it prints or fixes are left out
(`ruff_config.LEFT_OUT`): the files are named to ruff, its output is read as JSON; but its
excludes are carried, made absolute, and the run is `--force-exclude` (fuzz round 9a, D8:
the project's rules were reported on files its `ruff check .` excludes).
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reviewloop.checks.analyzers.ruff_config import (
    CLASSIC_DEFAULT,
    LEFT_OUT,
    SELECTING,
    key_text,
    toml_text,
)

# pattern-keyed tables (a pattern from the declaring config's folder: rules or a version)
PATTERN_KEYED = frozenset({"per-file-ignores", "extend-per-file-ignores",
                           "per-file-target-version"})
FOLDERS = frozenset({"src", "namespace-packages"})  # lists of folders from the config's
# the project's excludes, top-level and `lint.exclude`: the run is `--force-exclude`, so the
# project's rules skip what its `ruff check .` skips (fuzz round 9a, D8)
EXCLUDING = frozenset({"exclude", "extend-exclude"})


def selects(layers: Sequence[tuple[str, dict[str, Any]]]) -> bool:
    """Whether a config of the chain selects rules itself (`select` or `extend-select`,
    at the top or under `[lint]`): a chain that selects none adds no rules."""
    for _, table in layers:
        lint = table.get("lint")
        if set(table) & set(SELECTING) or (isinstance(lint, dict) and set(lint) & set(SELECTING)):
            return True
    return False


def written(layers: Sequence[tuple[str, dict[str, Any]]], root: str, scratch: Path,
            version: str | None, *, native: bool = False) -> Path:
    """Write the chain `layers` (`ruff_lookup.Governing.layers`, farthest first; `root`, the
    checkout they hold) to `scratch`, each extending the one before; the governing config's
    file, with `target-version` `version` when given. The first layer builds on the classic
    default selection, or with `native` (the project pins the ruff reviewloop runs:
    `ruff_pinned`) on that ruff's own default."""
    previous = scratch / "default.toml"
    previous.write_text("" if native else
                        f"lint = {{select = {toml_text(list(CLASSIC_DEFAULT))}}}\n", "utf-8")
    for n, (path, table) in enumerate(layers):
        folder = posixpath.join(root, posixpath.dirname(path))
        settings = _carried(table, folder)
        if n == len(layers) - 1:
            if version:
                settings["target-version"] = version
            if not any("src" in t for _, t in layers):  # ruff's default, from the governing
                settings["src"] = [folder, posixpath.join(folder, "src")]  # config's folder
        settings["extend"] = str(previous)
        previous = scratch / f"layer{n}.toml"
        previous.write_text("".join(f"{key_text(k)} = {toml_text(v)}\n"
                                    for k, v in settings.items()), "utf-8")
    return previous


def _carried(table: dict[str, Any], folder: str) -> dict[str, Any]:
    """A config's settings as its layer carries them: those `LEFT_OUT` dropped (at the top
    and under `[lint]`), its path patterns made absolute from `folder`."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key in EXCLUDING and isinstance(value, list):
            out[key] = [p for v in value if isinstance(v, str) for p in _anchored(v, folder)]
            continue
        if key in LEFT_OUT:
            continue
        if key == "lint" and isinstance(value, dict):
            out[key] = _carried(value, folder)
        elif key in PATTERN_KEYED and isinstance(value, dict):
            out[key] = _anchored_keys(value, folder)
        elif key in FOLDERS and isinstance(value, list):
            out[key] = [posixpath.join(folder, v) if isinstance(v, str) else v for v in value]
        else:
            out[key] = value
    return out


def _anchored_keys(table: dict[str, Any], folder: str) -> dict[str, Any]:
    """A pattern-keyed table with each pattern absolute from `folder`, as ruff resolves it
    from its config's folder; a pattern without a `/` kept as written too (ruff also
    matches it against the file's name alone: from the scratch folder it reaches no file
    of the checkout by its absolute path)."""
    out: dict[str, Any] = {}
    for pattern, value in table.items():
        negated = pattern.startswith("!")
        for anchored in _anchored(pattern.removeprefix("!"), folder, negated):
            out["!" * negated + anchored] = value
    return out


def _anchored(pattern: str, folder: str, negated: bool = False) -> list[str]:
    """`pattern` absolute from `folder`, and as written when it has no `/` (ruff matches it
    against a name as well; a negated one: the absolute one only)."""
    rooted = posixpath.normpath(posixpath.join(folder, pattern))
    return [rooted, pattern] if "/" not in pattern and not negated and rooted != pattern \
        else [rooted]
