"""The words GNU `env -S` splits its string into, as env itself splits them (coreutils
`env.c`, "-S/--split-string usage in scripts"): `#!/usr/bin/env -S "python3" -u` runs
`python3 -u`.

The kernel hands a shebang's interpreter the rest of the line as one argument, quotes and
all; env's `-S` then does its own quoting: `'…'` (only `\\'` and `\\\\` escaped), `"…"`
(escapes), a backslash outside quotes, `\\_` a space (a separator outside quotes), `\\c` the
end of the string, `#` at the start of a word a comment to the end, `${NAME}` a variable (its
value unknown here: taken as empty). A string env refuses (an unclosed quote, an unknown
escape, a `$` that is no `${NAME}`) gives None: env runs nothing. reviewloop split the
string on spaces: `"python3"`, quotes kept, named no interpreter, and the script went
unread as Python.
"""

from __future__ import annotations

import re

_SPACES = " \t\n\v\f\r"
_ESCAPES = {"f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "#": "#", "$": "$",
            "\\": "\\", '"': '"', "'": "'"}
_VARIABLE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")


def split_string(text: str) -> list[str] | None:
    """The words env's `-S` makes of `text`; None where env refuses it."""
    words: list[str] = []
    word: str | None = None  # None: between words
    quote = ""
    at = 0
    while at < len(text):
        char = text[at]
        if not quote and char in _SPACES:
            _ended(words, word)
            word = None
        elif not quote and char == "#" and word is None:
            break  # a comment to the end of the string
        elif char in "'\"" and (not quote or quote == char):
            quote = "" if quote else char
            word = word or ""
        elif char == "\\":
            escaped = _escape(text[at + 1:at + 2], quote)
            if escaped is None:
                return None
            at += 2
            if escaped == "\\c":  # the end of the string
                break
            if escaped == "\\_" and not quote:
                _ended(words, word)
                word = None
                continue
            word = (word or "") + (" " if escaped == "\\_" else escaped)
            continue
        elif char == "$" and quote != "'":
            variable = _VARIABLE.match(text, at)
            if variable is None:
                return None
            at = variable.end()
            word = word or ""
            continue
        else:
            word = (word or "") + char
        at += 1
    if quote:
        return None  # env: no terminating quote
    _ended(words, word)
    return words


def _escape(char: str, quote: str) -> str | None:
    """What a backslash before `char` stands for (`\\c`, `\\_` returned as such), None when
    env refuses it."""
    if not char:
        return None  # a backslash at the end
    if quote == "'":
        return char if char in "'\\" else "\\" + char
    if char in "c_":
        return "\\" + char if quote != '"' or char == "_" else None
    return _ESCAPES.get(char)


def _ended(words: list[str], word: str | None) -> None:
    if word is not None:
        words.append(word)
