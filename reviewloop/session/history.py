"""Read-only git queries a handoff needs: the tree's state, unpushed and new commits.

(git.py owns writing; these are the few history reads it does not offer, kept apart so a
handoff never shares code paths with committing.)"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import git

from reviewloop.git import neutral
from reviewloop.git.repository import NO_TREE_CODE

# The handoff's copy for Kiro, which `reviewloop handoff` writes into the working tree after
# it read the tree: its own output, never an uncommitted change of the session it hands off
KIRO_COPY = ".kiro/context/session-handoff.md"


@dataclass(frozen=True)
class Commit:
    sha: str
    subject: str
    files: tuple[str, ...] = ()

    def line(self) -> str:
        return f"{self.sha[:8]} {self.subject}"


@dataclass(frozen=True)
class TreeState:
    branch: str | None  # None when HEAD is detached
    head: str | None  # None on an unborn branch
    head_subject: str
    dirty: tuple[str, ...]  # `git status --porcelain` lines, each name as it is (not quoted)
    upstream: str | None
    unpushed: tuple[Commit, ...] = field(default_factory=tuple)


def _repo(root: Path) -> git.Repo:
    return git.Repo(root, search_parent_directories=True)


def _run(repo: git.Repo, *args: str) -> tuple[int, str]:
    status, out, _ = repo.git.execute(neutral.argv(["git", *NO_TREE_CODE, *args]),
                                      with_extended_output=True, with_exceptions=False)
    return status, out


def tree_state(root: Path) -> TreeState:
    repo = _repo(root)
    code, branch = _run(repo, "symbolic-ref", "--quiet", "--short", "HEAD")
    code_head, head = _run(repo, "rev-parse", "--verify", "--quiet", "HEAD")
    head_ok = code_head == 0 and head.strip()
    subject = _run(repo, "log", "-1", "--format=%s")[1].strip() if head_ok else ""
    status = _run(repo, "status", "--porcelain", "-z", "--untracked-files=all")[1]
    dirty = tuple(line for line in _status_lines(status)
                  if not line[3:].startswith(".reviewloop/") and line[3:] != KIRO_COPY)
    code_up, upstream_out = _run(repo, "rev-parse", "--abbrev-ref", "--symbolic-full-name",
                                 "@{u}")
    upstream = upstream_out.strip() if code_up == 0 else None
    unpushed = commits_between(root, upstream, "HEAD") if upstream and head_ok else ()
    return TreeState(branch=branch.strip() if code == 0 else None,
                     head=head.strip() if head_ok else None, head_subject=subject,
                     dirty=dirty, upstream=upstream, unpushed=unpushed)


def _status_lines(out: str) -> list[str]:
    """`git status --porcelain -z` as "XY name" lines. With -z git writes names as they are
    (without it, a name with a quote, a control character or a non-ASCII byte comes quoted,
    and the quotes would read as part of the name)."""
    fields = iter(out.split("\0"))
    lines = []
    for entry in fields:
        if len(entry) < 4:
            continue
        if "R" in entry[:2] or "C" in entry[:2]:
            next(fields, None)  # a rename's or copy's source follows its new name
        lines.append(entry)
    return lines


_HEADER = re.compile(r"\x1e([0-9a-f]{40,64})\x1f(.*)", re.DOTALL)


def commits_between(root: Path, base: str | None, head: str = "HEAD",
                    limit: int = 50) -> tuple[Commit, ...]:
    """Commits in `head` not in `base` (all of them, up to `limit`, when base is None)."""
    spec = f"{base}..{head}" if base else head
    code, out = _run(_repo(root), "log", f"--max-count={limit}", "--name-only", "-z",
                     "--format=%x1e%H%x1f%s", spec, "--")
    if code != 0:
        return ()
    found: list[tuple[str, str, list[str]]] = []
    after_header = False
    for token in out.split("\0"):  # -z: names as they are, each ended by a NUL
        header = _HEADER.fullmatch(token.removeprefix("\n"))
        if header:
            found.append((header[1], header[2], []))
            after_header = True
            continue
        if after_header:  # the name list starts after the format's line end
            token, after_header = token.removeprefix("\n"), False
        if token and found:
            found[-1][2].append(token)
    return tuple(Commit(sha, subject, tuple(files)) for sha, subject, files in found)


def is_ancestor(root: Path, ancestor: str, descendant: str = "HEAD") -> bool:
    code, _ = _run(_repo(root), "merge-base", "--is-ancestor", ancestor, descendant)
    return code == 0
