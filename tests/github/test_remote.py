"""The run's branch on the remote: the repository a remote URL names, pushing with real git
to a bare repository, never over someone else's commits, and the token kept out of URLs."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from reviewloop.errors import BlockingOutcome, CredentialsError, UserInputError
from reviewloop.git.repository import open_repository
from reviewloop.github.remote import auth_env, check_ready, push, repo_slug
from tests.support.gitutil import git
from tests.support.repos import bare_origin


@pytest.mark.parametrize("url", [
    "https://github.com/octo/tasks.git", "https://github.com/octo/tasks",
    "git@github.com:octo/tasks.git", "ssh://git@github.com/octo/tasks.git",
    "https://x-access-token:abc@github.com/octo/tasks.git"])
def test_slug_from_a_github_url(url: str):
    assert repo_slug(url, {"GITHUB_REPOSITORY": "other/repo"}) == "octo/tasks"


def test_slug_of_a_path_remote_comes_from_github_repository():
    assert repo_slug("/srv/mirror/tasks.git", {"GITHUB_REPOSITORY": "octo/tasks"}) == \
        "octo/tasks"
    with pytest.raises(UserInputError) as caught:
        repo_slug("/srv/mirror/tasks.git", {})
    assert "GITHUB_REPOSITORY=OWNER/NAME" in str(caught.value)


def test_a_url_with_credentials_is_never_shown():
    with pytest.raises(UserInputError) as caught:
        repo_slug("https://user:s3cret@git.example.com/a/b/c/d", {})
    assert "s3cret" not in str(caught.value) and "git.example.com" in str(caught.value)


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    return bare_origin(tmp_path, {"a.txt": "a\n"}, "start")


def commit(root: Path, name: str, message: str) -> str:
    (root / name).write_text(name + "\n")
    git(root, "add", name)
    git(root, "commit", "-qm", message)
    return git(root, "rev-parse", "HEAD").strip()


def remote_head(origin: Path, branch: str) -> str:
    return git(origin, "rev-parse", f"refs/heads/{branch}").strip()


def test_push_puts_the_commit_there_once(origin: Path, tmp_path: Path):
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(origin), str(work))
    sha = commit(work, "b.txt", "1: B\n\nReviewloop-Run: r1")
    repo = open_repository(work)
    assert push(repo, sha, "origin", "reviewloop/1", {}) is True
    assert remote_head(origin, "reviewloop/1") == sha
    assert push(repo, sha, "origin", "reviewloop/1", {}) is False  # a resume: nothing to do


def test_a_rerun_replaces_an_earlier_run_but_never_someone_elses_commit(origin: Path,
                                                                       tmp_path: Path):
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(origin), str(work))
    repo = open_repository(work)
    earlier = commit(work, "b.txt", "1: B\n\nReviewloop-Run: r1")
    push(repo, earlier, "origin", "reviewloop/1", {})
    git(work, "reset", "-q", "--hard", "origin/main")
    rerun = commit(work, "c.txt", "1: B again\n\nReviewloop-Run: r2")
    assert push(repo, rerun, "origin", "reviewloop/1", {}) is True
    assert remote_head(origin, "reviewloop/1") == rerun

    other = tmp_path / "other"  # someone pushes a fix-up onto the pull request's branch
    git(tmp_path, "clone", "-q", "-b", "reviewloop/1", str(origin), str(other))
    theirs = commit(other, "fix.txt", "fix the tests")
    git(other, "push", "-q", "origin", "reviewloop/1")
    git(work, "reset", "-q", "--hard", "origin/main")
    third = commit(work, "d.txt", "1: B once more\n\nReviewloop-Run: r3")
    with pytest.raises(BlockingOutcome) as caught:
        push(repo, third, "origin", "reviewloop/1", {})
    assert theirs[:12] in str(caught.value) and "not overwritten" in str(caught.value)
    assert remote_head(origin, "reviewloop/1") == theirs


def run_commit(spec: str, task: str, run: str) -> str:
    trailers = f"Reviewloop-Run: {run}\nReviewloop-Task: {task}"
    return f"{task}: work\n\n{trailers}" + (f"\nReviewloop-Spec: {spec}" if spec else "")


@pytest.mark.parametrize(("earlier", "later", "replaced"), [
    ((".kiro/specs/alpha/tasks.md", "1"), (".kiro/specs/beta/tasks.md", "1"), False),
    ((".kiro/specs/alpha/tasks.md", "1"), (".kiro/specs/alpha/tasks.md", "2"), False),
    (("", "1"), (".kiro/specs/alpha/tasks.md", "2"), False),
    ((".kiro/specs/alpha/tasks.md", "1"), (".kiro/specs/alpha/tasks.md", "1"), True),
    (("", "1"), (".kiro/specs/alpha/tasks.md", "1"), True),  # made before the spec trailer
])
def test_a_branch_made_for_another_spec_or_task_is_never_replaced(
        origin: Path, tmp_path: Path, earlier: tuple[str, str], later: tuple[str, str],
        replaced: bool):
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(origin), str(work))
    repo = open_repository(work)
    first = commit(work, "b.txt", run_commit(*earlier, "r1"))
    push(repo, first, "origin", "reviewloop/1", {})
    git(work, "reset", "-q", "--hard", "origin/main")
    second = commit(work, "c.txt", run_commit(*later, "r2"))
    if replaced:
        assert push(repo, second, "origin", "reviewloop/1", {}) is True
        assert remote_head(origin, "reviewloop/1") == second
        return
    with pytest.raises(BlockingOutcome) as caught:
        push(repo, second, "origin", "reviewloop/1", {})
    said = str(caught.value)
    assert f"holds task {earlier[1]}" in said and f"this run's task {later[1]}" in said
    assert later[0] in said and first[:12] in said and '"reviewloop/{spec}/{task}"' in said
    assert remote_head(origin, "reviewloop/1") == first


def test_check_ready_wants_a_remote_and_a_token(origin: Path, tmp_path: Path):
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(origin), str(work))
    repo = open_repository(work)
    env = {"GITHUB_REPOSITORY": "octo/tasks"}
    with pytest.raises(CredentialsError) as caught:
        check_ready(repo, "origin", env)
    assert "opens a pull request on octo/tasks: no GitHub token" in str(caught.value)
    assert check_ready(repo, "origin", {**env, "GITHUB_TOKEN": "t"}) == "octo/tasks"
    with pytest.raises(UserInputError, match="no remote 'upstream'"):
        check_ready(repo, "upstream", {**env, "GITHUB_TOKEN": "t"})


def test_the_token_goes_to_git_as_a_header_in_the_environment(origin: Path, tmp_path: Path):
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(origin), str(work))
    repo = open_repository(work)
    env = auth_env(repo, "https://github.com/octo/tasks.git",
                   {"GITHUB_TOKEN": "ghs_abc", "GIT_CONFIG_COUNT": "1"})
    assert env["GIT_CONFIG_COUNT"] == "2"  # after the one already there
    assert env["GIT_CONFIG_KEY_1"] == "http.https://github.com/.extraheader"
    value = env["GIT_CONFIG_VALUE_1"]
    assert base64.b64decode(value.removeprefix("AUTHORIZATION: basic ")) == \
        b"x-access-token:ghs_abc"
    assert "ghs_abc" not in "".join(env.values())
    # another host, no token, or a checkout that keeps its own header: nothing added
    assert auth_env(repo, "https://gitlab.com/octo/tasks.git", {"GITHUB_TOKEN": "t"}) == {}
    assert auth_env(repo, "https://github.com/octo/tasks.git", {}) == {}
    git(work, "config", "http.https://github.com/.extraheader", "AUTHORIZATION: basic x")
    assert auth_env(repo, "https://github.com/octo/tasks.git", {"GITHUB_TOKEN": "t"}) == {}
