"""`reviewloop init` and `reviewloop install-hook` from the command line, in real repositories."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.support import warm_cli
from tests.support.gitutil import git


def reviewloop(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    return warm_cli.run(args, root, env=env, timeout=180)


def test_init_in_an_empty_repository_then_review_works_offline(tmp_path: Path):
    root = tmp_path / "new"
    root.mkdir()
    git(root, "init", "-q")
    done = reviewloop(root, "init", "--pre-commit")
    assert done.returncode == 0, done.stderr
    assert "created  .reviewloop.toml" in done.stdout
    assert "created  .github/workflows/reviewloop-pr.yml" in done.stdout
    assert "created  .pre-commit-config.yaml" in done.stdout
    assert "pin reviewloop/reviewloop@v0" in done.stdout
    review = reviewloop(root, "review", "--format", "json")
    # the offline review of the three new files: the one thing to do is pin the action,
    # which the workflow carries no suppression for
    assert review.returncode == 1, review.stdout + review.stderr
    assert '"llm": false' in review.stdout
    report = json.loads(review.stdout)
    assert [(f["rule"], f["file"]) for f in report["findings"]["remaining"]] == [
        ("unpinned-uses", ".github/workflows/reviewloop-pr.yml")]
    workflow = root / ".github/workflows/reviewloop-pr.yml"
    workflow.write_text(workflow.read_text().replace(
        "reviewloop/reviewloop@v0", "reviewloop/reviewloop@" + "a" * 40 + "  # v0.9.0"))
    pinned = reviewloop(root, "review", "--format", "json")
    assert pinned.returncode == 0, pinned.stdout + pinned.stderr


def test_a_second_init_changes_nothing_and_says_so(tmp_path: Path):
    git(tmp_path, "init", "-q")
    assert reviewloop(tmp_path, "init").returncode == 0
    files = {p: p.read_bytes() for p in tmp_path.rglob("*")
             if ".git" not in p.parts and p.is_file()}
    again = reviewloop(tmp_path, "init")
    assert again.returncode == 0
    assert "nothing to change: this project is already set up" in again.stdout
    assert files == {p: p.read_bytes() for p in tmp_path.rglob("*")
                     if ".git" not in p.parts and p.is_file()}


def test_init_outside_a_repository_is_an_input_error(tmp_path: Path):
    done = reviewloop(tmp_path, "init")
    assert done.returncode == 2
    assert "not a git repository" in done.stderr and "git init" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_install_hook_refuses_a_foreign_hook_with_the_fix(tmp_path: Path):
    git(tmp_path, "init", "-q")
    hook = tmp_path / ".git" / "hooks" / "pre-commit"
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text("#!/bin/sh\nexit 0\n")
    refused = reviewloop(tmp_path, "install-hook")
    assert refused.returncode == 2
    assert "reviewloop install-hook --force" in refused.stderr
    forced = reviewloop(tmp_path, "install-hook", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "installed .git/hooks/pre-commit" in forced.stdout
    assert "pre-commit.reviewloop-backup" in forced.stdout
    removed = reviewloop(tmp_path, "install-hook", "--uninstall")
    assert removed.returncode == 0 and hook.read_text() == "#!/bin/sh\nexit 0\n"
