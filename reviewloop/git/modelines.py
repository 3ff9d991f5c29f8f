"""A file's language as its own editor modeline or shellcheck directive states it.

A suffix-less file with no shebang may still say what it is: vim reads a modeline in its
first or last five lines (`# vim: ft=python`, `# vim: set filetype=sh :`), Emacs its
first line's `-*- mode: python -*-` (the second line's after a shebang) and a `Local
Variables:` block's `mode:`, and shellcheck a `# shellcheck shell=sh` directive. A project
that writes one edits, lints and runs the file as that language; the analyzers read it so
(`git.run_by`).
"""

from __future__ import annotations

import re

from reviewloop.git.command_words import interpreter
from reviewloop.git.languages import JAVASCRIPT, PYTHON, SHELL, TYPESCRIPT

_VIM = re.compile(r"(?:^|\s)(?:vim?|ex):\s*(?:set?\s+)?[^\n]*?\b(?:ft|filetype|syntax|syn)"
                  r"\s*=\s*([\w.+-]+)")
_EMACS = re.compile(r"-\*-(?:[^\n]*?\bmode\s*:\s*([\w+-]+)|\s*([\w+-]+)\s*)[^\n]*?-\*-",
                    re.IGNORECASE)
_EMACS_LOCAL = re.compile(r"^\W*mode\s*:\s*([\w+-]+)", re.IGNORECASE)
_SHELLCHECK = re.compile(r"^\s*#\s*shellcheck\s+(?:[\w-]+=\S*\s+)*shell\s*=\s*(\w+)")
# editors' names for the languages the analyzers read
_NAMES = {"python": PYTHON, "python3": PYTHON, "py": PYTHON,
          "javascript": JAVASCRIPT, "js": JAVASCRIPT, "js2": JAVASCRIPT, "javascriptreact":
          JAVASCRIPT, "typescript": TYPESCRIPT, "ts": TYPESCRIPT,
          "sh": SHELL, "bash": SHELL, "ksh": SHELL, "dash": SHELL, "shell-script": SHELL,
          "shell": SHELL, "zsh": "zsh"}
_LINES = 5  # vim's `modelines` default


def by_modeline(text: str) -> tuple[str, int, str | None] | None:
    """(language, line number, shell dialect) that a modeline or shellcheck directive of
    `text` states, or None."""
    lines = text.split("\n")
    numbered = list(enumerate(lines, 1))
    ends = numbered[:_LINES] + numbered[max(_LINES, len(lines) - _LINES - 1):]
    for number, line in ends:
        if (told := _told(line, number <= 2)) is not None:
            return told[0], number, told[1]
    for number, line in numbered[:_LINES * 40]:  # a directive anywhere near the top
        if (directive := _SHELLCHECK.match(line)) is not None:
            name = directive.group(1)
            return SHELL, number, name if name in _DIALECTS else "sh"
    return None


def _told(line: str, first: bool) -> tuple[str, str | None] | None:
    name = None
    if (vim := _VIM.search(line)) is not None:
        name = vim.group(1)
    elif first and (emacs := _EMACS.search(line)) is not None:
        name = emacs.group(1) or emacs.group(2)
    elif (local := _EMACS_LOCAL.match(line)) is not None and "#" in line[:local.start(1)]:
        name = local.group(1)
    if name is None:
        return None
    name = name.lower().removesuffix("-mode").removesuffix("-ts")
    told = _NAMES.get(name) or interpreter(name)
    if told != SHELL:
        return (told, None) if told is not None else None
    return told, name if name in _DIALECTS else "bash" if name.startswith("shell") else "sh"


_DIALECTS = frozenset({"sh", "bash", "dash", "ksh"})
