"""The files a shell command line runs or loads as a language: `python3 scripts/migrate`,
`bash ci/build`, `. ./lib/helpers`, `source lib/env.conf`, `./tools/setup`, through the
wrappers and runners a shebang may name too (`env A=1 nice -n 5 python3 x`, `poetry run
python x`, `sudo -u app sh x`).

A Makefile recipe, a package.json script, a workflow's `run:`, a Dockerfile's `RUN` and a
shell script's line are all such command lines (`git.run_by` finds them). What a line says
is read as sh reads it, roughly: split on `;`, `&&`, `||`, `|`, `&` and parentheses, each
command's leading assignments and keywords passed over; an interpreter's own options that
take an argument (`-W x`, `-o errexit`, `-r ./hook`) too, and `-c`/`-m`/`-e` mean no file
runs.
"""

from __future__ import annotations

import functools
import posixpath
import re
import shlex
from collections.abc import Iterator
from typing import NamedTuple

from reviewloop.git.languages import (
    JAVASCRIPT,
    PYTHON,
    RUNNERS,
    SHELL,
    SHELLS,
    WRAPPERS,
    by_shebang,
)

# what precedes a command on its line without being one
_KEYWORDS = frozenset({"then", "do", "else", "elif", "if", "while", "until", "!", "time",
                       "command", "builtin", "{", "}", "exec"})
_SEPARATORS = frozenset({";", "&&", "||", "|", "&", "(", ")", ";;", "|&", "{", "}"})
# an interpreter's options after which no file is given: code or a module instead
_NO_FILE = {SHELL: frozenset({"-c", "-s", "-"}), PYTHON: frozenset({"-c", "-m", "-"}),
            JAVASCRIPT: frozenset({"-e", "--eval", "-p", "--print", "-"})}
# an interpreter's options that take the next word as their argument
_TAKES = frozenset({"-W", "-X", "-o", "+o", "-O", "+O", "-r", "--require", "--import",
                    "--loader", "--experimental-loader", "-C", "--conditions", "--input-type",
                    "--env-file"})
# shell dialects shellcheck knows by name (any other POSIX shell is read as sh)
_DIALECTS = frozenset({"sh", "bash", "dash", "ksh"})
_SOURCE = frozenset({".", "source"})
_SUBSTITUTION = re.compile(r"\$\([^()]*\)|`[^`]*`")


class Run(NamedTuple):
    """A file a command line runs: the path as written, the language, the shell dialect."""

    word: str
    language: str
    dialect: str | None  # sh, bash, dash or ksh for a shell script; None otherwise


def runs(line: str, shell: str = "sh") -> Iterator[Run]:
    """What the command line `line` (run by the shell `shell`) runs or sources as a file."""
    for command in _commands(line):
        found = _run(command, shell)
        if found is not None:
            yield found


def _commands(line: str) -> Iterator[list[str]]:
    """The simple commands of `line`, each as its words."""
    for _ in range(3):  # `$(dirname "$0")/x`: an expansion, as `$VAR` is (nested twice)
        line = _SUBSTITUTION.sub("$_", line)
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    words: list[str] = []
    try:
        for word in lexer:
            if word in _SEPARATORS:
                yield words
                words = []
            else:
                words.append(word)
    except ValueError:  # an open quote: a line of a longer command; what was read stands
        pass
    yield words


def _run(words: list[str], shell: str) -> Run | None:
    index = _past_wrappers(words)
    if index >= len(words):
        return None
    program = words[index]
    if program in _SOURCE:
        dialect = "bash" if program == "source" and shell == "sh" else shell
        return Run(words[index + 1], SHELL, dialect) if index + 1 < len(words) else None
    name = posixpath.basename(program)
    if name in RUNNERS:
        return _runner(words[index + 1:], RUNNERS[name], shell)
    language = interpreter(name)
    if language is None:
        # a path run as a command: a file with no shebang is run by the shell that runs it
        return Run(program, SHELL, shell) if "/" in program else None
    rest = words[index + 1:]
    if name == "busybox" and rest[:1] in (["sh"], ["ash"]):
        rest = rest[1:]
    word = _script(rest, language)
    return Run(word, language, _dialect(name) if language == SHELL else None) \
        if word is not None else None


def _runner(words: list[str], language: str, shell: str) -> Run | None:
    """`uv run x`, `poetry run python x`: the runner's language, or the interpreter's."""
    rest = [w for w in words if w not in ("run", "exec", "--script")]
    while rest and rest[0].startswith("-"):
        rest = rest[1:]
    if not rest:
        return None
    if (named := interpreter(posixpath.basename(rest[0]))) is not None:
        word = _script(rest[1:], named)
        dialect = _dialect(posixpath.basename(rest[0])) if named == SHELL else None
        return Run(word, named, dialect) if word is not None else None
    return Run(rest[0], language, None) if "/" in rest[0] and language not in SHELLS else None


def _past_wrappers(words: list[str]) -> int:
    """The index of the command word: past assignments, keywords and wrappers (`env`, `nice
    -n 5`, `timeout 60`, `sudo -u app`) with their options."""
    index = 0
    while index < len(words):
        word = words[index]
        name = posixpath.basename(word)
        if word in _KEYWORDS or ("=" in word and not word.startswith(("=", "-"))
                                 and word.split("=", 1)[0].isidentifier()):
            index += 1
        elif name in WRAPPERS:
            takes = WRAPPERS[name]
            index += 1
            while index < len(words) and (words[index].startswith("-") or "=" in words[index]
                                          or words[index].replace(".", "").isdigit()):
                index += 2 if words[index] in takes else 1
        else:
            return index
    return index


def _script(words: list[str], language: str) -> str | None:
    """The file an interpreter is given among its `words` (None: code or a module)."""
    index = 0
    while index < len(words):
        word = words[index]
        if word in _NO_FILE.get(language, _NO_FILE[JAVASCRIPT] | _NO_FILE[PYTHON]):
            return None
        if word in _TAKES:
            index += 2
        elif word.startswith(("-", "+")) and word != "--":
            index += 1
        elif word == "--":
            return words[index + 1] if index + 1 < len(words) else None
        else:
            return word
    return None


def _dialect(name: str) -> str:
    bare = name.rstrip("0123456789.")
    return bare if bare in _DIALECTS else "sh"


@functools.lru_cache(maxsize=1024)
def interpreter(name: str) -> str | None:
    """The language of the interpreter program `name` (`python3.12`, `bash`, `node`), as a
    shebang naming it says (`git.languages`)."""
    if not name or any(c in name for c in " \t\n\"'$`\\"):
        return None
    return by_shebang(f"#!{name}".encode())
