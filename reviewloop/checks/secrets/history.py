"""Secrets a branch's commits added and a later commit of it took out again.

A review of `base...head` scans the change as a whole: a key committed, then deleted in a
"remove secret" commit, is in no line of that diff, and the review said "no secret". The
branch's history still holds it: every clone and fork of the branch, and the target's
history after a merge that is not squashed. So a review with a head commit also scans each
commit of the branch (`git rev-list --no-merges base..head`, each against its parent: the
diff machinery the review's own diff uses) with the same rules, as `gitleaks git` and
GitHub's push protection scan every pushed commit.

A secret counts here only when neither end of the change holds it in that file: one still
in the head's file is the change's own added line (the gate reports it) or older than the
branch; one in the base's file is older than the branch, and the branch removing it is no
leak. Each is a must-fix finding about its file (the commit it came in named as its subject),
inside the change whatever its lines: the fix is to rotate the credential and to rewrite the
branch (or squash it), which no edit of the files can do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reviewloop.checks.secrets.analyzer import secrets_only
from reviewloop.checks.secrets.diff_scan import scan_changes
from reviewloop.checks.secrets.scanner import SOURCE, SecretHit, blocking
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import ChangeSet, parse_diff
from reviewloop.git.repository import Repository

MAX_COMMITS = 1_000  # the newest: a longer branch's older commits are counted unscanned


@dataclass(frozen=True)
class History:
    """What the scan of a branch's commits found, and how much of it it read."""

    findings: list[Finding]
    commits: int  # the branch's commits (merges aside)
    scanned: int

    @property
    def summary(self) -> str:
        cut = f" (the newest {self.scanned:,} of {self.commits:,})" \
            if self.scanned < self.commits else ""
        if not self.findings:
            return f"no secret in the branch's {self.scanned:,} commit(s){cut} that a later " \
                   "one removed"
        return f"{len(self.findings)} secret(s) a commit of the branch added and a later one " \
               f"removed: still in its history{cut}"


def branch_history(repo: Repository, base: str, head: str, net: ChangeSet,
                   agent: str = "review-security") -> History:
    """The secrets the commits of `base..head` added that neither the change (`net`) nor
    the base's and the head's files hold (see the module docstring). A commit whose parent
    is not in the clone (a shallow one's oldest) is not scanned, and counted so."""
    listed = [line.split() for line in repo.git(
        "rev-list", "--no-merges", "--parents", f"{base}..{head}").splitlines()]
    commits = [ids[0] for ids in listed[:MAX_COMMITS] if len(ids) == 2]
    if not commits or (len(listed) == 1 and commits[0] == repo.git("rev-parse", head).strip()):
        return History([], len(listed), len(commits))  # one commit: the change's own diff
    kept = {_secret(net, hit) for hit in scan_changes(net)}  # the gate's to report
    ends = _Ends(repo, base, head)
    found: dict[tuple[str, str], Finding] = {}
    for commit in reversed(commits):  # oldest first: a secret is named by its first commit
        changes = parse_diff(repo.diff_refs(f"{commit}^", commit, merge_base=False),
                             source=f"commit {commit[:12]}")
        for hit in secrets_only(scan_changes(changes), changes):
            secret = _secret(changes, hit)
            if not blocking(hit) or not secret or secret in kept \
                    or (hit.path, secret) in found or ends.hold(hit.path, secret):
                continue
            found[hit.path, secret] = _finding(hit, commit, agent)
    return History(list(found.values()), len(listed), len(commits))


class _Ends:
    """The base's and the head's version of a file, read once each (a missing one: empty)."""

    def __init__(self, repo: Repository, base: str, head: str) -> None:
        self._read: Callable[[str], str] = lambda spec: repo.try_git(
            "cat-file", "-p", spec, errors="replace")[1]
        self._base = repo.git("merge-base", base, head).strip()
        self._head = head
        self._texts: dict[str, str] = {}

    def hold(self, path: str, secret: str) -> bool:
        if path not in self._texts:
            self._texts[path] = "\0".join(self._read(f"{rev}:{path}")
                                          for rev in (self._base, self._head))
        return secret in self._texts[path]


def _secret(changes: ChangeSet, hit: SecretHit) -> str:
    """The secret's text on its first line (what the ends are searched for)."""
    diff = changes.file(hit.path)
    line = next((a.text for a in diff.added if a.line == hit.line), "") if diff else ""
    return line[hit.column - 1:hit.end_column - 1]


def _finding(hit: SecretHit, commit: str, agent: str) -> Finding:
    short = commit[:12]
    return Finding(
        severity=Severity.MUST_FIX, file=hit.path, start_line=1, end_line=1, level="file",
        symbol=f"commit {short}", introduced=True,
        title=f"Secret in the branch's history: {hit.description}",
        rationale=(f"Commit {short} added `{hit.preview}` to {hit.path} (line {hit.line}, "
                   f"the {hit.rule} rule) and a later commit of the branch removed it. The "
                   "change's diff no longer shows it, but the branch's history does: every "
                   "clone of it, and the target's history after a merge that is not squashed."),
        suggestion=("Rotate the credential; then drop it from the history (rebase the branch "
                    "without it, or squash the branch when merging)."),
        confidence=hit.confidence, agent=agent, source=SOURCE, rule=hit.rule)
