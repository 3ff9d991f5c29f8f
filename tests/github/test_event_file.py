"""A bad `GITHUB_EVENT_PATH` through the real command: `reviewloop review --github` exits 2
with one message naming the file and what is wrong — never a traceback, never exit 3, and
nothing reviewed or posted."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support import warm_cli
from tests.support.pr_mode import EVENTS
from tests.support.repos import init_repo

OPENED = json.loads((EVENTS / "pull_request.opened.json").read_text())


def review(root: Path, event_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "REVIEWLOOP_", "AWS_"))}
    env |= {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
            "GITHUB_EVENT_PATH": str(event_path), "GITHUB_TOKEN": "ghs_test",
            # nothing may be asked of GitHub: a closed port fails loudly if it is
            "GITHUB_API_URL": "http://127.0.0.1:9"}
    return warm_cli.run(["review", "--github"], root, env=env, timeout=120)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "repo", {"app.py": "x = 1\n"})


def edited(change: Callable[[dict], None]) -> bytes:
    data = json.loads(json.dumps(OPENED))
    change(data)
    return json.dumps(data).encode()


def _del(path: str) -> Callable[[dict], None]:
    *parents, last = path.split(".")

    def change(data: dict) -> None:
        for key in parents:
            data = data[key]
        del data[last]
    return change


def _set(path: str, value: object) -> Callable[[dict], None]:
    *parents, last = path.split(".")

    def change(data: dict) -> None:
        for key in parents:
            data = data[key]
        data[last] = value
    return change


# (file content, or None for no file at all; what the message must say)
CASES: dict[str, tuple[bytes | None, str]] = {
    "missing file": (None, "cannot read the event payload: No such file or directory"),
    "not UTF-8": (b'{"action": "opened", "x": "\xff\xfe"}',
                  "the event payload is not UTF-8 (byte 0xff at offset 27)"),
    "not JSON": (b"{\n  nope", "the event payload is not JSON"),
    "empty": (b"", "the event payload is not JSON"),
    "a JSON list": (b"[1, 2]", "not a pull_request event payload"),
    "another event": (b'{"action": "created", "issue": {}}', "not a pull_request event"),
    "no head sha": (edited(_del("pull_request.head.sha")),
                    "the pull_request payload has no `pull_request.head.sha`"),
    "no repository": (edited(_del("repository")),
                      "the pull_request payload has no `repository`"),
    "a head that is a string": (edited(_set("pull_request.head", "main")),
                                "`pull_request.head` is not valid"),
    "a number that is not one": (edited(_set("pull_request.number", "two")),
                                 "`pull_request.number` is not valid"),
    "a sha that is an option": (edited(_set("pull_request.base.sha", "--output=/tmp/x")),
                                "`pull_request.base.sha` is not a commit id"),
    "a repository id that is text": (edited(_set("repository.id", "abc")),
                                     "`repository.id` is not valid"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_bad_event_file_is_exit_2_naming_it(name: str, root: Path, tmp_path: Path) -> None:
    content, says = CASES[name]
    path = tmp_path / "event.json"
    if content is not None:
        path.write_bytes(content)
    done = review(root, path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert done.stderr.startswith(f"error: {path}"), done.stderr  # the file, first
    assert says in done.stderr, done.stderr
    assert "fix: run reviewloop review --github from a workflow" in done.stderr


def test_a_directory_for_an_event_file(root: Path, tmp_path: Path) -> None:
    done = review(root, tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"error: {tmp_path}: cannot read the event payload: "
                                  "Is a directory"), done.stderr
