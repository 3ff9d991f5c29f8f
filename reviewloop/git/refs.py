"""Which commit a name gives, as one `Repository` learns it from git: a full id git said
names a commit names it for good (objects persist); a ref held for a review (`hold`) keeps
the commit git first gave for it while the object lives. Anything else is asked again.
And which branch names are protected (`is_protected`)."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence


class CommitNames:
    """The names whose commit need not be asked of git again."""

    def __init__(self) -> None:
        self._known: dict[str, str] = {}
        self._held: set[str] = set()

    def hold(self, *names: str) -> None:
        """From now on each of `names` keeps the commit git first gives for it: a review of
        two commits, whose refs nothing moves while it runs, asked git for the same two six
        times (the configuration, the diff, the head's export and listing). An unknown name
        is asked again, and fails again."""
        self._held.update(names)

    def get(self, rev: str) -> str | None:
        """The commit `rev` is known to name; None: ask git."""
        return self._known.get(rev)

    def learn(self, rev: str, commit: str) -> None:
        """Git said `rev` names `commit`."""
        self._known[commit] = commit
        if rev in self._held:
            self._known[rev] = commit


def is_protected(branch: str, protected: Sequence[str]) -> bool:
    """True when `branch` matches one of the glob patterns (`main`, `release/*`)."""
    return any(fnmatch.fnmatchcase(branch, pattern) for pattern in protected)
