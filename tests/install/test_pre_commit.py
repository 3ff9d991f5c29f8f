"""The pre-commit hook: the manifest as pre-commit reads it, the hook run by pre-commit
itself (offline, as a local hook), and `pre-commit try-repo` on this repository (PyPI)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pre_commit.clientlib import load_manifest

from tests.support.gitutil import git
from tests.support.paths import ROOT
from tests.support.repos import init_repo

MANIFEST = ROOT / ".pre-commit-hooks.yaml"
SHELL = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def _hook() -> dict:
    (hook,) = [h for h in load_manifest(str(MANIFEST)) if h["id"] == "reviewloop"]
    return hook


def _project(tmp_path: Path, config: dict) -> Path:
    return init_repo(tmp_path / "project", {
        "README.md": "x\n", ".pre-commit-config.yaml": yaml.safe_dump(config)}, branch="work")


def _env(tmp_path: Path) -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)  # `reviewloop` and `pre-commit` live here
    return {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
            "PATH": bin_dir + os.pathsep + os.environ["PATH"]}


def test_the_manifest_is_valid_for_pre_commit():
    hook = _hook()
    assert hook["entry"] == "reviewloop review --staged --fail-on must_fix"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False  # the staged change is reviewed, not a file list
    assert hook["require_serial"] is True
    assert hook["stages"] == ["pre-commit"] and hook["minimum_pre_commit_version"] == "3.2.0"


def test_pre_commit_runs_the_hook_and_blocks_on_must_fix(tmp_path: Path):
    local = {**_hook(), "language": "system"}  # same entry; no environment to build offline
    root = _project(tmp_path, {"repos": [{"repo": "local", "hooks": [local]}]})
    (root / "run.py").write_text(SHELL)
    git(root, "add", "run.py")
    done = subprocess.run([*PRE_COMMIT, "run", "reviewloop"], cwd=root, capture_output=True,
                          text=True, timeout=300, env=_env(tmp_path))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "must fix" in done.stdout and "run.py:5" in done.stdout
    (root / "run.py").write_text("VALUE = 1\n")
    git(root, "add", "run.py")
    clean = subprocess.run([*PRE_COMMIT, "run", "reviewloop"], cwd=root, capture_output=True,
                           text=True, timeout=300, env=_env(tmp_path))
    assert clean.returncode == 0, clean.stdout + clean.stderr


@pytest.mark.long(seconds=33)
@pytest.mark.pypi
@pytest.mark.timeout(960)  # the hang guard above the install's own 900 s limit
def test_try_repo_installs_and_runs_the_hook(tmp_path: Path):
    """pre-commit pip-installs this repository (and its dependencies) into the hook's own
    virtualenv: that needs PyPI, so it runs on CI (REVIEWLOOP_PYPI=1)."""
    root = _project(tmp_path, {"repos": []})
    (root / "run.py").write_text(SHELL)
    git(root, "add", "run.py")
    # pip's byte-compiling of every installed module (botocore alone is thousands) is most
    # of the install's CPU and proves nothing about the hook: skipped here
    done = subprocess.run([*PRE_COMMIT, "try-repo", str(ROOT), "reviewloop", "--files",
                           "run.py"], cwd=root, capture_output=True, text=True, timeout=900,
                          env={**_env(tmp_path), "PIP_NO_COMPILE": "1",
                               "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "must fix" in done.stdout and "run.py:5" in done.stdout
