"""`reviewloop review` on big inputs: untracked environments, build output and oversize files
are left out of the working-tree change and listed with their reason; a large added file is
kept from the models and read by the analyzers, and one over every analyzer's limit fails
the review."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from reviewloop.cli.panel import MAX_TERMINAL_ROWS
from reviewloop.git.repository import open_repository
from reviewloop.git.sizes import MAX_FILE_BYTES
from reviewloop.git.untracked import MAX_UNTRACKED_BYTES
from reviewloop.review.readable import MAX_ANALYZED_BYTES
from tests.support.gitutil import git
from tests.support.review_cli import repo, review

VENV_MODULE = "SIGNATURE_OF_A_VENV_FILE = 'only in the venv'\n"


def _untracked_clutter(root: Path) -> None:
    """A virtualenv, node_modules (also nested in a new folder), build output, a cache and
    a file over the size limit: untracked, none of them in .gitignore."""
    site = root / ".venv" / "lib" / "python3.11" / "site-packages" / "pkg"
    site.mkdir(parents=True)
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (site / "mod.py").write_text(VENV_MODULE)
    (root / "node_modules" / "left-pad").mkdir(parents=True)
    (root / "node_modules" / "left-pad" / "index.js").write_text("module.exports = 1\n")
    (root / "web" / "node_modules" / "x").mkdir(parents=True)
    (root / "web" / "node_modules" / "x" / "i.js").write_text("1\n")
    (root / "web" / "page.py").write_text("PAGE = 1\n")
    (root / "build" / "lib").mkdir(parents=True)
    (root / "build" / "lib" / "app.py").write_text("VALUE = 1\n")
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"\0" * 64)
    with (root / "dump.sql").open("wb") as fh:  # sparse: big without writing it
        fh.truncate(MAX_UNTRACKED_BYTES + 1)
    (root / "new.py").write_text("NEW = 2\n")


def test_untracked_environments_and_large_files_are_listed_and_never_hashed(
        tmp_path: Path) -> None:
    root = repo(tmp_path)
    _untracked_clutter(root)
    done = review(root, "--working", "--format", "json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    skipped = {line.split(": ", 1)[0]: line.split(": ", 1)[1] for line in report["skipped"]}
    assert skipped[".venv/"].startswith("a virtualenv (has pyvenv.cfg)")
    assert skipped["node_modules/"].startswith("installed npm packages")
    assert skipped["web/node_modules/"].startswith("installed npm packages")
    assert skipped["build/"].startswith("build output")
    assert skipped["__pycache__/"].startswith("Python bytecode cache")
    assert skipped["dump.sql"] == (f"too large ({MAX_UNTRACKED_BYTES + 1:,} bytes; the limit "
                                   f"is {MAX_UNTRACKED_BYTES:,}), untracked, left out of the "
                                   "review")
    assert sorted(report["files"]["created"]) == ["new.py", "web/page.py"]
    # never hashed: git has no object for the venv's file or the large file
    for path in (".venv/lib/python3.11/site-packages/pkg/mod.py", "dump.sql"):
        blob = git(root, "hash-object", path).strip()
        assert subprocess.run(["git", "cat-file", "-e", blob], cwd=root).returncode != 0, path


def test_the_text_report_lists_what_it_left_out(tmp_path: Path) -> None:
    root = repo(tmp_path)
    _untracked_clutter(root)
    done = review(root, "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    assert ("not read: .venv/: a virtualenv (has pyvenv.cfg), untracked, left out of the "
            "review") in done.stdout
    assert "not read: web/node_modules/: installed npm packages" in done.stdout


def test_only_left_out_files_is_nothing_to_review_and_says_why(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / ".venv").mkdir()
    (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    done = review(root)
    assert done.returncode == 0, done.stderr
    assert "nothing to review" in done.stdout
    assert "not read: .venv/: a virtualenv (has pyvenv.cfg)" in done.stdout


def test_gitignore_is_respected_and_ignored_paths_are_not_listed(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / ".gitignore").write_text("node_modules/\n")
    git(root, "add", ".gitignore")
    git(root, "commit", "-qm", "ignore")
    _untracked_clutter(root)
    left = [str(s) for s in open_repository(root).untracked_skipped()]
    assert not any("node_modules" in line for line in left)
    assert any(line.startswith(".venv/: ") for line in left)


def test_a_staged_large_file_is_listed_as_not_read_and_not_analyzed(tmp_path: Path) -> None:
    root = repo(tmp_path)
    line = "result = eval(user_input)  # bandit B307 on every line\n"
    (root / "big.py").write_text(line * (MAX_ANALYZED_BYTES // len(line) + 1))
    (root / "small.py").write_text("x = eval(input())\n")
    git(root, "add", "big.py", "small.py")
    done = review(root, "--staged", "--format", "json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert any(s.startswith("big.py: too large to analyze (") for s in report["skipped"])
    files = {f["file"] for group in ("remaining", "nits") for f in report["findings"][group]}
    assert "small.py" in files  # the analyzers ran, on the small file only
    assert "big.py" not in files


def test_a_tracked_file_is_never_left_out_whatever_its_folder(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "build").mkdir()
    (root / "build" / "tool.py").write_text("A = 1\n")
    git(root, "add", "build/tool.py")
    git(root, "commit", "-qm", "a tracked build folder")
    (root / "build" / "tool.py").write_text("A = 2\n")
    (root / "build" / "extra.py").write_text("B = 1\n")  # untracked, in a tracked folder
    repository = open_repository(root)
    assert repository.untracked_skipped() == []
    names = git(root, "ls-tree", "-r", "--name-only", repository.worktree_tree()).split()
    assert {"build/tool.py", "build/extra.py"} <= set(names)


def test_a_committed_file_over_the_models_limit_is_analysed_and_one_over_every_limit_fails(
        tmp_path: Path) -> None:
    """A file over a model's limit (1 MB) is still read by every analyzer: its secret and
    its `eval` are findings, never quietly skipped (its size is its author's choice). A file
    over the analyzers' ceiling is diffed as binary, read by nothing, and named: the review
    is incomplete and fails."""
    root = repo(tmp_path)
    token = "ghp_" + "Zq3X9vB1nK7mP2wR5tY8uL4cD6fH0jA1sE3g"
    pad = "# data the model never sees, the analyzers read\n"
    big = f'result = eval(user_input)  # TOKEN = "{token}"\n' + pad * (MAX_FILE_BYTES // len(pad))
    (root / "data.py").write_text(big)
    (root / "small.py").write_text("x = eval(input())\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "big data")
    diff = open_repository(root).diff_refs("HEAD~1", "HEAD")
    assert "+result = eval(user_input)" in diff  # under the diff's ceiling: lines
    done = review(root, "--base", "HEAD~1", "--head", "HEAD", "--format", "json",
                  "--fail-on", "must_fix")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert f"data.py: too large for a model ({len(big):,} bytes; the limit is " \
           f"{MAX_FILE_BYTES:,}): analysed, never sent" in report["skipped"]
    found = {(f["file"], f["source"]) for f in report["findings"]["remaining"]}
    assert {("data.py", "secrets"), ("data.py", "bandit"), ("small.py", "bandit")} <= found
    assert report["health"]["complete"] is True
    assert token not in done.stdout

    with (root / "huge.py").open("wb") as fh:  # sparse: big without writing it
        fh.truncate(MAX_ANALYZED_BYTES + 1)
    git(root, "add", ".")
    git(root, "commit", "-qm", "huge")
    assert "Binary files /dev/null and b/huge.py differ" in open_repository(root).diff_refs(
        "HEAD~1", "HEAD")
    done = review(root, "--base", "HEAD~1", "--head", "HEAD", "--format", "json",
                  "--fail-on", "must_fix")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["health"]["complete"] is False
    [row] = [r for r in report["health"]["files"] if r["path"] == "huge.py"]
    assert row["not_read"] == [f"changed-files: too large to analyze ({MAX_ANALYZED_BYTES + 1:,}"
                               f" bytes; the limit is {MAX_ANALYZED_BYTES:,})"]
    assert "incomplete: 1 file not analysed (huge.py: changed-files: too large" in \
        report["verdict"]


def test_a_tracked_file_that_grows_past_a_models_limit_is_analysed_in_a_working_review(
        tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "app.py").write_text("VALUE = 2\n" * (MAX_FILE_BYTES // 10 + 1))
    done = review(root, "--working", "--format", "json", "--fail-on", "must_fix")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert any(s.startswith("app.py: too large for a model (") for s in report["skipped"])
    [row] = [r for r in report["health"]["files"] if r["path"] == "app.py"]
    assert "bandit (review-security)" in row["analysed_by"] and row["not_read"] == []


def test_the_text_report_names_a_screenful_of_files_not_read_and_counts_the_rest(
        tmp_path: Path) -> None:
    """Thousands of files left out drew a line each; the JSON report names every one."""
    root = repo(tmp_path)
    for i in range(MAX_TERMINAL_ROWS + 5):
        (root / f"blob_{i:02d}.bin").write_bytes(b"\x00\x01binary\x00" * 4)
    git(root, "add", ".")
    done = review(root, "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("not read: blob_") == MAX_TERMINAL_ROWS
    assert "not read: … and 5 more (--format json lists every one)" in done.stdout
    listed = json.loads(review(root, "--fail-on", "never", "--format", "json").stdout)
    assert sum(line.startswith("blob_") for line in listed["skipped"]) == MAX_TERMINAL_ROWS + 5


def test_a_file_name_holding_emoji_codes_is_printed_as_it_is(tmp_path: Path) -> None:
    """The terminal names the file the repository has: rich's emoji codes (`:smile:`) in a
    path are text, not a picture of another name."""
    root = repo(tmp_path)
    (root / "a:smile:b.bin").write_bytes(b"\x00\x01binary\x00")
    (root / "notes:+1:.bin").write_bytes(b"\x00\x02binary\x00")
    git(root, "add", ".")
    done = review(root, "--fail-on", "never")
    assert done.returncode == 0, done.stderr
    assert "not read: a:smile:b.bin" in done.stdout
    assert "not read: notes:+1:.bin" in done.stdout
