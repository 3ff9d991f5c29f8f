"""What a follow-up push of a pull request reviews again: the files whose part of the PR's
change (merge base...head) differs from the part the last review saw — a range-diff view,
never the raw commits since the last reviewed head.

The commits since the last head are not the PR's change: a merge of the base branch ("Update
branch") brings the base's own files, which the PR does not change; a rename brings a file
with no new line, though the PR still adds every line of it. So each file's entry in the PR's
change now (`merge-base(base, head)..head`) is compared with its entry in the change the last
review judged (`merge-base(that base, last head)..last head`); a file whose entry differs is
reviewed again: with the commits since the last head when the merge base is the one the
last review judged and the PR changed the file then too, as the same kind of change (its
earlier lines were judged), else with its whole part of the PR's diff (a file new to the PR's
change — renamed, moved — or a merge base the base branch moved). The kind of change is the
file's place in the PR's diff: added, modified, deleted, or renamed from a given old path
(`pairing`). Git pairs a renamed file with its old name only while the two are at least half
alike, so a later push can turn a rename into a deleted file and a new one, or the reverse,
without touching the old lines: the lines the PR's diff counts as added are then not the
ones the last review judged, and the file is read whole — the verdict of a head never
depends on how the PR got there. A PR whose base branch changed (retargeted), or whose last
base is not known, is reviewed whole; so is one whose base commit moved to one that changes a
file the review takes from the trusted side (`reconfigured`: settings, reviewer definitions,
a tool's config): what the last review counted was counted under other rules.

The findings posted on a file the new commits renamed move with it (`moved`): a finding is
fixed only when its code is gone from the PR, never because its path changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from reviewloop.git.diff import parse_diff
from reviewloop.git.names import shown
from reviewloop.git.repository import Repository
from reviewloop.git.snapshots import Change
from reviewloop.github.event import PullRequestEvent
from reviewloop.github.posted import PostedState


@dataclass(frozen=True)
class FollowUp:
    """How a push is reviewed: `focus` None for the whole PR, else the files (new paths) whose
    part of the PR's change differs since the last review; `narrow` those of them read from
    the commits since the last head, `since` (the others of `focus` are read with their
    whole part of the PR's diff: `wide`); `left` the files the PR changed then and no
    longer does; `moved` old path → new path for files the new commits renamed;
    `reconfigured` the trusted files the base changed since the last review, which made
    this one whole."""

    focus: tuple[str, ...] | None = None
    left: frozenset[str] = frozenset()
    moved: Mapping[str, str] = field(default_factory=dict)
    narrow: frozenset[str] = frozenset()
    since: str | None = None
    reconfigured: tuple[str, ...] = ()

    @property
    def whole(self) -> bool:
        return self.focus is None

    @property
    def wide(self) -> frozenset[str]:
        """The files of `focus` read with their whole part of the PR's diff: a fresh review
        of the head reads them as this push does."""
        return frozenset(self.focus or ()) - self.narrow

    def followed(self, state: PostedState) -> PostedState:
        """`state` with each finding on a renamed file placed on its new path (its identity,
        the fingerprint, unchanged)."""
        if not self.moved:
            return state
        findings = {fp: replace(p, record=replace(p.record, file=self.moved[p.record.file]))
                    if p.record.file in self.moved else p for fp, p in state.findings.items()}
        return replace(state, findings=findings)

    def diff(self, repo: Repository, pr_diff: str, head: str) -> str:
        """The diff this push reviews, from `pr_diff` (the PR's whole diff at `head`)."""
        if self.focus is None:
            return pr_diff
        wide = self.wide
        text = "".join(f.text for f in parse_diff(pr_diff).filter(wide).files) if wide else ""
        if self.narrow and self.since:
            new = parse_diff(repo.diff_refs(self.since, head, merge_base=False))
            text += "".join(f.text for f in new.files if f.path in self.narrow)
        return text


def follow_up(repo: Repository, event: PullRequestEvent, state: PostedState,
              since: str | None, configures: Callable[[str], bool]) -> FollowUp:
    """The follow-up view of `event`'s head. `since`: the last reviewed head when the push can
    be reviewed in part (`github.event.review_base`), else None (the whole PR);
    `configures`: whether a path is one the review takes from the base (`reconfigured`)."""
    last = state.last_reviewed_head
    last_base = state.last_reviewed_base
    old_base = new_base = None
    changed: tuple[str, ...] = ()
    if since is not None and last_base is not None \
            and state.last_reviewed_base_ref == event.base_ref:
        changed = reconfigured(repo, last_base, event.base_sha, configures)
        if not changed:
            old_base, new_base = _merge_base(repo, last_base, since), \
                _merge_base(repo, event.base_sha, event.head_sha)
    if since is None or old_base is None or new_base is None:  # the whole PR
        moved = renames(repo, last, event.head_sha) if last else {}
        return FollowUp(left=_left_whole(repo, event, state, moved), moved=moved,
                        reconfigured=changed)
    before = _named(repo.tree_changes(old_base, since))
    now = _named(repo.tree_changes(new_base, event.head_sha))
    focus, narrow = differing(before, now), frozenset[str]()
    if old_base == new_base:  # the same merge base: what the last review judged still holds
        regrouped = repaired(pairing(repo, old_base, since),
                             pairing(repo, new_base, event.head_sha))
        focus = tuple(sorted({*focus, *regrouped}))
        narrow = frozenset(p for p in focus if p in before and p not in regrouped)
    return FollowUp(focus=focus, left=frozenset(before.keys() - now.keys()),
                    moved=renames(repo, since, event.head_sha), narrow=narrow, since=since)


def reconfigured(repo: Repository, old: str, new: str,
                 configures: Callable[[str], bool]) -> tuple[str, ...]:
    """The files the review takes from the trusted side (`configures`) that differ between
    the base commit the last review judged against, `old`, and this push's, `new`: the counts
    made then were made under other rules, so the push is reviewed whole, as a retarget is.
    One `git diff --name-only` between the two, none when the base did not move; an old
    base git cannot compare (gone) is named itself, as changed."""
    if old == new:
        return ()
    code, out, _ = repo.try_git("diff", "--name-only", "-z", "--no-renames", old, new, "--")
    if code != 0:
        return (old,)
    return tuple(path for name in out.split("\0") if name and configures(path := shown(name)))


def _left_whole(repo: Repository, event: PullRequestEvent, state: PostedState,
                moved: Mapping[str, str]) -> frozenset[str]:
    """For a push reviewed whole (a retarget, a force-push): the files the change the last
    review judged held and the PR's change now does not, renamed ones aside; none when
    that change cannot be read again (its base or head gone)."""
    last, last_base = state.last_reviewed_head, state.last_reviewed_base
    old_base = _merge_base(repo, last_base, last) if last and last_base else None
    new_base = _merge_base(repo, event.base_sha, event.head_sha)
    if old_base is None or new_base is None or last is None:
        return frozenset()
    before = _named(repo.tree_changes(old_base, last))
    now = _named(repo.tree_changes(new_base, event.head_sha))
    return frozenset(before.keys() - now.keys() - moved.keys())


def differing(before: Mapping[str, Change], now: Mapping[str, Change]) -> tuple[str, ...]:
    """The paths of the PR's change now whose entry (status, content, mode) is not the one the
    last review judged."""
    return tuple(sorted(path for path, change in now.items() if before.get(path) != change))


Pairing = dict[str, tuple[tuple[str, str | None], ...]]


def pairing(repo: Repository, base: str, head: str) -> Pairing:
    """Each path of the diff `base..head` (the PR's diff when `base` is its merge base), as
    that diff shows it: its entries' kind and, for a rename, the old path (a type change
    shows a path twice, deleted and added). Read with the PR diff's own options, so git
    pairs renames exactly as the review sees them."""
    entries: dict[str, list[tuple[str, str | None]]] = {}
    for f in parse_diff(repo.diff_refs(base, head, merge_base=False, context=0)).files:
        entries.setdefault(f.path, []).append((f.status.value, f.old_path))
    return {path: tuple(sorted(kinds, key=str)) for path, kinds in entries.items()}


def repaired(before: Pairing, now: Pairing) -> frozenset[str]:
    """The paths of the PR's diff now whose kind of change or pairing is not the one the
    last review judged: a rename that became a deleted file and an added one, or the
    reverse, a type change, a file added where one was deleted. Their part of the PR's diff
    now holds lines the last review did not read as the PR's (or no longer holds lines it
    did), so they are read whole."""
    return frozenset(path for path, kinds in now.items() if before.get(path) != kinds)


def renames(repo: Repository, old: str, new: str) -> dict[str, str]:
    """Old path → new path for the files git sees renamed from commit `old` to `new` (the
    last reviewed head to this one, whatever this push reviews)."""
    code, out, _ = repo.try_git("diff-tree", "-r", "-z", "-M", "--name-status", old, new)
    if code != 0:  # the last head is gone (a force-push): nothing to follow
        return {}
    parts = out.split("\0")
    moved: dict[str, str] = {}
    at = 0
    while at < len(parts) - 1:
        status = parts[at]
        if status.startswith(("R", "C")):
            if status.startswith("R"):
                moved[shown(parts[at + 1])] = shown(parts[at + 2])
            at += 3
        else:
            at += 2
    return moved


def _named(changes: Mapping[str, Change]) -> dict[str, Change]:
    """Paths as the diff names them (a byte that is not UTF-8 as `\\xNN`)."""
    return {shown(path): change for path, change in changes.items()}


def _merge_base(repo: Repository, a: str, b: str) -> str | None:
    status, out, _ = repo.try_git("merge-base", a, b)
    return out.strip() if status == 0 and out.strip() else None
