"""Whether a change's edit of a `.shellcheckrc` only TIGHTENS shellcheck (`enabled`, the judge
`suppressions.tightening` asks for shellcheck's files): it adds `enable=` lines and nothing
else.

shellcheck 0.11 reads an rc line as several `key=value` directives, a quoted value may hold a
`#` and run over lines, a `\\` joins a line to the next, and a line it cannot parse drops the
whole file. Cutting lines at `#` took `enable="x#" disable=SC2086` for an `enable=` alone
(rev11 D10). So only a line that is one plain `enable=name,name` directive (a comment after
it, as shellcheck reads one: `enable=x # note`), standing on its own (no open quote before
it, no `\\` ending the line above), counts as an enable line; a
blank or comment line standing so (and holding no `"`, not ending in `\\`) says nothing;
every other line must be the trusted side's, in its order, character for character.
"""

from __future__ import annotations

import re

# shellcheck ends a directive's names at the first other character and reads a `#` after
# them as a comment to the end of the line (`enable=x # note`, `enable=x#note`); a comment
# holding a `"` or `\\` is left to the line-for-line comparison
_ENABLE = re.compile(r"[ \t]*enable=([A-Za-z-]+(?:,[A-Za-z-]+)*)[ \t]*(?:#[^\"\\]*)?")
_SILENT = re.compile(r"[ \t]*(?:#[^\"]*)?")  # a blank or comment line


def enabled(mine: str, trusted: str) -> list[str] | None:
    """The checks the edit enables, when adding `enable=` lines is all it does; None when it
    may loosen (or enables nothing new)."""
    (new, mine_rest), (old, trusted_rest) = _read(mine), _read(trusted)
    if mine_rest != trusted_rest or not set(old) <= set(new):
        return None
    return [f"enable={check}" for check in dict.fromkeys(new) if check not in old] or None


def _read(text: str) -> tuple[list[str], list[str]]:
    """The checks of the file's enable lines, and its other lines as written (but blank and
    comment lines)."""
    checks: list[str] = []
    rest: list[str] = []
    quotes = 0  # `"` seen before the line: odd, it may open a value running over lines
    joined = False  # the line above ends with `\`: this one continues it
    for line in text.split("\n"):
        found = _ENABLE.fullmatch(line)
        standing = quotes % 2 == 0 and not joined
        if found and standing:
            checks += found[1].split(",")
        elif not (standing and _SILENT.fullmatch(line) and not line.rstrip().endswith("\\")):
            rest.append(line)
        quotes += line.count('"')
        joined = line.rstrip(" \t").endswith("\\")
    return checks, rest
