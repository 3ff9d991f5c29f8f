"""The approved drafts as files: one `docs/<name>-spec.md`, Kiro's three files, or Spec Kit's.

The drafts are always written in the single-document grammar; the Kiro and Spec Kit files
are derived from what the single-document reader makes of them, so all three say the same.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewloop.authoring import phases as ph
from reviewloop.authoring.validate import compose, parse_plan
from reviewloop.spec import docspec, select
from reviewloop.spec.model import Task

FORMATS = ("doc", "kiro", "speckit")
_ID_MARK = re.compile(r"^\s*(?:[-*+]\s+)?[*_`]*N?FR-?\d+(?:\.\d+)*[*_`]*\s*[:.)\-–—]?\s*",
                      re.IGNORECASE)


@dataclass(frozen=True)
class Meta:
    """What the front matter says about how the spec was written."""

    name: str
    what: str
    model: str | None
    approve_all: bool
    created: str


def front_matter(meta: Meta, fmt: str) -> str:
    approval = ("approve-all: every phase was accepted without human review"
                if meta.approve_all else "gated: each phase approved by a human")
    lines = ["---", f"feature: {meta.name}", f"format: {fmt}", f"created: {meta.created}",
             f"model: {meta.model or 'none (offline skeleton, no model was used)'}",
             f"approval: \"{approval}\"", "---", ""]
    return "\n".join(lines)


def target(fmt: str, name: str, root: Path) -> Path:
    """The file `reviewloop tasks --spec` reads for this spec."""
    if fmt == "kiro":
        return root / ".kiro" / "specs" / name / "tasks.md"
    if fmt == "speckit":
        return root / "specs" / f"{_speckit_number(root, name)}-{name}" / "tasks.md"
    return root / "docs" / f"{name}-spec.md"


def render(fmt: str, meta: Meta, drafts: dict[str, str], tasks_file: Path,
           kept: Kept | None = None) -> dict[Path, str]:
    """Path -> text of every file the spec consists of; `kept` is what a revised
    single document holds besides its phases, written back where it was."""
    if fmt == "kiro":
        return _kiro(meta, drafts, tasks_file.parent)
    if fmt == "speckit":
        return _speckit(meta, drafts, tasks_file.parent)
    return {tasks_file: front_matter(meta, "doc") + single_document(meta, drafts, kept)}


@dataclass(frozen=True)
class Kept:
    """A revised single document's own parts that no phase holds: its title, the text under
    it besides the description, and each section no phase claims (`## Open questions`), with
    the phase it followed (None: before the first phase) — written back where they were."""

    title: str = ""
    preamble: str = ""
    sections: tuple[tuple[str | None, str], ...] = ()

    def as_state(self) -> dict[str, Any]:
        return {"title": self.title, "preamble": self.preamble,
                "sections": [[anchor, text] for anchor, text in self.sections]}

    @classmethod
    def from_state(cls, data: Mapping[str, Any] | None) -> Kept:
        data = data or {}
        return cls(title=str(data.get("title") or ""), preamble=str(data.get("preamble") or ""),
                   sections=tuple((a, str(t)) for a, t in data.get("sections") or ()))


def single_document(meta: Meta, drafts: dict[str, str], kept: Kept | None = None) -> str:
    kept = kept or Kept()
    head = f"{kept.title or f'# {meta.name}: specification'}\n\n{_quoted(meta.what)}\n"
    parts = [head + (f"\n{kept.preamble.strip()}\n" if kept.preamble.strip() else "")]
    for anchor in (None, *ph.PHASES):
        if anchor is not None and drafts.get(anchor):
            parts.append(f"## {ph.TITLES[anchor]}\n\n{drafts[anchor].strip()}\n")
        parts += [f"{text.strip()}\n" for at, text in kept.sections if at == anchor]
    return "\n".join(parts)


def _quoted(text: str) -> str:
    """The user's description as a block quote, so no line of it can open a section or a task."""
    return "\n".join(f"> {line}" for line in text.strip().splitlines()) or ">"


def _requirements(drafts: dict[str, str]) -> list[tuple[str, str, list[str]]]:
    """(id, title, criteria lines) per requirement, in order."""
    items = docspec.sections(compose(drafts[ph.REQUIREMENTS])).requirement_items
    result = []
    for req_id, text in items.items():
        first, *rest = text.splitlines() or [""]
        criteria = [re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", r).strip() for r in rest if r.strip()]
        result.append((req_id, _ID_MARK.sub("", first).strip(), criteria))
    return result


def _design(drafts: dict[str, str]) -> str:
    return "\n".join(f"## {ph.TITLES[p]}\n\n{drafts[p].strip()}\n"
                     for p in (ph.HIGH_LEVEL, ph.LOW_LEVEL) if drafts.get(p))


def _tasks(drafts: dict[str, str]) -> list[Task]:
    return list(parse_plan(drafts[ph.REQUIREMENTS], drafts[ph.TASKS]).tasks)


def _kiro(meta: Meta, drafts: dict[str, str], folder: Path) -> dict[Path, str]:
    reqs = _requirements(drafts)
    number = {req_id: str(i) for i, (req_id, _, _) in enumerate(reqs, 1)}
    req_lines = [front_matter(meta, "kiro") + f"# Requirements Document\n\n## Introduction\n\n"
                 f"{_quoted(meta.what)}\n"]
    if drafts.get(ph.RESEARCH):
        req_lines.append(f"## Research findings\n\n{drafts[ph.RESEARCH].strip()}\n")
    req_lines.append("## Requirements\n")
    for req_id, title, criteria in reqs:
        req_lines.append(f"### Requirement {number[req_id]}: {title} ({req_id})\n\n"
                         "#### Acceptance Criteria\n")
        req_lines += [f"{i}. {c}" for i, c in enumerate(criteria, 1)] + [""]
    task_lines = ["# Implementation Plan\n"]
    for task in _tasks(drafts):
        depth = "  " * _depth(task, _tasks(drafts))
        box = "[x]" if task.is_done else "[ ]"
        star = "*" if task.optional else ""
        task_id = task.id.lstrip("T")
        task_lines.append(f"{depth}- {box}{star} {task_id}{'.' if '.' not in task_id else ''} "
                          f"{task.title}")
        task_lines += [f"{depth}  - {d}" for d in task.details]
        own_deps = [d.lstrip("T") for d in task.depends_on if d not in task.children]
        if own_deps:
            task_lines.append(f"{depth}  - _Depends: {', '.join(own_deps)}_")
        if task.requirements:
            refs = ", ".join(number.get(r, r) for r in task.requirements)
            task_lines.append(f"{depth}  - _Requirements: {refs}_")
    return {folder / "requirements.md": "\n".join(req_lines),
            folder / "design.md": f"# Design Document\n\n{_design(drafts)}",
            folder / "tasks.md": "\n".join(task_lines) + "\n"}


def _depth(task: Task, tasks: list[Task]) -> int:
    by_id = {t.id: t for t in tasks}
    depth, parent = 0, task.parent
    while parent is not None:
        depth, parent = depth + 1, by_id[parent].parent
    return depth


def _speckit(meta: Meta, drafts: dict[str, str], folder: Path) -> dict[Path, str]:
    reqs = _requirements(drafts)
    label = {r: re.sub(r"-(\d+)", lambda m: f"-{int(m.group(1)):03d}", r) for r, _, _ in reqs}
    spec = [front_matter(meta, "speckit") + f"# Feature Specification: {meta.name}\n\n"
            f"**Input**:\n\n{_quoted(meta.what)}\n", "## Requirements\n"]
    for req_id, title, criteria in reqs:
        spec.append(f"- **{label[req_id]}**: {title}")
        spec += [f"  - {c}" for c in criteria]
    plan = f"# Implementation Plan: {meta.name}\n\n{_design(drafts)}"
    if drafts.get(ph.RESEARCH):
        plan += f"\n## Research findings\n\n{drafts[ph.RESEARCH].strip()}\n"
    return {folder / "spec.md": "\n".join(spec) + "\n", folder / "plan.md": plan,
            folder / "tasks.md": _speckit_tasks(meta, _tasks(drafts), label)}


def _speckit_tasks(meta: Meta, tasks: list[Task], label: dict[str, str]) -> str:
    """Every task in the plan's order, a sub-task indented under its parent, each with its
    whole dependency list as `[deps: …]` (`[deps: none]`): Spec Kit's reader otherwise
    orders a phase's tasks by the file (each waits for the one before it unless both carry
    `[P]`), which would add edges the plan does not have. `[P]` still marks the tasks that
    share their wave with another, for a reader who goes by it."""
    number = {t.id: f"T{i:03d}" for i, t in enumerate(tasks, 1)}
    waves = select.waves(tasks, include_optional=True).waves
    shared = {task_id for wave in waves if len(wave) > 1 for task_id in wave}
    lines = [f"# Tasks: {meta.name}\n", "## Phase 1: Implementation\n"]
    lines += [_speckit_line(t, _depth(t, tasks), number, label, t.id in shared)
              for t in tasks]
    return "\n".join(lines) + "\n"


def _speckit_line(task: Task, depth: int, number: dict[str, str], label: dict[str, str],
                  parallel: bool) -> str:
    indent = "  " * depth
    own = [number[d] for d in task.depends_on if d not in task.children and d in number]
    deps = f" [deps: {', '.join(own) or 'none'}]"
    labels = "".join(f" [{label.get(r, r)}]" for r in task.requirements)
    optional = " (optional)" if task.optional else ""
    details = "".join(f"\n{indent}  - {d}" for d in task.details)
    box = "[x]" if task.is_done else "[ ]"
    marker = " [P]" if parallel else ""
    return (f"{indent}- {box} {number[task.id]}{marker}{deps}{labels} {task.title}{optional}"
            f"{details}")


def _speckit_number(root: Path, name: str) -> str:
    """Spec Kit numbers feature folders 001, 002, …; an existing folder keeps its number."""
    numbers = []
    for folder in (root / "specs").glob("[0-9][0-9][0-9]-*"):
        if folder.name[4:] == name:
            return folder.name[:3]
        numbers.append(int(folder.name[:3]))
    return f"{max(numbers, default=0) + 1:03d}"
