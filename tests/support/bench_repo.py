"""A repository whose history plants three bugs and fixes them, for `reviewloop bench`.

    start ─ add average (BUG 1) ─ add clamp (BUG 2) ─ docs ─ parse in base 8 (BUG 3)
          ─ fix: average ─ fix: clamp ─ fix: parse ─ fix: only adds a line

Each bug's line is known (`BUGS`: the introducing commit's subject → the buggy file and
line in that commit), so a scripted reviewer can find some of them and a test knows the
figures the bench must report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.support.repos import commit, init_repo


@dataclass(frozen=True)
class Bug:
    subject: str  # the introducing commit's message
    path: str
    line: int  # the buggy line, in the introducing commit's version of the file
    marker: str  # text found only in this change's diff


AVERAGE = Bug("add average", "stats.py", 5, "def average")
CLAMP = Bug("add clamp", "bounds.py", 6, "def clamp")
PARSE = Bug("parse numbers with surrounding spaces", "parse.py", 3, "text.strip(), 8")
BUGS = (AVERAGE, CLAMP, PARSE)

_STATS = '''def average(values):
    """The mean of values (0.0 for none)."""
    if not values:
        return 0.0
    return sum(values) / (len(values) + 1)
'''
_BOUNDS = '''def clamp(value, low, high):
    """value, kept within low..high."""
    if value < low:
        return low
    if value > high:
        return low
    return value
'''
_PARSE_START = '''def parse_number(text):
    """The integer written in text."""
    return int(text)
'''


def planted(root: Path) -> dict[str, str]:
    """Build the history in `root` (a new folder); the commit id of each subject."""
    init_repo(root)
    ids = {"start": commit(root, {"parse.py": _PARSE_START, "README.md": "calc\n"}, "start")}
    ids[AVERAGE.subject] = commit(root, {"stats.py": _STATS}, AVERAGE.subject)
    ids[CLAMP.subject] = commit(root, {"bounds.py": _BOUNDS}, CLAMP.subject)
    ids["docs"] = commit(root, {"README.md": "calc: average, clamp, parse\n"},
                         "docs: describe the helpers")
    ids[PARSE.subject] = commit(root, {"parse.py": _PARSE_START.replace(
        "int(text)", "int(text.strip(), 8)")}, PARSE.subject)
    ids["fix average"] = commit(root, {
        "stats.py": _STATS.replace("(len(values) + 1)", "len(values)")},
        "fix: average divides by the count")
    ids["fix clamp"] = commit(root, {
        "bounds.py": _BOUNDS.replace("        return low\n    return value",
                                     "        return high\n    return value")},
        "fix: clamp returns high above the range")
    ids["fix parse"] = commit(root, {
        "parse.py": _PARSE_START.replace("int(text)", "int(text.strip())")},
        "fix(parse): read decimal, closes #7")
    ids["fix adds"] = commit(root, {
        "parse.py": _PARSE_START.replace("int(text)", "int(text.strip())")
        + "\n\n# ValueError for anything but digits\n"}, "fix: say what parse_number raises")
    return ids
