"""The order a tasks file implies without saying it, per format.

Two rules live here, both pure:

* **Runs** (`sequence`) — cc-sdd and Spec Kit list tasks in the order they are meant to be
  done, and mark with `(P)` / `[P]` the ones that may run side by side. A task without the
  marker waits for everything before it; a run of adjacent marked tasks in the same group
  (cc-sdd: the same major task; Spec Kit: the same sub-heading of a phase) waits for what
  came before the run, and the next unmarked task waits for the whole run. Only the last
  step before each task is recorded (the rest follows transitively). Optional tasks wait
  like the others but never hold anyone up, so leaving them out keeps the chain intact.
* **Spec Kit phases** (`phase_bases`, `story_rules`) — phases run in order, except that a
  user-story phase may start right after the foundation when the file says so
  ("US1: Independent once foundational tasks complete", "User stories can then proceed
  in parallel"), or after the stories it names ("US3: Depends on … US2"). A phase that
  is not a story (Polish) waits for every story phase since the previous such phase.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Step:
    """One task as the run rule sees it, in file order."""

    id: str
    parallel: bool
    optional: bool
    group: str | None


def sequence(steps: Sequence[Step],
             start: Sequence[str] = ()) -> tuple[dict[str, list[str]], list[str]]:
    """(what each step waits on, the last segment) for steps that follow `start`."""
    waits: dict[str, list[str]] = {}
    last: list[str] = list(start)
    run: list[str] | None = None
    run_base: list[str] = list(start)
    run_group: str | None = None
    for step in steps:
        joins = step.parallel and run is not None and step.group == run_group
        if step.optional:
            waits[step.id] = list(run_base if joins else last)
            continue
        if joins:
            assert run is not None
            waits[step.id] = list(run_base)
            run.append(step.id)
            last = list(run)
        elif step.parallel:
            run_base, run, run_group = last, [step.id], step.group
            waits[step.id] = list(run_base)
            last = list(run)
        else:
            waits[step.id] = list(last)
            last, run = [step.id], None
    return waits, last


# --- Spec Kit: which phase waits for which ---------------------------------------------

_STORY = re.compile(r"\b(?:US|[Uu]ser\s+[Ss]tory)\s*-?\s*(?P<n>\d+)\b")
_LEAD = re.compile(r"^[\s>*_`#-]*(?:\d+[.)]\s+)?[\s*_`]*")
_DEPENDS = re.compile(
    r"\b(?:depends?|dependent|requires?|needs?|after|blocked\s+by|builds?\s+on|waits?\s+for)\b",
    re.IGNORECASE)
_NEGATED = re.compile(r"\b(?:no|not|none|without|independent\w*)\b", re.IGNORECASE)
_NOT_A_DEPENDENCY = re.compile(r"integrat\w*\s+with\s*$", re.IGNORECASE)
_INDEPENDENT = re.compile(
    r"independent|no\s+dependenc|can\s+start\s+(?:right\s+)?(?:after|once|immediately)|"
    r"in\s+parallel|\bafter\s+(?:the\s+)?(?:foundation\w*|setup|phase\s*\d+)", re.IGNORECASE)
_CLAUSE = re.compile(r"[.;]\s")
_PHASE_RANGE = re.compile(r"(?:phases?\s*|\()(?P<a>\d+)\s*(?:-|–|—|to)\s*(?P<b>\d+)", re.I)
_STORIES_PLURAL = re.compile(r"\buser[\s-]+stor(?:ies|y\s+phases)\b", re.IGNORECASE)


def story_of(text: str) -> str | None:
    """`Phase 3: User Story 1 - …` → "US1"; None when the text names no story."""
    match = _STORY.search(text)
    return f"US{int(match['n'])}" if match else None


def story_of_labels(labels: Iterable[str]) -> str | None:
    """The one story a phase's `[USn]` labels name, if there is one."""
    stories = {story_of(label) for label in labels} - {None}
    return stories.pop() if len(stories) == 1 else None


@dataclass
class StoryRules:
    """What a Spec Kit file's dependency section says about its user stories."""

    independent: set[str] = field(default_factory=set)
    all_independent: bool = False
    free_phases: set[int] = field(default_factory=set)  # "User Stories (Phase 8-10): …"
    after: dict[str, list[str]] = field(default_factory=dict)  # story → stories it waits on

    def mode(self, story: str, number: int | None = None) -> str:
        if self.after.get(story):
            return "after"
        if story in self.independent or self.all_independent or number in self.free_phases:
            return "independent"
        return "ordered"


def story_rules(lines: Iterable[str]) -> StoryRules:
    """Read story statements from the lines of a `## Dependencies` section."""
    rules = StoryRules()
    for raw in lines:
        text = _LEAD.sub("", raw, count=1)
        subject = _STORY.match(text)
        if subject is None:
            if _STORIES_PLURAL.search(text) and _INDEPENDENT.search(text):
                _free_stories(rules, text)
            continue
        story, rest = f"US{int(subject['n'])}", text[subject.end():]
        named = _named_dependencies(rest)
        if named:
            waits = rules.after.setdefault(story, [])
            waits.extend(s for s in named if s != story and s not in waits)
        elif _INDEPENDENT.search(rest):
            rules.independent.add(story)
    return rules


def _free_stories(rules: StoryRules, text: str) -> None:
    """A statement about user stories in general; a phase range limits it to those phases."""
    span = _PHASE_RANGE.search(text)
    if span is None:
        rules.all_independent = True
    elif int(span["a"]) <= int(span["b"]) <= int(span["a"]) + 100:
        rules.free_phases.update(range(int(span["a"]), int(span["b"]) + 1))


def _named_dependencies(rest: str) -> list[str]:
    """Stories named after a dependency word, clause by clause; a clause that says "no",
    "not" or "independent" names no dependency ("No dependency on US2/US3")."""
    found: list[str] = []
    for clause in _CLAUSE.split(rest):
        keyword = _DEPENDS.search(clause)
        if keyword is None or _NEGATED.search(clause):
            continue
        for match in _STORY.finditer(clause, keyword.start()):
            if not _NOT_A_DEPENDENCY.search(clause[:match.start()]):
                found.append(f"US{int(match['n'])}")
    return found


@dataclass(frozen=True)
class Phase:
    """A phase with tasks: its position in the file and the story it implements, if any."""

    index: int
    story: str | None
    number: int | None = None  # N of its `Phase N` heading


def phase_bases(phases: Sequence[Phase], rules: StoryRules) -> dict[int, list[int]]:
    """For each phase, the phases whose last tasks it waits for."""
    bases: dict[int, list[int]] = {}
    by_story = {p.story: p.index for p in phases if p.story}
    previous: Phase | None = None
    last_plain: Phase | None = None
    stories_since: list[int] = []
    for phase in phases:
        if phase.story is None:
            sinks = [i for i in stories_since
                     if not any(i in bases[j] for j in stories_since)]
            bases[phase.index] = sinks or ([previous.index] if previous else [])
            last_plain, stories_since = phase, []
        else:
            bases[phase.index] = _story_base(phase, rules, previous, last_plain, by_story)
            stories_since.append(phase.index)
        previous = phase
    return bases


def _story_base(phase: Phase, rules: StoryRules, previous: Phase | None,
                last_plain: Phase | None, by_story: dict[str, int]) -> list[int]:
    assert phase.story is not None
    foundation = [last_plain.index] if last_plain else []
    mode = rules.mode(phase.story, phase.number)
    if mode == "ordered":
        return [previous.index] if previous else []
    if mode == "independent":
        return foundation
    named = [by_story[s] for s in rules.after[phase.story] if s in by_story]
    return foundation + [i for i in named if i != phase.index and i not in foundation]


def phase_order(phases: Sequence[Phase], bases: dict[int, list[int]]) -> list[Phase]:
    """Phases so that each comes after the phases it waits for; a phase caught in a cycle of
    story statements keeps its file position (and the edge that closes the cycle is dropped)."""
    placed: list[Phase] = []
    done: set[int] = set()
    pending = list(phases)
    while pending:
        ready = next((p for p in pending if all(b in done for b in bases[p.index])), pending[0])
        pending.remove(ready)
        placed.append(ready)
        done.add(ready.index)
    return placed


def ancestors_of(parent: str | None, parent_of: Callable[[str], str | None]) -> set[str]:
    """`parent` and every task above it (`parent_of` gives a task's parent; a loop stops)."""
    found: set[str] = set()
    while parent is not None and parent not in found:
        found.add(parent)
        parent = parent_of(parent)
    return found
