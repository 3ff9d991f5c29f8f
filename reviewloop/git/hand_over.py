"""Which interpreter a shell command hands its own script to (`exec python3 "$0" "$@"`): the
line a trampoline's shell runs (`git.trampolines`), or the `-c` string a shebang gives its
shell (`#!/usr/bin/env -S sh -c 'exec python3 "$0" "$@"'`, `git.languages`), where no
shell ever reads the file: `sh -c STRING script` runs STRING with `$0` the script, and
STRING hands it to Python or Node.
"""

from __future__ import annotations

import re

# an interpreter word (alone or ending a path, quoted or not), its options, then the file
# itself as its script: `python3 "$0"`, `"/opt/my env/bin/python3" "$0"`, `node -r x $0`
_HAND_OVER = re.compile(
    r"""(?:^|[\s'"/;:=])(?P<program>python[0-9.]*|pypy[0-9.]*|node(?:js)?)['"]?"""
    r"""(?:[ \t]+-{1,2}[\w=.-]+)*[ \t]+['"]?\$(?:0|\{0\})['"]?(?=[\s;'"&|]|$)""")
# a shell's options that take the next word as their argument (`-o errexit`, bash's `-O`)
_ARGUED = frozenset("oO")


def handing_program(line: str) -> str | None:
    """The interpreter (`python3`, `node`, …) the shell command `line` runs its own script
    (`$0`) with, or None."""
    found = _HAND_OVER.search(line)
    return found["program"] if found is not None else None


def command_string(argv: list[str]) -> str | None:
    """The command string a shell started as `argv` (`sh -e -c STRING`, `bash -ec STRING`,
    `sh -o errexit -c -- STRING`) runs, given as its last word, so that the script the kernel
    appends is its `$0`; None when the shell reads a script (no `-c`) or a word after the
    string would be `$0` instead."""
    told, at = False, 1
    while at < len(argv) and argv[at][:1] in "-+" and argv[at] not in ("-", "+"):
        word = argv[at]
        at += 1
        if word == "--":
            break
        if not word.startswith("--"):  # a cluster of short options: `-ec`, `+x`, `-o` ARG
            told |= word[0] == "-" and "c" in word
            at += sum(1 for letter in word[1:] if letter in _ARGUED)
    return argv[at] if told and at == len(argv) - 1 else None
