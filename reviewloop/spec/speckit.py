"""Read a GitHub Spec Kit `specs/<nnn-feature>/tasks.md` into tasks.

Spec Kit lists tasks as `- [ ] T001 [P] [US1] Description` under `## Phase N: Name`
headings (ids may carry a letter, `T010a`, for a task inserted later). The order is the
one `spec/order.py` derives: within a phase, tasks run in file order except adjacent `[P]`
tasks of the same sub-heading, which run side by side; phases run in order unless the
`## Dependencies` section frees a user-story phase. Prose such as "depends on T012" or a
dependency line such as "T007 blocks T009" adds explicit edges.

Two forms say more than the file order, and are what reviewloop writes
(`authoring.document`): a `[deps: T001, T004]` label (or `[deps: none]`) is the task's whole
list, so it waits for exactly those tasks, not for the phase or the run before it; and a
task checkbox indented under another task is its sub-task (the parent waits for its
sub-tasks, as in Kiro's files).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reviewloop.spec import order
from reviewloop.spec.deps_labels import (
    KEYWORD,
    contradiction,
    dependency_labels,
    label_ids,
    unread_problem,
)
from reviewloop.spec.markdown import (
    Checkbox,
    Line,
    TaskDraft,
    iter_lines,
    near_checkbox,
    parse_checkbox,
    strip_bullet,
    unclosed_block,
)
from reviewloop.spec.model import Diagnostic, Task, TaskList
from reviewloop.spec.order import ancestors_of
from reviewloop.spec.speckit_edges import IDS as _IDS
from reviewloop.spec.speckit_edges import TASK_ID as _T
from reviewloop.spec.speckit_edges import canonical as _canonical
from reviewloop.spec.speckit_edges import dependency_edges, outside_code, task_ids

# the task's own id, in any case as everywhere (`speckit_edges`): `t008` is task T008
_TASK_ID = re.compile(rf"^[*_`]*\[?(?P<id>{_T})\b\]?[*_`]*[:.]?[*_`]*(?:\s+|$)", re.I)
_LABEL = re.compile(r"^\[(?P<label>[^\]\[]{1,60})\]\s*")
_PRIORITY = re.compile(r"^P\d$")  # [P1]: the story's priority, not a requirement
_DEPS_LABEL = re.compile(rf"^{KEYWORD}\s*:\s*(?P<ids>.*)$", re.I)
_LONGEST_PROSE = 2000
_STORY = re.compile(r"^[A-Za-z]{1,5}-?\d+(?:\.\d+)?$")
# A phase heading as Spec Kit's tasks template and its users write one: `Phase 1: Setup`,
# `Phase 3.1`, `Phase 3+`, the template's own last `Phase N: Polish & Cross-Cutting Concerns`
# (a placeholder letter, `N+1` too), roman numerals, `Final Phase: Polish`, `Phase Final`
_PHASE = re.compile(r"^[\W_]*(?:phase\s+(?:\d+|(?:[ivx]+|n|final|last)(?![a-z0-9]))|"
                    r"(?:final|last)\s+phase(?![a-z0-9]))", re.IGNORECASE)
_PHASE_NUMBER = re.compile(r"^[\W_]*phase\s+(?P<n>\d+)", re.IGNORECASE)
_NOT_TASKS = re.compile(
    r"checklist|check\s*list|checkpoint|definition of done|acceptance|validation|verification",
    re.IGNORECASE)
_DEPENDENCY_SECTION = re.compile(r"dependenc", re.IGNORECASE)
_OPTIONAL_TITLE = re.compile(r"[(\[]\s*optional\s*[)\]]\s*", re.IGNORECASE)
_PROSE_DEP = re.compile(
    r"\b(?:depends\s+on|dependent\s+on|after|requires|blocked\s+by|needs|waits\s+for)"
    rf"\s*:?\s+(?P<ids>{_IDS})", re.IGNORECASE)
_LABEL_ID = re.compile(_T, re.IGNORECASE)  # in a dependency label `t001` is `T001`
_COMMENT = re.compile(r"<!--.*?(?:-->|$)")
_BULLET_TASK = re.compile(rf"^\s*[-*+]\s+[*_`]*(?P<id>{_T})\b(?![-–—/]|\.\w)", re.I)


@dataclass
class _Draft(TaskDraft):
    parallel: bool
    requirements: list[str]
    phase: str | None
    phase_index: int | None
    group: str | None = None  # the sub-heading inside the phase: where a [P] run ends
    details: list[str] = field(default_factory=list)
    depends_on: list[str] = field(default_factory=list)
    dep_lines: list[int] = field(default_factory=list)
    exact: bool = False  # a `[deps: …]` label: these and no implied order
    parent: str | None = None  # the task it is indented under


@dataclass
class _Section:
    level: int
    title: str


@dataclass
class _State:
    file: str
    drafts: dict[str, _Draft] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    headings: list[_Section] = field(default_factory=list)
    phase: _Section | None = None
    phase_count: int = 0
    phase_story: dict[int, str | None] = field(default_factory=dict)
    phase_number: dict[int, int] = field(default_factory=dict)
    current: _Draft | None = None
    open: list[_Draft] = field(default_factory=list)  # the tasks a deeper checkbox is under
    section_lines: list[tuple[int, str]] = field(default_factory=list)
    dependency_lines: list[str] = field(default_factory=list)

    def warn(self, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(file=self.file, line=line, message=message))


def parse(text: str, file: str) -> TaskList:
    """Parse a Spec Kit tasks file. Never raises; odd lines become diagnostics."""
    state = _State(file=file)
    lines = list(iter_lines(text))
    for line in lines:
        _read_line(state, line)
    if (unclosed := unclosed_block(lines)) is not None:
        state.warn(*unclosed)
    return _finish(state)


def _read_line(state: _State, line: Line) -> None:
    if line.is_heading and line.heading is not None:
        _enter_heading(state, line.heading_level, line.heading)
        return
    box = None if line.in_fence else parse_checkbox(line.text)
    if box is not None:
        _read_checkbox(state, line.number, box)
        return
    near = None if line.in_fence else near_checkbox(line.text, example="- [ ] T003 Title")
    if near is not None:
        state.warn(line.number, near)
    if not line.in_fence and _in_dependency_section(state):
        state.dependency_lines.append(line.text)
        _read_dependency_line(state, line.number, line.text)
    elif not line.in_fence and _unboxed_task(state, line):
        state.current = None
        bullet = _BULLET_TASK.match(line.text)
        shown = bullet["id"] if bullet else line.text.strip()
        state.warn(line.number, f"{shown} looks like a task but has no checkbox (write "
                                "`- [ ] T012 …`); not read")
        return
    if state.current is not None and not line.is_blank:
        if line.indent > state.current.indent:
            state.current.details.append(strip_bullet(line.text))
        else:
            state.current = None
            state.open = [d for d in state.open if d.indent < line.indent]


def _enter_heading(state: _State, level: int, title: str) -> None:
    state.current = None
    state.open = []
    while state.headings and state.headings[-1].level >= level:
        state.headings.pop()
    section = _Section(level, title.strip())
    state.headings.append(section)
    if _PHASE.match(title):
        state.phase = section
        state.phase_count += 1
        state.phase_story[state.phase_count] = order.story_of(title)
        number = _PHASE_NUMBER.match(title)
        state.phase_number[state.phase_count] = int(number["n"]) if number else state.phase_count
    elif state.phase is not None and level <= state.phase.level:
        state.phase = None


def _read_checkbox(state: _State, number: int, box: Checkbox) -> None:
    indent, rest = box.indent, box.rest
    found = _TASK_ID.match(rest)
    if found is None:
        if state.current is not None and indent > state.current.indent:
            state.current.details.append(f"[{box.mark}] {rest}")
        else:
            state.current = None
            if not _in_ignored_section(state):
                state.warn(number, "checkbox without a task id; Spec Kit tasks read "
                                   "`- [ ] T001 Description` (line ignored)")
        return
    task_id = _canonical(found.group("id"))
    if task_id in state.drafts:
        first = state.drafts[task_id].line
        state.warn(number, f"duplicate task id {task_id} (first at line {first}); "
                           "this line is ignored, give it a new id")
        state.current = None
        return
    draft = _new_draft(state, task_id, box, rest[found.end():], number)
    state.open = [d for d in state.open if d.indent < box.indent]
    draft.parent = state.open[-1].id if state.open else None
    state.drafts[task_id] = draft
    state.current = draft
    state.open.append(draft)


def _new_draft(state: _State, task_id: str, box: Checkbox, rest: str, number: int) -> _Draft:
    """Labels after the id: `[P]`, `[US1]`, `[P1]` (priority) and `[deps:T003, T004]`;
    labels that contradict are said (`deps_labels.contradiction`)."""
    parallel: str | None = None  # the `[P]` marker as written
    requirements: list[str] = []
    depends: list[str] = []
    exact = False
    lists: list[tuple[str, tuple[str, ...]]] = []
    while (label := _LABEL.match(rest)) is not None:
        value = label.group("label").strip()
        deps = _DEPS_LABEL.match(value)
        ids = label_ids(deps.group("ids"), _LABEL_ID, _canonical) if deps else None
        if value.upper() == "P":
            parallel = f"[{value}]"
        elif deps is not None and ids is None:
            state.warn(number, unread_problem(task_id, f"[{value}]"))
            break  # the title's text, as a label at the end that names no ids
        elif ids is not None:
            lists.append((f"[{value}]", tuple(ids)))
            depends.extend(i for i in ids if i not in depends)
            exact = True
        elif _PRIORITY.match(value):
            pass
        elif _STORY.match(value):
            requirements.append(value.upper())
        else:
            break
        rest = rest[label.end():]
    labelled = dependency_labels(_COMMENT.sub(" ", rest).rstrip(), _LABEL_ID, _canonical)
    if labelled is not None and (problem := labelled.problem(task_id)):
        state.warn(number, problem)  # read as the file's order, as with no label
    elif labelled is not None:  # `- [ ] T004 Build the API [deps: T001]`: as a leading one
        rest = labelled.title
        depends.extend(t for t in labelled.ids if t not in depends and t != task_id)
        if task_id in labelled.ids:  # itself: no cycle that drops the task
            state.warn(number, f"task {task_id}'s label names task {task_id} itself: ignored")
        lists.extend(labelled.lists)
        exact = True
    if problem := contradiction(task_id, lists):
        state.warn(number, problem)
    # only the task's own marker: a heading's "(OPTIONAL - only if tests requested)" is Spec
    # Kit's template text, which /speckit.tasks keeps when the tests were requested
    optional = box.optional or bool(_OPTIONAL_TITLE.search(rest))
    title = " ".join(_COMMENT.sub(" ", _OPTIONAL_TITLE.sub("", rest)).split())
    return _Draft(
        id=task_id, title=title, status=box.status, line=number, indent=box.indent,
        optional=optional, parallel=parallel is not None, requirements=requirements,
        phase=state.phase.title if state.phase else None,
        phase_index=state.phase_count if state.phase else None,
        group=state.headings[-1].title if state.headings else None,
        depends_on=depends, dep_lines=[number] * len(depends), exact=exact,
    )


def _read_dependency_line(state: _State, number: int, line: str) -> None:
    if len(line) > _LONGEST_PROSE:
        return  # a dependency sentence is short; this keeps the regexes linear in practice
    state.section_lines.append((number, line))  # read once every task is known (`_finish`)


def _finish(state: _State) -> TaskList:
    drafts = state.drafts
    for draft in drafts.values():
        for text in (draft.title, *draft.details):
            for match in _PROSE_DEP.finditer(outside_code(text)):
                for dep in task_ids(match.group("ids"), drafts):
                    draft.depends_on.append(dep)
                    draft.dep_lines.append(draft.line)
    edges = [(task, dep, number) for number, line in state.section_lines
             for task, dep in dependency_edges(line, drafts)]
    for task, dep, number in edges:
        if task in drafts:
            drafts[task].depends_on.append(dep)
            drafts[task].dep_lines.append(number)
        else:
            state.warn(number, f"dependency names {task}, which is not a task in this file")
    children: dict[str, list[str]] = {task_id: [] for task_id in drafts}
    for draft in drafts.values():
        if draft.parent is not None:
            children[draft.parent].append(draft.id)
    _add_phase_order(state, children)
    order = {task_id: i for i, task_id in enumerate(drafts)}
    tasks = tuple(_build(state, d, order, children[d.id]) for d in drafts.values())
    diagnostics = sorted(state.diagnostics, key=lambda d: d.line)
    return TaskList(tasks=tasks, diagnostics=tuple(diagnostics))


def _add_phase_order(state: _State, children: dict[str, list[str]]) -> None:
    """Runs within each phase, phases after the phases they wait for (`spec/order.py`).
    A parent is no step of its own (it waits for its sub-tasks); a task with a `[deps: …]`
    label is one that later tasks may wait for, but waits for its label's tasks only."""
    by_phase: dict[int, list[_Draft]] = {}
    for draft in state.drafts.values():
        if draft.phase_index is not None and not children[draft.id]:
            by_phase.setdefault(draft.phase_index, []).append(draft)
    phases = [order.Phase(i, state.phase_story.get(i) or order.story_of_labels(
        r for d in by_phase[i] for r in d.requirements), state.phase_number.get(i))
              for i in sorted(by_phase)]
    bases = order.phase_bases(phases, order.story_rules(state.dependency_lines))
    last: dict[int, list[str]] = {}
    implied: dict[str, list[str]] = {}
    for phase in order.phase_order(phases, bases):
        start = [tid for index in bases[phase.index] if index in last for tid in last[index]]
        steps = [order.Step(d.id, d.parallel, d.optional, d.group) for d in by_phase[phase.index]]
        waits, last[phase.index] = order.sequence(steps, start)
        implied |= waits
        for draft in by_phase[phase.index]:
            if not draft.exact:
                found = _through_exact(state, implied, _unreversed(state, implied, draft.id,
                                                                   waits[draft.id]))
                draft.depends_on.extend(found)
                draft.dep_lines.extend([0] * len(found))


def _unreversed(state: _State, implied: dict[str, list[str]], task_id: str,
                waits: list[str]) -> list[str]:
    """`waits` (what the file order has `task_id` wait for) without a task that is stated to
    wait for `task_id` ("T005 blocks T004" with T004 first): the statement wins over the
    file order, which would otherwise close a cycle no one wrote; `task_id` waits instead for
    what that task waited for by the order."""
    found: list[str] = []
    pending, seen = list(waits), {task_id}
    while pending:
        other = pending.pop(0)
        if other in seen:
            continue
        seen.add(other)
        if other in implied and _reaches(state, other, task_id):
            pending += implied[other]
        elif other not in found:
            found.append(other)
    return found


def _reaches(state: _State, start: str, target: str) -> bool:
    """Whether `start` waits, through the dependencies known so far, on `target`."""
    seen: set[str] = set()
    pending = list(state.drafts[start].depends_on)
    while pending:
        task_id = pending.pop()
        if task_id == target:
            return True
        if task_id not in seen and task_id in state.drafts:
            seen.add(task_id)
            pending += state.drafts[task_id].depends_on
    return False


def _through_exact(state: _State, implied: dict[str, list[str]], waits: list[str]
                   ) -> list[str]:
    """`waits`, and for a `[deps: …]` task among them what the order had it wait for: only
    the last step before a task is recorded, the rest following through it, and a task
    with its own list no longer passes the order on."""
    found: list[str] = []
    pending = list(waits)
    while pending:
        task_id = pending.pop(0)
        if task_id in found:
            continue
        found.append(task_id)
        if state.drafts[task_id].exact:
            pending += implied.get(task_id, [])
    return found


def _build(state: _State, draft: _Draft, order: dict[str, int], children: list[str]) -> Task:
    known: list[str] = []
    ancestors = ancestors_of(draft.parent, lambda task: state.drafts[task].parent)
    for dep, number in zip(draft.depends_on, draft.dep_lines, strict=False):
        if dep in known or dep in ancestors or dep in children:  # itself: a cycle (`select`)
            continue  # a sub-task naming its parent would be a cycle: the parent waits
        if dep not in order:
            state.warn(number or draft.line,
                       f"{draft.id} depends on {dep}, which is not a task in this file (ignored)")
            continue
        known.append(dep)
    known.sort(key=order.__getitem__)
    implied = {dep for dep, number in zip(draft.depends_on, draft.dep_lines, strict=False)
               if not number}  # the file and phase order's (`_add_phase_order`)
    return Task(
        id=draft.id, title=draft.title, details=tuple(draft.details), status=draft.status,
        optional=draft.optional, requirements=tuple(dict.fromkeys(draft.requirements)),
        depends_on=(*known, *children), follows=tuple(d for d in known if d in implied),
        parallel=draft.parallel, phase=draft.phase,
        parent=draft.parent, children=tuple(children), file=state.file, line=draft.line,
    )


def _unboxed_task(state: _State, line: Line) -> bool:
    """A bullet that starts with a task id inside a phase, not nested under a task."""
    bullet = None if state.phase is None else _BULLET_TASK.match(line.text)
    if bullet is None or (bullet["id"][0] == "t" and _canonical(bullet["id"]) not in
                          state.drafts):  # `- t3.large is used`: lower case is no id alone
        return False
    return state.current is None or line.indent <= state.current.indent


def _in_ignored_section(state: _State) -> bool:
    return any(_NOT_TASKS.search(h.title) for h in state.headings)


def _in_dependency_section(state: _State) -> bool:
    return any(_DEPENDENCY_SECTION.search(h.title) for h in state.headings)
