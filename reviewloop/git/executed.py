"""How an executable file runs when `./file` starts it: by its shebang, or as a shell script.

The kernel runs an executable file by its shebang whatever its name: `./tool.py` starting
`#!/bin/bash` is a bash script, though `python3 tool.py` reads Python (a polyglot body is
both). An executable file with no shebang at all fails execve() with ENOEXEC, and the shell
that started it (bash, dash, zsh, busybox sh, `make`'s) runs it as a shell script itself, as
POSIX `sh` specifies. So a changed file executable in the reviewed tree is also read as the
shell it runs as, beside its name's language (`checks.analyzers.base.AnalyzerContext`): its
mode is the tree's own (the export of a commit or the index keeps `100755`, the working tree
is as it is), so a base copy where the file was not executable reads it as before.

Not every executable file is a script, though: a LICENSE, a data file or a binary committed
with `+x` (a Windows checkout, a `chmod -R`) would only fail or print nonsense if run. One
with no shebang is read as `sh` only when it reads as a shell script (`shell_shaped`): UTF-8
text (a binary, a file with a NUL or of another encoding never is) whose first statement —
its first line neither blank nor a `#` comment — is one a shell script starts with: an
assignment (`NAME=…`, `export`, `readonly`, `local`, `declare`), a function (`name() {`), a
reserved word or a builtin (`if`, `for`, `set`, `cd`, `echo`, `exec`, `.`, `:`, …), a command
by its path (`./x`, `/usr/bin/x`, `~/x`), an expansion (`$X`, `"$@"`), a subshell or group
(`(cd x`, `{ cmd`), a test (`[ -f x ]`), or a lower-case command word not ending a sentence
(`npm install`, `make`). Prose starts with a capital (`MIT License`, `Copyright (c) …`), data
with `{"`, `<`, `name,age`: none is read as a script, so none is shellchecked; a file of
comments only runs nothing.
"""

from __future__ import annotations

import os
import re
import stat

from reviewloop.git.languages import (
    OTHER_KINDS,
    SHELL,
    SHELLS,
    by_shebang,
    language,
    looks_binary,
)
from reviewloop.git.names import name_suffix, posix_name

EXECUTE_BITS = stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH


def executable(where: str | os.PathLike[str]) -> bool:
    """Whether `where` is a regular file with an execute bit (a symlink is not followed)."""
    try:
        mode = os.lstat(where).st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode) and bool(mode & EXECUTE_BITS)


def runs_as(path: str, start: bytes) -> str | None:
    """The shell an executable file `path` (content starting `start`) runs as when that is
    not its language by name and shebang (`git.languages.language`), or None: its shebang's
    shell over another name's language (`tool.py` starting `#!/bin/bash`), or `sh` for a text
    file with no shebang and no language, whose name says no other kind (`bin/deploy`, not
    `notes.txt`: a `.txt` run by a shell is not a likely mistake to hide behind)."""
    named = language(path, start)
    if start.removeprefix(b"\xef\xbb\xbf").startswith(b"#!"):
        told = by_shebang(start)
        return told if told in SHELLS and told != named else None
    if named is not None or not start.strip() or looks_binary(start) \
            or name_suffix(posix_name(path)).lower() in OTHER_KINDS:
        return None
    return SHELL if shell_shaped(start) else None


_BUILTINS = (
    "if|then|else|elif|fi|for|while|until|do|done|case|esac|select|function|set|shopt|cd|"
    "pushd|popd|echo|printf|exec|exit|return|source|trap|shift|eval|read|test|true|false|"
    "umask|ulimit|wait|command|builtin|type|hash|getopts|time|export|readonly|local|"
    "declare|typeset|unset|alias|trap")
# a statement a shell script starts with (the module's docstring lists them)
_STATEMENT = re.compile(
    rf"(?:{_BUILTINS})(?=[ \t;&|]|$)"  # a reserved word or a builtin
    r"|[A-Za-z_]\w*(?:\[[^\]]*\])?\+?="  # an assignment: NAME=…, a[1]=…, NAME+=…
    r"|[A-Za-z_][\w.:-]*[ \t]*\([ \t]*\)"  # a function: name() {
    r"|[.:](?=[ \t]|$)"  # `. ./env.sh`, `: "${X:=1}"`
    r"|\.{0,2}/|~/"  # a command by its path
    r"|\$|\"\$"  # an expansion
    r"|\((?=[a-z$])|\{[ \t]+\S|\[\[?[ \t]"  # a subshell, a group, a test
    r"|\\[a-z]|(?P<q>['\"])[a-z][\w.+-]*(?P=q)(?=[ \t;&|]|$)"  # `\rm`, `'rm'`: no alias
    # a command, not a sentence: its last word no full stop, but for `.`/`..` (`git add .`)
    r"|[a-z][\w.+-]*(?:[ \t;&|][^\n]*[^.!?\s]|[ \t;&|](?:[^\n]*[ \t])?\.\.?|[ \t;&|]*)$")


def shell_shaped(start: bytes) -> bool:
    """Whether a file with no shebang, starting with `start`, reads as a shell script: UTF-8
    text (a character cut at the end aside) whose first statement `_STATEMENT` matches."""
    try:
        text = start.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.reason != "unexpected end of data":  # not UTF-8: not cut by the probe
            return False
        text = start[:error.start].decode("utf-8")
    if "\0" in text:
        return False
    for line in text.removeprefix("\ufeff").split("\n"):
        statement = line.strip()
        if statement and not statement.startswith("#"):
            return _STATEMENT.match(statement) is not None
    return False


def made_executable(header: str) -> bool:
    """Whether a file's diff `header` is a mode change from not executable to executable."""
    lines = header.split("\n@@", 1)[0].split("\n")
    return "old mode 100644" in (line.rstrip("\r") for line in lines) \
        and "new mode 100755" in (line.rstrip("\r") for line in lines)
