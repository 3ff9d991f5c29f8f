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


_SHA = re.compile(r"[0-9a-f]{4,64}")  # a commit id as a handoff records it, never an option


class Reader:
    """The git reads of one handoff or pickup. A read that fails (a corrupt index: `git
    status` exits 128) is kept as a line that says so (`unread`: "could not read the working
    tree: <git's message>"), which the handoff and `pickup` show as a blocker; it is never
    taken as an empty answer (a clean tree, no commits)."""

    def __init__(self, root: Path):
        self.root = root
        self.repo = _repo(root)
        self.unread: list[str] = []

    def run(self, what: str, *args: str, ok: tuple[int, ...] = (0,)) -> tuple[int, str]:
        """(exit code, output) of `git ARGS`; an exit code not in `ok` is said as `what`."""
        status, out, err = self.repo.git.execute(
            neutral.argv(["git", *NO_TREE_CODE, *args]), with_extended_output=True,
            with_exceptions=False)
        if status not in ok:
            said = " ".join(str(err).split()) or f"git {args[0]} exited {status}"
            line = f"could not read {what}: {said}"
            if line not in self.unread:
                self.unread.append(line)
        return status, out

    def tree_state(self) -> TreeState:
        code, branch = self.run("the branch", "symbolic-ref", "--quiet", "--short", "HEAD",
                                ok=(0, 1))  # 1: a detached HEAD
        code_head, head = self.run("HEAD", "rev-parse", "--verify", "--quiet", "HEAD",
                                   ok=(0, 1))  # 1: an unborn branch
        head_ok = code_head == 0 and head.strip()
        subject = self.run("the last commit", "log", "-1", "--format=%s")[1].strip() \
            if head_ok else ""
        code_status, status = self.run("the working tree", "status", "--porcelain", "-z",
                                       "--untracked-files=all")
        dirty = tuple(line for line in _status_lines(status if code_status == 0 else "")
                      if not line[3:].startswith(".reviewloop/") and line[3:] != KIRO_COPY)
        name = branch.strip() if code == 0 else None
        upstream = self._upstream(name) if name else None
        unpushed = self.commits_between(upstream, "HEAD") if upstream and head_ok else ()
        return TreeState(branch=name, head=head.strip() if head_ok else None,
                         head_subject=subject, dirty=dirty, upstream=upstream,
                         unpushed=unpushed)

    def _upstream(self, branch: str) -> str | None:
        """The branch's upstream; None when it has none or the upstream is gone."""
        _, out = self.run("the branch's upstream", "for-each-ref",
                          "--format=%(upstream:short)%00%(upstream:track)",
                          f"refs/heads/{branch}")
        name, _, track = out.strip().partition("\0")
        return (name or None) if track != "[gone]" else None

    def commits_between(self, base: str | None, head: str = "HEAD",
                        limit: int = 50) -> tuple[Commit, ...]:
        """Commits in `head` not in `base` (all of them, up to `limit`, when base is None)."""
        spec = f"{base}..{head}" if base else head
        code, out = self.run("the history", "log", f"--max-count={limit}", "--name-only",
                             "-z", "--format=%x1e%H%x1f%s", spec, "--")
        return _commits(out) if code == 0 else ()

    def is_ancestor(self, ancestor: str, descendant: str = "HEAD") -> bool:
        """Whether `descendant`'s history holds commit `ancestor`; a commit this repository
        does not have (gone, or not an id) is in no history."""
        if not self.has(ancestor, descendant):
            return False
        code, _ = self.run("the history", "merge-base", "--is-ancestor", ancestor, descendant,
                           ok=(0, 1))
        return code == 0

    def has(self, *commits: str) -> bool:
        """Whether every one of `commits` is a commit object of this repository (on no
        branch, say, but kept by the reflog)."""
        return all(_SHA.fullmatch(c) is not None or c == "HEAD" for c in commits) and all(
            self.run("an object", "cat-file", "-e", f"{c}^{{commit}}", ok=(0, 1, 128))[0] == 0
            for c in commits)


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


def _commits(out: str) -> tuple[Commit, ...]:
    """`git log --name-only -z --format=%x1e%H%x1f%s` as commits with their files."""
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
