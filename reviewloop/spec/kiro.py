"""Read a Kiro `.kiro/specs/<feature>/tasks.md` (and cc-sdd's variant) into tasks.

Kiro writes `- [ ] 1. Title` with sub-tasks `- [ ] 1.1 Title`, either indented or flush
left, detail bullets under each task, `_Requirements: 1.1, 2.3_` lines, `[x]` done,
`[-]` in progress, `[~]` queued and `- [ ]*` (or `7.9*`) for optional tasks. cc-sdd adds
`(P)` for tasks that may run in parallel and `_Depends: 1.2_` / `_Boundary: …_` lines; a
file with `(P)` or `_Boundary:_` (or a `spec.json` beside it) is read as cc-sdd, whose tasks
run in file order except runs of `(P)` tasks (`spec/order.py`). `_Depends:_` alone is an
explicit dependency any Kiro file may state. Real files drift from all of that, so anything
that looks like a task but cannot be read becomes a Diagnostic; the reader never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reviewloop.spec import markdown as md
from reviewloop.spec import order
from reviewloop.spec.deps_labels import contradiction, dependency_labels
from reviewloop.spec.model import Diagnostic, Task, TaskList

CC_SDD = "cc-sdd"
_ID = re.compile(
    r"^(?:\*\*)?(?:task\s+)?(?P<id>\d+(?:\.\d+)*)\.?(?P<optional>\*)?(?:\*\*)?(?=[\s:]|$)"
    r"[\s:]*(?P<title>.*)$",
    re.IGNORECASE,
)
_TASK_ID = re.compile(r"\d+(?:\.\d+)*")  # a task id as a dependency names it
_CC_SDD_FIELD = re.compile(r"^\s*(?:[-*+]\s+)?_Boundary\s*:", re.MULTILINE)
_COMMENT = re.compile(r"<!--.*?(?:-->|$)")
_PARALLEL = re.compile(r"(?:^|\s)\(P\)(?=\s|$)")
_DEPEND_LABELS = frozenset({"depends", "depends on", "dependencies", "dependency", "依存", "依赖"})
# Labels that state a dependency when their value names task ids (`_Blocked by: 1.2_`), and
# are a plain detail otherwise (`Blocked by: the vendor's API`)
_ID_LABELS = frozenset({"blocked", "blocked by", "after", "requires"})
_DETAIL_LABELS = frozenset({"boundary"})
# A dependency stated in prose: "depends on 1", "blocked by 1.2"; and "after"/"requires" when
# the id ends the statement ("after 1.2", "after 2 and …", "after 1.2 is done") or follows
# "task" ("after task 3 ships"): a number that a word follows there is a quantity ("after 3
# failed attempts", "after 2 seconds", "requires 1.2 or later"), not a task
_PROSE_ID = r"\d+(?:\.\d+)*"
_PROSE_DEP = re.compile(
    rf"\b(?:(?:depends\s+on|blocked\s+by)\s+(?:tasks?\s+)?(?P<dep>{_PROSE_ID})|"
    rf"(?:after|requires)\s+(?:tasks?\s+(?P<task>{_PROSE_ID})|(?P<id>{_PROSE_ID})(?!\w|\.\d)"
    r"(?=\s*(?:$|[),;:!?]|\.(?:\s|$)|(?:and|is|has|are|was|completes?|finishes|lands?)\b))))",
    re.IGNORECASE,
)
# The same in a title, in parentheses: `- [ ] 2. Billing (after 1.2)`
_TITLE_DEP = re.compile(
    r"\((?:depends\s+on|after|requires|blocked\s+by)\s+(?:tasks?\s+)?(?P<id>\d+(?:\.\d+)*)\)",
    re.IGNORECASE,
)
_CRITERIA_HEADINGS = (
    "definition of done", "acceptance criteria", "success criteria", "done criteria",
    "exit criteria", "验收标准", "完成标准", "受け入れ基準", "完了条件",
)
_CRITERIA_NAMES = frozenset((*_CRITERIA_HEADINGS, "dod"))
# what may stand around a criteria name in its heading: emphasis, numbering, emoji, a colon
_CRITERIA_DECORATION = re.compile(r"^[\W\d_]+|[^\w)）]+$")
_CRITERIA_NOTE = re.compile(r"\s*[(（][^)）]*[)）]\s*$")  # "Acceptance Criteria (all must hold)"
# what may follow a criteria name that opens a heading: "Acceptance criteria for task 2"
_CRITERIA_FOR = re.compile(r"\s+(?:for|of|per)\b|\s*[-–—]")
_CRITERIA_JOIN = re.compile(r"\s*[/|&,]\s*|\s+(?:and|or)\s+")
_CHECKLIST_HEADINGS = (
    "definition of done", "acceptance criteria", "checklist", "check list", "verification",
    "success criteria", "done criteria", "exit criteria", "quality gate",
    "检查点", "验收标准", "完成标准", "受け入れ基準", "完了条件", "チェックリスト",
)


@dataclass
class _Draft(md.TaskDraft):
    parallel: bool
    phase: str | None
    parent: str | None = None
    details: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    depends: list[tuple[str, int]] = field(default_factory=list)  # explicit, with line
    # its title as written when a `[deps: …]` label left it, and the ids the label named
    labelled: tuple[str, tuple[str, ...]] | None = None


@dataclass
class _Reader:
    file: str
    numbered: bool  # the file has at least one checkbox with an id
    cc_sdd: bool = False
    drafts: dict[str, _Draft] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    current: _Draft | None = None
    stack: list[_Draft] = field(default_factory=list)  # open tasks by indentation
    synthetic: int = 0

    def diagnose(self, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(file=self.file, line=line, message=message))


def parse(text: str, file: str, *, cc_sdd: bool | None = None) -> TaskList:
    """Read one Kiro tasks file. `file` is the path shown in tasks and diagnostics.

    `cc_sdd` None detects the dialect from the text (`(P)` markers or `_Boundary:_`
    lines); the loader passes True when the spec folder has cc-sdd's `spec.json`.
    """
    lines = list(md.iter_lines(text))
    reader = _Reader(file=file, numbered=any(_has_id(line) for line in lines))
    _bare_carriage_return(reader, lines)
    for line in lines:
        _read_line(reader, line)
    if (unclosed := md.unclosed_block(lines)) is not None:
        reader.diagnose(*unclosed)
    if not reader.drafts and not reader.diagnostics:  # empty, or prose only: never "0 tasks"
        reader.diagnose(1, "no tasks found; add Kiro's task lines, like `- [ ] 1. Title` "
                           "(a sub-task `  - [ ] 1.1 Title`), or let Kiro write them "
                           "(see docs/spec-format.md)")
    reader.cc_sdd = _looks_like_cc_sdd(text, reader) if cc_sdd is None else cc_sdd
    return _finish(reader)


def _bare_carriage_return(reader: _Reader, lines: list[md.Line]) -> None:
    """A file saved with classic Mac OS line ends (a lone CR) reads as one line, its tasks
    unseen: say so at the first such line rather than list 0 tasks in silence."""
    line = next((line for line in lines if "\r" in line.text), None)
    if line is not None:
        hidden = line.text.count("\r")
        reader.diagnose(line.number, f"a carriage return without a line feed (a classic Mac OS "
                        f"line end) splits this line {hidden} time(s): lines end at a line feed "
                        "here, as in git, so no task after it on this line is read; save the "
                        "file with LF or CRLF line ends")


def _looks_like_cc_sdd(text: str, reader: _Reader) -> bool:
    return any(d.parallel for d in reader.drafts.values()) or bool(_CC_SDD_FIELD.search(text))


def split_id(rest: str) -> tuple[str, str] | None:
    """`1.2. **Title** (P)` → ("1.2", "**Title** (P)"); None when the text has no id."""
    parsed = _split(rest)
    return None if parsed is None else (parsed[0], parsed[1])


def _split(rest: str) -> tuple[str, str, bool] | None:
    """(id, title, optional marker after the id) of a checkbox's text."""
    match = _ID.match(rest.strip())
    if match is None:
        return None
    return match["id"], match["title"], match["optional"] is not None


def _has_id(line: md.Line) -> bool:
    if line.in_fence:
        return False
    box = md.parse_checkbox(line.text)
    return box is not None and split_id(box.rest) is not None


def _read_line(reader: _Reader, line: md.Line) -> None:
    if line.in_fence:
        return
    if line.is_heading:
        reader.current = None
        reader.stack.clear()
        return
    box = md.parse_checkbox(line.text)
    if box is not None:
        _read_checkbox(reader, line, box)
        return
    near = md.near_checkbox(line.text, example="- [ ] 3. Title")
    if near is not None and not _in_checklist(line):
        reader.diagnose(line.number, near)
    if reader.current is not None:
        _read_body(reader, reader.current, line)


def _in_checklist(line: md.Line) -> bool:
    heading = (line.heading or "").casefold()
    return any(word in heading for word in _CHECKLIST_HEADINGS)


def _in_criteria(line: md.Line) -> bool:
    """Under a heading that is a criteria name no task list is ever given ("Definition of
    Done", "Acceptance Criteria", "DoD / Definition of done"): a numbered box there is a
    criterion too. A heading that only holds the words ("Phase 2: Validate Success Criteria")
    is a phase, and a phase named "Verification" or "Checklist" keeps its numbered tasks."""
    heading = _CRITERIA_DECORATION.sub("", (line.heading or "").casefold())
    heading = _CRITERIA_DECORATION.sub("", _CRITERIA_NOTE.sub("", heading))
    parts = [part.strip() for part in _CRITERIA_JOIN.split(heading)]
    return bool(heading) and (all(part in _CRITERIA_NAMES for part in parts) or any(
        heading.startswith(name) and _CRITERIA_FOR.match(heading, len(name))
        for name in _CRITERIA_NAMES))  # "Acceptance criteria for task 2"



def _read_checkbox(reader: _Reader, line: md.Line, box: md.Checkbox) -> None:
    parsed = _split(box.rest)
    if parsed is None:
        _read_unnumbered(reader, line, box)
        return
    if _in_criteria(line):
        reader.current = None  # its detail lines belong to no task
        reader.diagnose(line.number, f"numbered box {parsed[0]} under \"{line.heading}\" is "
                                     "read as a criterion, not a task (a task goes under a "
                                     "phase heading or none)")
        return
    task_id, title, starred = parsed
    if task_id in reader.drafts:
        first = reader.drafts[task_id].line
        reader.diagnose(line.number, f"duplicate task id {task_id} (first on line {first}); "
                                     "this one is ignored")
        reader.current = None
        return
    _add(reader, line, box, task_id, title, starred)


def _read_unnumbered(reader: _Reader, line: md.Line, box: md.Checkbox) -> None:
    if _in_checklist(line):
        return
    current = reader.current
    if reader.numbered:
        if current is not None and box.indent > current.indent:
            current.details.append(box.rest.strip())
        else:
            reader.diagnose(line.number, "looks like a task but has no id "
                                         "(write it as `- [ ] 3. Title` or `- [ ] 3.1 Title`)")
            reader.current = None  # its detail lines belong to no task, not the one above
        return
    reader.synthetic += 1
    _add(reader, line, box, str(reader.synthetic), box.rest)


def _add(reader: _Reader, line: md.Line, box: md.Checkbox, task_id: str, title: str,
         starred: bool = False) -> None:
    whole = title
    labelled = dependency_labels(_COMMENT.sub(" ", title).rstrip(), _TASK_ID)
    if labelled is not None:  # `- [ ] 3. Build the API [deps: 1, 2]`
        title = labelled.title
        if problem := labelled.problem(task_id):
            reader.diagnose(line.number, problem)
    clean, parallel = _clean_title(title)
    if not clean:
        reader.diagnose(line.number, f"task {task_id} has no title")
    if labelled is not None and (problem := contradiction(task_id, labelled.lists)):
        reader.diagnose(line.number, problem)
    draft = _Draft(
        id=task_id, title=clean, status=box.status, optional=box.optional or starred,
        parallel=parallel, indent=box.indent, line=line.number,
        phase=line.heading if line.heading_level >= 2 else None,
    )
    if labelled is not None and labelled.ids:
        draft.labelled = (whole, tuple(labelled.ids))
    draft.depends.extend((ref, line.number) for ref in (labelled.ids if labelled else ())
                         if ref != task_id)  # itself: the title's text (`_dependencies`)
    draft.parent = _parent(reader, draft)
    reader.drafts[task_id] = draft
    reader.current = draft
    reader.stack.append(draft)


def _parent(reader: _Reader, draft: _Draft) -> str | None:
    """The id-prefix parent if it exists, else the nearest less-indented open task."""
    while reader.stack and reader.stack[-1].indent >= draft.indent:
        reader.stack.pop()
    prefix = draft.id.rpartition(".")[0]
    if prefix and prefix in reader.drafts:
        return prefix
    return reader.stack[-1].id if reader.stack else None


def _clean_title(title: str) -> tuple[str, bool]:
    """Strip emphasis, HTML comments and the `(P)` marker; report whether it was there."""
    title = _COMMENT.sub(" ", title)
    parallel = _PARALLEL.search(title) is not None
    if parallel:
        title = _PARALLEL.sub(" ", title)
    return " ".join(md.strip_emphasis(title).split()), parallel


def _read_body(reader: _Reader, task: _Draft, line: md.Line) -> None:
    if line.is_blank:
        return
    text = line.text.strip()
    if line.indent <= task.indent and not (line.indent == 0 and text.startswith("_")):
        reader.current = None  # flush-left prose ends the task's body
        return
    if text in ("-", "*", "+"):
        return
    refs = md.requirement_refs(text)
    if refs is not None:
        task.requirements.extend(r for r in refs if r not in task.requirements)
        return
    fields = md.field_line(text)
    label = fields[0].casefold() if fields else ""
    if fields and label in _DEPEND_LABELS:
        task.depends.extend((ref, line.number) for ref in md.parse_refs(fields[1]))
        return
    if fields and label in _ID_LABELS and md.parse_refs(fields[1]):
        task.depends.extend((ref, line.number) for ref in md.parse_refs(fields[1]))
        return
    if fields and label in _DETAIL_LABELS | _ID_LABELS:
        task.details.append(f"{fields[0]}: {fields[1]}")
        return
    task.details.append(md.strip_bullet(text) if md.is_bullet(text) else text)


def _finish(reader: _Reader) -> TaskList:
    drafts = reader.drafts
    children: dict[str, list[str]] = {tid: [] for tid in drafts}
    for draft in drafts.values():
        if draft.parent is not None:
            children[draft.parent].append(draft.id)
    in_order = _file_order(reader, children) if reader.cc_sdd else {}
    tasks = []
    for draft in drafts.values():
        depends = _dependencies(reader, draft, children[draft.id])
        depends += [d for d in in_order.get(draft.id, ()) if d not in depends]
        tasks.append(Task(
            id=draft.id, title=draft.title, details=tuple(draft.details),
            status=draft.status, optional=draft.optional, parent=draft.parent,
            children=tuple(children[draft.id]), requirements=tuple(draft.requirements),
            depends_on=tuple(depends), follows=tuple(in_order.get(draft.id, ())),
            parallel=draft.parallel, phase=draft.phase,
            file=reader.file, line=draft.line,
        ))
    return TaskList(tasks=tuple(tasks), diagnostics=tuple(reader.diagnostics),
                    dialect=CC_SDD if reader.cc_sdd else None)


def _file_order(reader: _Reader, children: dict[str, list[str]]) -> dict[str, list[str]]:
    """cc-sdd: what each unit of work waits for by its place in the file and its `(P)`."""
    drafts = reader.drafts
    steps = [order.Step(d.id, d.parallel, d.optional or _under_optional(drafts, d),
                        d.parent or d.id.rpartition(".")[0] or None)
             for d in drafts.values()
             if not any(not drafts[k].optional for k in children[d.id])]
    waits, _ = order.sequence(steps)
    return waits


def _under_optional(drafts: dict[str, _Draft], draft: _Draft) -> bool:
    parent, seen = draft.parent, set()
    while parent is not None and parent in drafts and parent not in seen:
        if drafts[parent].optional:
            return True
        seen.add(parent)
        parent = drafts[parent].parent
    return False


def _dependencies(reader: _Reader, draft: _Draft, children: list[str]) -> list[str]:
    found: list[str] = []

    def add(dep: str) -> None:
        if dep not in found:  # itself too: `select` reports it as a cycle
            found.append(dep)

    if draft.labelled is not None and not any(
            dep in reader.drafts and dep != draft.id for dep in draft.labelled[1]):
        # a label naming no other task of this spec (`Retry [after: 30]`) is the title's
        # text, as a label of words is; the ids it named are said below
        draft.title = _clean_title(draft.labelled[0])[0]
        if draft.id in draft.labelled[1]:
            reader.diagnose(draft.line, f"task {draft.id}'s label names task {draft.id} "
                                        "itself: read as the title's text")
    for dep, number in draft.depends:
        if dep in reader.drafts:
            add(dep)
        else:
            reader.diagnose(number, f"task {draft.id} depends on unknown task {dep}")
    for detail in draft.details:
        for match in _PROSE_DEP.finditer(detail):
            named = match["dep"] or match["task"] or match["id"]
            if named in reader.drafts:
                add(named)
    for match in _TITLE_DEP.finditer(draft.title):
        if match["id"] in reader.drafts:
            add(match["id"])
    for child in children:
        add(child)
    return found
