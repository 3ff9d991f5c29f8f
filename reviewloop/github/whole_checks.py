"""The checks that judge a pull request's whole change, not the part of it a follow-up push
reads again (`github.followup`): `test-changes` asks whether the PR changes a test, which the
files one push changed cannot tell. A follow-up's own `test-changes` verdict, made on those
files, is replaced by one on the PR's change (merge base...head), and the finding keeps the
identity it was posted with (one thread across pushes, never a second "no test change")."""

from __future__ import annotations

from collections.abc import Sequence

from reviewloop.checks.analyzers.test_changes import NAME as TEST_CHANGES
from reviewloop.checks.analyzers.test_changes import is_production
from reviewloop.checks.paths import looks_like_test
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import ChangeSet
from reviewloop.github.posted import PostedState

WHOLE = frozenset({TEST_CHANGES})  # the sources whose findings judge the whole PR


def judged_whole(findings: Sequence[Finding], full: ChangeSet, state: PostedState, *,
                 whole: bool = False) -> list[Finding]:
    """`findings` (a push's; `whole`: read on the PR's whole change, else on a part of it)
    with `test-changes` judged on the PR's whole change `full`: none when the PR changes a
    test file or no production code (or, read whole, when the check said none: it also
    knows what the tests ran and what changed behaviour); else the one posted before,
    whatever its state (its identity: open it stays, fixed it reopens, ignored it stays
    ignored), or, none being posted, this push's own."""
    rest = [f for f in findings if f.source not in WHOLE]
    mine = [f for f in findings if f.source in WHOLE]
    if (whole and not mine) or any(looks_like_test(path) for path in full.paths) or not any(
            is_production(f.path) and f.added for f in full.files):
        return rest
    posted = [p.record.finding() for p in state.findings.values()
              if p.record.source in WHOLE and p.state != "left"]
    return [*rest, *(posted or mine)]
