"""What is wrong with a revision a user gave: unknown here, something that is not a commit
(a tree, a file, a range), or two commits with no common history. Each is the user's to fix,
and each fix is different: fetching an unknown commit, naming a commit, fetching history."""

from __future__ import annotations

import re
from collections.abc import Callable

from reviewloop.errors import UserInputError

TryGit = Callable[..., tuple[int, str, str]]  # `Repository.try_git`
_FULL_ID = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")
_HEX = re.compile(r"[0-9a-fA-F]{7,39}")
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
    return unknown_revision(rev, detail, try_git)


def commit_of(try_git: TryGit, rev: str) -> tuple[int, str, str]:
    """`git rev-parse --verify --quiet REV^{commit}`'s (status, stdout, stderr); for `:/text`
    (the youngest commit whose message matches `text`), which cannot be peeled so —
    `:/text^{commit}` looks for the text `text^{commit}` — the commit it names, if one. A
    rev starting with `-` is a rev here, never an option (`--end-of-options`)."""
    status, out, err = try_git("rev-parse", "--verify", "--quiet", "--end-of-options",
                               f"{rev}^{{commit}}")
    if status != 0 and rev.startswith(":/"):
        status, out, err = try_git("rev-parse", "--verify", "--quiet", "--end-of-options", rev)
        status = status or try_git("cat-file", "-e", f"{out.strip()}^{{commit}}")[0]
    return status, out, err


def unknown_revision(rev: str, detail: str, try_git: TryGit | None = None) -> UserInputError:
    """`rev` names nothing here; the fix is the fetch that makes that very text resolve
    (`fetch_fix`), asked of the clone when `try_git` is given."""
    fix = fetch_fix(try_git, rev)
    if "actions/checkout" not in fix:
        fix += "; in GitHub Actions use actions/checkout with fetch-depth: 0"
    return UserInputError(f"unknown revision: {rev}" + (f" ({detail.strip()})" if detail else ""),
                          fix=fix)


def fetch_fix(try_git: TryGit | None, rev: str) -> str:
    """The command that makes `rev` resolve, by its form: a full commit id is fetched as it
    is; `HEAD~1`, `main^` or `@{u}` needs history (`git fetch origin HEAD~1` is no refspec);
    `origin/feature` is branch `feature` of remote `origin`, fetched into that very name (a
    single-branch clone's refspec would leave it in FETCH_HEAD only); a plain name, a branch
    or a tag, is fetched into a ref of its own (`git fetch origin v1` writes FETCH_HEAD only)."""
    shallow = try_git is not None and \
        try_git("rev-parse", "--is-shallow-repository")[1].strip() == "true"
    if _FULL_ID.fullmatch(rev):
        return f"fetch it first (git fetch origin {rev})"
    if _HEX.fullmatch(rev):
        return ("give the full commit id, or fetch the history holding it (git fetch "
                "--unshallow)")
    if any(mark in rev for mark in ("~", "^", "@{", ":")):
        return (_HISTORY if shallow else
                f"name a commit this history has: git log --oneline {_stem(rev)} lists them")
    remote, _, branch = rev.partition("/")
    if branch and try_git is not None and remote in try_git("remote")[1].split():
        return f"fetch it first (git fetch {remote} {branch}:refs/remotes/{remote}/{branch})"
    return (f"fetch it first (git fetch origin {rev}:{rev}) if it is a branch, or (git fetch "
            f"origin tag {rev}) if a tag")


def _stem(rev: str) -> str:
    """`rev` before its first relative suffix: `main` of `main~2^`."""
    cut = min((at for mark in ("~", "^", "@{", ":") if (at := rev.find(mark)) >= 0),
              default=len(rev))
    return rev[:cut] or "HEAD"


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
