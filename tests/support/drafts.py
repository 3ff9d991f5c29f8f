"""Phase drafts a model might write for a small todo API: shared by the authoring tests."""

from __future__ import annotations

from pathlib import Path

from reviewloop.authoring import document
from reviewloop.authoring import phases as ph

REQUIREMENTS = """\
### Functional requirements

- **FR-1** Add a todo
  - WHEN a caller adds a todo with a title THE SYSTEM SHALL return the new item with an id
  - WHEN the title is empty THE SYSTEM SHALL reject it with ValueError
- **FR-2** Delete a todo
  - WHEN a caller deletes an unknown id THE SYSTEM SHALL raise KeyError

### Non-functional requirements

- **NFR-1** Standard library only
  - THE SYSTEM SHALL import nothing outside the standard library

### Open questions

- None
"""

HIGH_LEVEL = "One module, `todo/store.py`, holding a `TodoStore` (FR-1, FR-2, NFR-1)."
HIGH_LEVEL_REVISED = ("One module, `todo/store.py`, holding a `TodoStore` backed by a dict "
                      "keyed by id (FR-1, FR-2, NFR-1).")

LOW_LEVEL = """\
### Components

- **TodoStore** — owns the todos, keyed by id (FR-1, FR-2, NFR-1)
- **Todo** — a dataclass: id, title (FR-1)

### Interfaces

`TodoStore.add(title) -> Todo`, `TodoStore.delete(todo_id) -> None`.

### Data

A dict from id to Todo.

### Error handling

ValueError for empty titles, KeyError for unknown ids.

### Testing approach

pytest, one test module per public function.
"""

TASKS = """\
- [ ] T1 Todo and TodoStore.add
  - Requirements: FR-1, NFR-1
  - [ ] T1.1 The Todo dataclass
    - Requirements: FR-1
  - [ ] T1.2 TodoStore.add with validation
    - Depends: T1.1
    - Requirements: FR-1
- [ ] T2 TodoStore.delete
  - Unknown ids raise KeyError
  - Depends: T1
  - Requirements: FR-2
- [ ]* T3 Benchmark 10 000 todos
  - Depends: T2
  - Requirements: NFR-1
"""

CYCLIC_TASKS = """\
- [ ] T1 Todo and TodoStore.add
  - Depends: T2
  - Requirements: FR-1, NFR-1
- [ ] T2 TodoStore.delete
  - Depends: T1
  - Requirements: FR-2
"""

UNCITED_TASKS = """\
- [ ] T1 Todo and TodoStore.add
  - Requirements: FR-1, NFR-1
- [ ] T2 Tidy up
"""

# Two independent branches after a done task, a sub-task chain and an optional task in the
# first open wave: waves (optional left out) T2.1+T3, T2.2, T5 — what every format must keep.
PARALLEL_TASKS = """\
- [x] T1 Scaffold the package
  - Requirements: NFR-1
- [ ] T2 The store
  - Depends: T1
  - Requirements: FR-1
  - [ ] T2.1 Todo dataclass
  - [ ] T2.2 Store add
    - Depends: T2.1
- [ ] T3 Delete by id
  - Depends: T1
  - Requirements: FR-2
- [ ]* T4 Benchmark the store
  - Depends: T1
  - Requirements: NFR-1
- [ ] T5 Wire up the API
  - Depends: T2, T3
  - Requirements: FR-1, FR-2
"""


def plan(tasks: str = TASKS) -> dict[str, str]:
    """Every phase's draft, `tasks` as the task list."""
    return {ph.RESEARCH: "`todo/` does not exist yet.", ph.REQUIREMENTS: REQUIREMENTS,
            ph.HIGH_LEVEL: HIGH_LEVEL, ph.LOW_LEVEL: LOW_LEVEL, ph.TASKS: tasks}


def write_spec(root: Path, fmt: str, texts: dict[str, str], *, model: str | None = None,
               approve_all: bool = False) -> tuple[Path, dict[Path, str]]:
    """The `todo` spec of `texts` (phase → draft) rendered in `fmt` and written below `root`
    as `reviewloop spec` writes it: (its tasks file, the files written and their text)."""
    meta = document.Meta(name="todo", what="A todo API", model=model, approve_all=approve_all,
                         created="2026-11-23")
    tasks_file = document.target(fmt, "todo", root)
    files = document.render(fmt, meta, texts, tasks_file)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tasks_file, files
