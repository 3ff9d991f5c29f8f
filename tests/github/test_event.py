"""Real pull_request webhook payloads, and force-push detection against real git history."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from reviewloop.errors import UserInputError
from reviewloop.git.repository import open_repository
from reviewloop.github.event import force_pushed, load_event, parse_event, review_base
from tests.support.repos import commit, init_repo

EVENTS = Path(__file__).parents[1] / "fixtures/github/events"
BASE = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"
HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"


def payload(action: str) -> dict:
    return json.loads((EVENTS / f"pull_request.{action}.json").read_text())


@pytest.mark.parametrize("action", ["opened", "synchronize", "reopened"])
def test_real_payloads_parse(action):
    event = parse_event(payload(action))
    assert event.action == action
    assert (event.repo, event.repo_id, event.number) == ("Codertocat/Hello-World", 186853002, 2)
    assert (event.base_sha, event.base_ref) == (BASE, "master")
    assert (event.head_sha, event.head_ref) == (HEAD, "changes")
    assert event.head_repo == "Codertocat/Hello-World" and event.fork is False


def test_synchronize_has_before_and_after():
    event = parse_event(payload("synchronize"))
    assert (event.before, event.after) == (BASE, HEAD)
    assert parse_event(payload("opened")).before is None


def test_a_head_in_another_repository_is_a_fork():
    data = payload("opened")
    data["pull_request"]["head"]["repo"]["full_name"] = "mallory/Hello-World"
    event = parse_event(data)
    assert event.fork and event.repo == "Codertocat/Hello-World"


def test_a_deleted_fork_has_no_head_repo():
    data = payload("reopened")
    data["pull_request"]["head"]["repo"] = None
    event = parse_event(data)
    assert event.head_repo is None and event.fork


def test_load_event_from_github_event_path(tmp_path):
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload("opened")))
    assert load_event({"GITHUB_EVENT_PATH": str(path)}).number == 2


@pytest.mark.parametrize("env, message", [
    ({}, "GITHUB_EVENT_PATH is not set"),
    ({"GITHUB_EVENT_PATH": "/nonexistent/event.json"}, "cannot read the event payload"),
])
def test_load_event_errors(env, message):
    with pytest.raises(UserInputError, match=message) as info:
        load_event(env)
    assert "on: pull_request" in str(info.value)


def test_not_json_names_the_line(tmp_path):
    path = tmp_path / "event.json"
    path.write_text("{\n  nope")
    with pytest.raises(UserInputError, match=r"event.json:2: the event payload is not JSON"):
        load_event({"GITHUB_EVENT_PATH": str(path)})


def test_other_events_and_actions_are_refused():
    with pytest.raises(UserInputError, match="not a pull_request event"):
        parse_event({"action": "created", "issue": {}})
    data = payload("opened")
    data["action"] = "closed"
    with pytest.raises(UserInputError, match="'closed' is not reviewed"):
        parse_event(data)
    del data["pull_request"]["head"]["sha"]
    data["action"] = "opened"
    with pytest.raises(UserInputError, match=r"has no `pull_request\.head\.sha`"):
        parse_event(data)


# --- force-push, with real git -----------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout.strip()


def edit(repo: Path, name: str, text: str) -> str:
    return commit(repo, {name: text}, f"edit {name}")


@pytest.fixture
def history(tmp_path):
    """base → first → second on a branch, and `rewritten`: second amended (a force-push)."""
    repo = init_repo(tmp_path / "repo")
    base = edit(repo, "a.py", "x = 1\n")
    git(repo, "switch", "-q", "-c", "feature")
    first = edit(repo, "a.py", "x = 2\n")
    second = edit(repo, "b.py", "y = 1\n")
    git(repo, "reset", "-q", "--hard", first)
    rewritten = edit(repo, "b.py", "y = 2\n")
    return open_repository(repo), base, first, second, rewritten


def synchronize(before: str, after: str, base: str):
    data = payload("synchronize")
    data["before"], data["after"] = before, after
    data["pull_request"]["head"]["sha"] = after
    data["pull_request"]["base"]["sha"] = base
    return parse_event(data)


def test_a_normal_push_is_not_a_force_push(history):
    repo, base, first, second, _ = history
    event = synchronize(first, second, base)
    assert not force_pushed(event, repo.is_ancestor)
    assert review_base(event, first, repo.is_ancestor) == first  # only the new commit


def test_a_rewritten_branch_is_a_force_push(history):
    repo, base, first, second, rewritten = history
    event = synchronize(second, rewritten, base)
    assert force_pushed(event, repo.is_ancestor)
    assert review_base(event, second, repo.is_ancestor) == base  # the whole PR again
    # even a last-reviewed commit that survived the rewrite: history changed, review it all
    assert repo.is_ancestor(first, rewritten)
    assert review_base(event, first, repo.is_ancestor) == base


def test_an_unknown_before_counts_as_a_force_push(history):
    repo, base, _, _, rewritten = history
    event = synchronize("0123456789" * 4, rewritten, base)
    assert force_pushed(event, repo.is_ancestor)


def test_review_base_without_history_is_the_pr_base(history):
    repo, base, first, _, _ = history
    opened = parse_event(payload("opened")).model_copy(
        update={"base_sha": base, "head_sha": first})
    assert review_base(opened, None, repo.is_ancestor) == base
    assert review_base(opened, first, repo.is_ancestor) == base  # nothing new since
    assert not force_pushed(opened, repo.is_ancestor)
