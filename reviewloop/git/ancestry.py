"""Commits in the order of the history that holds them: newest first, whatever range named
them (`reviewloop bench`'s cases, docs/bench.md "Cases are ordered newest first")."""

from __future__ import annotations

from collections.abc import Collection

from reviewloop.git.repository import Repository


def newest_first(repo: Repository, shas: Collection[str]) -> list[str]:
    """`shas` (full commit ids), newest first: no commit before one of its descendants, and
    otherwise by commit date (`git rev-list --date-order`, the walk from all of them), the
    commit id breaking what git leaves tied. Ids the walk does not reach (none, for commits
    of the repository) follow, by id. The ids go on git's input, never its command line: a
    bench may trace thousands."""
    if len(shas) < 2:
        return list(shas)
    wanted = set(shas)
    status, out, _ = repo.try_git("rev-list", "--date-order", "--stdin",
                                  given="".join(f"{sha}\n" for sha in sorted(wanted)).encode())
    walked = [sha for sha in out.split() if sha in wanted] if status == 0 else []
    seen = set(walked)
    return walked + sorted(wanted - seen)
