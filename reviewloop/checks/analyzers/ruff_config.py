"""The project's own ruff configuration, as the trusted side has it (`trusted_config`), and
what it adds to reviewloop's ruff runs.

Each file follows the config ruff would give it: the closest `.ruff.toml`, `ruff.toml` or
`pyproject.toml` (with `[tool.ruff]`) from its folder up, its `extend` chain followed
(`ruff_lookup`). It adds:

* files: its `include` / `extend-include` patterns (`ruff_includes`): the files beyond
  `.py` they declare are read, and the project's own rules run only on the files they take;
* rules (`ruff_chain`): when it selects rules itself (`select` or `extend-select`,
  under `[lint]` or at the top), a second ruff run with the project's settings — its
  chain written out for ruff to resolve layer by layer (`extend-select` alone builds on
  ruff's long-standing default `E4, E7, E9, F`, not on the ~400 rules later releases enable
  by default: the project's ruff version is not known; a project pinning the ruff
  reviewloop ships gets that ruff's own default: `ruff_pinned`), its `ignore` and
  `per-file-ignores`, its rule options and `target-version`. That
  run only adds to reviewloop's own (`ruff._project_rules`; its Python version, when the
  config has no `target-version`, the `requires-python` ruff would take: `ruff_version`):
  reviewloop's rules keep their own run, never narrowed by the project's ignores (a
  finding is waived by `reviewloop.checks.suppressions`, the one way to waive), while the
  project's rules, and its tighter options for reviewloop's (`mccabe.max-complexity`),
  follow the project's settings. A config that selects nothing adds no rules (unless the
  project pins the shipped ruff: `ruff_pinned`).

Settings that name files or change what ruff prints or fixes are left out (the files are
named to ruff, its output is read as JSON).
"""

from __future__ import annotations

import json
import re
from typing import Any

SELECTING = ("select", "extend-select")
CLASSIC_DEFAULT = ("E4", "E7", "E9", "F")
# settings not carried to the project's run: files and folders, output, fixes, the formatter,
# a version pin, another config file (followed already: `ruff_lookup`)
LEFT_OUT = frozenset({
    "extend", "include", "extend-include", "exclude", "extend-exclude", "force-exclude",
    "respect-gitignore", "cache-dir", "output-format", "fix", "unsafe-fixes", "show-fixes",
    "fix-only", "format", "required-version", "fixable", "unfixable", "extend-fixable",
    "extend-safe-fixes", "extend-unsafe-fixes"})
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def key_text(key: str) -> str:
    """`key` as a TOML key (quoted when it is no bare key)."""
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key)


def toml_text(value: Any) -> str:
    """`value` (as `tomllib` read it) as a TOML value on one line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key_text(str(k))} = {toml_text(v)}"
                               for k, v in value.items()) + "}"
    return json.dumps(str(value))  # a JSON string is a TOML basic string
