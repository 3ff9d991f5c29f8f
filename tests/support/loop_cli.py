"""Helpers shared by several test modules (from test_run.py)."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from reviewloop.review.definitions import builtin_agents, builtin_names
from tests.support import warm_cli
from tests.support.bedrock import BedrockFake, tool_use
from tests.support.paths import ROOT
from tests.support.repos import commit, init_repo

REPO = ROOT


EXAMPLE = REPO / "examples" / "todo-api"


SPEC = "docs/todo-api-spec.md"


MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"


REVIEWERS = builtin_names()  # from the registry: a new built-in needs no edit here
# A reviewer whose scope holds no .py file (infrastructure) is reported skipped on a change to
# the example's Python, never called; the others are.
CALLED = tuple(a.name for a in builtin_agents() if a.applies_to("todo/store.py"))


def cli(root: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120):
    return warm_cli.run(args, root, env={**os.environ, **(env or {})}, timeout=timeout)


@pytest.fixture(name="project")
def example_project(tmp_path: Path) -> Path:
    return make_example(tmp_path)


def make_example(tmp_path: Path) -> Path:
    """The example project in a fresh repository on `main`, its tests as the test gate."""
    root = tmp_path / "todo-api"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    (root / ".reviewloop.toml").write_text(
        f'[gates]\ntest = ["{sys.executable} -m pytest -q -p no:cacheprovider"]\n')
    commit(init_repo(root), message="example")
    return root


def one_call_each(root: Path) -> None:
    """Commit `[review] combined_review = false` into the project's config: round 1 asks
    each reviewer in a call of its own, in parallel (the default asks those on one model in
    one call)."""
    config = (root / ".reviewloop.toml").read_text()
    commit(root, {".reviewloop.toml": f"{config}\n[review]\ncombined_review = false\n"},
           message="one call per reviewer")


def fake_env(fake: BedrockFake) -> dict[str, str]:
    return {"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": fake.url, "AWS_ENDPOINT_URL_BEDROCK": fake.url,
            "AWS_ACCESS_KEY_ID": "AKIDFAKE",
            "AWS_SECRET_ACCESS_KEY": "fake-secret", "AWS_REGION": "us-east-1"}


def clean_reviews(fake: BedrockFake) -> None:
    for name in REVIEWERS:
        fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": []})])


def manual_change(root: Path) -> None:
    """Your change for task T2: a function in todo/store.py and its test. (Without the test
    the analyzers report an untested change, which the LLM reviewers cannot silence.)"""
    store = root / "todo" / "store.py"
    store.write_text(store.read_text() + "\n\ndef describe(item) -> str:\n"
                     '    """A one-line description of a todo item."""\n'
                     "    return str(item)\n")
    tests = root / "tests" / "test_store.py"
    tests.write_text(tests.read_text() + "\n\ndef test_describe_names_the_item():\n"
                     "    from todo.store import describe\n\n"
                     '    assert "buy milk" in describe(TodoStore().add("buy milk"))\n')



def wait_until(condition, timeout: float = 300, what: str = "") -> None:
    """Wait until `condition()` holds. The deadline only guards against a hang: no test
    relies on how soon a state comes, so a loaded machine is slower, never failing."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}" if what
                                 else "condition not met in time")
        time.sleep(0.05)
