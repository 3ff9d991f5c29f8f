"""Secrets a branch's commits added and a later commit of it took out again.

A review of `base...head` scans the change as a whole: a key committed, then deleted in a
"remove secret" commit, is in no line of that diff, and the review said "no secret". The
branch's history still holds it: every clone and fork of the branch, and the target's
history after a merge that is not squashed. So a review with a head commit also scans each
commit of the branch with the same rules, as `gitleaks git` and GitHub's push protection
scan every pushed commit: each commit of `base..head` but merges (`git rev-list
--no-merges`), each against its parent, through the diff machinery the review's own diff
uses. A side branch merged into the branch brings its commits, which are the branch's to
push; a merge of the target brings the target's, which are not: what a merge brought in from
a protected branch (`gates.protected_branches`: `main`, `origin/main`, `release/*`) that does
not hold the merge itself is left out. The branch's own commits stay in when it was merged
into a release branch, and a range of `main` itself, ahead of `origin/main`, is scanned whole.

A secret counts here only when neither end of the change holds it in any file (`git grep`
of each tree): one still in the head is the change's own added line (the gate reports it) or
older than the branch; one in the base is older than the branch — moved to another file and
back, or removed by the branch, it is no leak of the branch's. A private key is told by its
whole text, armor to armor: its armor and its first lines are the same for every key of a
kind (an OpenSSH key's, a PGP key's), so a fixture key in the base must not excuse a leaked
one. Each place that held it is a must-fix finding about its file (the commit it came in
named as its subject; one a file, line and secret, as `gitleaks git` names every commit),
inside the change whatever its lines: the
fix is to rotate the credential and to rewrite the branch (or squash it), which no edit of
the files can do.

What the scan could not read counts as not read, as the change's own scan does: the commits
older than the newest `MAX_COMMITS` (each named) and a file a commit made larger than git's
diff shows (`git.sizes.MAX_DIFFED_BYTES`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from reviewloop.checks.secrets.analyzer import secrets_only
from reviewloop.checks.secrets.diff_scan import scan_changes
from reviewloop.checks.secrets.scanner import SOURCE, SecretHit, blocking
from reviewloop.findings.schema import Finding, Severity
from reviewloop.findings.titles import short_title
from reviewloop.git.diff import ChangeSet, FileStatus, parse_diff
from reviewloop.git.refs import is_protected
from reviewloop.git.repository import Repository
from reviewloop.git.sizes import MAX_DIFFED_BYTES

MAX_COMMITS = 250  # the newest (one git process each): older ones counted unscanned
NAMED = 20  # unscanned commits named one by one; more are one entry (`_unscanned`)
PROTECTED = ("main", "master", "release/*")  # `gates.protected_branches`' default


@dataclass(frozen=True)
class History:
    """What the scan of a branch's commits found, and how much of it it read."""

    findings: list[Finding]
    commits: int  # the branch's commits (merges aside)
    scanned: int
    # what it did not read, with why: `commit <id>` for a commit past `MAX_COMMITS`, the
    # path of a file a commit made too large to diff
    unread: dict[str, str] = field(default_factory=dict)
    secrets: int = 0  # the distinct secrets the findings name: one may be in several places

    @property
    def summary(self) -> str:
        cut = f" (the newest {self.scanned:,} of {self.commits:,})" \
            if self.scanned < self.commits else ""
        unread = f"; {len(self.unread):,} not read (older commits, files too large)" \
            if self.unread else ""
        if not self.findings:
            return f"no secret in the branch's {self.scanned:,} commit(s){cut} that a later " \
                   f"one removed{unread}"
        return f"{self.secrets} secret(s) in {len(self.findings)} place(s) that a commit of " \
               f"the branch added and a later one removed: still in its history{cut}{unread}"


def branch_history(repo: Repository, base: str, head: str, net: ChangeSet,
                   protected: Sequence[str] = PROTECTED,
                   agent: str = "review-security") -> History:
    """The secrets the commits of `base..head` added that neither the change (`net`) nor
    the base's and the head's trees hold (see the module docstring). The branch's own
    commits: merges aside, and those a merge brought in from a `protected` branch not
    holding that merge (the target's commits, which are not the branch's). A commit whose
    parent is not in the clone (a shallow one's oldest) is not scanned, and counted so."""
    listed = [line.split() for line in repo.git(
        "rev-list", "--no-merges", "--topo-order", "--parents", "--end-of-options", head,
        f"^{base}", *(f"^{commit}" for commit in _targets(repo, base, head, protected))
    ).splitlines()]
    pairs = [(ids[1], ids[0]) for ids in listed[:MAX_COMMITS] if len(ids) == 2]
    unread = _unscanned([ids[0] for ids in listed[MAX_COMMITS:]])
    for pair in pairs:  # ids git gave: not asked of it again
        for commit in pair:
            repo.refs.learn(commit, commit)
    if not pairs or (len(listed) == 1 and pairs[0][1] == repo.git("rev-parse", head).strip()):
        return History([], len(listed), len(pairs), unread)  # one commit: the change's diff
    kept = {_secret(net, hit) for hit in scan_changes(net)}  # the gate's to report
    # each place that held a secret, (file, line, secret) -> its hit and first commit: the
    # same key in two files, or added again by a later commit, is one more place to rewrite
    found: dict[tuple[str, int, str], tuple[SecretHit, str]] = {}
    for parent, commit in reversed(pairs):  # oldest first: named by its first commit
        changes = parse_diff(repo.diff_refs(parent, commit, merge_base=False),
                             source=f"commit {commit[:12]}")
        unread.update(_too_large(repo, commit, changes))
        for hit in secrets_only(scan_changes(changes), changes):
            secret = _secret(changes, hit)
            if blocking(hit) and secret and secret not in kept:
                found.setdefault((hit.path, hit.line, secret), (hit, commit))
    held = _held(repo, (repo.git("merge-base", base, head).strip(), head),
                 list(dict.fromkeys(secret for _, _, secret in found)))
    places = {place: at for place, at in found.items() if place[2] not in held}
    return History([_finding(hit, commit, agent) for hit, commit in places.values()],
                   len(listed), len(pairs), unread, len({secret for _, _, secret in places}))


def _unscanned(commits: Sequence[str]) -> dict[str, str]:
    """The commits past `MAX_COMMITS` (newest first), each named; past `NAMED` of them, one
    entry for them all (a branch of 10,000 commits is no 10,000 lines of a report)."""
    why = f"not scanned: older than the newest {MAX_COMMITS} commits of the branch"
    if len(commits) <= NAMED:
        return {f"commit {commit[:12]}": why for commit in commits}
    return {f"{len(commits):,} commits, {commits[-1][:12]} to {commits[0][:12]}": why}


def _too_large(repo: Repository, commit: str, changes: ChangeSet) -> dict[str, str]:
    """The files `commit` wrote that its diff shows as binary for their size (over
    `MAX_DIFFED_BYTES`, git's "Binary files differ"), with why: one `git ls-tree` for a
    commit with a binary file, none for the others."""
    binary = [f.path for f in changes.files if f.binary and f.status is not FileStatus.DELETED]
    if not binary:
        return {}
    short = commit[:12]
    sizes = (entry.split("\t", 1) for entry in repo.git(
        "ls-tree", "-l", "-z", "--full-tree", commit, "--", *binary).split("\0") if entry)
    return {path: f"too large to analyze in commit {short} ({int(size):,} bytes; the limit "
                  f"is {MAX_DIFFED_BYTES:,})"
            for meta, path in sizes if (size := meta.split()[-1]).isdigit()
            and int(size) > MAX_DIFFED_BYTES}


def _targets(repo: Repository, base: str, head: str, protected: Sequence[str]) -> list[str]:
    """The parents a merge of `base..head` brought in from a target: each merge's other
    parent that a protected branch (local or remote-tracking, `origin/main` as `main`) not
    holding the merge has (one git process a merge's parent). Its commits are the
    target's; those of a branch merged in from anywhere else, or of the branch itself
    merged into a release branch, stay the branch's."""
    merges = [line.split() for line in repo.git(
        "rev-list", "--merges", "--parents", "--end-of-options", head, f"^{base}").splitlines()]
    # a protected branch that has the merge itself got the parent through the branch (the
    # branch merged into a release branch after it merged a side branch): not the target's
    return [parent for merge, _, *others in merges for parent in others
            if any(_protected(ref, protected) for ref in repo.git(
                "for-each-ref", f"--contains={parent}", f"--no-contains={merge}",
                "--format=%(refname)", "refs/heads", "refs/remotes").split())]


def _protected(ref: str, protected: Sequence[str]) -> bool:
    if ref.startswith("refs/heads/"):
        return is_protected(ref.removeprefix("refs/heads/"), protected)
    name = ref.removeprefix("refs/remotes/").partition("/")[2]
    return name != "HEAD" and is_protected(name, protected)


def _held(repo: Repository, revs: Sequence[str], secrets: Sequence[str]) -> set[str]:
    """Which of `secrets` a file of the trees `revs` holds, in any file (one older than the
    branch, moved, or moved and moved back, is no leak of the branch's): a `git grep` a
    tree for the one-line secrets, and one for the keys, each read whole from its armor."""
    held: set[str] = set()
    lines = [secret for secret in secrets if "\n" not in secret]
    keys = [secret for secret in secrets if "\n" in secret]
    for rev in revs:
        if lines:
            _, out, _ = repo.try_git("grep", "-I", "-F", "-o", "-h", "--no-color",
                                     *(arg for secret in lines for arg in ("-e", secret)),
                                     rev, "--", errors="replace")
            held.update(line for line in out.splitlines() if line in lines)
        if keys:  # each key block of the tree, whole (the longest asked for, at most)
            armors = dict.fromkeys(key.partition("\n")[0] for key in keys)
            _, out, _ = repo.try_git(
                "grep", "-I", "-F", "-h", "--no-color",
                f"-A{max(key.count(chr(10)) for key in keys) + 1}",
                *(arg for armor in armors for arg in ("-e", armor)), rev, "--",
                errors="replace")
            held.update(block for block in _key_blocks(out.splitlines()) if block in keys)
    return held


def _key_blocks(lines: Sequence[str]) -> Iterator[str]:
    """Each key in `lines` (`git grep -A`'s output: `--` between its groups), as `_key`
    writes it."""
    start = None
    for at, line in enumerate(lines):
        if line == "--":
            start = None
        elif _BEGIN in line:
            start = at
        elif start is not None and _END.search(line):
            yield _key(lines[start:at + 1])
            start = None


def _secret(changes: ChangeSet, hit: SecretHit) -> str:
    """The secret's text on its first line (what the trees are searched for); for a key
    that starts with its armor line (`-----BEGIN RSA PRIVATE KEY-----`, the same for every
    key), the whole key, armor to armor, one line each (`_key`): its first lines are the
    same for every OpenSSH or PGP key of a kind."""
    diff = changes.file(hit.path)
    if diff is None:
        return ""
    lines = {a.line: a.text for a in diff.added}
    secret = lines.get(hit.line, "")[hit.column - 1:hit.end_column - 1]
    if _BEGIN not in secret or not secret.rstrip().endswith("-"):
        return secret
    block = []
    for number in range(hit.line, hit.line + len(lines)):
        if number not in lines:
            break
        block.append(lines[number])
        if number > hit.line and _END.search(lines[number]):
            break
    return _key(block)


_BEGIN = "-----BEGIN"
_END = re.compile(r"-----END[ A-Z0-9]*-----")


def _key(block: Sequence[str]) -> str:
    """A key's lines from its `BEGIN` armor to its `END` one, each stripped, as one text."""
    lines = [line.strip() for line in block]
    lines[0] = lines[0][lines[0].index(_BEGIN):]
    if end := _END.search(lines[-1]):
        lines[-1] = lines[-1][:end.end()]
    return "\n".join(lines)


def _finding(hit: SecretHit, commit: str, agent: str) -> Finding:
    short = commit[:12]
    return Finding(
        severity=Severity.MUST_FIX, file=hit.path, start_line=1, end_line=1, level="file",
        symbol=f"commit {short}", introduced=True,
        title=short_title(f"Secret in the branch's history: {hit.description}"),
        rationale=(f"Commit {short} added `{hit.preview}` to {hit.path} (line {hit.line}, "
                   f"the {hit.rule} rule) and a later commit of the branch removed it. The "
                   "change's diff no longer shows it, but the branch's history does: every "
                   "clone of it, and the target's history after a merge that is not squashed."),
        suggestion=("Rotate the credential; then drop it from the history (rebase the branch "
                    "without it, or squash the branch when merging)."),
        confidence=hit.confidence, agent=agent, source=SOURCE, rule=hit.rule)
