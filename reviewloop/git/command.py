"""Running git in a working tree: where a `Repository` finds its repository and starts its
git processes. Plain subprocesses with GitPython's conventions (git's messages in English:
`LC_ALL=C`, `LANGUAGE=C`; the caller's environment and `env` on top; no standard input but
what is given; the repository found from any folder inside it, its root spelled from the path
given, not through symlinks), without GitPython: importing it and opening its repository
object were a tenth of an offline review's CPU."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from reviewloop.errors import UserInputError
from reviewloop.git import neutral


@dataclass(frozen=True)
class GitCommand:
    """git run in `working_dir`, the root of a working tree."""

    working_dir: Path

    def run(self, argv: Sequence[str], *, env: Mapping[str, str] | None = None,
            output: IO[bytes] | None = None, given: bytes | None = None
            ) -> tuple[int, bytes, str]:
        """(exit status, standard output, standard error less its last newline) of `argv`
        (`["git", …]`, pinned against the user's output settings: `git.neutral`); with
        `output`, standard output goes into that file instead; `given`: its standard input
        (else none)."""
        cwd = self.working_dir if os.access(self.working_dir, os.X_OK) else None
        with subprocess.Popen(neutral.argv(argv), cwd=cwd,
                              env=neutral.environment(os.environ, {**_ENGLISH, **(env or {})}),
                              stdin=subprocess.DEVNULL if given is None else subprocess.PIPE,
                              stderr=subprocess.PIPE,
                              stdout=subprocess.PIPE if output is None else output) as proc:
            out, err = proc.communicate(given)
        return proc.returncode, out or b"", err.removesuffix(b"\n").decode(
            "utf-8", "surrogateescape")


_ENGLISH = {"LANGUAGE": "C", "LC_ALL": "C"}  # git's messages are read (and shown) as written


def locate(path: str | os.PathLike[str], options: Sequence[str]) -> tuple[GitCommand, Path]:
    """The working tree holding `path` (a folder or a file) and its git folder; a user error
    when there is none, the repository is bare, or git refuses it (the reason is git's)."""
    where = os.path.abspath(os.path.expanduser(os.fspath(path)))
    if not os.path.exists(where):
        raise _not_a_repository(path)
    start = where if os.path.isdir(where) else os.path.dirname(where)
    status, out, err = GitCommand(Path(start)).run(
        ["git", *options, "rev-parse", "--is-bare-repository", "--is-inside-git-dir",
         "--absolute-git-dir", "--show-cdup"])
    if status != 0:
        if "not a git repository" in err:
            raise _not_a_repository(path)
        raise UserInputError(f"git cannot open the repository at {path}: {err.strip()}",
                             where=str(path), fix="do what git's message says, then run "
                                                  "reviewloop again")
    bare, inside, git_dir, *up = out.decode("utf-8", "surrogateescape").split("\n")
    if bare == "true":
        raise UserInputError(f"a bare repository has no working tree: {path}",
                             fix="run reviewloop in a clone with a working tree")
    # inside the git folder: its working tree is the folder holding it, as GitPython has it
    root = os.path.dirname(git_dir) if inside == "true" else \
        os.path.normpath(os.path.join(start, up[0] if up else ""))
    return GitCommand(Path(root)), Path(git_dir)


def _not_a_repository(path: str | os.PathLike[str]) -> UserInputError:
    return UserInputError(
        f"not a git repository: {path}", fix="run `git init` there (or in a parent "
        "folder), or run reviewloop inside an existing repository")
