"""Running a change's tests is running its code: `review` does it only with `--tests` or
`[review] run_tests = true`, PR mode only when the workflow passes `--tests` (the Action's
`run-tests`), always the configured command and always inside the sandbox."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support import warm_cli
from tests.support.gitutil import git
from tests.support.listener import Listener
from tests.support.pr_mode import event, show_pr
from tests.support.repos import branch_repo

OUTSIDE_CANARY = "tests-canary-61b0e2"


def conftest(outside: Path, port: int) -> str:
    """A hostile test suite: records that it ran, then tries to read, write and call out."""
    return (
        "import pathlib, socket, sys\n"
        "pathlib.Path('ran-tests.txt').open('a').write(' '.join(sys.argv[1:]) + '\\n')\n"
        "for attempt in (\n"
        f"    lambda: print(pathlib.Path({str(outside / 'secret.txt')!r}).read_text()),\n"
        f"    lambda: pathlib.Path({str(outside / 'written.txt')!r}).write_text('x'),\n"
        f"    lambda: socket.create_connection(('127.0.0.1', {port}), 2),\n"
        "):\n"
        "    try:\n"
        "        attempt()\n"
        "    except OSError as exc:\n"
        "        print('blocked:', exc)\n")


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def project(tmp_path: Path, listener: Listener) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(OUTSIDE_CANARY)
    root = branch_repo(tmp_path / "repo", {
        "calc/__init__.py": "", "calc/core.py": "def old(x):\n    return x\n",
        "tests/test_core.py": "from calc.core import old\n\n\ndef test_old():\n"
                              "    assert old(1) == 1\n",
        "tests/test_other.py": "def test_other():\n    assert True\n",
        ".reviewloop.toml": '[gates]\ntest = ["python -m pytest -q tests/test_core.py"]\n'})
    (root / "conftest.py").write_text(conftest(outside, listener.port))
    (root / "calc" / "core.py").write_text(
        "def old(x):\n    return x\n\n\ndef new(x):\n    return x * 2\n")
    return root


def review(root: Path, *args: str, env: dict[str, str] | None = None
           ) -> subprocess.CompletedProcess:
    return warm_cli.run(["review", *args], root, env={**os.environ, **(env or {})}, timeout=180)


def ran(root: Path) -> list[str]:
    marker = root / "ran-tests.txt"
    return marker.read_text().splitlines() if marker.exists() else []


def test_review_runs_no_project_code_by_default(project: Path):
    done = review(project, "--format", "json")

    assert done.returncode in (0, 1), done.stderr
    assert ran(project) == []
    assert "tests were not run" in done.stdout


def test_review_with_tests_runs_the_configured_command_sandboxed(project: Path,
                                                                   listener: Listener):
    done = review(project, "--tests", "--format", "json")

    assert ran(project) and all("tests/test_core.py" in argv for argv in ran(project))
    assert not (project.parent / "outside" / "written.txt").exists()
    assert listener.accepted == 0
    assert OUTSIDE_CANARY not in done.stdout + done.stderr
    assert '"untested-public-function"' in done.stdout  # `new` is not executed by a test


def test_review_run_tests_setting_opts_in_too(project: Path):
    review(project, env={"REVIEWLOOP_RUN_TESTS": "true"})

    assert ran(project)


def pr_mode(root: Path, tmp: Path, gh, *extra: str) -> subprocess.CompletedProcess:
    """One Actions run on the PR; the base commit's settings say `run_tests = true` and so
    does the environment: neither may opt the PR's code in."""
    git(root, "stash", "-q", "--include-untracked")
    git(root, "switch", "-q", "main")
    toml = root / ".reviewloop.toml"
    toml.write_text(toml.read_text() + "\n[review]\nrun_tests = true\n")
    git(root, "commit", "-qam", "base opts in")
    git(root, "switch", "-q", "feature")
    git(root, "merge", "-q", "--ff-only", "main")
    git(root, "stash", "pop", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "feature")
    show_pr(gh, root)
    env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
           "GITHUB_EVENT_PATH": str(event(root, tmp, "opened")), "GITHUB_API_URL": gh.url,
           "GITHUB_TOKEN": "ghs_test", "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
           "GITHUB_OUTPUT": str(tmp / "outputs.txt"), "REVIEWLOOP_RUN_TESTS": "true"}
    done = review(root, *extra, env=env)
    assert done.returncode in (0, 1), done.stderr
    return done


def test_pr_mode_runs_no_pr_code_unless_the_workflow_passes_tests(project: Path, tmp_path,
                                                                    github_fake):
    pr_mode(project, tmp_path, github_fake)

    assert ran(project) == []
    assert "not executed by any test" not in (tmp_path / "summary.md").read_text()


def test_pr_mode_with_tests_runs_them_sandboxed(project: Path, tmp_path, github_fake,
                                                listener: Listener):
    pr_mode(project, tmp_path, github_fake, "--tests")

    # The tests ran (in the head commit's export): their coverage finding is in the summary.
    assert "new is not executed by any test" in (tmp_path / "summary.md").read_text()
    assert listener.accepted == 0 and not (project.parent / "outside" / "written.txt").exists()
