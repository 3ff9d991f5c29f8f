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

Generated: secret kinds x how the branch removes them (one branch holding them all), key
kinds x what the base holds (one branch for the keys the base holds, one for the others),
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


def test_a_branch_with_no_net_change_has_its_commits_scanned(tmp_path: Path) -> None:
    """Every kind × every removal in one branch, each in a folder of its own (its own secret,
    its own commits): the branch still changes nothing, and each secret is named on its own
    file."""
    cases = list(product(KINDS, REMOVALS))
    root = init_repo(tmp_path / "r", {"README.md": "base\n", **{
        f"c{i}/conf/app.py": "port = 1\n" for i in range(len(cases))}})
    git(root, "checkout", "-qb", "feature")
    expected: list[tuple[str, str]] = []
    secrets: list[str] = []
    for i, (kind, removal) in enumerate(cases):
        rule, line = _token(kind, KINDS.index(kind) * 10 + REMOVALS.index(removal))
        path = f"c{i}/conf/new.py" if removal == "file-deleted" else f"c{i}/conf/app.py"
        commit(root, {path: f"port = 1\n{line}\n"}, "add a key")
        if removal == "file-deleted":
            git(root, "rm", "-q", path)
            git(root, "commit", "-qm", "drop it")
        else:
            if removal == "line-replaced-back":
                commit(root, {path: f"port = 1\n{line.split(' = ')[0]} = None\n"}, "from env")
            commit(root, {path: "port = 1\n"}, "drop it")
        assert _in_history(root, line.split('"')[1]), (kind, removal)
        expected.append((path, rule))
        secrets.append(line.split('"')[1])
    assert git(root, "diff", "main...feature") == ""
    done, report = _report(root, "--fail-on", "must_fix")
    assert done.returncode == 1, done.stdout[-2000:]
    assert _named(report) == sorted(expected) and _row(report)["passed"] is False, cases
    assert [secret for secret in secrets if secret in done.stdout] == []


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


@pytest.mark.parametrize("excused", [False, True], ids=["other or no key", "same key"])
def test_a_leaked_key_is_told_from_the_bases_keys_by_its_whole_text(
        tmp_path: Path, excused: bool) -> None:
    """A fixture key of the same kind in the base excuses only that very key. Every key kind
    × what the base holds, in two branches: the bases holding the very key leaked (every
    kind's in one repository), and those that do not (another key of the kind, or none); each
    case its own key (seeds apart) and its own files, asserted on its own."""
    cases = [(kind, base) for kind, base in product(KEYS, BASES)
             if (base == "same-key") is excused]
    fixtures: dict[str, str] = {}
    leaked: dict[str, str] = {}
    for i, (kind, base) in enumerate(cases):
        seed = KEYS.index(kind) * 10 + BASES.index(base) * 3
        leaked[f"deploy/id_key_{i}"] = _key(kind, seed)
        fixture = {"other-key": _key(kind, seed + 1), "same-key": _key(kind, seed)}.get(base)
        if fixture:
            fixtures[f"tests/fixtures/test_key_{i}"] = fixture
    root = init_repo(tmp_path / "r", {"README.md": "base\n", **fixtures})
    git(root, "checkout", "-qb", "feature")
    commit(root, leaked, "add the deploy keys")
    git(root, "rm", "-q", *leaked)
    git(root, "commit", "-qm", "remove them")
    commit(root, {"deploy/README": "the keys live in the vault\n"}, "notes")
    for key in leaked.values():
        assert _in_history(root, key.splitlines()[-3])
    _, report = _report(root, "--fail-on", "never")
    expected = [] if excused else sorted(leaked)
    assert [path for path, _ in _named(report)] == expected, (cases, report)
    assert _row(report)["passed"] is excused


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


@pytest.mark.parametrize("size", (17_000_000, 100_000))
def test_a_file_too_large_to_diff_in_a_commit_is_not_read(tmp_path: Path, size: int) -> None:
    """A file of `size` that a later commit deleted, and one it shrunk, in one branch: each
    asserted on its own."""
    rule, line = _token("github-token", size % 7)
    root = init_repo(tmp_path / "r", {"README.md": "base\n"})
    git(root, "checkout", "-qb", "feature")
    paths = {then: f"data/{then}/f.txt" for then in ("deleted", "shrunk")}
    data = ("z" * 99 + "\n") * (size // 100) + f"{line}\n"
    commit(root, dict.fromkeys(paths.values(), data), "data")
    git(root, "rm", "-q", paths["deleted"])
    git(root, "commit", "-qm", "drop it")
    commit(root, {paths["shrunk"]: "x\n"}, "shrink it")
    commit(root, {"notes.md": "notes\n"}, "notes")
    done, report = _report(root, "--fail-on", "must_fix")
    assert done.returncode == 1
    if size < 16_000_000:  # read: the token is named
        assert _named(report) == sorted((path, rule) for path in paths.values())
        assert report["health"]["complete"]
        return
    assert not report["health"]["complete"], report
    row = next(a for a in report["health"]["analyzers"] if a["name"] == "secret-history")
    for path in paths.values():
        assert path in report["verdict"], report["verdict"]
        assert "too large to analyze" in row["unread"][path], row
