"""What a run changed: files touched since a snapshot (build and test artifacts left out),
the diff of a round under the run folder, and the lines the run wrote."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from reviewloop.git.diff import changed_lines
from reviewloop.git.repository import Repository, Snapshot, TouchedFiles, touched_since

T = TypeVar("T")

# What running a build or the tests leaves behind is not part of the change.
ARTIFACTS = ("__pycache__/", ".pyc", ".pytest_cache/", ".coverage", ".mypy_cache/",
             ".ruff_cache/", "node_modules/", ".tox/", ".nox/", "htmlcov/", ".hypothesis/")


def is_artifact(path: str, known: Sequence[str] = ()) -> bool:
    text = f"/{path}"
    return path in known or any(
        (f"/{a}" in text) if a.endswith("/") else text.endswith(a) for a in ARTIFACTS)


def changes_since(repo: Repository, base: Snapshot, artifacts: Sequence[str] = ()
                  ) -> tuple[TouchedFiles, str]:
    """The files changed since `base` (build and test artifacts left out) and their diff."""
    raw = touched_since(base, repo.snapshot(base=base.base))
    keep = [p for p in raw.paths if not is_artifact(p, artifacts)]
    touched = TouchedFiles(
        created=tuple(p for p in raw.created if p in keep),
        modified=tuple(p for p in raw.modified if p in keep),
        deleted=tuple(p for p in raw.deleted if p in keep),
        had_user_changes=tuple(p for p in raw.had_user_changes if p in keep))
    return touched, repo.diff_since(base, keep) if keep else ""


def write_diff(run_dir: Path, round_no: int, text: str) -> str:
    """The round's diff as a file of the run folder (state holds its path, not the text)."""
    path = run_dir / f"round-{round_no}.diff"
    path.write_text(text, encoding="utf-8")
    return str(path)


def artifacts_of(repo: Repository, base: Snapshot, run: Callable[[], T]) -> tuple[T, list[str]]:
    """Run `run()` (the gates) and return its result with the paths it created or changed."""
    before = repo.snapshot(base=base.base)
    result = run()
    return result, list(touched_since(before, repo.snapshot(base=base.base)).paths)


def union(old: TouchedFiles, new: TouchedFiles) -> TouchedFiles:
    """Files touched over the whole run: a review-only run's baseline is its start."""
    created = set(old.created) | set(new.created)
    deleted = set(new.deleted)
    modified = (set(old.modified) | set(new.modified)) - created - deleted
    users = set(old.had_user_changes) | set(new.had_user_changes)
    return TouchedFiles(created=tuple(sorted(created - deleted)),
                        modified=tuple(sorted(modified)), deleted=tuple(sorted(deleted)),
                        had_user_changes=tuple(sorted(users)))


def written_lines(repo: Repository, diff_path: str, round_no: int,
                  baseline: Snapshot | None) -> dict[str, set[int]]:
    """The lines the run wrote in any round, numbered as the files are now: the round's own
    diff, and from round 2 on the whole change since the run's baseline as well."""
    lines = changed_lines(Path(diff_path).read_text(encoding="utf-8"))
    if round_no > 1 and baseline is not None:
        for path, numbers in changed_lines(repo.diff_since(baseline)).items():
            lines.setdefault(path, set()).update(numbers)
    return lines
