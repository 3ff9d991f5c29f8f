"""Arguments that turn an allowed command into something else: options that run another
program or write elsewhere, and paths outside the worktree or to a sensitive file.

A cheap first filter in front of the sandbox (`reviewloop.sandbox.bubblewrap`), which is the
boundary:
these are the escapes an attack pass found through allowed commands, refused with a reason
the model can act on.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from reviewloop.memo import compiled_on_first_use
from reviewloop.policy.sensitive import is_sensitive

# Variables that make git, make, a shell or an interpreter run a program of the command's
# choosing (GIT_EXTERNAL_DIFF=./x git diff) or load code first.
_runs_code_env = compiled_on_first_use(
    r"^(GIT_[A-Z_]*|PAGER|MANPAGER|EDITOR|VISUAL|BROWSER|LD_[A-Z_]+|BASH_ENV|ENV|SHELL|"
    r"PYTHONSTARTUP|PYTHONINSPECT|PYTHONBREAKPOINT|NODE_OPTIONS|PERL5OPT|PERL5LIB|RUBYOPT|"
    r"MAKEFLAGS|MFLAGS|GNUMAKEFLAGS|MAKEFILES)$")
_python = compiled_on_first_use(r"^python(3(\.\d+)?)?$")
# Per program: options that run code, write a file of their choosing, or read outside.
_GIT_GLOBAL = ("-c", "--config-env", "--exec-path", "--git-dir", "--work-tree", "-C")
_GIT_OPTIONS = ("--output", "--no-index", "--ext-diff", "--textconv", "--upload-pack",
                "--receive-pack", "--exec")
_MAKE_OPTIONS = ("--eval", "-E", "--file", "--makefile", "-f", "-C", "--directory",
                 "SHELL=", ".SHELLFLAGS=")


def escape(argv: Sequence[str], root: Path | None, sensitive: Sequence[str]) -> str | None:
    """Why the simple command `argv` (assignments first) is refused, or None."""
    i = 0
    while i < len(argv) and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", argv[i]):
        name = argv[i].split("=", 1)[0]
        if _runs_code_env().match(name):
            return f"setting {name} can make the command run another program"
        i += 1
    command = list(argv[i:])
    if not command:
        return None
    program = PurePosixPath(command[0]).name
    reason = _option_escape(program, command[1:])
    if reason is None and root is not None and _python().match(program):
        reason = _local_module(command[1:], root)
    if reason is None:
        reason = next(filter(None, (_path_escape(a, root, sensitive) for a in command[1:])),
                      None)
    return reason


def _option_escape(program: str, args: Sequence[str]) -> str | None:
    if program == "git":
        for arg in args:
            if not arg.startswith("-"):
                break  # the subcommand: global options end here
            if _matches(arg, _GIT_GLOBAL):
                return f"git {arg.split('=')[0]} is not allowed (it changes what git runs " \
                       "or where it works)"
        hit = next((a for a in args if _matches(a, _GIT_OPTIONS)), None)
        if hit is not None:
            return f"git {hit.split('=')[0]} is not allowed (it runs another program, or " \
                   "reads or writes outside the repository)"
    if program in ("make", "gmake"):
        hit = next((a for a in args if _matches(a, _MAKE_OPTIONS)), None)
        if hit is not None:
            return f"make {hit.split('=')[0]} is not allowed (it changes what make runs); " \
                   "edit the Makefile instead"
    return None


def _matches(arg: str, options: Sequence[str]) -> bool:
    for option in options:
        if option.endswith("="):
            if arg.startswith(option):
                return True
        elif arg == option or arg.startswith(option + "=") or (
                len(option) == 2 and arg.startswith(option) and not arg.startswith("--")):
            return True
    return False


def _local_module(args: Sequence[str], root: Path) -> str | None:
    """`python -m name` where name is a module in the repository: code the agent may have
    just written, run outside the tests."""
    if "-m" not in args:
        return None
    index = args.index("-m")
    if index + 1 >= len(args):
        return None
    module = args[index + 1].replace(".", "/")
    for base in (root, root / "src"):
        for candidate in (f"{module}.py", f"{module}/__main__.py", f"{module}/__init__.py"):
            if (base / candidate).is_file():
                return (f"python -m {args[index + 1]} runs a module from the repository; "
                        "exercise it through the tests instead")
    return None


def _path_escape(arg: str, root: Path | None, sensitive: Sequence[str]) -> str | None:
    """An argument naming a place outside the worktree, or a sensitive file in it."""
    for value in _path_candidates(arg):
        if value.startswith("~"):
            return f"{arg!r} names the home directory, which commands cannot use"
        if root is not None and (value.startswith("/") or ".." in value.split("/")):
            full = Path(os.path.normpath(root / value))
            if value != "/dev/null" and not full.is_relative_to(root):
                return f"{arg!r} names a path outside the repository"
        if is_sensitive(PurePosixPath(value.lstrip("/")), sensitive):
            return f"{arg!r} names a file that may hold secrets"
    return None


def _path_candidates(arg: str) -> list[str]:
    """The ways an argument can name a file: itself, the value of `--opt=value`, the path of
    `REV:path` (git show HEAD:.env)."""
    values = [arg]
    if arg.startswith("-") and "=" in arg:
        values.append(arg.split("=", 1)[1])
    for value in list(values):
        if ":" in value and "://" not in value:
            values.append(value.split(":", 1)[1])
    return [v for v in values if v]
