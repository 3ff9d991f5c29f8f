"""Bringing a `/reviewloop fix` to the pull request: one commit pushed onto the head the fix
was made on (never onto a head that moved), or — for a fork, where the token may not push —
the fix as ```suggestion blocks on the findings' lines.

Idempotent by what is on GitHub, so it holds across runners: the commit carries the
command's comment id as a trailer (`Reviewloop-Command`), and the bot's answer to a command
carries a `fix` marker with that id. A command whose commit is already on the branch, or
whose answer is already posted, is not carried out again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from unidiff.patch import PatchSet

from reviewloop.errors import BlockingOutcome
from reviewloop.findings.ledger import Ledger, Status
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import ChangeSet
from reviewloop.git.names import code_span
from reviewloop.git.repository import Repository
from reviewloop.github import remote as remotes
from reviewloop.github.markers import read_marker, with_marker
from reviewloop.github.mentions import commit_text
from reviewloop.github.render import _suggestion_block, safe
from reviewloop.github.threads import Identity
from reviewloop.landing.message import TRAILER

COMMAND_TRAILER = "Reviewloop-Command"


class HeadMoved(BlockingOutcome):
    """The pull request's branch is no longer at the head the fix was made on."""


@dataclass(frozen=True)
class FixFacts:
    run_id: str
    comment_id: int
    number: int
    ledger: Ledger
    targets: Sequence[Finding]
    rounds: int
    passed_tests: int | None


def fix_message(facts: FixFacts) -> str:
    """Subject, what was fixed and what was not, and the trailers that find it again. The
    titles are a model's words, taken from the PR's comments too: `commit_text`, so none
    mentions anyone, references or closes an issue."""
    prints = {p for f in facts.targets for p in f.fingerprints}
    fixed = [e for e in facts.ledger.with_status(Status.FIXED) if e.fingerprints & prints]
    left = [e for e in facts.ledger.unresolved if e.fingerprints & prints]
    lines = [f"fix: reviewloop findings on #{facts.number}", ""]
    lines += [f"- fixed {e.finding.short_id}: {commit_text(e.finding.title)}" for e in fixed]
    lines += [f"- still open {e.finding.short_id}: {commit_text(e.finding.title)}"
              for e in left]
    stats = f"{facts.rounds} review round(s)"
    if facts.passed_tests is not None:
        stats += f", {facts.passed_tests} tests passing"
    return "\n".join([*lines, "", f"Fixed and re-reviewed with reviewloop: {stats}.", "",
                      f"{TRAILER}: {facts.run_id}", f"{COMMAND_TRAILER}: {facts.comment_id}",
                      ""])


def commit_of_command(repo: Repository, base: str, head: str, comment_id: int) -> str | None:
    """The commit on base..head that carried out command `comment_id`, if any."""
    status, out, _ = repo.try_git("log", "--format=%H", "--grep",
                                  f"^{COMMAND_TRAILER}: {int(comment_id)}$", f"{base}..{head}")
    return out.split()[0] if status == 0 and out.split() else None


def push_fix(repo: Repository, commit: str, remote: str, branch: str, expected: str,
             env: Mapping[str, str]) -> bool:
    """Push `commit` (a child of `expected`) to `branch`; False when it is there already.
    HeadMoved when the branch is at anything else: nothing is pushed onto a moved head."""
    ref = f"refs/heads/{branch}"
    auth = remotes.auth_env(repo, remotes.remote_url(repo, remote), env)
    status, out, err = repo.try_git("ls-remote", "--", remote, ref, env=auth)
    if status != 0:
        raise BlockingOutcome(f"cannot reach the remote {remote}: {err.strip()[-200:]}")
    current = out.split()[0] if out.strip() else ""
    if current == commit:
        return False
    if current != expected:
        raise HeadMoved(_moved(branch, expected, current))
    status, _, err = repo.try_git("push", "--quiet", f"--force-with-lease={ref}:{expected}",
                                  remote, f"{commit}:{ref}", env=auth)
    if status != 0:  # the lease failed: a push landed between ls-remote and ours
        raise HeadMoved(_moved(branch, expected, "a newer commit") + f" ({err.strip()[-200:]})")
    return True


def _moved(branch: str, expected: str, now: str) -> str:
    return (f"the pull request's branch {branch} moved from {expected[:12]} to "
            f"{now[:12] or 'nothing'} while the fix ran, so nothing was pushed; comment "
            "`/reviewloop fix` again to fix the new head")


def answered(issue_comments: Sequence[Mapping[str, Any]], reviews: Sequence[Mapping[str, Any]],
             key: bytes, identity: Identity, comment_id: int) -> bool:
    """Whether the bot already answered command `comment_id` with its outcome."""
    for item in (*issue_comments, *reviews):
        if not identity.wrote(item):
            continue
        marker = read_marker(item.get("body"), key, "fix")
        if marker is not None and marker.data.get("cmd") == comment_id:
            return True
    return False


def answer(text: str, comment_id: int, head: str, key: bytes) -> str:
    """The bot's answer to a fix command (already safe), ending with its `fix` marker."""
    return with_marker(text, "fix", {"cmd": comment_id, "head": head}, key)


@dataclass(frozen=True)
class Suggestion:
    path: str
    start: int
    end: int
    text: str  # the replacement for lines start..end of the head

    def payload(self) -> dict[str, Any]:
        body = "reviewloop's fix for this line(s), as a suggestion:\n\n" + \
            _suggestion_block(self.text)
        out: dict[str, Any] = {"path": self.path, "line": self.end, "side": "RIGHT",
                               "body": body}
        if self.start < self.end:
            out |= {"start_line": self.start, "start_side": "RIGHT"}
        return out


def suggestions(fix_diff: str, head_text: Mapping[str, Sequence[str]], changes: ChangeSet,
                ) -> tuple[list[Suggestion], list[str]]:
    """The fix as suggestions on head lines the PR diff shows, and the paths whose hunks
    cannot be anchored there (they go into the review body as a diff)."""
    out: list[Suggestion] = []
    loose: list[str] = []
    for patched in PatchSet(fix_diff):
        lines = list(head_text.get(patched.path, ()))
        shown = changes.file(patched.path)
        for hunk in patched:
            start, end, new = _replacement(list(hunk), lines)
            if shown is None or not any(lo <= start and end <= hi for lo, hi in shown.hunks):
                loose.append(patched.path)
                continue
            out.append(Suggestion(patched.path, start, end, new))
    return out, sorted(set(loose))


def _replacement(hunk: list[Any], lines: Sequence[str]) -> tuple[int, int, str]:
    """Head lines (start, end) the hunk changes and their new text. The span runs from its
    first to its last changed line; an insertion alone is anchored on the line before it,
    which the suggestion repeats."""
    changed = [i for i, x in enumerate(hunk) if x.is_added or x.is_removed]
    region = hunk[changed[0]:changed[-1] + 1]
    old = [x.source_line_no for x in region if not x.is_added]
    new = "".join(x.value for x in region if not x.is_removed)
    if old:
        return min(old), max(old), new
    before = max([x.source_line_no for x in hunk[:changed[0]] if x.is_context] or [1])
    keep = lines[before - 1] if before <= len(lines) else ""
    return before, before, keep.rstrip("\n") + "\n" + new


def fork_note(count: int, loose: Sequence[str]) -> str:
    text = ("This pull request comes from a fork, and reviewloop's token cannot push to it, "
            f"so the fix is below as {count} suggestion(s) on the findings' lines: apply "
            "them with **Commit suggestion**.")
    if loose:
        text += " Changes outside this pull request's diff could not be suggested: " + \
            ", ".join(map(code_span, loose)) + "."
    return safe(text)
