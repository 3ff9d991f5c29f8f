"""`$GITHUB_OUTPUT` and `$GITHUB_STEP_SUMMARY` that cannot be appended to: `review --github`
stops before reviewing with exit 2 naming the variable and the fix — never an internal
error (exit 3) once the review is done."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewloop.errors import UserInputError
from reviewloop.github.outputs import FILES, check_files, write_job_outputs
from tests.support import warm_cli
from tests.support.commands import MAINTAINER, comment_payload
from tests.support.pr_mode import EVENTS
from tests.support.repos import init_repo


def _folder(tmp: Path) -> Path:
    (tmp / "steps").mkdir()
    return tmp / "steps"


def _in_missing_folder(tmp: Path) -> Path:
    return tmp / "missing" / "out.txt"


def _under_a_file(tmp: Path) -> Path:
    (tmp / "plain").write_text("x", encoding="utf-8")
    return tmp / "plain" / "out.txt"


# each way a path is no file to append to, and what plain `open(path, "a")` fails with
BAD: dict[str, tuple[Callable[[Path], Path], str]] = {
    "a folder": (_folder, "is a folder"),
    "in a missing folder": (_in_missing_folder, "is not in an existing folder"),
    "under a regular file": (_under_a_file, "is not in an existing folder"),
}


def plain_append_fails(path: Path) -> bool:
    """The oracle: whether Python's own `open(path, "a")`, as a workflow step's script
    appends to the file, fails on it."""
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError:
        return True
    path.unlink()
    return False


@pytest.mark.parametrize(("name", "bad"), list(itertools.product(FILES, BAD)))
def test_an_unusable_file_is_named_before_and_while_writing(tmp_path: Path, name: str,
                                                            bad: str) -> None:
    make, says = BAD[bad]
    path = make(tmp_path)
    assert plain_append_fails(path)
    env = {name: str(path)}
    with pytest.raises(UserInputError) as before:
        check_files(env)
    assert str(before.value).startswith(f"{name}: {path} {says}: reviewloop appends ")
    assert f"fix: point {name} at a file" in str(before.value)
    with pytest.raises(UserInputError) as writing:  # had it turned bad after the check
        write_job_outputs(env, {}, "# summary", None)
    assert str(writing.value).startswith(f"{name}: {path} cannot be written (")


@pytest.mark.parametrize("name", list(FILES))
def test_a_usable_file_passes_and_is_appended_to(tmp_path: Path, name: str) -> None:
    for path in (tmp_path / f"new-{name}", tmp_path / f"old-{name}"):
        if path.name.startswith("old"):
            path.write_text("before\n", encoding="utf-8")
        check_files({name: str(path)})
        write_job_outputs({name: str(path)}, {}, "# summary", None)
        text = path.read_text(encoding="utf-8")
        assert text.startswith("before\n" if path.name.startswith("old") else "")
        assert ("# summary" if name == "GITHUB_STEP_SUMMARY" else "published=true") in text
    check_files({name: ""})  # unset: nothing is written


def _env(event_name: str, event: Path, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "REVIEWLOOP_", "AWS_"))}
    return env | {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event_name,
                  "GITHUB_EVENT_PATH": str(event), "GITHUB_TOKEN": "ghs_test",
                  # nothing may be asked of GitHub: a closed port fails loudly if it is
                  "GITHUB_API_URL": "http://127.0.0.1:9"} | extra


def _payload(event_name: str) -> dict:
    if event_name == "pull_request":
        return json.loads((EVENTS / "pull_request.opened.json").read_text())
    return comment_payload(event_name, {"id": 5, "body": "/reviewloop review",
                                        "user": MAINTAINER})


@pytest.mark.parametrize(("event_name", "name", "bad"), list(itertools.product(
    ("pull_request", "issue_comment"), FILES, ("a folder", "in a missing folder"))))
def test_review_github_stops_with_exit_2_naming_the_variable(
        tmp_path: Path, event_name: str, name: str, bad: str) -> None:
    root = init_repo(tmp_path / "repo", {"app.py": "x = 1\n"})
    event = tmp_path / "event.json"
    event.write_text(json.dumps(_payload(event_name)), encoding="utf-8")
    make, says = BAD[bad]
    path = make(tmp_path)
    done: subprocess.CompletedProcess = warm_cli.run(
        ["review", "--github"], root, env=_env(event_name, event, {name: str(path)}),
        timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert done.stderr.startswith(f"error: {name}: {path} {says}"), done.stderr
