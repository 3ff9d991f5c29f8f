"""A secret a branch's commit added and a later commit removed is in the branch's history.
The review of `main...feature` scanned the change as a whole, which shows no such line, and
said "no secret" while `gitleaks git` and a per-commit detect-secrets flag the commit. Now a
review with a head commit scans each commit of the branch too, and names each such secret,
must fix, about its file, with the commit that added it.

Generated: branches of drawn commits, each adding a drawn kind of credential to a drawn file
(a new one or one the base has), removed later in a drawn way (the line deleted, the value
read from the environment instead, the file deleted); and twins never reported as history:
a secret the base already had that the branch removes (no leak) or edits and puts back, one
the branch adds and keeps (the gate's finding, once), one moved from one file to another
within the branch."""

from __future__ import annotations

import json
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.gitutil import git
from tests.support.repos import commit, init_repo
from tests.support.review_cli import review

ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _random(size: int, alphabet: str = ALNUM) -> st.SearchStrategy[str]:
    return st.integers(0, 2**32).map(
        lambda seed: "".join(random.Random(seed).choices(alphabet, k=size)))


# (rule, the line that carries it)
KINDS = st.one_of(
    _random(16, UPPER).map(lambda k: ("aws-access-key-id", f'key_id = "AKIA{k}"')),
    _random(36).map(lambda t: ("github-token", f'token = "ghp_{t}"')),
    _random(24).map(lambda t: ("stripe-key", f'stripe = "sk_live_{t}"')),
)


@dataclass(frozen=True)
class Leak:
    """`line` (holding `rule`'s secret) in `path`; `shape` says what the branch does with
    it, and whether the review is to name it as history."""

    rule: str
    line: str
    path: str
    shape: str  # removed-line, from-env, file-deleted, | base-had, base-touched, kept, moved
    named: bool


SHAPES = {"removed-line": True, "from-env": True, "file-deleted": True,
          "base-had": False, "base-touched": False, "kept": False, "moved": False}


@st.composite
def leaks(draw: st.DrawFn, index: int) -> Leak:
    rule, line = draw(KINDS)
    shape = draw(st.sampled_from(sorted(SHAPES)))
    path = f"{draw(st.sampled_from(('conf', 'deploy', 'src')))}/s{index}" \
           f"{draw(st.sampled_from(('.py', '.yml', '.env', '.toml')))}"
    return Leak(rule, line, path, shape, SHAPES[shape])


def _branch(root: Path, drawn: list[Leak], gap: int) -> Path:
    """The base (with the `base-had` secrets), then a commit adding every other leak, `gap`
    commits of filler, and a commit doing what each leak's shape says."""
    older = ("base-had", "base-touched")
    init_repo(root, {**{leak.path: f"# settings\n{leak.line}\nport = 1\n" for leak in drawn
                        if leak.shape in older}, "README.md": "base\n"})
    git(root, "checkout", "-qb", "feature")
    commit(root, {"NOTES.md": "notes\n", **{
        leak.path: f"# settings\n{leak.line}{'  # checked' * (leak.shape in older)}\n"
                   "port = 1\n" for leak in drawn if leak.shape != "base-had"}}, "add settings")
    for n in range(gap):
        commit(root, {"NOTES.md": f"note {n}\n"}, f"note {n}")
    after: dict[str, str | bytes] = {}
    for leak in drawn:
        name = leak.line.split(" = ")[0]
        if leak.shape in ("removed-line", "base-had"):
            after[leak.path] = "# settings\nport = 1\n"
        elif leak.shape == "from-env":
            after[leak.path] = f'# settings\n{name} = env("{name.upper()}")\nport = 1\n'
        elif leak.shape == "base-touched":  # back to the base's line
            after[leak.path] = f"# settings\n{leak.line}\nport = 1\n"
        elif leak.shape == "moved":
            after[leak.path] = "# settings\nport = 1\n"
            after[f"{leak.path}.moved"] = f"{leak.line}\n"
    commit(root, after, "tidy")
    gone = [leak.path for leak in drawn if leak.shape == "file-deleted"]
    if gone:
        git(root, "rm", "-q", *gone)
        git(root, "commit", "-qm", "drop files")
    return root


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.tuples(*(leaks(i) for i in range(6))), st.integers(0, 2))
def test_a_secret_the_branch_added_and_removed_is_named(drawn: tuple[Leak, ...],
                                                       gap: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = _branch(Path(scratch) / "r", list(drawn), gap)
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never",
                      "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    history = [f for f in report["findings"]["remaining"]
               if f["title"].startswith("Secret in the branch's history")]
    assert sorted((f["file"], f["rule"]) for f in history) == sorted(
        (leak.path, leak.rule) for leak in drawn if leak.named), history
    for finding in history:
        assert finding["severity"] == "must_fix" and finding["introduced"], finding
        assert "added" in finding["rationale"] and "[redacted]" in finding["rationale"]
    kept = [leak for leak in drawn if leak.shape in ("kept", "moved")]
    gate = [f for f in report["findings"]["remaining"] if f["title"].startswith("Hard-coded")]
    assert len(gate) == len(kept), gate
    row = next(g for g in report["gates"] if g["name"] == "secret-history")
    assert row["passed"] is not any(leak.named for leak in drawn), row
    for leak in drawn:  # nothing a report shows holds a secret
        assert leak.line.split('"')[1] not in done.stdout


@pytest.mark.parametrize("head", ["feature", "HEAD"])
def test_a_branch_of_one_commit_is_reported_once_by_the_gate(tmp_path: Path, head: str) -> None:
    root = init_repo(tmp_path / "r", {"README.md": "base\n"})
    git(root, "checkout", "-qb", "feature")
    token = "".join(random.Random(7).choices(ALNUM, k=36))
    commit(root, {"conf/s.yml": f'token: "ghp_{token}"\n'}, "add")
    done = review(root, "--base", "main", "--head", head, "--fail-on", "never", "--json")
    report = json.loads(done.stdout)
    row = next(g for g in report["gates"] if g["name"] == "secret-history")
    assert row["passed"] is True, row
    assert [f["rule"] for f in report["findings"]["remaining"]] == ["github-token"]
    assert token not in done.stdout


def _pem(seed: int) -> str:
    body = "".join(random.Random(seed).choices(ALNUM + "+/", k=640))
    lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN RSA PRIVATE KEY-----\n{lines}\n-----END RSA PRIVATE KEY-----\n"


def _history(root: Path, base: str = "main") -> tuple[dict, list[dict]]:
    done = review(root, "--base", base, "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    row = next(g for g in report["gates"] if g["name"] == "secret-history")
    return row, [f for f in report["findings"]["remaining"] if "history" in f["title"]]


def test_a_removed_key_is_told_from_a_kept_one_by_its_own_lines(tmp_path: Path) -> None:
    """Every PEM key's first line is the same armor: a key kept in a test fixture hid every
    key the branch had added and removed."""
    root = init_repo(tmp_path / "r", {"README.md": "base\n"})
    git(root, "checkout", "-qb", "feature")
    commit(root, {"deploy/id_rsa": _pem(1)}, "add a deploy key")
    git(root, "rm", "-q", "deploy/id_rsa")
    git(root, "commit", "-qm", "remove it")
    commit(root, {"tests/fixture.pem": _pem(2)}, "a fixture key")
    row, named = _history(root)
    assert [f["file"] for f in named] == ["deploy/id_rsa"] and not row["passed"], named


def test_the_same_secret_in_two_files_or_commits_is_named_at_each_place(
        tmp_path: Path) -> None:
    """One token committed in `one.py`, then in `two.yaml` by a later commit, both removed:
    each place is a finding with the commit that added it there (`gitleaks git` names
    both; rewriting only the first commit still pushes the second). Added again to the
    same line of `one.py` later, it is the same place: named once, by its first commit."""
    token = "".join(random.Random(11).choices(ALNUM, k=36))
    root = init_repo(tmp_path / "r", {"README.md": "base\n"})
    git(root, "checkout", "-qb", "feature")
    first = commit(root, {"one.py": f'token = "ghp_{token}"\n'}, "one")
    second = commit(root, {"two.yaml": f'token: "ghp_{token}"\n'}, "two")
    commit(root, {"one.py": "token = None\n", "two.yaml": "token: null\n"}, "remove both")
    commit(root, {"one.py": f'token = "ghp_{token}"\n'}, "one again")
    commit(root, {"one.py": "token = None\n"}, "remove it again")
    row, named = _history(root)
    assert sorted((f["file"], f["rationale"].split()[1]) for f in named) == [
        ("one.py", first[:12]), ("two.yaml", second[:12])], named
    assert not row["passed"] and token not in json.dumps(named)


def test_the_targets_commits_and_the_bases_own_secrets_are_not_the_branchs(
        tmp_path: Path) -> None:
    """A merge of main into the branch brings main's commits (one added a secret, the next
    removed it): reviewed from the last reviewed head, they are not the branch's. And a
    secret the base had, moved to another file and back, is no leak either."""
    token = "".join(random.Random(3).choices(ALNUM, k=36))
    root = init_repo(tmp_path / "r", {"README.md": "base\n",
                                      "conf/a.py": f'token = "ghp_{token}"\n'})
    git(root, "checkout", "-qb", "feature")
    commit(root, {"conf/a.py": "token = None\n", "conf/b.py": f'token = "ghp_{token}"\n'},
           "move the token")
    reviewed = git(root, "rev-parse", "HEAD").strip()
    git(root, "revert", "--no-edit", "HEAD")
    git(root, "checkout", "-q", "main")
    other = "".join(random.Random(4).choices(ALNUM, k=36))
    commit(root, {"main.py": f'key = "ghp_{other}"\n'}, "main: add a key")
    commit(root, {"main.py": "key = None\n"}, "main: remove it")
    git(root, "checkout", "-q", "feature")
    git(root, "merge", "-q", "--no-edit", "main")
    commit(root, {"notes.md": "after the merge\n"}, "notes")
    for base in ("main", reviewed):
        row, named = _history(root, base)
        assert named == [] and row["passed"], (base, named)


def test_each_commit_of_the_branch_costs_one_git_process(tmp_path: Path) -> None:
    """The scan diffs each commit against the parent `rev-list --parents` gave: neither id is
    asked of git again (it was three processes a commit), so a branch's cost grows by one
    process a commit."""
    from reviewloop.checks.secrets.history import branch_history
    from reviewloop.git.diff import parse_diff
    from reviewloop.git.repository import open_repository
    from tests.support.processes import started

    counts = {}
    for made in (2, 8):  # a repository each: no diff of one is remembered for the other
        root = init_repo(tmp_path / str(made), {"README.md": "base\n"})
        git(root, "checkout", "-qb", "feature")
        for n in range(made):
            commit(root, {f"notes/n{n}.md": f"note {n}\n"})
        repo = open_repository(root)
        net = parse_diff(repo.diff_refs("main", "feature"))
        with started() as argv:
            found = branch_history(repo, "main", "feature", net)
        assert found.scanned == made and not found.findings
        counts[made] = sum(1 for a in argv if "git" in Path(a[0]).name)
    assert counts[8] - counts[2] == 6, counts


# where a secret's "add" and "remove" commits are, and whether they are the branch's own
PLACES = {"line": True, "side": True, "side-deleted": True, "side-of-side": True,
          "released": True, "target": False, "release": False, "release-remote": False}


def _placed(root: Path, place: str, seed: int) -> str:
    """A commit adding a GitHub token and one removing it, on a branch where `place` says,
    merged into `feature` (checked out again after); the token."""
    token = "ghp_" + "".join(random.Random(seed).choices(ALNUM, k=36))
    path = f"conf/{place}-{seed}.py"
    start = {"target": "main", "release": "main", "release-remote": "main"}.get(place,
                                                                                "feature")
    branch = {"target": "main", "release": "release/1.0", "release-remote": "release/2.0",
              "line": "feature", "released": "feature"}.get(place, f"side-{seed}")
    if branch != start and branch != "main":
        git(root, "checkout", "-qb", branch, start)
    else:
        git(root, "checkout", "-q", branch)
    commit(root, {path: f'token = "{token}"\n'}, f"{place}: add")
    commit(root, {path: "token = None\n"}, f"{place}: remove")
    if place == "side-of-side":  # merged into a second side branch, merged into feature
        git(root, "checkout", "-qb", f"outer-{seed}", "feature")
        commit(root, {f"notes/{seed}.md": "outer\n"}, "outer side")
        git(root, "merge", "-q", "--no-ff", "--no-edit", branch)
        branch = f"outer-{seed}"
    if place == "released":  # the branch merged into a release branch, say for a test
        git(root, "checkout", "-qb", f"release/3.{seed}", "main")
        git(root, "merge", "-q", "--no-ff", "--no-edit", "feature")
    git(root, "checkout", "-q", "feature")
    if branch != "feature":
        git(root, "merge", "-q", "--no-ff", "--no-edit", branch)
    if place == "release-remote":  # known only as the remote's branch
        git(root, "update-ref", f"refs/remotes/origin/{branch}", branch)
    if place in ("side-deleted", "release-remote"):
        git(root, "branch", "-q", "-D", branch)
    return token


def test_a_side_branchs_secret_is_the_branchs_and_the_targets_is_not(tmp_path: Path) -> None:
    """Every place a secret's two commits can sit, in each of two orders, with `main` or an
    earlier head of the branch as the base: a side branch merged into the branch (kept,
    deleted, or merged through another) is the branch's own history, and named; the
    target's commits merged in (from `main`, from `release/*`, from `origin/release/*`
    alone) are not the branch's."""
    from reviewloop.checks.secrets.history import branch_history
    from reviewloop.git.diff import parse_diff
    from reviewloop.git.repository import open_repository

    for order, places in enumerate((sorted(PLACES), sorted(PLACES, reverse=True))):
        for base in ("main", "reviewed"):
            root = init_repo(tmp_path / f"{order}-{base}", {"README.md": "base\n"})
            git(root, "checkout", "-qb", "feature")
            commit(root, {"a.md": "a\n"}, "first")
            reviewed = git(root, "rev-parse", "HEAD").strip()
            tokens = {place: _placed(root, place, seed) for seed, place in enumerate(places)}
            since = "main" if base == "main" else reviewed
            repo = open_repository(root)
            net = parse_diff(repo.diff_refs(since, "feature"))
            found = branch_history(repo, since, "feature", net)
            named = sorted(f.file.split("/")[1].rsplit("-", 1)[0] for f in found.findings)
            assert named == sorted(p for p in places if PLACES[p]), (order, base, named)
            assert not any(token in f.rationale for token in tokens.values()
                           for f in found.findings)


@pytest.mark.parametrize("remote", ("none", "behind"))
def test_a_range_of_the_target_itself_is_scanned(tmp_path: Path, remote: str) -> None:
    """A review of commits a protected branch holds with its head (`main~2..main`), also
    when its remote-tracking twin is behind it (a fork's `main` ahead of `origin/main`):
    neither hides them."""
    from reviewloop.checks.secrets.history import branch_history
    from reviewloop.git.diff import parse_diff
    from reviewloop.git.repository import open_repository

    root = init_repo(tmp_path / "r", {"README.md": "base\n"})
    if remote == "behind":
        git(root, "update-ref", "refs/remotes/origin/main", "main")
    token = "ghp_" + "".join(random.Random(9).choices(ALNUM, k=36))
    commit(root, {"c.py": f'token = "{token}"\n'}, "add")
    commit(root, {"c.py": "token = None\n"}, "remove")
    commit(root, {"d.md": "more\n"}, "more")
    repo = open_repository(root)
    net = parse_diff(repo.diff_refs("main~3", "main"))
    assert [f.file for f in branch_history(repo, "main~3", "main", net).findings] == ["c.py"]


def test_a_side_branch_merged_into_the_branch_is_reviewed_through_the_cli(
        tmp_path: Path) -> None:
    root = init_repo(tmp_path / "r", {"README.md": "base\n"})
    git(root, "checkout", "-qb", "feature")
    commit(root, {"a.md": "a\n"}, "first")
    _placed(root, "side", 11)
    row, named = _history(root)
    assert [f["file"] for f in named] == ["conf/side-11.py"] and not row["passed"], named


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_random(36), st.lists(st.tuples(st.sampled_from(("a.py", "b.yml")),
                                                         st.integers(1, 3)),
                                               min_size=1, max_size=3, unique=True)),
                min_size=1, max_size=3, unique_by=lambda drawn: drawn[0]))
def test_the_summary_counts_secrets_and_places_apart(
        tmp_path: Path, drawn: list[tuple[str, list[tuple[str, int]]]]) -> None:
    """Each drawn token added at its drawn places (file, line) by a commit of its own and
    all removed by a last one: a finding a place (a file, a line, a secret), and the summary
    says how many secrets and how many places (one token at two lines was "2 secret(s)")."""
    from reviewloop.checks.secrets.history import branch_history
    from reviewloop.git.diff import parse_diff
    from reviewloop.git.repository import open_repository

    root = init_repo(Path(tempfile.mkdtemp(dir=tmp_path)) / "r", {"README.md": "base\n"})
    git(root, "checkout", "-qb", "feature")
    places: set[tuple[str, int]] = set()
    for token, at in drawn:  # a later token at a place an earlier one held: one more place
        files = {path: (root / path).read_text("utf-8").splitlines() if (root / path).exists()
                 else ["x = 1"] * 3 for path, _ in at}
        for path, line in at:
            files[path][line - 1] = f'token{line} = "ghp_{token}"'
            places.add((path, line))
        commit(root, {path: "\n".join(lines) + "\n" for path, lines in files.items()})
    commit(root, dict.fromkeys(("a.py", "b.yml"), "x = 1\n"), "remove every token")
    repo = open_repository(root)
    found = branch_history(repo, "main", "feature", parse_diff(repo.diff_refs("main", "feature")))
    tokens = {token for token, _ in drawn}
    placed = {(f.file, f.rationale) for f in found.findings}
    assert len(placed) == len(found.findings) == sum(len(at) for _, at in drawn)
    assert sorted({(f.file, int(f.rationale.split("(line ")[1].split(",")[0]))
                   for f in found.findings}) == sorted(places)
    assert found.summary.startswith(
        f"{len(tokens)} secret(s) in {len(found.findings)} place(s) that a commit "), \
        found.summary
