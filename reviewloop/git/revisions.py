"""What is wrong with a revision a user gave: unknown here, something that is not a commit
(a tree, a file, a range), or two commits with no common history. Each is the user's to fix,
and each fix is different: fetching an unknown commit, naming a commit, fetching history."""

from __future__ import annotations

from collections.abc import Callable

from reviewloop.errors import UserInputError

TryGit = Callable[..., tuple[int, str, str]]  # `Repository.try_git`
_HISTORY = ("fetch their history (git fetch --deepen=N, or --unshallow); in GitHub Actions use "
            "actions/checkout with fetch-depth: 0")


def bad_revision(try_git: TryGit, rev: str, detail: str) -> UserInputError:
    """`rev` names no commit here: it is unknown (fetch it), or it names an object that is not
    a commit (a fetch would not help: `git fetch origin main:README.md` makes a branch)."""
    status, out, _ = try_git("rev-parse", "--verify", "--quiet", "--end-of-options", rev)
    if status == 0 and (kind := try_git("cat-file", "-t", out.strip())[1].strip()):
        return UserInputError(f"{rev} names a {kind}, not a commit",
                              fix="give a branch, a tag or a commit id")
    if ".." in rev:
        return UserInputError(f"{rev} is a range, not a commit",
                              fix="give its two ends as --base and --head")
    return unknown_revision(rev, detail)


def commit_of(try_git: TryGit, rev: str) -> tuple[int, str, str]:
    """`git rev-parse --verify --quiet REV^{commit}`'s (status, stdout, stderr); for `:/text`
    (the youngest commit whose message matches `text`), which cannot be peeled so —
    `:/text^{commit}` looks for the text `text^{commit}` — the commit it names, if one."""
    status, out, err = try_git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if status != 0 and rev.startswith(":/"):
        status, out, err = try_git("rev-parse", "--verify", "--quiet", rev)
        status = status or try_git("cat-file", "-e", f"{out.strip()}^{{commit}}")[0]
    return status, out, err


def unknown_revision(rev: str, detail: str) -> UserInputError:
    return UserInputError(f"unknown revision: {rev}" + (f" ({detail.strip()})" if detail else ""),
                          fix=f"fetch it first (git fetch origin {rev}); in GitHub Actions use "
                          "actions/checkout with fetch-depth: 0")


def no_common_history(base: str, head: str) -> UserInputError:
    """`base...head` has no merge base: unrelated histories, or a shallow clone that holds
    too little of them."""
    return UserInputError(
        f"{base} and {head} have no commit in common here, so the change base...head has no "
        "start (a shallow clone, or unrelated histories)", fix=_HISTORY)


def uncertain_start(try_git: TryGit, base: str, head: str, ids: list[str], related: bool
                    ) -> UserInputError | None:
    """Why `base...head` (`ids`: their commit ids) has no start to trust here, or None: no
    merge base at all, or a shallow clone whose cut lies above the merge base git finds. A
    commit the clone holds without its parents, reachable from either end but not from that
    merge base, may lead on to a younger common ancestor — the true start — which the clone
    does not hold: git then answers an older one, and the change would take in the base
    branch's own commits since."""
    if not related:
        return no_common_history(base, head)
    if try_git("rev-parse", "--is-shallow-repository")[1].strip() != "true":
        return None
    starts = try_git("merge-base", "--all", *ids)[1].split()
    listed = try_git("rev-list", "--parents", *ids, *(f"^{start}" for start in starts))[1]
    if not any(len(line.split()) == 1 for line in listed.splitlines()):  # none without parents
        return None
    return UserInputError(
        f"this clone is shallow and cuts the history of {base}...{head} above the commit git "
        "takes for their merge base, so the true one may be missing and the change would take "
        f"in {base}'s own commits", fix=_HISTORY)
