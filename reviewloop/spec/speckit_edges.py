"""Spec Kit's task ids, in any case (`t008` is `T008`: one definition for a task's own id,
its labels, its prose and the section), and the dependency sentences a `## Dependencies`
section writes: `T004 depends on T001, T002`, `T001 blocks T003 and T004`, a chain
`T001 → T002 → T003`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise

TASK_ID = r"T\d+[a-z]?"  # T012, T012a: every pattern that holds it ignores case
_T = TASK_ID
IDS = rf"{_T}(?:\s*(?:,|/|&|\band\b|\bor\b)\s*{_T})*"  # `T001, T002 and T003`
_IDS = IDS
ID = re.compile(rf"\b{_T}\b", re.IGNORECASE)


def canonical(task_id: str) -> str:
    """A task id as Spec Kit writes it: `T012a` for `t012A`."""
    return task_id[0].upper() + task_id[1:].lower()


def task_ids(text: str) -> list[str]:
    """The task ids `text` names, in any case, as Spec Kit writes them."""
    return [canonical(found) for found in ID.findall(text)]

_LINE_FORWARD = re.compile(
    rf"(?P<task>\b{_T})\b(?:\s*\([^)]*\))?\s+(?:also\s+)?(?:depends\s+on|requires|needs|"
    r"must\s+follow|runs\s+after|comes\s+after|after|is\s+blocked\s+by|blocked\s+by|"
    r"waits\s+for)"
    rf"\s+(?P<ids>{_IDS})", re.IGNORECASE)
_LINE_BACKWARD = re.compile(
    rf"(?P<ids>\b{_T}(?:\s*\([^)]*\))?(?:\s*(?:,|/|&|\band\b)\s*{_T}(?:\s*\([^)]*\))?)*)\s+"
    r"(?:blocks|unblocks|must\s+precede|precedes|comes\s+before|before)\s+(?P<rest>[^.;]*)",
    re.IGNORECASE)
_ARROW_CHAIN = re.compile(rf"\b{_T}(?:\s*(?:→|->|⟶|=>)\s*{_T})+", re.IGNORECASE)
_ARROW = re.compile(r"\s*(?:→|->|⟶|=>)\s*")


def dependency_edges(line: str) -> Iterator[tuple[str, str]]:
    """(task, the task it waits for) for each dependency a sentence of the section states."""
    for match in _LINE_FORWARD.finditer(line):
        for dep in task_ids(match.group("ids")):
            yield canonical(match.group("task")), dep
    for match in _LINE_BACKWARD.finditer(line):
        for dep in task_ids(match.group("ids")):
            for task in task_ids(match.group("rest")):
                yield task, dep
    for match in _ARROW_CHAIN.finditer(line):
        chain = [canonical(i) for i in _ARROW.split(match.group(0))]
        for before, after in pairwise(chain):
            yield after, before
