"""A reviewer's changed files: those its scope globs take and those its analyzers claim.

An analyzer may claim a changed file outside its reviewer's globs (`Analyzer.claims`, or
`claimed` for many at once: a CDK app's sources). A plugin's claim is its code like its
`reads` or `run`: asked within the review's deadline (`checks.analyzers.deadline`), and
whatever goes wrong there (it raises, calls sys.exit(), gives no answer of the right type,
or does not return in time) is that analyzer's failure, named with why, never the review's.
An analyzer whose claim failed claims nothing, and its row is `failed`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reviewloop.checks.analyzers.base import AnalyzerError
from reviewloop.checks.analyzers.deadline import bounded
from reviewloop.checks.analyzers.registry import Analyzer
from reviewloop.git.diff import ChangeSet, FileStatus
from reviewloop.plugins import raised
from reviewloop.review.definitions import AgentDefinition
from reviewloop.review.readable import Readability


@dataclass(frozen=True)
class Scoped:
    """The changed files a reviewer's analyzers see, and why each analyzer whose claim
    failed failed (by its name)."""

    files: tuple[str, ...]
    failed: Mapping[str, str]


def scoped_files(agent: AgentDefinition, root: Path, changes: ChangeSet,
                 table: Mapping[str, Analyzer], files: Readability, timeout: float) -> Scoped:
    """Changed files the agent reviews, or one of its analyzers claims, that exist in the
    new tree as readable text: by their content, never by what a `.gitattributes`, a marker
    or a path says they are. A plugin analyzer's claim within `timeout` seconds."""
    claimers = [name for name in agent.analyzers if hasattr(table.get(name), "claims")]
    applies, deleted = agent.applies_to, FileStatus.DELETED
    present = [f.path for f in changes.files if f.status is not deleted]
    scoped = set(filter(applies, present))
    failed: dict[str, str] = {}
    if claimers:
        outside = [path for path in present if path not in scoped]
        for name in claimers:
            try:
                scoped.update(_claimed(name, table[name], root, outside, timeout))
            # the per-analyzer boundary, as for its other calls; a plugin's sys.exit() too
            except (Exception, SystemExit) as exc:  # noqa: BLE001
                failed[name] = str(exc) if isinstance(exc, AnalyzerError) \
                    else f"crashed: {raised(exc)}"
    readable = files.readable
    return Scoped(tuple(path for path in present if path in scoped and readable(path)), failed)


def _claimed(name: str, analyzer: Analyzer, root: Path, paths: Sequence[str],
             timeout: float) -> Collection[str]:
    """The `paths` an analyzer `claims`, asked at once when it can (`claimed`); TypeError
    when it answers with something other than paths, or True or False."""
    if not paths:
        return ()
    batch = getattr(analyzer, "claimed", None)
    if batch is not None:
        got = bounded(name, "claimed()", timeout, lambda: batch(root, paths))
        if isinstance(got, str | bytes) or not isinstance(got, Collection) \
                or any(not isinstance(p, str) for p in got):
            raise TypeError(f"claimed() gave {got!r}, not a collection of "
                            "repository-relative paths")
        return got
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
