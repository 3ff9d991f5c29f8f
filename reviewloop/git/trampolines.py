"""Shell scripts that hand themselves to Python or Node: `./tool` starts `sh`, whose first
command runs `python3 "$0"` (or `node "$0"`) on the file itself, so the rest of it is
Python or JavaScript that no shell ever reads.

The forms seen in the wild, each also valid Python or JavaScript, which is why they work:
pip/distlib's console-script launcher when the interpreter's path holds a space or passes
the 127-byte shebang limit (`'''exec' "/opt/my env/bin/python3" "$0" "$@"` / `' '''`),
`''''exec python3 "$0" "$@" #'''`, `"exec" "python3" "$0" "$@"`, Node's `":" //# …; exec
/usr/bin/env node "$0" "$@"` and `//bin/true; exec node "$0" "$@"`. Such a file is read by
its language's analyzers as well as by shellcheck (whose parser stops at the Python or
JavaScript, naming the file not parsed): `handed_to` tells which language, from the file's
first lines; a file that only mentions an interpreter is no trampoline. A shebang giving
its shell a command string that hands the file over (`#!/usr/bin/env -S sh -c 'exec
python3 "$0" "$@"'`) makes no shell script at all: no shell reads the file, whose language
is the interpreter's (`git.languages`, `git.hand_over`).
"""

from __future__ import annotations

from reviewloop.git.hand_over import handing_program
from reviewloop.git.languages import JAVASCRIPT, PYTHON, SHELL, language

# where a trampoline's hand-over is: the shebang and the lines right after it
_LINES = 6


def handed_to(path: str, start: bytes) -> str | None:
    """The language (`PYTHON` or `JAVASCRIPT`) the shell script `path`, content starting
    `start`, runs itself as, or None (not a shell script, or one that hands over nothing)."""
    if language(path, start) != SHELL:
        return None
    lines = start.decode("utf-8", "replace").removeprefix("\ufeff").split("\n")[:_LINES]
    for line in lines:
        if (program := handing_program(line)) is not None:
            return JAVASCRIPT if program.startswith("node") else PYTHON
    return None
