"""The demo repository: the bundled example project copied into a temp git repository.

The example project's task T2 ("Delete a todo") is applied as a manual change that has
real problems for the analyzers to find; the loop then runs for real: guard-rails, the
reviewers, automatic fixes, re-review, summary, approval and the commit.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path

EXAMPLE = "todo-api"
CHANGE = "demo-change"
TASK = "T2"
BRANCH = "demo/T2-delete"


def examples_dir() -> Path:
    bundled = Path(str(resources.files("reviewloop") / "examples"))
    if (bundled / EXAMPLE).is_dir():
        return bundled
    return Path(__file__).resolve().parents[1] / "examples"


# what running the examples' tests in a source checkout leaves: never part of the demo
_NOT_COPIED = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".reviewloop")


def prepare(target: Path | None) -> Path:
    """Copy the example into a fresh git repository on a working branch; apply the change."""
    base = Path(tempfile.mkdtemp(prefix="reviewloop-demo-")) if target is None else target
    root = base / EXAMPLE
    if root.exists():
        raise FileExistsError(root)
    source = examples_dir()
    shutil.copytree(source / EXAMPLE, root, ignore=_NOT_COPIED)
    _git(root, "init", "-q", "-b", "main")
    if subprocess.run(["git", "config", "user.email"], cwd=root, capture_output=True).returncode:
        _git(root, "config", "user.name", "reviewloop demo")  # a fresh machine has no identity
        _git(root, "config", "user.email", "demo@reviewloop.invalid")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "The todo-api example")
    _git(root, "switch", "-qc", BRANCH)
    shutil.copytree(source / CHANGE, root, dirs_exist_ok=True, ignore=_NOT_COPIED)
    return root


def test_command() -> str:
    """The example's own tests with reviewloop's Python. langsmith (a LangChain dependency)
    installs a pytest plugin that takes longer to load than the example's tests take to run."""
    return f"{sys.executable} -m pytest -p no:cacheprovider -p no:langsmith_plugin"


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True)
