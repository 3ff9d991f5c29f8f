"""What the branch-history secrets scan (`checks.secrets.history`) missed, fuzz round 7.

The plain reference is the branch's history as `gitleaks git` (and a per-commit
detect-secrets) reads it: `git log -p main..feature` holds the secret. The review:

* a branch that added a secret and removed it with no other net change said "nothing to
  review", exit 0, and never scanned its commits: a range with commits of its own is now
  reviewed whatever its net change;
* an OpenSSH or PGP private key already in the base (a test fixture) excused every leaked
  and removed key of its kind: keys were compared by their first line after the armor
  (or by the armor itself), which every key of a kind shares: now by their whole text;
* the commits past the newest 250 were named only in the passed row's text; a file a commit
  made too large to diff (over 16 MB) was skipped in silence. Both now count as not read:
  the verdict is incomplete and `--fail-on` fails.

Generated: secret kinds x how the branch removes them, key kinds x what the base holds,
branch lengths either side of the scan's limit, file sizes either side of the diff's ceiling."""

from __future__ import annotations

import base64
import json
import random
import subprocess
from itertools import product
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.repos import commit, init_repo
from tests.support.review_cli import review

ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _token(kind: str, seed: int) -> tuple[str, str]:
    """(rule, a line holding a fresh secret of `kind`)."""
    rng = random.Random(seed)
    if kind == "aws-access-key-id":
        return kind, f'key_id = "AKIA{"".join(rng.choices(UPPER, k=16))}"'
    if kind == "github-token":
        return kind, f'token = "ghp_{"".join(rng.choices(ALNUM, k=36))}"'
    return kind, f'stripe = "sk_live_{"".join(rng.choices(ALNUM, k=24))}"'


def _report(root: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    done = review(root, "--base", "main", "--head", "feature", "--json", *args)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return done, json.loads(done.stdout)


def _row(report: dict) -> dict:
    return next(g for g in report["gates"] if g["name"] == "secret-history")


def _named(report: dict) -> list[tuple[str, str]]:
    return sorted((f["file"], f["rule"]) for f in report["findings"]["remaining"]
                  if f["title"].startswith("Secret in the branch's history"))


def _in_history(root: Path, text: str) -> bool:
    """The plain reference: the branch's commits, as `gitleaks git` reads them."""
    return text in git(root, "log", "-p", "--text", "main..feature")


KINDS = ("aws-access-key-id", "github-token", "stripe-key")
REMOVALS = ("file-deleted", "line-removed", "line-replaced-back")


@pytest.mark.parametrize(("kind", "removal"), list(product(KINDS, REMOVALS)))
def test_a_branch_with_no_net_change_has_its_commits_scanned(
        tmp_path: Path, kind: str, removal: str) -> None:
    seed = KINDS.index(kind) * 10 + REMOVALS.index(removal)
    rule, line = _token(kind, seed)
    root = init_repo(tmp_path / "r", {"README.md": "base\n", "conf/app.py": "port = 1\n"})
    git(root, "checkout", "-qb", "feature")
    path = "conf/new.py" if removal == "file-deleted" else "conf/app.py"
    commit(root, {path: f"port = 1\n{line}\n"}, "add a key")
    if removal == "file-deleted":
        git(root, "rm", "-q", path)
        git(root, "commit", "-qm", "drop it")
    else:
        if removal == "line-replaced-back":
            commit(root, {path: f"port = 1\n{line.split(' = ')[0]} = None\n"}, "from env")
        commit(root, {path: "port = 1\n"}, "drop it")
    assert git(root, "diff", "main...feature") == "" and _in_history(root, line.split('"')[1])
    done, report = _report(root, "--fail-on", "must_fix")
    assert done.returncode == 1, done.stdout[-2000:]
    assert _named(report) == [(path, rule)] and _row(report)["passed"] is False
    assert line.split('"')[1] not in done.stdout


def test_an_empty_range_is_still_nothing_to_review(tmp_path: Path) -> None:
    """No commit of its own: nothing to scan. Commits that change nothing: scanned, clean."""
    root = init_repo(tmp_path / "r", {"README.md": "base\n"})
    git(root, "checkout", "-qb", "feature")
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "must_fix")
    assert done.returncode == 0 and "nothing to review" in done.stdout, done.stdout
    commit(root, {"README.md": "edited\n"}, "edit")
    commit(root, {"README.md": "base\n"}, "undo")
    done, report = _report(root, "--fail-on", "must_fix")
    assert done.returncode == 0 and _row(report)["passed"] and not _named(report), report


def _body(seed: int, size: int) -> list[str]:
    data = base64.b64encode(random.Random(seed).randbytes(size)).decode()
    return [data[i:i + 70] for i in range(0, len(data), 70)]


# ssh-keygen's first body line of an unencrypted key, the same for every key of the type
SSH_PREFIX = {"ed25519": "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
              "rsa": "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAABlwAAAAdzc2gtcn"}


def _key(kind: str, seed: int) -> str:
    """A private key of `kind` whose first lines are those every key of the kind has."""
    if kind in SSH_PREFIX:
        lines = [SSH_PREFIX[kind], *_body(seed, 300 if kind == "ed25519" else 1800)]
        return "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(lines) + \
            "\n-----END OPENSSH PRIVATE KEY-----\n"
    header = "" if kind == "pgp" else "Comment: GPGTools - https://gpgtools.org\n"
    return f"-----BEGIN PGP PRIVATE KEY BLOCK-----\n{header}\n" + "\n".join(
        _body(seed, 600)) + "\n=abcd\n-----END PGP PRIVATE KEY BLOCK-----\n"


KEYS = ("ed25519", "rsa", "pgp", "pgp-comment")
BASES = ("other-key", "same-key", "no-key")


@pytest.mark.parametrize(("kind", "base"), list(product(KEYS, BASES)))
def test_a_leaked_key_is_told_from_the_bases_keys_by_its_whole_text(
        tmp_path: Path, kind: str, base: str) -> None:
    """A fixture key of the same kind in the base excuses only that very key."""
    seed = KEYS.index(kind) * 10
    leaked = _key(kind, seed)
    fixture = {"other-key": _key(kind, seed + 1), "same-key": leaked}.get(base)
    root = init_repo(tmp_path / "r", {"README.md": "base\n", **(
        {"tests/fixtures/test_key": fixture} if fixture else {})})
    git(root, "checkout", "-qb", "feature")
    commit(root, {"deploy/id_key": leaked}, "add a deploy key")
    git(root, "rm", "-q", "deploy/id_key")
    git(root, "commit", "-qm", "remove it")
    commit(root, {"deploy/README": "the key lives in the vault\n"}, "notes")
    assert _in_history(root, leaked.splitlines()[-3])
    _, report = _report(root, "--fail-on", "never")
    expected = [] if base == "same-key" else [("deploy/id_key", "private-key")]
    assert [path for path, _ in _named(report)] == [path for path, _ in expected], report
    assert _row(report)["passed"] is (base == "same-key")


def _empty_commits(root: Path, count: int, message: str) -> None:
    """`count` commits on `feature` changing nothing (one process each, no checkout)."""
    tree = git(root, "rev-parse", "HEAD^{tree}").strip()
    head = git(root, "rev-parse", "HEAD").strip()
    for n in range(count):
        head = git(root, "commit-tree", tree, "-p", head, "-m", f"{message} {n}").strip()
    git(root, "update-ref", "refs/heads/feature", head)
    git(root, "reset", "-q", "--hard", "feature")


@pytest.mark.parametrize(("before", "after"), [(0, 248), (0, 249), (25, 249)])
def test_the_commits_past_the_scans_limit_are_not_read(
        tmp_path: Path, before: int, after: int) -> None:
    """250 commits are scanned: the leak's commit is the 250th newest (scanned, named) or
    older (not scanned: named as not read, one by one up to 20, and the verdict
    incomplete)."""
    rule, line = _token("github-token", after)
    root = init_repo(tmp_path / "r", {"README.md": "base\n"})
    git(root, "checkout", "-qb", "feature")
    _empty_commits(root, before, "early")
    oldest = (git(root, "rev-list", "--reverse", "feature", "^main").split() or [""])[0]
    commit(root, {"conf/a.py": f"{line}\n"}, "add")
    added = git(root, "rev-parse", "HEAD").strip()
    commit(root, {"conf/a.py": "x = 1\n"}, "remove")
    _empty_commits(root, after - 1, "pad")
    commit(root, {"notes.md": "notes\n"}, "notes")
    assert _in_history(root, line.split('"')[1])
    done, report = _report(root, "--fail-on", "must_fix")
    assert done.returncode == 1
    if after == 248:
        assert _named(report) == [("conf/a.py", rule)] and report["health"]["complete"]
        return
    assert _named(report) == [] and not report["health"]["complete"], report["health"]
    row = next(a for a in report["health"]["analyzers"] if a["name"] == "secret-history")
    named = f"{before + 1} commits, {oldest[:12]} to {added[:12]}" if before else \
        f"commit {added[:12]}"
    assert list(row["unread"]) == [named], row
    assert named in report["verdict"], report["verdict"]


@pytest.mark.parametrize(("size", "then"), list(product(
    (17_000_000, 100_000), ("deleted", "shrunk"))))
def test_a_file_too_large_to_diff_in_a_commit_is_not_read(
        tmp_path: Path, size: int, then: str) -> None:
    rule, line = _token("github-token", size % 7)
    root = init_repo(tmp_path / "r", {"README.md": "base\n"})
    git(root, "checkout", "-qb", "feature")
    commit(root, {"data/f.txt": ("z" * 99 + "\n") * (size // 100) + f"{line}\n"}, "data")
    if then == "deleted":
        git(root, "rm", "-q", "data/f.txt")
        git(root, "commit", "-qm", "drop it")
    else:
        commit(root, {"data/f.txt": "x\n"}, "shrink it")
    commit(root, {"notes.md": "notes\n"}, "notes")
    done, report = _report(root, "--fail-on", "must_fix")
    assert done.returncode == 1
    if size < 16_000_000:  # read: the token is named
        assert _named(report) == [("data/f.txt", rule)] and report["health"]["complete"]
        return
    assert not report["health"]["complete"] and "data/f.txt" in report["verdict"], report
    row = next(a for a in report["health"]["analyzers"] if a["name"] == "secret-history")
    assert "too large to analyze" in row["unread"]["data/f.txt"], row
