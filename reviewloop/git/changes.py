"""What a run changed: files touched since a snapshot (build and test artifacts left out),
the diff of a round under the run folder, the lines the run wrote and where it removed lines,
and a changed file's content before and after."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from reviewloop.git.diff import changed_lines, read_diff, removal_points, save_diff
from reviewloop.git.names import on_disk
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
    save_diff(path, text)
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
    return _over_rounds(changed_lines, repo, diff_path, round_no, baseline)


def removed_lines(repo: Repository, diff_path: str, round_no: int,
                  baseline: Snapshot | None) -> dict[str, set[int]]:
    """Where the run removed lines (`FileDiff.removals`), over the same diffs as
    `written_lines` and numbered as the files are now."""
    return _over_rounds(removal_points, repo, diff_path, round_no, baseline)


def _over_rounds(pick: Callable[[str], dict[str, set[int]]], repo: Repository, diff_path: str,
                 round_no: int, baseline: Snapshot | None) -> dict[str, set[int]]:
    lines = pick(read_diff(diff_path))
    if round_no > 1 and baseline is not None:
        for path, numbers in pick(repo.diff_since(baseline)).items():
            lines.setdefault(path, set()).update(numbers)
    return lines


@dataclass(frozen=True)
class Version:
    """A path at one moment: the text of a regular file, or that it is a symlink and the
    target its entry names (never followed); neither when it is absent."""

    text: str | None = None
    link: bool = False
    target: str = ""  # a symlink's target, as its entry says it


def contents(repo: Repository, baseline: Snapshot, paths: Sequence[str]
             ) -> dict[str, tuple[Version, Version]]:
    """Each path at `baseline` and in the working tree now, read from git objects (so a
    symlink is never followed)."""
    now = repo.worktree_tree()
    return {path: (_version(repo, baseline.tree, path), _version(repo, now, path))
            for path in paths}


def _version(repo: Repository, tree: str, path: str) -> Version:
    entry = repo.git("ls-tree", "-z", tree, "--", on_disk(path)).split("\0", 1)[0]
    meta, _, name = entry.partition("\t")
    if name != on_disk(path) or len(meta.split()) != 3:
        return Version()
    mode, kind, sha = meta.split()
    if mode == "120000":
        return Version(link=True, target=repo.git("cat-file", "blob", sha, errors="replace"))
    if kind != "blob" or mode not in ("100644", "100755"):
        return Version()  # a submodule: no text of this repository's
    return Version(repo.git("cat-file", "blob", sha, errors="replace"))
