"""The program a CDK app's `app` command starts it with, read as the shell reads the command.

The CDK CLI runs `cdk.json`'s `app` through a shell, so the app is the last command of it that
does something (`cd infra && npx ts-node bin/app.ts`, `go mod download && go run app.go`,
`python3 app.py; echo done`): the steps before it prepare, and a trailing `echo`, `true` or
`cd` starts nothing. In that command environment assignments (`CDK_DEFAULT_REGION=eu-west-1`,
`LAUNCHER=/usr/bin/mvn`) and wrappers (`env -i`, `exec`, `time`, `nice -n 10`, `timeout
60`: `_WRAPPERS`, past their options and the words they take) come before the program;
a shell given a script to run (`sh -c "python3 app.py"`) is read in turn. Nothing here
decides a language (`language.language_of` does) or runs anything.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import PurePosixPath

# `&&`, `||`, `;`, `|`, `&`, parentheses, as the lexer groups them (`((`, `);`)
_SEPARATOR = re.compile(r"^[();|&]+$")
_REDIRECT = re.compile(r"^\d*[<>]+&?$")  # `>`, `2>`, `>&`: the next word is its target
_ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*\+?=")
# programs that run the command after them (`nice -n 10 python3 app.py`): the options of
# each that take the next word as their value, and the words it takes after its options
# before the command (`timeout 60`, `taskset 0x3`, `chrt -f 10`)
_WRAPPERS: dict[str, tuple[frozenset[str], int]] = {
    "env": (frozenset(("-u", "--unset", "-C", "--chdir")), 0),
    "exec": (frozenset(("-a",)), 0), "command": (frozenset(), 0),
    "builtin": (frozenset(), 0), "nohup": (frozenset(), 0),
    "time": (frozenset(("-f", "--format", "-o", "--output")), 0),
    "nice": (frozenset(("-n", "--adjustment")), 0),
    "timeout": (frozenset(("-s", "--signal", "-k", "--kill-after")), 1),
    "stdbuf": (frozenset(("-i", "-o", "-e", "--input", "--output", "--error")), 0),
    "ionice": (frozenset(("-c", "--class", "-n", "--classdata")), 0),
    "chrt": (frozenset(), 1), "taskset": (frozenset(), 1),
    "sudo": (frozenset(("-u", "--user", "-g", "--group", "-C", "-D", "-h", "-p", "-r",
                        "-t", "-U")), 0),
    "doas": (frozenset(("-u", "-C")), 0),
}
_SHELLS = frozenset(("sh", "bash", "zsh", "dash", "ksh"))
# steps that start no program of the app's, skipped at the end of the command
_NEUTRAL = frozenset(("cd", "pushd", "popd", "echo", "printf", "export", "set", "unset", "true",
                      ":", "source", ".", "sleep", "wait"))
_WINDOWS = (".exe", ".cmd", ".bat")  # `python.exe`, `gradlew.bat`, `mvnw.cmd`


def program(command: str) -> str | None:
    """The name of the program (`python3`, `npx`, `gradlew`, `app.py`: its file name, a
    Windows extension dropped) the command `command` starts the app with; None when no
    command of it starts one, or the shell could not read it (an unclosed quote)."""
    found = started(command)
    return found[0] if found is not None else None


def started(command: str) -> tuple[str, list[str]] | None:
    """The program `command` starts the app with (`program`) and the words after it."""
    try:
        words = _words(command)
    except ValueError:
        return None
    for simple in reversed(list(_commands(words))):
        found = _program_of(simple)
        if found is None or found[0] != "":
            return found
    return None


def _words(command: str) -> list[str]:
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return list(lexer)


def _commands(words: list[str]) -> Iterator[list[str]]:
    """The simple commands of `words`, split at `&&`, `||`, `;`, `|`, `&` and parentheses,
    without their redirections."""
    simple: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif _REDIRECT.match(word):
            if simple and simple[-1].isdigit():
                simple.pop()  # `2 >&1` as the lexer splits `2>&1`: the descriptor's number
            skip = True
        elif _SEPARATOR.match(word):
            yield simple
            simple = []
        else:
            simple.append(word)
    yield simple


def _program_of(simple: list[str]) -> tuple[str, list[str]] | None:
    """The program `simple` starts and its arguments: "" when it starts none of the app's
    (empty, only assignments, a neutral step), or None for a shell with no script it can
    read."""
    at = 0
    while at < len(simple):
        word = simple[at]
        at += 1
        if _ASSIGNMENT.match(word) or word.startswith("-"):
            continue  # an assignment, or a wrapper's option with no value (`env -i`)
        name = _name(word)
        if name in _WRAPPERS:
            at = _past_options(simple, at, *_WRAPPERS[name])
            continue
        if name in _NEUTRAL:
            return "", []
        if name in _SHELLS:
            return _shell_script(simple[at:])
        return name, simple[at:]
    return "", []


def _past_options(words: list[str], at: int, valued: frozenset[str], taken: int) -> int:
    """Where the command a wrapper runs starts in `words`, the wrapper's arguments from
    `at`: past its options (and the value of each that takes one, `nice -n 10`), then the
    `taken` words it reads before the command (`timeout 60`)."""
    while at < len(words) and words[at].startswith("-"):
        option = words[at]
        at += 2 if option in valued else 1
        if option == "--":  # the end of its options
            break
    return min(len(words), at + taken)


def _shell_script(arguments: list[str]) -> tuple[str, list[str]] | None:
    """The program of the script a shell is given with `-c` (`bash -lc "…"`), or the file it
    runs (`sh synth.sh`)."""
    for index, word in enumerate(arguments):
        if word.startswith("-") and not word.startswith("--") and "c" in word:
            return started(arguments[index + 1]) if index + 1 < len(arguments) else None
        if not word.startswith("-"):
            return _name(word), arguments[index + 1:]
    return None


def _name(word: str) -> str:
    name = PurePosixPath(word).name
    stem, dot, suffix = name.rpartition(".")
    return stem if dot and f".{suffix.lower()}" in _WINDOWS else name
