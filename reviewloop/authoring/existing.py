"""An existing spec as drafts to revise: its files, in any of the three formats, read back
into the single-document grammar the phases are drafted in. A phase the files do not hold
is left out and drafted as usual."""

from __future__ import annotations

import os
import re
from pathlib import Path

from reviewloop.authoring import document
from reviewloop.authoring import phases as ph
from reviewloop.spec import docspec
from reviewloop.spec.loader import confined, load_spec, read_document, read_text
from reviewloop.spec.model import Task

_FRONT = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
_H2 = re.compile(r"^##\s+(?P<title>.+?)\s*#*\s*$")
_KIRO_REQ = re.compile(r"^###\s+Requirement\s+(?P<n>\d+)\s*:?\s*(?P<title>.*?)"
                       r"(?:\s*\((?P<id>N?FR-?\d+(?:\.\d+)*)\))?\s*$", re.IGNORECASE)
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?P<text>.+)$")
_SPECKIT_REQ = re.compile(r"^[-*+]\s+\*\*(?P<id>N?FR-\d+)\*\*\s*:?\s*(?P<title>.*)$")


def primary(fmt: str, tasks_file: Path) -> Path:
    """The file (doc) or folder (Kiro, Spec Kit) whose existence means the spec exists."""
    return tasks_file if fmt == "doc" else tasks_file.parent


def load_drafts(root: Path, fmt: str, tasks_file: Path) -> dict[str, str]:
    """Phase -> draft text of the spec at `tasks_file`, as far as its files say."""
    if fmt == "doc":
        drafts = _by_heading(_body(tasks_file, root), own_sections=True)
        refs: dict[str, str] = {}
    else:
        folder = tasks_file.parent
        req_file, design_file = (("requirements.md", "design.md") if fmt == "kiro"
                                 else ("spec.md", "plan.md"))
        requirements = _document(folder / req_file, root)
        drafts = _by_heading(_document(folder / design_file, root), default=ph.HIGH_LEVEL)
        drafts.update({k: v for k, v in _by_heading(requirements).items() if k == ph.RESEARCH})
        reqs, refs = (_kiro_requirements(requirements) if fmt == "kiro"
                      else _speckit_requirements(requirements))
        if reqs:
            drafts[ph.REQUIREMENTS] = reqs
        drafts.pop(ph.TASKS, None)
    if os.path.lexists(tasks_file) and fmt != "doc":  # one that cannot be read is named
        spec = load_spec(root, tasks_file)
        drafts[ph.TASKS] = render_tasks(spec.tasks, refs)
    return {phase: text.strip() for phase, text in drafts.items() if text.strip()}


def intro(fmt: str, tasks_file: Path, root: Path) -> str:
    """The description the spec opens with (its first block quote), or "" when it has none."""
    first = {"doc": tasks_file, "kiro": tasks_file.parent / "requirements.md",
             "speckit": tasks_file.parent / "spec.md"}[fmt]
    quoted: list[str] = []
    for line in (_body(first, root) if fmt == "doc" else _document(first, root)).splitlines():
        if line.startswith(">"):
            quoted.append(line[1:].strip())
        elif quoted:
            break
    return "\n".join(quoted).strip()


def render_tasks(tasks: tuple[Task, ...], refs: dict[str, str]) -> str:
    """Tasks in the draft grammar (`- [ ] T1 …`, `Depends:`, `Requirements:`), nested."""
    by_id = {t.id: t for t in tasks}
    lines: list[str] = []
    for task in tasks:
        depth = _depth(task, by_id)
        pad = "  " * depth
        box = "[x]" if task.is_done else "[ ]"
        lines.append(f"{pad}- {box}{'*' if task.optional else ''} {_tid(task.id)} {task.title}")
        lines += [f"{pad}  - {d}" for d in task.details]
        own = [_tid(d) for d in task.depends_on if d not in task.children and d in by_id]
        if own:
            lines.append(f"{pad}  - Depends: {', '.join(own)}")
        if task.requirements:
            cited = dict.fromkeys(_ref(r, refs) for r in task.requirements)
            lines.append(f"{pad}  - Requirements: {', '.join(cited)}")
    return "\n".join(lines)


def _body(path: Path, root: Path) -> str:
    """A spec file's text without its front matter; one that resolves outside the repository
    is refused (`loader.confined`): it would go into the drafting model's prompt."""
    if not path.is_file():
        return ""
    return _FRONT.sub("", read_text(confined(path, root)), count=1)


def _document(path: Path, root: Path) -> str:
    """A requirements or design document's text without its front matter, "" when there is
    none; one that cannot be read as it is (a dangling link, a folder, not UTF-8) is refused
    (`loader.read_document`), never shown as an empty draft to be revised."""
    text = read_document(path, root)
    return "" if text is None else _FRONT.sub("", text, count=1)


def _phase_of(title: str, default: str | None) -> str | None:
    lowered = title.lower().replace("-", " ")
    if "research" in lowered:
        return ph.RESEARCH
    if "low level" in lowered:
        return ph.LOW_LEVEL
    kind = docspec.section_kind(title)
    if kind == "requirements":
        return ph.REQUIREMENTS
    if kind == "design" or "high level" in lowered:
        return ph.HIGH_LEVEL
    return ph.TASKS if kind == "tasks" else default


def kept(fmt: str, tasks_file: Path, root: Path) -> document.Kept:
    """What a single document holds besides its phases (`document.Kept`), so a revision
    writes it back; Kiro's and Spec Kit's files are derived, and keep only their phases."""
    if fmt != "doc":
        return document.Kept()
    title, preamble = "", []
    sections: list[tuple[str | None, list[str]]] = []
    anchor: str | None = None
    section: list[str] | None = None
    for line in _body(tasks_file, root).splitlines():
        heading = _H2.match(line)
        if line.startswith("# ") and not title and heading is None:
            title = line.rstrip()
            continue
        if heading:
            phase = _phase_of(heading["title"], None)
            if phase is not None:
                anchor, section = phase, None
            else:
                section = [line]
                sections.append((anchor, section))
            continue
        if section is not None:
            section.append(line)
        elif anchor is None:
            preamble.append(line)
    return document.Kept(title=title, preamble=_without_quote(preamble),
                         sections=tuple((at, "\n".join(s).strip()) for at, s in sections))


def _without_quote(lines: list[str]) -> str:
    """The text under the title less its first block quote, the description `intro` reads."""
    start = next((i for i, line in enumerate(lines) if line.startswith(">")), len(lines))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith(">")),
               len(lines))
    return "\n".join(lines[:start] + lines[end:]).strip()


def _by_heading(text: str, default: str | None = None,
                own_sections: bool = False) -> dict[str, str]:
    """Split on `##` headings; a heading no phase claims stays with `default`, demoted one
    level so it cannot end the section it lands in — or, with `own_sections` (a single
    document, whose such sections `kept` writes back as they are), is left out."""
    drafts: dict[str, str] = {}
    current: str | None = default
    for line in text.splitlines():
        if line.startswith("# "):  # the file's title, never part of a phase
            continue
        heading = _H2.match(line)
        if heading:
            phase = _phase_of(heading["title"], None)
            if phase is not None:
                current = phase
                continue
            if own_sections:
                current = None
                continue
            current = current or default
            line = "#" + line
        if current is not None:
            drafts[current] = drafts.get(current, "") + line + "\n"
    return drafts


def _kiro_requirements(text: str) -> tuple[str, dict[str, str]]:
    """Kiro's `### Requirement N: title (FR-n)` blocks as `- **FR-n** title` bullets with
    their criteria; the map sends Kiro's `_Requirements: 2.1_` numbers to those ids."""
    lines: list[str] = []
    refs: dict[str, str] = {}
    for line in text.splitlines():
        found = _KIRO_REQ.match(line)
        if found:
            req_id = _plain_id(found["id"] or f"FR-{found['n']}")
            refs[found["n"]] = req_id
            lines.append(f"- **{req_id}** {found['title'].strip() or req_id}")
        elif lines and (item := _ITEM.match(line)):
            lines.append(f"  - {item['text'].strip()}")
    return "\n".join(lines), refs


def _speckit_requirements(text: str) -> tuple[str, dict[str, str]]:
    lines: list[str] = []
    for line in text.splitlines():
        found = _SPECKIT_REQ.match(line)
        if found:
            lines.append(f"- **{_plain_id(found['id'])}** {found['title'].strip()}")
        elif lines and line.startswith((" ", "\t")) and (item := _ITEM.match(line)):
            lines.append(f"  - {item['text'].strip()}")
    return "\n".join(lines), {}


def _ref(cited: str, refs: dict[str, str]) -> str:
    """A task's requirement reference as a draft id; Kiro's `2.1` is criterion 1 of 2."""
    return refs.get(cited) or refs.get(cited.split(".")[0]) or _plain_id(cited)


def _plain_id(req_id: str) -> str:
    """`FR-001` (Spec Kit's label) and `fr1` are the draft grammar's `FR-1`."""
    return re.sub(r"^(N?FR)-?0*(?=\d)", r"\1-", req_id.upper())


def _tid(task_id: str) -> str:
    return task_id if task_id[:1].upper() == "T" else f"T{task_id}"


def _depth(task: Task, by_id: dict[str, Task]) -> int:
    depth, parent = 0, task.parent
    while parent is not None and parent in by_id:
        depth, parent = depth + 1, by_id[parent].parent
    return depth
