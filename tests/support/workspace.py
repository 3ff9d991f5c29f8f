"""Temp-repository fixtures shared by the workspace, shell and tools tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reviewloop.agent.workspace import Workspace


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory next to the repository, holding a file no tool may change."""
    out = tmp_path / "outside"
    write(out, "victim.txt", "untouched\n")
    return out


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    write(root, "src/app.py", "def main():\n    return 1\n")
    write(root, "README.md", "# demo\n")
    write(root, ".env", "API_KEY=hunter2\n")
    return root


@pytest.fixture
def ws(repo: Path) -> Workspace:
    return Workspace(root=repo)
