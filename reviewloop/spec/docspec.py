"""Read a single-document spec, `docs/<feature>-spec.md`: its sections and its task plan.

The grammar is written up for users in docs/spec-format.md. In short: headings (any level,
any case) name the sections: Requirements, High-level design, Low-level design and Tasks
(also "Task plan", "Implementation plan"). Requirement items are `FR-1` / `NFR-1`; tasks
are checkboxes with an id (`- [ ] T1 Title`, `- [ ] 1.2 Title`), nested by indentation,
with `Depends:` and `Requirements:` lines under them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from reviewloop.spec.deps_labels import contradiction, dependency_labels
from reviewloop.spec.markdown import (
    Checkbox,
    TaskDraft,
    indent_width,
    iter_lines,
    near_checkbox,
    parse_checkbox,
    strip_bullet,
    unclosed_block,
)
from reviewloop.spec.model import Diagnostic, Task, TaskList

_TASK_ID = re.compile(
    r"^[*_`]*(?:task\s+)?(?P<id>T\d+(?:\.\d+)*|\d+(?:\.\d+)*)\.?[*_`]*[:.)]?[*_`]*(?:\s+|$)",
    re.IGNORECASE)
_REQ_ID = r"N?FR-?\d+(?:\.\d+)*"
_REQ_ITEM = re.compile(
    rf"^\s*(?:[-*+]\s+|\d+[.)]\s+)?[*_`]*(?P<id>{_REQ_ID})\b[*_`]*\s*[:.)\-–—]?", re.IGNORECASE)
_META = re.compile(
    r"^\s*(?:[-*+]\s+)?[*_`]*(?P<key>depends(?:\s+on)?|dependencies|after|blocked\s+by|"
    r"requirements?|reqs?|implements|covers|satisfies)[*_`]*\s*:[*_`]*\s*(?P<value>.*?)[*_`\s]*$",
    re.IGNORECASE)
_INLINE_DEP = re.compile(
    r"\s*\((?:depends\s+on|after|requires|needs|blocked\s+by)\s*:?\s+(?P<ids>[^)]*)\)",
    re.IGNORECASE)
_INLINE_REQ = re.compile(rf"\s*[(\[](?P<ids>{_REQ_ID}(?:\s*,\s*{_REQ_ID})*)[)\]]", re.IGNORECASE)
_OPTIONAL = re.compile(
    r"^\s*(?:[(\[]\s*optional\s*[)\]]|optional\s*:)\s*|\s*[(\[]\s*optional\s*[)\]]",
    re.IGNORECASE)
# headings after the task plan that end it; any other heading after `## Tasks` is a phase of it
_NOT_PLAN = re.compile(
    r"\b(?:open questions?|questions|notes?|out of scope|non[- ]goals?|future work|references?|"
    r"appendix|glossary|risks?|changelog|change log|faq|assumptions|decisions?|"
    r"alternatives considered)\b", re.IGNORECASE)
# headings after the plan whose boxes are criteria or checks, not tasks: only a `T<n>` there is
# named as a task line left out
_CRITERIA = re.compile(r"\b(?:criteria|checklists?|definition of done|done when|metrics|kpis?|"
                       r"sign[- ]?offs?)\b", re.IGNORECASE)
_LONGEST_TITLE = 2000
_ID_TOKEN = re.compile(r"[A-Za-z]*\d+(?:\.\d+)*")
_REF_TOKEN = re.compile(r"\b[A-Za-z]{1,5}-?\d+(?:\.\d+)*\b|\b\d+(?:\.\d+)*\b")


class DocSections(BaseModel):
    """The prose sections of a single-document spec, for prompts and spec authoring."""

    model_config = ConfigDict(frozen=True)

    requirements: str | None = None
    design: str | None = None
    requirement_items: dict[str, str] = {}


def section_kind(title: str) -> str | None:
    """Which section a heading opens: requirements, design, tasks, or None."""
    text = re.sub(r"^[\W\d_]*(?:\d+(?:\.\d+)*[.)]?\s*)?", "", title).strip().lower()
    text = text.rstrip(":").replace("-", " ")
    if re.match(rf"^[*_`]*{_REQ_ID}\b", title.strip(), re.IGNORECASE):
        return None  # `### FR-3: Tasks can be completed` is an item, not a section
    if "requirement" in text:
        return "requirements"
    if re.search(r"\bdesign\b|\barchitecture\b", text):
        return "design"
    if re.search(r"\btasks?\b|\bimplementation plan\b|\bwork plan\b|\bwork breakdown\b", text) \
            or text in ("plan", "implementation", "milestones"):
        return "tasks"
    return None


@dataclass
class _Line:
    number: int
    text: str
    in_fence: bool
    heading: tuple[int, str] | None  # (level, title) when the line is a heading
    section: str | None  # the section kind the line belongs to


def _scan(text: str) -> list[_Line]:
    """Tag each line with the section (requirements, design, tasks) it belongs to."""
    lines: list[_Line] = []
    current: tuple[str, int] | None = None
    for line in iter_lines(text):
        heading = None
        if line.is_heading and line.heading is not None:
            heading = (line.heading_level, line.heading)
            current = _next_section(current, *heading)
        lines.append(_Line(line.number, line.text, line.in_fence, heading,
                           current[0] if current else None))
    return lines


def _next_section(current: tuple[str, int] | None, level: int,
                  title: str) -> tuple[str, int] | None:
    kind = section_kind(title)
    if kind is None and current is not None and current[0] in ("tasks", "criteria"):
        if _CRITERIA.search(title):
            return ("criteria", level)  # `## Success criteria`, `## Launch checklist`
        if current[0] == "tasks" and not _NOT_PLAN.search(title):
            return current  # `## Phase 2`, `## Testing`, `## Rollout` after `## Tasks`: the plan
    if kind is None:
        return current if current is not None and level > current[1] else None
    if current is not None and current[0] == kind and level > current[1]:
        return current  # "### Functional requirements" inside "## Requirements"
    return (kind, level)


def sections(text: str) -> DocSections:
    """The Requirements and Design sections as text, and requirement items by id."""
    lines = _scan(text)
    requirements = _join(line.text for line in lines if line.section == "requirements")
    design = _join(line.text for line in lines if line.section == "design")
    items = _requirement_items([line for line in lines if line.section == "requirements"])
    return DocSections(requirements=requirements, design=design,
                       requirement_items={k: v[1] for k, v in items.items()})


def _join(texts: Iterable[str]) -> str | None:
    joined = "\n".join(texts).strip("\n")
    return joined if joined.strip() else None


def _requirement_items(lines: list[_Line]) -> dict[str, tuple[int, str]]:
    """FR/NFR id -> (line, text); an item runs to the next item or a heading at its level."""
    items: dict[str, tuple[int, str]] = {}
    opened: tuple[int, str] | None = None  # (index in `lines`, id) of the open item
    level = 7  # heading level of the open item; 7 for a bullet or paragraph item

    def close(end: int) -> None:
        if opened is None:
            return
        start, req_id = opened
        first = lines[start]
        body = [first.text.strip() if first.heading else first.text]
        body += [line.text for line in lines[start + 1:end]]
        items.setdefault(req_id, (first.number, "\n".join(body).strip()))

    for index, line in enumerate(lines):
        item = None if line.in_fence else _REQ_ITEM.match(_heading_text(line))
        if item is not None:
            close(index)
            opened = (index, _normal_req(item.group("id")))
            level = line.heading[0] if line.heading else 7
        elif line.heading and line.heading[0] <= level:
            close(index)
            opened, level = None, 7
    close(len(lines))
    return items


def _heading_text(line: _Line) -> str:
    return line.heading[1] if line.heading else line.text


_REQ_REF = re.compile(rf"(?<![A-Za-z0-9]){_REQ_ID}(?![\d.]*\d)", re.IGNORECASE)


def requirement_refs(text: str) -> set[str]:
    """Every FR/NFR id a text names anywhere (`NFR-1` is not `FR-1`, `FR-10` not `FR-1`)."""
    return {_normal_req(match.group(0)) for match in _REQ_REF.finditer(text)}


def _normal_req(raw: str) -> str:
    """`fr1` and `FR-1` are the same requirement; other ids are kept, upper-cased."""
    return re.sub(r"^(N?FR)-?(?=\d)", r"\1-", raw.upper())


@dataclass
class _Draft(TaskDraft):
    phase: str | None
    parent: str | None = None
    children: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    depends_on: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class _State:
    file: str
    drafts: dict[str, _Draft] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    stack: list[_Draft] = field(default_factory=list)
    last: _Draft | None = None  # takes a flush-left `Depends:` line straight after it
    phase: str | None = None

    def warn(self, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(file=self.file, line=line, message=message))


def parse(text: str, file: str) -> TaskList:
    """Parse the task plan of a single-document spec. Never raises."""
    lines = _scan(text)
    state = _State(file=file)
    task_lines = [line for line in lines if line.section == "tasks"]
    if not task_lines:
        task_lines = [line for line in lines if line.section is None]
    for line in task_lines:
        _read_line(state, line)
    if (unclosed := unclosed_block(list(iter_lines(text)))) is not None:
        state.warn(*unclosed)
    read = {line.number for line in task_lines}
    _unread_task_lines(state, [line for line in lines if line.number not in read])
    if not state.drafts:
        state.warn(1, "no tasks found; add a `## Tasks` section with lines like "
                      "`- [ ] T1 Title` (see docs/spec-format.md)")
    known_reqs = {k: v[0] for k, v in _requirement_items(
        [line for line in lines if line.section == "requirements"]).items()}
    return _finish(state, known_reqs)


def _unread_task_lines(state: _State, lines: list[_Line]) -> None:
    """A task line in a section the plan is not read from (Requirements, Design, a heading
    before `## Tasks`) is named, never dropped silently."""
    for line in lines:
        box = None if line.in_fence else parse_checkbox(line.text)
        found = None if box is None else _TASK_ID.match(box.rest)
        if found is None or (line.section in ("requirements", "design", "criteria")
                             and found.group("id")[:1] not in "tT"):
            continue  # `- [ ] 1. WHEN …` under a requirement or criteria is no task
        where = f"the {line.section} section" if line.section else "a section outside the plan"
        state.warn(line.number, f"task line in {where} is not read: the plan is the `## Tasks` "
                                "section and the phase headings after it (up to one such as "
                                "`## Open questions`); move it there")


def _read_line(state: _State, line: _Line) -> None:
    if line.heading is not None:
        state.stack.clear()
        state.last = None
        state.phase = line.heading[1].strip() if section_kind(line.heading[1]) is None else None
        return
    if not line.text.strip():
        return
    indent = indent_width(line.text)
    while state.stack and state.stack[-1].indent >= indent:
        state.stack.pop()
    box = None if line.in_fence else parse_checkbox(line.text)
    if box is not None:
        _read_checkbox(state, line.number, box)
        return
    near = None if line.in_fence else near_checkbox(line.text)
    if near is not None:
        state.warn(line.number, near)
    owner = state.stack[-1] if state.stack else None
    meta = None if line.in_fence else _META.match(line.text)
    target = owner or state.last
    if meta is not None and target is not None:
        _read_meta(target, meta.group("key"), meta.group("value"), line.number)
    elif owner is not None:
        owner.details.append(line.text.strip() if line.in_fence else strip_bullet(line.text))
    else:
        state.last = None


def _read_checkbox(state: _State, number: int, box: Checkbox) -> None:
    rest = box.rest
    found = _TASK_ID.match(rest)
    owner = state.stack[-1] if state.stack else None
    if found is None:
        if owner is not None:
            owner.details.append(f"[{box.mark}] {rest}")
        else:
            state.warn(number, "checkbox without a task id; write `- [ ] T3 Title` "
                               "or `- [ ] 3 Title` (line ignored)")
        return
    task_id = canonical_id(found.group("id"))
    if task_id in state.drafts:
        state.warn(number, f"duplicate task id {task_id} (first at line "
                           f"{state.drafts[task_id].line}); this line is ignored, renumber it")
        return
    draft = _new_draft(state, task_id, box, rest[found.end():], number)
    if owner is None and "." in task_id and task_id.rsplit(".", 1)[0] in state.drafts:
        owner = state.drafts[task_id.rsplit(".", 1)[0]]  # flush-left `1.2` under `1`
    if owner is not None:
        draft.parent = owner.id
        owner.children.append(task_id)
    state.drafts[task_id] = draft
    state.stack.append(draft)
    state.last = draft


def canonical_id(raw: str) -> str:
    """A task id as the spec's grammar writes it: `T3` for `t3` (ids are read in any case,
    as Spec Kit's are: `speckit_edges.canonical`); a plain number as it is."""
    return f"T{raw[1:]}" if raw[:1] in "tT" else raw


def _new_draft(state: _State, task_id: str, box: Checkbox, title: str, number: int) -> _Draft:
    optional = box.optional or bool(_OPTIONAL.search(title))
    title = _OPTIONAL.sub(" ", title).strip()
    if not title:
        state.warn(number, f"task {task_id} has no title; write `- [ ] {task_id} Title`")
    draft = _Draft(id=task_id, title=title, status=box.status, line=number,
                   indent=box.indent, optional=optional, phase=state.phase)
    if len(title) > _LONGEST_TITLE:
        return draft  # inline `(depends on …)` forms are looked for in titles of sane length
    labelled = dependency_labels(title, _ID_TOKEN)
    if labelled is not None:  # `- [ ] T3 Build the API [deps: T1, T2]`
        title = labelled.title
        itself = [token for token in labelled.ids if token.upper() == task_id.upper()]
        draft.depends_on.extend((token, number) for token in labelled.ids
                                if token not in itself)
        if itself:  # not a cycle that drops the task from the plan
            state.warn(number, f"task {task_id}'s label names task {task_id} itself: ignored")
        if problem := labelled.problem(task_id) or contradiction(task_id, labelled.lists):
            state.warn(number, problem)
    for match in _INLINE_DEP.finditer(title):
        _read_meta(draft, "depends", match.group("ids"), number)
    for match in _INLINE_REQ.finditer(title):
        _read_meta(draft, "requirements", match.group("ids"), number)
    draft.title = _INLINE_REQ.sub("", _INLINE_DEP.sub("", title)).strip()
    return draft


def _read_meta(draft: _Draft, key: str, value: str, number: int) -> None:
    if key.lower().startswith(("req", "implements", "covers", "satisfies")):
        for ref in _REF_TOKEN.findall(value):
            if _normal_req(ref) not in draft.requirements:
                draft.requirements.append(_normal_req(ref))
        return
    for token in _ID_TOKEN.findall(value):
        draft.depends_on.append((token, number))


def _finish(state: _State, known_reqs: dict[str, int]) -> TaskList:
    drafts = state.drafts
    ids = {task_id.lower(): task_id for task_id in drafts}
    tasks: list[Task] = []
    for draft in drafts.values():
        deps = _resolve_deps(state, draft, ids)
        if known_reqs:
            for ref in draft.requirements:
                if ref not in known_reqs:
                    state.warn(draft.line, f"{draft.id} names requirement {ref}, which the "
                                           "Requirements section does not define")
        tasks.append(Task(
            id=draft.id, title=draft.title, details=tuple(draft.details), status=draft.status,
            optional=draft.optional, parent=draft.parent, children=tuple(draft.children),
            requirements=tuple(draft.requirements), depends_on=tuple(deps),
            phase=draft.phase, file=state.file, line=draft.line,
        ))
    diagnostics = sorted(state.diagnostics, key=lambda d: d.line)
    return TaskList(tasks=tuple(tasks), diagnostics=tuple(diagnostics))


def _resolve_deps(state: _State, draft: _Draft, ids: dict[str, str]) -> list[str]:
    """Explicit dependencies that name a task, then the task's children.

    `Depends: 1` and `Depends: T1` both find task `T1` or task `1`. A sub-task naming its
    own parent is kept: `select` ignores it (the parent already waits for it) and says so.
    """
    deps: list[str] = []
    for token, number in draft.depends_on:
        target = ids.get(token.lower()) or ids.get(f"t{token}".lower())
        if target is None and token.lower().startswith("t"):
            target = ids.get(token[1:])
        if target is None:
            state.warn(number, f"{draft.id} depends on {token}, which is not a task "
                               "in this spec (ignored)")
            continue
        # a task naming itself is kept: `select` reports it as a cycle
        if target not in deps:
            deps.append(target)
    deps.extend(c for c in draft.children if c not in deps)
    return deps


