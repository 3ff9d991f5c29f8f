"""`[deps: 1, 2]` labels at the end of a task's line, as some Kiro and Spec Kit users write
them: read in every format (Kiro's, Spec Kit's, a doc spec's), each with its own task id.

A label is read as people write one: a keyword (`deps`, `dep`, `depends`, `depends on`,
`dependencies`, `after`, any case) and ids, separated by commas, `;`, `&`, `and` or spaces;
a range (`1-3`, `T001-T003`, `2.1..2.4`) stands for each id in it; an id may be written
`#1`, `` `1` ``, `task 1` or, as Kiro numbers its tasks, `1.`; the label may be bold
(`**[deps: 1]**`), end a sentence (`[deps: 1].`) or come before a `[P]` marker. `[deps:
none]` names none. A label with the keyword whose ids cannot be read stays in the title and
is named (`Labelled.unread`) for the reader to report as a spec diagnostic: never silently
no dependency. One in a code span is the title's text. Ids are read as the format's
`canonical` form writes them (Spec Kit's `t001` is `T001`).

Labels that contradict are one definition for every format (`contradiction`): two labels
naming different lists. The task waits for every task they name (never fewer than written),
and a spec diagnostic names the labels and the fix. A parallel marker beside a label is no
contradiction: Spec Kit's `[P]` and Kiro's `(P)` put a task in one wave with its marked
neighbours, which may all wait for an earlier task (`spec new` writes `[P] [deps: T001]`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# a dependency label's keyword, any case
KEYWORD = r"(?:deps?|depends(?:[ \t]+on)?|dependenc(?:y|ies)|after)"
_DEPS_TAIL = re.compile(
    r"(?:^|(?<=\s))(?P<wrap>\*\*|__|\*|_)?"
    rf"\[[ \t]*{KEYWORD}[ \t]*:"
    r"(?P<ids>[^\[\]]{0,200})\](?(wrap)(?P=wrap))[.,;:!?]*[ \t]*$", re.IGNORECASE)
_PARALLEL_TAIL = re.compile(r"(?:[ \t]+\[[Pp]\])+[ \t]*$")  # `… [deps: 1] [P]`
_SEPARATOR = re.compile(r"[\s,;&]+|\b(?:and|tasks?)\b", re.IGNORECASE)
_RANGE = re.compile(r"(?P<a>[^-–.]+(?:\.\d+)*)(?:-|–|\.\.)(?P<b>[^-–]+)")
_NUMBERED = re.compile(r"(?P<head>.*?)(?P<n>\d+)")
_NO_DEPS = frozenset({"none", "-", "—", "n/a"})
MAX_RANGE = 200  # ids a range may stand for


@dataclass(frozen=True)
class Labelled:
    """A task title's dependency labels: the title without those read, the ids they name
    (in order, once each), and the label it could not read (left in `title`), if any."""

    title: str
    ids: list[str]
    unread: str | None = None
    lists: tuple[tuple[str, tuple[str, ...]], ...] = ()  # each label read and its ids

    def problem(self, task_id: str) -> str | None:
        """The spec diagnostic for the label not read, naming it and the fix."""
        return None if self.unread is None else unread_problem(task_id, self.unread)


def unread_problem(task_id: str, label: str) -> str:
    """The spec diagnostic for a dependency label whose ids cannot be read."""
    return (f"task {task_id}: `{label}` is not read as a dependency, since what it names "
            "is not task ids (write `[deps: 1, 2]`, a range as `[deps: 1-3]`, or "
            "`[deps: none]`)")


def contradiction(task_id: str, lists: Sequence[tuple[str, Sequence[str]]]) -> str | None:
    """The spec diagnostic for a task's labels that contradict (module docstring): labels of
    `lists` (each label's text and ids) naming different lists; None when they agree."""
    waits = ", ".join(dict.fromkeys(i for _, ids in lists for i in ids))
    if len({frozenset(ids) for _, ids in lists}) > 1:
        labels = " and ".join(f"`{text}`" for text, _ in lists)
        return (f"task {task_id} has {len(lists)} dependency lists that differ, {labels}: "
                f"it waits for every task they name ({waits or 'none'}); write one label "
                "naming them all")
    return None


def _same(task_id: str) -> str:
    return task_id


def label_ids(text: str, task_id: re.Pattern[str],
              canonical: Callable[[str], str] = _same) -> list[str] | None:
    """The ids a label's text names (what follows `deps:`), as `canonical` writes them,
    ranges expanded; [] for `none`; None when any of it is no id."""
    ids = _ids(text, task_id)
    return None if ids is None else list(dict.fromkeys(canonical(i) for i in ids))


def dependency_labels(title: str, task_id: re.Pattern[str],
                      canonical: Callable[[str], str] = _same) -> Labelled | None:
    """The dependency labels a task's title ends with (`Build the API [deps: 1, 2]`), read
    from the last (each id matched whole by `task_id`, the format's id, and written as
    `canonical` writes it); None when it ends in none. One that names anything but ids
    (`Explain the [deps: a, b]`) stops the reading: it and what comes before it stay in
    the title, and it is `unread`."""
    marker = _PARALLEL_TAIL.search(title)
    cut = marker is not None and _DEPS_TAIL.search(title[:marker.start()]) is not None
    rest = title[:marker.start()] if marker is not None and cut else title
    labels: list[tuple[str, tuple[str, ...]]] = []
    unread = None
    while (label := _DEPS_TAIL.search(rest)) is not None:
        ids = label_ids(label["ids"], task_id, canonical)
        if ids is None:
            unread = label.group().strip()
            break
        labels.append((label.group().strip().rstrip(".,;:!?"), tuple(ids)))
        rest = rest[:label.start()].rstrip()
    if not labels and unread is None:
        return None
    if marker is not None and cut:
        rest = f"{rest}{marker.group().rstrip()}"  # the format reads its own `[P]`
    named = [t for _, ids in reversed(labels) for t in ids]
    return Labelled(rest if labels else title, list(dict.fromkeys(named)), unread,
                    tuple(reversed(labels)))


def _ids(text: str, task_id: re.Pattern[str]) -> list[str] | None:
    """The ids a label's text names, ranges expanded; [] for `none`; None when any of it
    is no id."""
    tokens = [t for t in _SEPARATOR.split(text) if t]
    if len(tokens) == 1 and tokens[0].casefold() in _NO_DEPS:
        return []
    ids: list[str] = []
    for token in tokens:
        got = _one(token, task_id)
        if got is None:
            return None
        ids.extend(got)
    return ids or None


def _one(token: str, task_id: re.Pattern[str]) -> list[str] | None:
    """The ids one token names: an id (`1`, `#1`, `` `1` ``, `1.`) or a range of them."""
    token = token.strip("`").removeprefix("#")
    if task_id.fullmatch(token):
        return [token]
    if token.endswith(".") and task_id.fullmatch(token[:-1]):
        return [token[:-1]]
    if (span := _RANGE.fullmatch(token)) is not None:
        return _range(span["a"], span["b"].removeprefix("#"), task_id)
    return None


def _range(start: str, end: str, task_id: re.Pattern[str]) -> list[str] | None:
    """`1`…`3`, `T001`…`T003`, `2.1`…`2.4`: each id from `start` to `end`, the same but for
    their last number (zero-padded as `start` is); None for anything else."""
    a, b = _NUMBERED.fullmatch(start), _NUMBERED.fullmatch(end)
    if a is None or b is None or a["head"].casefold() != b["head"].casefold() \
            or not (task_id.fullmatch(start) and task_id.fullmatch(end)):
        return None
    first, last = int(a["n"]), int(b["n"])
    if not first <= last or last - first > MAX_RANGE:
        return None
    width = len(a["n"]) if a["n"].startswith("0") else 0
    return [f"{a['head']}{n:0{width}d}" for n in range(first, last + 1)]
