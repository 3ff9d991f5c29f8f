"""A git command that failed, as the error the user sees.

Most failures are reviewloop's to explain (exit 3 with git's own words). One is the
repository's state, not a defect: a partial clone (`git clone --filter=blob:none`, what
some CI checkouts make) fetches a file's content from its remote when first asked, and
when that remote is gone or unreachable every git command that reads the file fails. That
is said as the user's to fix (exit 2), with the fix.
"""

from __future__ import annotations

from pathlib import Path

from reviewloop.errors import ReviewloopError, UserInputError

_PROMISOR = "from promisor remote"


def failed(command: str, root: str | Path, status: int, err: str) -> ReviewloopError:
    """The error for `command` (as the message shows it) that exited `status` in `root`."""
    if _PROMISOR in err:
        return UserInputError(
            "git could not fetch a file's content this review reads: the repository is a "
            f"partial clone and its remote cannot be reached ({_last_line(err)})",
            where=str(root),
            fix="reach the remote again, or fetch what is missing while it is reachable "
                "(git fetch --refetch origin), or review in a full clone (no --filter)")
    return ReviewloopError(f"`{command}` failed in {root} (exit {status}): {err.strip()}")


def _last_line(err: str) -> str:
    lines = err.strip().splitlines()
    return lines[-1].removeprefix("fatal: ") if lines else "no message"
