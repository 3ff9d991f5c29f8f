"""Which files the secrets scan reads as program code rather than as data lines.

A YAML, INI, dotenv or .properties line holds its value unquoted (`password: hunter22`), so
the keyword layer reads such a line's bare value as a password. In a program the same text
is code: `password: plaintext` is an object's last entry (JavaScript, Ruby, Swift, Dart,
Elixir, Rust), `password=hashed_pw` a keyword argument (Python, Kotlin), `password := <-ch`
a Go statement; the value is a variable, as detect-secrets reads them in those files.
"""

from __future__ import annotations

import re

# languages whose unquoted value after `name:`/`name=`/`name :=` is an expression, never a
# literal string; shell, PHP and config formats are not among them
_CODE_SUFFIX = re.compile(
    r"\.(?:[cm]?jsx?|[cm]?tsx?|vue|svelte|rb|swift|dart|exs?|rs|pyi?|kts?|go|java|scala|"
    r"cs|c|cc|cpp|cxx|h|hpp|m|mm)$", re.IGNORECASE)


def reads_as_code(path: str) -> bool:
    """Whether the file at `path` is a program, whose unquoted values are expressions."""
    return _CODE_SUFFIX.search(path) is not None
