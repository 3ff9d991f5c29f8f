"""The `#name` references of a spec's open tasks that look meant for a steering file yet
name none (`#api-standard` beside `api-standards.md`), said when a run starts."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

from reviewloop.spec.context import manual_names, task_text
from reviewloop.spec.model import Task
from reviewloop.spec.steering import SteeringFile

_LINK_OR_CODE = re.compile(r"`[^`\n]*`|\]\([^)\n]*\)")  # a code span, a link's target


def unknown_references(files: Sequence[SteeringFile], tasks: Iterable[Task]) -> list[str]:
    """One line for each `#name` an open task gives that looks meant for a steering file
    (`#api-standard.md`, or within a letter or two of a file's name: `#api-standard` beside
    `api-standards.md`) yet names none in `files`, said when a run starts: the rule its
    author meant would otherwise be missing unsaid. What `#` also starts in a task's prose —
    an HTML id, a colour, a version, `#include`, a Markdown link's anchor or a code span —
    is left alone."""
    known = {item.name.casefold() for item in files}
    notices = []
    for task in tasks:
        if task.is_done:
            continue
        prose = _LINK_OR_CODE.sub(" ", task_text(task))
        for name in dict.fromkeys(manual_names(prose)):
            plain = name.casefold().removesuffix(".md")
            if plain in known or not (name.casefold().endswith(".md") or _near(plain, known)):
                continue
            listed = ", ".join(sorted(known)) or "none"
            notices.append(
                f"{task.file}:{task.line}: task {task.id} names `#{name}`, but no steering "
                f"file is named {plain}.md (steering files: {listed}): correct the name, or "
                "the rule it means reaches no prompt")
    return notices


def _near(name: str, known: Iterable[str]) -> bool:
    return bool(difflib.get_close_matches(name, list(known), n=1, cutoff=0.8))
