"""The README's first command: `reviewloop demo` runs the whole loop offline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.gitutil import git


def test_demo_runs_the_loop_offline_fixes_what_tools_can_and_commits(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "reviewloop", "demo", "--dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout + done.stderr
    assert "This ran offline: the LLM reviewers were off" in out
    assert "review round 2" in out  # the fix was re-reviewed
    # off a terminal every step and gate says when it starts, not only when it ends
    for line in ("• guard-rails …", "• guard-rails · test …", "• guard-rails · test: passed",
                 "• review-security …", "• review round 1 · review-security:"):
        assert line in done.stderr, line
    root = tmp_path / "todo-api"
    assert sorted(git(root, "show", "--name-only", "--format=", "HEAD").split()) == [
        "docs/todo-api-spec.md", "tests/test_delete.py", "todo/store.py"]
    store = (root / "todo" / "store.py").read_text()
    assert 'if title == "":' in store and 'getattr(item, "title")' not in store
    assert "- [x] T2 Delete a todo" in (root / "docs" / "todo-api-spec.md").read_text()
    assert git(root, "status", "--porcelain") == ""
    # its last line says where the run is: README's `reviewloop report --html`, run there
    assert f"The run as one page: cd {root} && reviewloop report --html" in done.stdout
    page = subprocess.run([sys.executable, "-m", "reviewloop", "report", "--html"],
                          capture_output=True, text=True, timeout=120, cwd=root,
                          stdin=subprocess.DEVNULL)
    assert page.returncode == 0, page.stdout + page.stderr
    assert "Wrote " in page.stderr and "report.html" in page.stderr


def test_the_demo_copies_no_cache_a_run_of_the_examples_tests_left(
        tmp_path: Path, monkeypatch) -> None:
    """In a source checkout the examples' own tests may have run: their `__pycache__` and
    `.pytest_cache` stay out of the demo repository, the change's as well as the base's."""
    import shutil

    from reviewloop.app import demo_repo

    examples = tmp_path / "examples"
    shutil.copytree(demo_repo.examples_dir(), examples)
    for folder in (demo_repo.EXAMPLE, demo_repo.CHANGE):
        for cache in ("tests/__pycache__", ".pytest_cache"):
            (examples / folder / cache).mkdir(parents=True, exist_ok=True)
            (examples / folder / cache / "left.pyc").write_bytes(b"\0")
    monkeypatch.setattr(demo_repo, "examples_dir", lambda: examples)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    root = demo_repo.prepare(tmp_path / "demo")

    assert not [p for p in root.rglob("*") if p.name in ("__pycache__", ".pytest_cache")]
