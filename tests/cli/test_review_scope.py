"""`reviewloop review -q` and `reviewloop review PATH…`, as ruff and pre-commit users type
them: -q prints nothing when the review passes and ruff's lines when it blocks; paths limit
the review to the changed files under them, name the others as out of scope, and a path
that does not exist is refused (exit 2) before any work."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.gitutil import git
from tests.support.repos import init_repo
from tests.support.review_cli import review

TOKEN = "ghp_" + "Zq3X9vB1nK7mP2wR5tY8uL4cD6fH0jA1sE3g"  # built here: no token in the file


def _project(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "r", {"src/calc.py": "RATE = 1\n", "app.py": "VALUE = 1\n",
                                      "old.py": "GONE = 1\n"})


def test_quiet_prints_nothing_when_the_review_passes(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "app.py").write_text("VALUE = 2\n")
    done = review(root, "-q")
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert review(root, "-q", "--format", "json").stdout.startswith("{")  # asked for: kept
    nothing = _project(tmp_path / "clean")
    assert (review(nothing, "-q").stdout, review(nothing, "-q").stderr) == ("", "")


def test_quiet_says_why_it_blocks_in_ruff_lines_and_no_panel(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "app.py").write_text(f'TOKEN = "{TOKEN}"\n')
    done = review(root, "-q")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert any(line.startswith("app.py:1:1: ") and "[blocking]" in line for line in lines)
    assert lines[-1].startswith("verdict: ")
    assert "╭" not in done.stdout and "•" not in done.stderr and TOKEN not in done.stdout


def test_paths_limit_the_review_and_the_report_names_what_is_left_out(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "src" / "calc.py").write_text("RATE = 2\n")
    (root / "app.py").write_text(f'TOKEN = "{TOKEN}"\n')  # would block: out of scope here
    done = review(root, "--format", "json", "src")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["skipped"] == ["app.py: out of scope (not under src)"]
    assert {f["file"] for f in report["findings"]["remaining"]} == {"src/calc.py"}
    assert report["files"]["modified"] == ["src/calc.py"]
    panel = review(root, "src")
    assert "not read: app.py: out of scope (not under src)" in " ".join(panel.stdout.split())
    assert review(root, "app.py").returncode == 1  # the same change, the other path: blocks


def test_a_path_is_taken_from_the_current_folder_and_a_deleted_file_counts(
        tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "old.py").unlink()
    (root / "app.py").write_text("VALUE = 2\n")
    done = review(root / "src", "--format", "json", "../old.py")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["files"] == {"created": [], "modified": [], "deleted": ["old.py"]}
    assert report["skipped"] == ["app.py: out of scope (not under old.py)"]


def test_no_change_under_the_paths_is_nothing_to_review(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "app.py").write_text("VALUE = 2\n")
    done = review(root, "src")
    assert done.returncode == 0, done.stderr
    assert ("nothing to review: no change in the working tree against HEAD under src (1 "
            "changed file(s) out of scope)") in done.stdout


def test_a_missing_path_or_one_outside_the_repository_is_refused_first(
        tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "app.py").write_text("VALUE = 2\n")
    missing = review(root, "src", "nope.py")
    assert missing.returncode == 2
    assert "nope.py: no such file or folder" in missing.stderr and missing.stdout == ""
    outside = review(root, str(tmp_path))
    assert outside.returncode == 2
    assert f"{tmp_path}: outside the repository" in " ".join(outside.stderr.split())


def test_a_link_to_a_folder_scopes_the_folder_it_leads_to(tmp_path: Path) -> None:
    """`review linkdir` with `linkdir -> src`: the changes under src, as `ls linkdir/`
    shows them (and a change to the link itself); not "nothing to review"."""
    root = _project(tmp_path)
    (root / "linkdir").symlink_to("src")
    (root / "deep").mkdir()
    (root / "deep" / "up").symlink_to("../src")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "links")
    (root / "src" / "calc.py").write_text(f'TOKEN = "{TOKEN}"\n')
    (root / "app.py").write_text("VALUE = 2\n")
    for path in ("linkdir", "linkdir/", "deep/up"):
        done = review(root, "--format", "json", path)
        assert done.returncode == 1, done.stdout[-500:] + done.stderr[-2000:]
        report = json.loads(done.stdout)
        assert {f["file"] for f in report["findings"]["remaining"]} >= {"src/calc.py"}
        assert any(s.startswith("app.py: out of scope") for s in report["skipped"])


def test_staged_paths_are_checked_against_the_index(tmp_path: Path) -> None:
    """`review --staged PATH` reviews what the index holds under PATH though the working tree
    no longer has it (f_abs D5: refused as "no such file or folder"); without --staged, and
    for a path the index does not hold either, it is still refused, the index named."""
    root = _project(tmp_path)
    (root / "newdir").mkdir()
    (root / "newdir/app.py").write_text(
        "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n")
    git(root, "add", "newdir")
    (root / "newdir/app.py").unlink()
    (root / "newdir").rmdir()
    for path in ("newdir", "newdir/app.py"):
        done = review(root, "--staged", "--json", path)
        assert done.returncode == 1, done.stderr
        found = {(f["rule"], f["file"]) for f in json.loads(done.stdout)["findings"]["remaining"]}
        assert ("B602", "newdir/app.py") in found, found
    working = review(root, "newdir")
    assert working.returncode == 2 and "newdir: no such file or folder" in working.stderr
    nowhere = review(root, "--staged", "nope")
    assert nowhere.returncode == 2
    assert "or the index" in " ".join(nowhere.stderr.split())
