"""`reviewloop review PATH…`: the change limited to the changed files under the paths given.
The other changed files are out of scope and named in the report (never dropped silently);
a file moved across the boundary is in scope when either of its names is."""

from __future__ import annotations

from collections.abc import Sequence

from reviewloop.git.diff import FileDiff, parse_diff


def under(path: str, roots: Sequence[str]) -> bool:
    """Whether the repository path `path` is one of `roots` or inside one ("" is the whole
    repository)."""
    return any(not root or path == root or path.startswith(root.rstrip("/") + "/")
               for root in roots)


def limit(diff_text: str, roots: Sequence[str], source: str = "diff") -> tuple[str, list[str]]:
    """The diff of the files under `roots`, and `path: reason` for each changed file that is
    not; the diff as it is when `roots` is empty."""
    if not roots:
        return diff_text, []
    changes = parse_diff(diff_text, source=source)
    inside = [_in_scope(f, roots) for f in changes.files]
    where = ", ".join(root or "." for root in roots)
    outside = [f"{f.path}: out of scope (not under {where})"
               for f, kept in zip(changes.files, inside, strict=True) if not kept]
    # joined file by file: a filter by name would also keep an outside file whose old name
    # is an inside file's new one (src/x -> lib/x beside lib/x -> lib/y)
    return "".join(f.text for f, kept in zip(changes.files, inside, strict=True) if kept), \
        outside


def _in_scope(diff: FileDiff, roots: Sequence[str]) -> bool:
    return under(diff.path, roots) or (diff.old_path is not None and under(diff.old_path, roots))


def focused(diff_text: str, paths: Sequence[str] | None) -> str:
    """The diff of the files `paths` names by either name (a follow-up push's focus,
    `runs.source.DiffSource.focus`); the diff as it is when `paths` is None."""
    if paths is None:
        return diff_text
    return "".join(f.text for f in parse_diff(diff_text).filter(paths).files)
