"""Checking drafts with the spec readers: a task plan is shown only when `reviewloop tasks`
would read it cleanly, cite every requirement, and order it without a cycle; every
requirement is traced through the high-level and the low-level design to a task."""

from __future__ import annotations

from reviewloop.spec import docspec, select
from reviewloop.spec.markdown import iter_lines
from reviewloop.spec.model import TaskList

_FILE = "draft"


def compose(requirements: str, tasks: str = "") -> str:
    """The smallest single-document spec holding these two sections, as the reader sees it."""
    text = f"# Draft\n\n## Requirements\n\n{requirements.strip()}\n"
    if tasks:
        text += f"\n## Tasks\n\n{tasks.strip()}\n"
    return text


# Which section headings a phase's draft may contain: anything else would be read as a
# second Requirements, Design or Tasks section of the written spec.
_ALLOWED = {"requirements": {"requirements"}, "high_level_design": {"design"},
            "low_level_design": {"design"}, "research": set(), "task_plan": {"tasks"}}


def check_sections(phase: str, text: str) -> list[str]:
    """Headings in a draft that the spec reader would take for another phase's section."""
    problems = []
    for line in iter_lines(text):
        if not (line.is_heading and line.heading):
            continue
        kind = docspec.section_kind(line.heading)
        if kind is not None and kind not in _ALLOWED[phase]:
            problems.append(f"line {line.number}: the heading {line.heading!r} would be read "
                            f"as a {kind} section of the spec; rename it or drop it")
    return problems


def requirement_ids(requirements: str) -> list[str]:
    """FR/NFR ids the requirements draft defines, in order."""
    return list(docspec.sections(compose(requirements)).requirement_items)


def check_requirements(requirements: str) -> list[str]:
    """Problems with a requirements draft; empty when tasks can cite it."""
    ids = requirement_ids(requirements)
    if not ids:
        return [("no requirement ids found: write each requirement as a bullet starting with "
                 "`**FR-1**` (functional) or `**NFR-1**` (non-functional)")]
    if not any(i.startswith("FR-") for i in ids):
        return ["no functional requirement (FR-n) found; at least one is needed"]
    return []


# The design layers a requirement is traced through, by phase, in order.
DESIGN_LAYERS = {"high_level_design": "high-level design",
                 "low_level_design": "low-level design"}


def check_trace(phase: str, requirements: str, text: str) -> list[str]:
    """Requirements a design layer's draft never names: each must be traced through it."""
    layer = DESIGN_LAYERS[phase]
    named = docspec.requirement_refs(text)
    return [f"requirement {r} is not traced to the {layer}: name {r} where the "
            f"{layer} says which part serves it" for r in requirement_ids(requirements)
            if r not in named]


def parse_plan(requirements: str, tasks: str) -> TaskList:
    return docspec.parse(compose(requirements, tasks), _FILE)


def check_plan(requirements: str, tasks: str) -> list[str]:
    """Every problem the reader, the dependency order and requirement coverage find."""
    parsed = parse_plan(requirements, tasks)
    offset = compose(requirements).count("\n") + 3  # lines before the task plan's first line
    problems = [_relative(d.line, offset, d.message) for d in parsed.diagnostics]
    plan = select.waves(parsed.tasks, include_optional=True)
    problems += [_relative(d.line, offset, d.message) for d in plan.diagnostics]
    if not parsed.tasks:
        return problems or ["no tasks found"]
    ids = requirement_ids(requirements)
    cited = {r for t in parsed.tasks for r in t.requirements}
    problems += [f"requirement {r} is not traced to the task plan: no task cites it; add it "
                 "to a task's `Requirements:` line" for r in ids if r not in cited]
    problems += [f"task {t.id} cites no requirement; add a `Requirements:` line naming the "
                 "FR/NFR ids it implements" for t in parsed.tasks
                 if t.parent is None and not _cites(t.id, parsed)]
    return list(dict.fromkeys(problems))


def _cites(task_id: str, parsed: TaskList) -> bool:
    by_id = parsed.by_id()
    stack = [task_id]
    while stack:
        task = by_id[stack.pop()]
        if task.requirements:
            return True
        stack.extend(task.children)
    return False


def _relative(line: int, offset: int, message: str) -> str:
    where = line - offset
    return f"task plan line {where}: {message}" if where > 0 else message
