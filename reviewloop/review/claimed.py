"""A reviewer's changed files: those its scope globs take and those its analyzers claim.

An analyzer may claim a changed file outside its reviewer's globs (`Analyzer.claims`, or
`claimed` for many at once: a CDK app's sources). A plugin's claim is its code like its
`reads` or `run`: asked within the review's deadline (`checks.analyzers.deadline`), and
whatever goes wrong there (it raises, calls sys.exit(), gives no answer of the right type,
names a path that is not one of the changed files it was asked about, or does not return in
time) is that analyzer's failure, named with why, never the review's. An analyzer whose
claim failed claims nothing, and its row is `failed`.

The answer does not depend on the reviewer: each analyzer is asked once per review and
change, about all the change's files (`Claims`), and every reviewer naming it shares that
answer — or that failure. Asked outside the reviewers' scoping lock, so a claim that hangs
costs its deadline once, and holds no other reviewer.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from reviewloop.checks.analyzers.deadline import bounded
from reviewloop.checks.analyzers.failure import failed
from reviewloop.checks.analyzers.registry import Analyzer
from reviewloop.checks.paths import repo_path
from reviewloop.git.diff import ChangeSet, FileStatus
from reviewloop.review.definitions import AgentDefinition
from reviewloop.review.readable import Readability

# what an analyzer claimed (a set of the change's paths), or why its claim failed
Answer = frozenset[str] | str


@dataclass(frozen=True)
class Scoped:
    """The changed files a reviewer's analyzers see, and why each analyzer whose claim
    failed failed (by its name)."""

    files: tuple[str, ...]
    failed: Mapping[str, str]


class Claims:
    """The claims of one review's analyzers on its change's files, each analyzer's asked
    once per tree and change by the first reviewer naming it; the others wait for that
    answer (at most the claim's deadline) instead of asking again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._asked: dict[tuple[str, Path, str], Future[Answer]] = {}

    def of(self, name: str, analyzer: Analyzer, root: Path, diff_text: str,
           paths: Sequence[str], timeout: float) -> Answer:
        """The `paths` (the change's files, `diff_text`) the analyzer `name` claims, or why
        its claim failed."""
        key = (name, root, diff_text)
        with self._lock:
            asked = self._asked.get(key)
            mine = asked is None
            if asked is None:
                asked = self._asked[key] = Future()
        if mine:
            try:
                asked.set_result(_answer(name, analyzer, root, paths, timeout))
            except BaseException as exc:  # an interrupt: the reviewers waiting see it too
                asked.set_exception(exc)
                raise
        return asked.result()


_REVIEWS: weakref.WeakKeyDictionary[object, Claims] = weakref.WeakKeyDictionary()
_REVIEWS_LOCK = threading.Lock()


def claims_of(review: object | None) -> Claims:
    """The claims shared by one review's reviewers, held by the object they share for that
    review (its `review.introduced.BaseTrees`); without one, claims of their own."""
    if review is None:
        return Claims()
    with _REVIEWS_LOCK:
        if review not in _REVIEWS:
            _REVIEWS[review] = Claims()
        return _REVIEWS[review]


def claimers(agent: AgentDefinition, table: Mapping[str, Analyzer]) -> list[str]:
    """The agent's analyzers that may claim a file (they define `claims`)."""
    return [name for name in agent.analyzers if hasattr(table.get(name), "claims")]


def present(changes: ChangeSet) -> list[str]:
    """The change's files that are in the new tree (not deleted)."""
    deleted = FileStatus.DELETED
    return [f.path for f in changes.files if f.status is not deleted]


def scoped_files(agent: AgentDefinition, changes: ChangeSet, claimed: Mapping[str, Answer],
                 files: Readability) -> Scoped:
    """Changed files the agent reviews, or one of its analyzers claimed (`claimed`, by name:
    `Claims.of`), that exist in the new tree as readable text: by their content, never by
    what a `.gitattributes`, a marker or a path says they are."""
    kept = present(changes)
    scoped = set(agent.in_scope(kept))
    failed: dict[str, str] = {}
    for name, answer in claimed.items():
        if isinstance(answer, str):
            failed[name] = answer
        else:
            scoped.update(answer)
    readable = files.readable
    return Scoped(tuple(path for path in kept if path in scoped and readable(path)), failed)


def _answer(name: str, analyzer: Analyzer, root: Path, paths: Sequence[str],
            timeout: float) -> Answer:
    try:
        return frozenset(_claimed(name, analyzer, root, paths, timeout))
    # the per-analyzer boundary, as for its other calls: anything but Ctrl-C
    except BaseException as exc:  # noqa: BLE001
        return failed(name, exc)[0]


def _claimed(name: str, analyzer: Analyzer, root: Path, paths: Sequence[str],
             timeout: float) -> Collection[str]:
    """The `paths` an analyzer `claims`, asked at once when it can (`claimed`); TypeError
    when it answers with something other than paths, or True or False; ValueError when it
    names a path that is not one of `paths`, in any spelling (`_named`)."""
    if not paths:
        return ()
    batch = getattr(analyzer, "claimed", None)
    if batch is not None:
        got = bounded(name, "claimed()", timeout, lambda: _paths(batch(root, paths)))
        asked = set(paths)
        return {_named(p, root, asked) for p in got}
    claims = getattr(analyzer, "claims")  # noqa: B009 (an optional method: see `Analyzer`)

    def each() -> set[str]:
        kept = set()
        for path in paths:
            answer = claims(root, path)
            if not isinstance(answer, bool):
                raise TypeError(f"claims() gave {answer!r} for {path}, not True or False")
            if answer:
                kept.add(path)
        return kept

    return bounded(name, "claims()", timeout, each)


def _paths(got: object) -> tuple[str, ...]:
    """A `claimed()` answer read whole (within its deadline: its own iteration is plugin
    code); TypeError when it is not a collection of paths."""
    paths = None if isinstance(got, str | bytes) or not isinstance(got, Collection) \
        else tuple(got)
    if paths is None or any(not isinstance(p, str) for p in paths):
        raise TypeError(f"claimed() gave {got!r}, not a collection of "
                        "repository-relative paths")
    return paths


def _named(path: str, root: Path, asked: Collection[str]) -> str:
    """The changed file of `asked` a `claimed()` answer names: as it was given, or spelt as
    the rest of reviewloop names a change's files (`checks.paths.repo_path`: an absolute
    path under `root`, `./a`, `a//b`; a Windows `a\\b` when no file is so named). A path
    that names none of them is the analyzer's failure, never silently nothing."""
    if path in asked:
        return path
    for spelling in (path, path.replace("\\", "/")):
        if (normal := repo_path(root, spelling)) in asked:
            return normal
    raise ValueError(f"claimed() named {path!r}, which is none of the changed files it was "
                     f"asked about (repository-relative paths, as given in `paths`)")
