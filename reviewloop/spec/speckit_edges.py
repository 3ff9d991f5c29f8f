"""Spec Kit's task ids, in any case (`t008` is `T008`: one definition for a task's own id,
its labels, its prose and the section), and the dependency sentences a `## Dependencies`
section writes: `T004 depends on T001, T002`, `T001 blocks T003 and T004`, a chain
`T001 → T002 → T003`.

In prose and the section an id written in lower case names a task only when the file has
that task: "needs t3.medium", "after t2 instances are retired" are words (an EC2 instance
type), not dependencies. A word followed by `.` and a letter (`T3.medium`) is no id in any
case, and nothing inside a code span (`` `waits for t001` ``) is read."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from itertools import pairwise

TASK_ID = r"T\d+[a-z]?"  # T012, T012a: every pattern that holds it ignores case
_T = TASK_ID
_ONE = rf"{_T}\b(?!\.\w)"  # `T3.medium` is a word, `T003.` ends a sentence
IDS = rf"{_ONE}(?:\s*(?:,|/|&|\band\b|\bor\b)\s*{_ONE})*"  # `T001, T002 and T003`
_IDS = IDS
ID = re.compile(rf"\b{_ONE}", re.IGNORECASE)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")


def canonical(task_id: str) -> str:
    """A task id as Spec Kit writes it: `T012a` for `t012A`."""
    return task_id[0].upper() + task_id[1:].lower()


def task_ids(text: str, known: Collection[str]) -> list[str]:
    """The task ids `text` names, as Spec Kit writes them: in upper case any, in lower case
    only the file's own tasks (`known`)."""
    return [canonical(found) for found in ID.findall(text)
            if found[0] == "T" or canonical(found) in known]


def outside_code(text: str) -> str:
    """`text` with its code spans blanked (same length): what is said there names no task."""
    return _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text)

_LINE_FORWARD = re.compile(
    rf"(?P<task>\b{_ONE})(?:\s*\([^)]*\))?\s+(?:also\s+)?(?:depends\s+on|requires|needs|"
    r"must\s+follow|runs\s+after|comes\s+after|after|is\s+blocked\s+by|blocked\s+by|"
    r"waits\s+for)"
    rf"\s+(?P<ids>{_IDS})", re.IGNORECASE)
_LINE_BACKWARD = re.compile(
    rf"(?P<ids>\b{_ONE}(?:\s*\([^)]*\))?(?:\s*(?:,|/|&|\band\b)\s*{_ONE}(?:\s*\([^)]*\))?)*)\s+"
    r"(?:blocks|unblocks|must\s+precede|precedes|comes\s+before|before)\s+(?P<rest>[^.;]*)",
    re.IGNORECASE)
_ARROW_CHAIN = re.compile(rf"\b{_ONE}(?:\s*(?:→|->|⟶|=>)\s*{_ONE})+", re.IGNORECASE)
_ARROW = re.compile(r"\s*(?:→|->|⟶|=>)\s*")


def dependency_edges(line: str, known: Collection[str]) -> Iterator[tuple[str, str]]:
    """(task, the task it waits for) for each dependency a sentence of the section states,
    the file's tasks being `known` (see the module docstring)."""
    line = outside_code(line)
    for match in _LINE_FORWARD.finditer(line):
        for task in task_ids(match.group("task"), known):
            for dep in task_ids(match.group("ids"), known):
                yield task, dep
    for match in _LINE_BACKWARD.finditer(line):
        for dep in task_ids(match.group("ids"), known):
            for task in task_ids(match.group("rest"), known):
                yield task, dep
    for match in _ARROW_CHAIN.finditer(line):
        chain = [next(iter(task_ids(link, known)), None)
                 for link in _ARROW.split(match.group(0))]
        for before, after in pairwise(chain):
            if before and after:
                yield after, before
