"""How the secrets scan reads a file's unquoted values: as a program's expressions, as a
configuration format's strings, or line by line when the file's name says neither.

A YAML, INI, dotenv or .properties line holds its value unquoted (`password: hunter22`), so
the keyword layer reads such a line's bare value as a password. In a program the same text
is code: `password: plaintext` is an object's last entry (JavaScript, Ruby, Swift, Dart,
Elixir, Rust, Groovy), `password=hashed_pw` a keyword argument (Python, Kotlin), `password
:= <-ch` a Go statement, `$password = $input` a PHP, Perl or PowerShell variable; the value
is a variable, as detect-secrets reads them in those files. In a configuration format whose
reader takes the rest of the line as the string (INI, .cfg, .conf, .properties, TOML, YAML:
detect-secrets' config file types) the value is a string whatever it looks like:
`password = hardcoded` is that password. Shell is neither: `PASSWORD=hunter22` assigns the
word and `PASSWORD=$1` expands a parameter, which the line-by-line reading tells apart.

Python is a program with accessors of its own: only what Python parses as an expression is
code there (`self.password`, `CONFIG.db.password`), while another language's accessor
(`x?.y`, `obj!.token`, `$this->x`) is no Python, and `PASSWORD = Summer2024!.Pass` sets that
value (`code_refs.code_reference`).
"""

from __future__ import annotations

import re
from enum import StrEnum


class Syntax(StrEnum):
    """How a file's unquoted values read."""

    CODE = "code"  # a program: an unquoted value is an expression
    PYTHON = "python"  # a Python program: an unquoted value is an expression Python parses
    CONFIG = "config"  # a configuration format: an unquoted value is a string
    LINES = "lines"  # anything else: each line judged by its shape (dotenv, shell, text)

    @property
    def program(self) -> bool:
        """Whether the file is a program's: no line of it is data."""
        return self in (Syntax.CODE, Syntax.PYTHON)


# languages whose unquoted value after `name:`/`name=`/`name :=`/`name <-` is an expression,
# never a literal string (shell is not among them: its unquoted word is one); Jenkins'
# pipelines are Groovy without a suffix
_CODE = re.compile(
    r"\.(?:[cm]?jsx?|[cm]?tsx?|vue|svelte|rb|swift|dart|exs?|rs|kts?|go|java|scala|sc|"
    r"cs|c|cc|cpp|cxx|h|hpp|m|mm|php\d?|phtml|groovy|gvy|gradle|pl|pm|lua|ps[dm]?1|r|jl|"
    r"clj[sc]?|coffee|fsx?|hs|erl|cr)$|(?:^|/)Jenkinsfile$", re.IGNORECASE)
_PYTHON = re.compile(r"\.pyi?$", re.IGNORECASE)
# the types detect-secrets reads as configuration (its `CONFIG_DENYLIST_REGEX_TO_GROUP`)
_CONFIG = re.compile(r"\.(?:ini|cfg|cnf|cf|conf|properties|toml|ya?ml|eyaml)$",
                     re.IGNORECASE)


def syntax_of(path: str) -> Syntax:
    """How the file at `path` holds its unquoted values, by its name."""
    if _PYTHON.search(path):
        return Syntax.PYTHON
    if _CODE.search(path):
        return Syntax.CODE
    return Syntax.CONFIG if _CONFIG.search(path) else Syntax.LINES

