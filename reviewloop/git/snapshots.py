"""Working-tree snapshots as data: what differed from a base commit at one moment, and
what changed between two such moments. `reviewloop.git.repository.Repository` takes them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

ChangeStatus = Literal["added", "modified", "deleted"]
_STATUS: dict[str, ChangeStatus] = {"A": "added", "D": "deleted", "M": "modified",
                                    "T": "modified"}

class Change(BaseModel):
    """How one path differs from the snapshot's base commit."""

    model_config = ConfigDict(frozen=True)

    status: ChangeStatus
    blob: str | None = None  # working-tree content hash; None when deleted
    mode: str | None = None


class Snapshot(BaseModel):
    """The working tree at one moment: small, serialisable, comparable with a later one.
    `tree` is a git tree object holding every non-ignored file as it was (tracked or not), so
    a later diff against it is exact. `files` lists only what differed from `base`."""

    model_config = ConfigDict(frozen=True)

    head: str | None  # None on a branch with no commits yet
    base: str | None
    tree: str
    files: dict[str, Change] = {}


class TouchedFiles(BaseModel):
    """What changed between two snapshots, from the point of view of whoever ran in between."""

    model_config = ConfigDict(frozen=True)

    created: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    # touched paths that already had uncommitted user changes before: the commit must warn
    had_user_changes: tuple[str, ...] = ()

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(sorted((*self.created, *self.modified, *self.deleted)))


def touched_since(before: Snapshot, after: Snapshot) -> TouchedFiles:
    """Files whose content, mode or existence changed from `before` to `after`."""
    if before.base != after.base:
        raise ValueError("snapshots compare against different bases; take `after` with "
                         "Repository.snapshot(base=before.base)")
    groups: dict[str, list[str]] = {"created": [], "modified": [], "deleted": []}
    prior: list[str] = []
    for path in sorted(before.files.keys() | after.files.keys()):
        old, new = before.files.get(path), after.files.get(path)
        if old == new:
            continue
        groups[_loop_action(old, new)].append(path)
        if old is not None:
            prior.append(path)
    return TouchedFiles(**{k: tuple(v) for k, v in groups.items()}, had_user_changes=tuple(prior))


def _loop_action(old: Change | None, new: Change | None) -> str:
    """created / modified / deleted, judged on existence before and after (None = as base)."""
    in_base = (new or old).status != "added"  # type: ignore[union-attr]
    existed = in_base if old is None else old.status != "deleted"
    exists = in_base if new is None else new.status != "deleted"
    if not exists:
        return "deleted"
    return "modified" if existed else "created"


def parse_raw_changes(raw: str) -> dict[str, Change]:
    """`git diff-tree -r -z` raw records (`:oldmode newmode old new X\0path\0`) → {path: Change}."""
    fields = raw.split("\0")
    files: dict[str, Change] = {}
    for meta, path in zip(fields[0:-1:2], fields[1::2], strict=False):
        _, mode, _, blob, letter = meta.lstrip(":").split(" ")
        status = _STATUS.get(letter[:1], "modified")
        if status == "deleted":
            files[path] = Change(status=status)
        else:
            files[path] = Change(status=status, blob=blob, mode=mode)
    return files
