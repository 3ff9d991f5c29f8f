"""How an executable file runs when `./file` starts it: by its shebang, or as a shell script.

The kernel runs an executable file by its shebang whatever its name: `./tool.py` starting
`#!/bin/bash` is a bash script, though `python3 tool.py` reads Python (a polyglot body is
both). An executable file with no shebang at all fails execve() with ENOEXEC, and the shell
that started it (bash, dash, zsh, busybox sh, `make`'s) runs it as a shell script itself, as
POSIX `sh` specifies. So a changed file executable in the reviewed tree is also read as the
shell it runs as, beside its name's language (`checks.analyzers.base.AnalyzerContext`): its
mode is the tree's own (the export of a commit or the index keeps `100755`, the working tree
is as it is), so a base copy where the file was not executable reads it as before.
"""

from __future__ import annotations

import os
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
    return SHELL


def made_executable(header: str) -> bool:
    """Whether a file's diff `header` is a mode change from not executable to executable."""
    lines = header.split("\n@@", 1)[0].split("\n")
    return "old mode 100644" in (line.rstrip("\r") for line in lines) \
        and "new mode 100755" in (line.rstrip("\r") for line in lines)
