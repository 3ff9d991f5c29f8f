"""Files in a worktree that git leaves out of any commit of it: those under a submodule's
path (git records the submodule's commit, never its files; a run's worktree does not even
check the submodule out) and those the repository's ignore rules ignore.

A run compares the two listings taken around its implementer: a file it wrote there is
neither reviewed nor committed, and the run says so rather than lose it without a word. One
under a submodule escalates the run; an ignored one is named among the files not read (a
module the change imports from an ignored path is then visibly missing from the commit) but
does not stop it: the project declared such files no part of any change, and a run that
stopped for them would stop for every build.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from reviewloop.git.changes import is_artifact
from reviewloop.git.names import shown
from reviewloop.git.repository import Repository

# path (text form) -> (why git leaves it out, its size and modification time)
Listing = dict[str, tuple[str, tuple[int, int]]]

SUBMODULE_MODE = "160000"
IGNORED = "ignored by the repository's ignore rules: not committed"


def left_out(repo: Repository) -> Listing:
    """Every file under a submodule's path, and every ignored file, but build and test
    artifacts (`git.changes.ARTIFACTS`), with the reason and its stamp."""
    found: Listing = {}
    for link in _submodules(repo):
        for folder, dirs, files in os.walk(repo.root / link):
            dirs[:] = [d for d in dirs if d != ".git"]
            for name in files:
                path = os.path.relpath(os.path.join(folder, name), repo.root)
                if not is_artifact(path):
                        _add(found, repo, path, f"inside submodule {shown(link)} (git records "
                                            "the submodule's commit, not its files)")
    out = repo.git("ls-files", "-z", "--others", "--ignored", "--exclude-standard")
    for path in filter(None, out.split("\0")):
        if not is_artifact(path) and not path.startswith(".reviewloop/"):
            _add(found, repo, path, IGNORED)
    return found


def written(before: Mapping[str, tuple[str, tuple[int, int]]], after: Listing) -> list[str]:
    """`path: reason` of each file of `after` that is new or changed since `before`."""
    return [f"{path}: {reason}" for path, (reason, stamp) in sorted(after.items())
            if path not in before or before[path][1] != stamp]


def left_out_escalation(lines: list[str], shown_at_most: int = 5) -> list[str]:
    """The escalation that names the files of `written` under a submodule (none: no
    escalation). An ignored file is named among the files not read, and does not stop the
    run: the project declared it no part of any change (build output, `.env`)."""
    lines = [line for line in lines if not line.endswith(IGNORED)]
    if not lines:
        return []
    more = f"; and {len(lines) - shown_at_most} more" if len(lines) > shown_at_most else ""
    return [f"the implementer wrote {len(lines)} file(s) git leaves out of the change, "
            f"neither reviewed nor committed: {'; '.join(lines[:shown_at_most])}{more}"]


def _submodules(repo: Repository) -> list[str]:
    out = repo.git("ls-files", "-z", "--stage")
    return [entry.split("\t", 1)[1] for entry in filter(None, out.split("\0"))
            if entry.startswith(SUBMODULE_MODE + " ")]


def _add(found: Listing, repo: Repository, path: str, reason: str) -> None:
    try:
        stat = os.lstat(repo.root / path)
    except OSError:
        return  # gone meanwhile: nothing left out
    found[shown(path)] = (reason, (stat.st_size, stat.st_mtime_ns))
