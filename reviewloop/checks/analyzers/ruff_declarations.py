"""The trusted side's ruff declarations that reviewloop's own ruff run carries: settings that
state facts about the project's code rather than waive a rule.

reviewloop's own run is `--isolated` (the project's ignores never narrow it), so a base
declaring `builtins = ["_"]` (gettext), FastAPI's `Depends` and `Query` as immutable calls
(`flake8-bugbear.extend-immutable-calls`), its `dummy-variable-rgx`, its `typing-modules`,
`pyflakes.extend-generics` or `allowed-confusables` still got a must-fix F821 on `_(...)`, a
B008 on `Depends(get_db)`, an F841 on its dummy names, where plain `ruff check .` reports
none (fuzz round 9a, D6). A declaration is no suppression: it only tells ruff what a name
is. They are read from the config that governs each file (`ruff_lookup`, the trusted side
only: a change never declares its own way out of a finding), `lint.` winning over the
older top-level spelling, and passed as `--config KEY = VALUE`.
"""

from __future__ import annotations

from typing import Any

from reviewloop.checks.analyzers.ruff_config import key_text, toml_text

TOP_ONLY = "builtins"  # a top-level setting; the others are `lint.` ones (or, older, top)
# (the tables the setting is in, under `lint` or at the top; the setting)
DECLARING = (((), TOP_ONLY), ((), "dummy-variable-rgx"), ((), "typing-modules"),
             ((), "allowed-confusables"), (("flake8-bugbear",), "extend-immutable-calls"),
             (("pyflakes",), "extend-generics"))


def declaration_arguments(table: dict[str, Any]) -> tuple[str, ...]:
    """`--config KEY = VALUE` for each declaration of a config's settings `table` (its chain
    merged: `ruff_lookup.Governing.table`)."""
    arguments: list[str] = []
    for tables, key in DECLARING:
        where = (*tables, key) if key == TOP_ONLY else ("lint", *tables, key)
        value = _found(table, where)
        if value is None and key != TOP_ONLY:
            value = _found(table, (*tables, key))
        if value is not None:
            name = ".".join(key_text(part) for part in where)
            arguments += ["--config", f"{name} = {toml_text(value)}"]
    return tuple(arguments)


def _found(table: dict[str, Any], keys: tuple[str, ...]) -> Any:
    """The value at `keys` in nested `table`; None where there is none or it is of no
    declaration's type (a list or a string)."""
    value: Any = table
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value if isinstance(value, list | str) else None
