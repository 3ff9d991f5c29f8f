"""The checks that judge a pull request's whole change, not the part of it a follow-up push
reads again (`github.followup`): `test-changes` asks whether the PR changes a test, which the
files one push changed cannot tell. A follow-up's own `test-changes` verdict, made on those
files, is replaced by one on the PR's change (merge base...head), and the finding keeps the
identity it was posted with (one thread across pushes, never a second "no test change")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from reviewloop.checks.analyzers.test_changes import NAME as TEST_CHANGES
from reviewloop.checks.analyzers.test_changes import is_production
from reviewloop.checks.paths import looks_like_test
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import ChangeSet, FileDiff, FileStatus
from reviewloop.github.posted import PostedState

WHOLE = frozenset({TEST_CHANGES})  # the sources whose findings judge the whole PR


def judged_whole(findings: Sequence[Finding], full: ChangeSet, state: PostedState, *,
                 whole: bool = False) -> tuple[list[Finding], PostedState]:
    """`findings` (a push's; `whole`: read on the PR's whole change, else on a part of it)
    with `test-changes` judged on the PR's whole change `full`: none when the PR changes a
    test file or no production code (or, read whole, when the check said none: it also
    knows what the tests ran and what changed behaviour); else the one posted before,
    whatever its state (its identity: open it stays, fixed it reopens, ignored it stays
    ignored), or, none being posted, this push's own. With them `state`, where the one
    posted before sits on a file of the PR at its head (`placed`)."""
    rest = [f for f in findings if f.source not in WHOLE]
    mine = [f for f in findings if f.source in WHOLE]
    if (whole and not mine) or any(looks_like_test(path) for path in full.paths) or not any(
            is_production(f.path) and f.added for f in full.files):
        return rest, state
    state = placed(state, full, mine)
    posted = [p.record.finding() for p in state.findings.values()
              if p.record.source in WHOLE and p.state != "left"]
    return [*rest, *(posted or mine)], state


def placed(state: PostedState, full: ChangeSet, mine: Sequence[Finding]) -> PostedState:
    """`state` with a posted `test-changes` finding whose file is no longer one of the PR's
    files at its head (renamed away in a way no push's rename followed: git paired the two
    names no longer, or a rename back to the base's own name) moved to one that is: this
    push's own finding's place, else the PR's first production file's first added line.
    Its identity stays; its comment moves as a renamed file's does (`github.moves`)."""
    head = {f.path: f for f in full.files if f.status is not FileStatus.DELETED}
    moved = {}
    for fp, p in state.findings.items():
        if p.record.source not in WHOLE or p.record.file in head:
            continue
        to = _place(head, mine)
        if to is not None:
            moved[fp] = replace(p, record=replace(p.record, file=to[0], start_line=to[1],
                                                  end_line=to[1]))
    return replace(state, findings={**state.findings, **moved}) if moved else state


def _place(head: dict[str, FileDiff], mine: Sequence[Finding]) -> tuple[str, int] | None:
    own = next((f for f in mine if f.file in head), None)
    if own is not None:
        return own.file, own.start_line
    first = next((f for f in head.values() if is_production(f.path) and f.added), None)
    return (first.path, first.added[0].line) if first is not None else None
