"""Writing the approved spec to disk and summarising it as `reviewloop tasks` reads it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reviewloop.authoring import document
from reviewloop.authoring import phases as ph
from reviewloop.authoring.validate import requirement_ids
from reviewloop.errors import SpecError
from reviewloop.git import repo_writes
from reviewloop.spec import select
from reviewloop.spec.loader import load_spec

BACKUPS = ".reviewloop/spec-backups"


def publish(root: Path, state: Mapping[str, Any]) -> tuple[Path, list[Path], list[Path]]:
    """Write every file of the spec; a file it replaces with other text is copied under
    `.reviewloop/spec-backups/` first, so no uncommitted edit is lost."""
    meta = document.Meta(name=state["name"], what=state.get("intro") or state["what"],
                         model=state.get("model"),
                         approve_all=bool(state.get("approve_all")), created=state["created"])
    tasks_file = root / state["tasks_file"]
    files = document.render(state["format"], meta, state["approved"], tasks_file,
                            document.Kept.from_state(state.get("kept")))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    folder = f"{BACKUPS}/{state['name']}-{stamp}"
    # every file and backup checked before one is read or written: no symlink on the way
    repo_writes.check(root, files)
    replaced = [path for path, text in files.items()
                if path.is_file() and path.read_text(encoding="utf-8") != text]
    repo_writes.check(root, [_backup_path(root, p, folder) for p in replaced])
    backups = [repo_writes.write(root, _backup_path(root, path, folder), path.read_bytes())
               for path in replaced]
    for path, text in files.items():
        repo_writes.write(root, path, text)
    return tasks_file, list(files), backups


def _backup_path(root: Path, path: Path, folder: str) -> str:
    return f"{folder}/{path.relative_to(root).as_posix()}"


@dataclass(frozen=True)
class Summary:
    """The last thing `spec new` prints: where the spec is and what it holds."""

    path: str
    format: str
    functional: int
    non_functional: int
    components: int
    tasks: int
    waves: int
    diagnostics: tuple[str, ...]
    next_command: str = "reviewloop run next"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarise(root: Path, tasks_file: Path, drafts: dict[str, str]) -> Summary:
    """Counts from the files as the reader reads them back, not from the drafts."""
    spec = load_spec(root, tasks_file)
    plan = select.waves(spec.tasks, include_optional=True)
    requirements = drafts.get(ph.REQUIREMENTS, "")
    ids = requirement_ids(requirements)
    diagnostics = tuple(str(d) for d in (*spec.diagnostics, *plan.diagnostics))
    rel = tasks_file.relative_to(root).as_posix() if tasks_file.is_relative_to(root) \
        else str(tasks_file)
    spec_arg = "" if _only_spec(root) else f" --spec {rel}"
    return Summary(path=rel, format=spec.format.value,
                   functional=sum(i.startswith("FR-") for i in ids),
                   non_functional=sum(i.startswith("NFR-") for i in ids),
                   components=count_components(drafts.get(ph.LOW_LEVEL, "")),
                   tasks=len(spec.tasks), waves=len(plan.waves), diagnostics=diagnostics,
                   next_command=f"reviewloop run next{spec_arg}")


def count_components(low_level: str) -> int:
    """Top-level bullets under the low-level design's `Components` heading."""
    count, inside = 0, False
    for line in low_level.splitlines():
        heading = re.match(r"^#{1,6}\s+(.*)", line)
        if heading:
            inside = "component" in heading.group(1).lower()
            continue
        if inside and re.match(r"^[-*+]\s+\S", line):
            count += 1
    return count


def _only_spec(root: Path) -> bool:
    try:
        load_spec(root)
    except SpecError:
        return False
    return True
