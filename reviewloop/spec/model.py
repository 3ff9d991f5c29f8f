"""The task model every spec reader produces and everything downstream consumes."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    IN_PROGRESS = "in_progress"
    QUEUED = "queued"


class SpecFormat(StrEnum):
    KIRO = "kiro"
    SPECKIT = "speckit"
    DOCS = "docs"


class Diagnostic(BaseModel):
    """A line that looked meaningful but could not be understood. Never fatal."""

    model_config = ConfigDict(frozen=True)

    file: str
    line: int  # 1-based
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class Task(BaseModel):
    """One checkbox task of a spec.

    `depends_on` holds explicit dependencies (`_Depends:_`, "depends on T012") and derived
    ones (a parent depends on its children; Spec Kit phase order; a Kiro dependency-graph
    wave). `follows` is the part of `depends_on` that only the file order implies (Spec
    Kit's phases and tasks, cc-sdd's tasks): a task marked done passes those on to the
    tasks that follow it (`select.py`). `line` is 1-based and points at the checkbox line,
    which is what the status write-back edits.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    details: tuple[str, ...] = ()
    status: TaskStatus = TaskStatus.OPEN
    optional: bool = False
    parent: str | None = None
    children: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    follows: tuple[str, ...] = ()
    parallel: bool = False
    phase: str | None = None
    file: str
    line: int

    @property
    def is_done(self) -> bool:
        return self.status is TaskStatus.DONE

    @property
    def is_leaf(self) -> bool:
        return not self.children


class TaskList(BaseModel):
    """What a reader returns for one tasks file: tasks in file order plus diagnostics."""

    model_config = ConfigDict(frozen=True)

    tasks: tuple[Task, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    dialect: str | None = None  # a variant of the format the reader recognised ("cc-sdd")

    def by_id(self) -> dict[str, Task]:
        return {t.id: t for t in self.tasks}


class Spec(BaseModel):
    """A located spec: its format, its files and its parsed tasks.

    `requirements_text` and `design_text` hold the sibling documents (Kiro) or the matching
    sections of a single-document spec; `None` when the spec has none.
    """

    model_config = ConfigDict(frozen=True)

    format: SpecFormat
    root: Path  # the repository or folder the spec was found from
    tasks_file: Path
    tasks: tuple[Task, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    requirements_file: Path | None = None
    design_file: Path | None = None
    requirements_text: str | None = None
    design_text: str | None = None
    steering_dir: Path | None = None
    # Spec Kit's constitution (`.specify/memory/constitution.md`): its project-wide rules,
    # applied to every task as an `always` steering file is
    constitution_file: Path | None = None
    dialect: str | None = None  # e.g. "cc-sdd" for a Kiro-layout spec written by cc-sdd
    extra: dict[str, str] = Field(default_factory=dict)

    def task(self, task_id: str) -> Task | None:
        return next((t for t in self.tasks if t.id == task_id), None)

    def progress(self) -> tuple[int, int]:
        """(done, total) over non-optional tasks."""
        counted = [t for t in self.tasks if not t.optional]
        return sum(t.is_done for t in counted), len(counted)
