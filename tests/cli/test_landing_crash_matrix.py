"""Issue 23: a crash anywhere in landing resumes to exactly one commit and at most one pull
request, nothing of the user's lost — in every land mode (merge, branch-only, pr).

Real CLI processes killed with SIGKILL at a named git command (`tests/support/crash.py`),
then `reviewloop resume` as a user would type it; the loopback Bedrock and GitHub fakes, a
bare repository in a temp dir as the remote. One resume runs in a second clone in another
directory, sharing only the checkpoint store (a real PostgreSQL server), with the first
clone moved out of reach as if it were on another machine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.batch import implementer, reviews
from tests.support.bedrock import BedrockFake
from tests.support.checkpoints import expire_lease
from tests.support.crash import crash_env, killed_mark
from tests.support.github import GitHubFake
from tests.support.gitutil import git
from tests.support.loop_cli import MODEL, cli, fake_env
from tests.support.repos import tasks_origin, user_edits, user_view

REPO = "octo/tasks"
SPEC = ".kiro/specs/one/tasks.md"
FILES = [SPEC, "feature_1.py", "tests/test_feature_1.py"]


@dataclass(frozen=True)
class Point:
    """Where the first process dies: just `when` (before|after) the git command `at`."""

    name: str
    at: str
    when: str


COMMIT = "* commit --quiet -m *"  # the run's commit, in its worktree
BEFORE_COMMIT = Point("present|commit", COMMIT, "before")  # approved, nothing committed
AFTER_COMMIT = Point("commit, not saved", COMMIT, "after")
REMOVED = Point("worktree removed, not saved", "* worktree remove *", "after")

MATRIX = {
    "merge": [
        BEFORE_COMMIT, AFTER_COMMIT,
        Point("commit|land", "* rev-parse --verify refs/heads/work^{commit}", "before"),
        Point("branch moved, files not", "* update-ref -m reviewloop: land *", "after"),
        Point("index updated, files not", "* update-index --add --replace *", "after"),
        REMOVED,
        Point("landed, not saved", "* branch -D *", "after"),
    ],
    "branch-only": [
        BEFORE_COMMIT, AFTER_COMMIT,
        Point("commit|land", "* worktree remove *", "before"),
        REMOVED,  # the last step: landing prunes no other worktree (git/worktrees.remove)
    ],
    "pr": [
        BEFORE_COMMIT, AFTER_COMMIT,
        Point("commit|land, before push", "* ls-remote *", "before"),
        Point("pushed, no pull request", "* push --quiet *", "after"),
        Point("pull request open, not saved", "* worktree remove *", "before"),
        Point("landed, not saved", "* branch -D *", "after"),
    ],
}
CASES = [pytest.param(mode, point, id=f"{mode}:{point.name}")
         for mode, points in MATRIX.items() for point in points]


def make_origin(tmp_path: Path, mode: str) -> Path:
    """A bare repository whose main has two tasks, no slow gates and `run.land = mode`."""
    return tasks_origin(tmp_path, SPEC, "# Tasks\n\n- [ ] 1. One\n\n- [ ] 2. Two\n", mode)


def clone(origin: Path, name: str, mode: str) -> Path:
    root = origin.parent / name
    git(origin.parent, "clone", "-q", str(origin), str(root))
    if mode != "pr":
        git(root, "switch", "-qc", "work")  # merge refuses the default branch
    return root


def github_env(github: GitHubFake) -> dict[str, str]:
    return {"GITHUB_API_URL": github.url, "GITHUB_TOKEN": "ghs_fake_token",
            "GITHUB_REPOSITORY": REPO}


def run_killed(root: Path, env: dict[str, str], tmp_path: Path):
    killed = cli(root, "run", "1", "--implementer", implementer(tmp_path), "--model", MODEL,
                 "--yes", env=env, timeout=300)
    assert killed.returncode == -9 and killed_mark(tmp_path).exists(), \
        killed.stdout + killed.stderr
    return killed


@pytest.mark.parametrize(("mode", "point"), CASES)
def test_kill9_anywhere_in_landing_resumes_to_one_commit_and_at_most_one_pr(
        tmp_path: Path, mode: str, point: Point) -> None:
    origin = make_origin(tmp_path, mode)
    root = clone(origin, "job", mode)
    before = user_edits(root)
    start = git(root, "rev-parse", "HEAD").strip()
    with BedrockFake() as bedrock, GitHubFake() as github:
        github.remotes[REPO] = origin
        reviews(bedrock, 1)  # one review round, before any crash: never asked again
        env = {**fake_env(bedrock), **github_env(github),
               **crash_env(tmp_path, point.at, point.when)}
        run_killed(root, env, tmp_path)
        listed = cli(root, "runs", env=env)
        resumed = cli(root, "resume", "--yes", env=env, timeout=300)
        again = cli(root, "resume", "--yes", env=env)  # nothing left to do: does nothing

    assert "stopped without finishing (its process is gone)" in listed.stdout
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "committed" in cli(root, "runs").stdout
    assert again.returncode == 2 and "no unfinished run to resume" in again.stderr
    assert user_view(root) == before  # your edits as they were, nothing staged in reverse
    assert not list((root / ".reviewloop/worktrees").iterdir())
    if mode == "pr":
        _one_pull_request(origin, github, start)
        assert git(root, "rev-parse", "HEAD").strip() == start  # your branch never moves
        assert git(root, "branch", "--list", "reviewloop/*") == ""
        return
    branch = "work" if mode == "merge" else "reviewloop/one/1"
    assert _one_commit(root, start, branch) == FILES
    moved = git(root, "rev-parse", "work").strip() != start
    assert moved is (mode == "merge")
    assert ("- [x] 1. One" in (root / SPEC).read_text()) is (mode == "merge")


def _one_commit(root: Path, start: str, ref: str) -> list[str]:
    """The one commit on `ref` since `start` (the run's, with its trailer): its files."""
    assert git(root, "rev-list", "--count", f"{start}..{ref}") == "1\n"
    assert "Reviewloop-Run: 1-" in git(root, "log", "-1", "--format=%B", ref)
    return sorted(git(root, "show", "--name-only", "--format=", ref).split())


def _one_pull_request(origin: Path, github: GitHubFake, start: str) -> None:
    assert _one_commit(origin, start, "reviewloop/one/1") == FILES
    assert "- [x] 1. One" in git(origin, "show", f"reviewloop/one/1:{SPEC}")
    pulls = github.pulls_of(REPO)
    assert len(pulls) == 1, pulls
    assert pulls[0]["head"]["sha"] == git(origin, "rev-parse", "reviewloop/one/1").strip()
    assert pulls[0]["base"]["ref"] == "main" and pulls[0]["state"] == "open"
    assert len(github.calls_to("pulls/create")) == 1
    assert github.violations == []


def test_a_pushed_run_is_landed_by_a_second_clone_with_no_shared_worktree(
        tmp_path: Path, pg_url: str) -> None:
    origin = make_origin(tmp_path, "pr")
    first = clone(origin, "job1", "pr")
    start = git(first, "rev-parse", "HEAD").strip()
    with BedrockFake() as bedrock, GitHubFake() as github:
        github.remotes[REPO] = origin
        reviews(bedrock, 1)
        env = {**fake_env(bedrock), **github_env(github), "REVIEWLOOP_CHECKPOINT_URL": pg_url,
               **crash_env(tmp_path, "* push --quiet *", "after")}
        run_killed(first, env, tmp_path)
        run_id = git(origin, "log", "-1", "--format=%(trailers:key=Reviewloop-Run,valueonly)",
                     "reviewloop/one/1").strip()
        away = first.rename(tmp_path / "elsewhere")  # the first machine is out of reach
        expire_lease(pg_url, run_id)  # its dead runner's lease runs out
        second = clone(origin, "job2", "pr")
        resumed = cli(second, "resume", run_id, "--yes", env=env, timeout=300)
        listed = cli(second, "runs", env=env)

    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    number = github.pulls_of(REPO)[0]["number"]
    assert f"pull request #{number}" in resumed.stdout
    assert run_id in listed.stdout and "committed" in listed.stdout
    _one_pull_request(origin, github, start)
    assert run_id in github.pulls_of(REPO)[0]["body"]
    assert not (second / ".reviewloop/worktrees").exists()  # it never needed one
    # the first clone's worktree was never touched from the second
    assert (away / ".reviewloop/worktrees" / run_id / "feature_1.py").exists()


def test_an_unpushed_commit_travels_in_the_run_store_and_a_second_clone_lands_it(
        tmp_path: Path, pg_url: str) -> None:
    origin = make_origin(tmp_path, "pr")
    first = clone(origin, "job1", "pr")
    start = git(first, "rev-parse", "HEAD").strip()
    with BedrockFake() as bedrock, GitHubFake() as github:
        github.remotes[REPO] = origin
        reviews(bedrock, 1)
        env = {**fake_env(bedrock), **github_env(github), "REVIEWLOOP_CHECKPOINT_URL": pg_url,
               **crash_env(tmp_path, "* ls-remote *", "before")}
        run_killed(first, env, tmp_path)  # committed and saved, not pushed
        run_id = git(first, "log", "-1", "--format=%(trailers:key=Reviewloop-Run,valueonly)",
                     "reviewloop/one/1").strip()
        made = git(first, "rev-parse", "reviewloop/one/1").strip()
        away = first.rename(tmp_path / "elsewhere")  # the first machine is out of reach
        expire_lease(pg_url, run_id)
        second = clone(origin, "job2", "pr")
        resumed = cli(second, "resume", run_id, "--yes", env=env, timeout=300)

    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    _one_pull_request(origin, github, start)
    assert git(origin, "rev-parse", "reviewloop/one/1").strip() == made  # the commit it made
    assert not (second / ".reviewloop/worktrees").exists()  # the commit was all it needed
    assert (away / ".reviewloop/worktrees" / run_id / "feature_1.py").exists()


def test_an_unpushed_commit_without_saved_work_is_not_lost_when_a_second_clone_cannot_land_it(
        tmp_path: Path, pg_url: str) -> None:
    """A run of a reviewloop that kept no work in the store: its commit is in one clone only."""
    import psycopg

    origin = make_origin(tmp_path, "pr")
    first = clone(origin, "job1", "pr")
    start = git(first, "rev-parse", "HEAD").strip()
    with BedrockFake() as bedrock, GitHubFake() as github:
        github.remotes[REPO] = origin
        reviews(bedrock, 1)
        env = {**fake_env(bedrock), **github_env(github), "REVIEWLOOP_CHECKPOINT_URL": pg_url,
               **crash_env(tmp_path, "* ls-remote *", "before")}
        run_killed(first, env, tmp_path)  # committed and saved, not pushed
        run_id = git(first, "log", "-1", "--format=%(trailers:key=Reviewloop-Run,valueonly)",
                     "reviewloop/one/1").strip()
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("DELETE FROM reviewloop_run_work")
        away = first.rename(tmp_path / "elsewhere")
        expire_lease(pg_url, run_id)
        refused = cli(clone(origin, "job2", "pr"), "resume", run_id, "--yes", env=env,
                      timeout=300)
        assert github.calls_to("pulls/create") == []
        away.rename(first)  # back on the machine that made the commit
        resumed = cli(first, "resume", run_id, "--yes", env=env, timeout=300)

    assert refused.returncode == 1, refused.stdout + refused.stderr
    said = " ".join((refused.stdout + refused.stderr).split())
    assert "is not in this clone and not yet on origin reviewloop/one/1" in said
    assert f"the commit waits on branch reviewloop/one/1 in {first}" in said
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    _one_pull_request(origin, github, start)
    assert not list((first / ".reviewloop/worktrees").iterdir())
