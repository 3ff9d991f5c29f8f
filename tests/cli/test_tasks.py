"""`reviewloop tasks`, `--version` and `--help` through the real command line, in a git repo."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reviewloop import __version__
from tests.support.cli_main import run_cli
from tests.support.paths import FIXTURES as FIXTURES_ROOT
from tests.support.repos import repo_here

FIXTURES = FIXTURES_ROOT / "specs"

KIRO_TASKS = """\
# Implementation Plan

- [x] 1. Set up the package
  - Create the layout
  - _Requirements: 1.1_
- [ ] 2. Store todos
  - [ ] 2.1 Add a todo
    - _Requirements: 1.1, 1.2_
  - [ ]* 2.2 Test adding
  - [ ] 2.3 List todos
    - _Depends: 2.1_
- [ ] 3. Search todos
  - _Depends: 9_
- [ ] Unnumbered thing
"""
SPEC_FILE = ".kiro/specs/todo/tasks.md"


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    root = repo_here(tmp_path / "repo", monkeypatch)
    write(root, SPEC_FILE, KIRO_TASKS)
    return root


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def table_rows(out: str) -> dict[str, list[str]]:
    """First-line cells of each table row, keyed by task id."""
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip("│").split("│")]
        if line.startswith("│") and cells[0]:
            rows[cells[0]] = cells
    return rows


def test_table_lists_every_task_with_status_wave_and_columns(repo, capsys):
    code, out, _ = run_cli(capsys, "tasks")
    assert code == 0
    assert out.splitlines()[0].strip() == "tasks.md (kiro) — 1/5 done"
    header = [c.strip() for c in out.splitlines()[2].strip("┃").split("┃")]
    assert header == ["id", "status", "title", "wave", "depends on", "requirements", "optional"]
    rows = table_rows(out)
    assert list(rows) == ["1", "2", "2.1", "2.2", "2.3", "3"]
    assert rows["1"][1:4] == ["done", "Set up the package", ""]
    assert rows["2"][3:5] == ["", ""]  # a container: no wave, children not repeated
    assert rows["2.1"][1:] == ["open", "Add a todo", "1", "", "1.1, 1.2", ""]
    assert rows["2.2"][3:] == ["", "", "", "yes"]
    assert rows["2.3"][3:5] == ["2", "2.1"]
    assert rows["3"][3] == "1"


def test_unreadable_lines_are_reported_with_file_and_line(repo, capsys):
    code, _, err = run_cli(capsys, "tasks")
    assert code == 0
    assert err.splitlines() == [
        "2 line(s) could not be understood:",
        f"{SPEC_FILE}:14: looks like a task but has no id (write it as `- [ ] 3. Title` or "
        "`- [ ] 3.1 Title`)",
        f"{SPEC_FILE}:13: task 3 depends on unknown task 9",
    ]


def test_json_output(repo, capsys):
    code, out, err = run_cli(capsys, "tasks", "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert set(data) == {"spec", "tasks", "diagnostics"}
    assert data["spec"] == {"format": "kiro", "dialect": None, "file": str(repo / SPEC_FILE)}
    first = data["tasks"][0]
    assert {"id", "title", "status", "optional", "parent", "depends_on", "requirements",
            "file", "line", "wave"} <= set(first)
    by_id = {t["id"]: t for t in data["tasks"]}
    assert by_id["2.1"] | {"details": None} == by_id["2.1"] | {
        "id": "2.1", "title": "Add a todo", "status": "open", "optional": False,
        "parent": "2", "depends_on": [], "requirements": ["1.1", "1.2"],
        "file": SPEC_FILE, "line": 7, "wave": 1, "details": None}
    assert by_id["2.2"]["optional"] is True and by_id["2.2"]["wave"] is None
    assert by_id["2.3"]["depends_on"] == ["2.1"] and by_id["2.3"]["wave"] == 2
    assert data["diagnostics"] == [
        {"file": SPEC_FILE, "line": 14,
         "message": "looks like a task but has no id (write it as `- [ ] 3. Title` or "
                    "`- [ ] 3.1 Title`)"},
        {"file": SPEC_FILE, "line": 13, "message": "task 3 depends on unknown task 9"},
    ]


def test_a_dependency_cycle_is_a_diagnostic_not_a_failure(repo, capsys):
    write(repo, SPEC_FILE, "- [ ] 1. A\n  - _Depends: 2_\n- [ ] 2. B\n  - _Depends: 1_\n"
                           "- [ ] 3. C\n")
    code, out, err = run_cli(capsys, "tasks")
    assert code == 0
    assert table_rows(out)["3"][3] == "1"
    assert table_rows(out)["1"][3] == ""
    assert f"{SPEC_FILE}:1: dependency cycle 1 → 2 → 1 (each waits on the next); " \
           "left out of the plan" in err


def test_missing_spec_path_exits_2_with_the_fix(repo, capsys):
    code, out, err = run_cli(capsys, "tasks", "--spec", "nope/tasks.md")
    assert (code, out) == (2, "")
    assert err == (f"error: {repo}/nope/tasks.md: no such file or folder\n"
                   "  fix: pass --spec with a tasks.md, a docs/<feature>-spec.md, "
                   "or a spec folder\n")


def test_two_specs_found_exits_2_listing_them(repo, capsys):
    write(repo, ".kiro/specs/other/tasks.md", "- [ ] 1. Other\n")
    code, out, err = run_cli(capsys, "tasks")
    assert (code, out) == (2, "")
    assert err == (f"error: {repo}: 2 specs found: .kiro/specs/other/tasks.md, {SPEC_FILE}\n"
                   "  fix: choose one with --spec PATH, or set `spec` in .reviewloop.toml\n")


def test_more_specs_than_listed_are_counted_not_dropped(repo, capsys):
    for n in range(10):
        write(repo, f".kiro/specs/s{n}/tasks.md", "- [ ] 1. One\n")
    code, _, err = run_cli(capsys, "tasks")
    assert code == 2
    first = err.splitlines()[0]
    assert first.startswith(f"error: {repo}: 11 specs found: ")
    assert first.count(", ") == 7 and first.endswith(" and 3 more")


def test_spec_option_chooses_one_of_two(repo, capsys):
    write(repo, ".kiro/specs/other/tasks.md", "- [ ] 1. Other thing\n")
    code, out, _ = run_cli(capsys, "tasks", "--spec", ".kiro/specs/other")
    assert code == 0
    assert list(table_rows(out)) == ["1"]
    assert "Other thing" in out


def test_no_spec_at_all_exits_2(tmp_path, monkeypatch, capsys):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, "tasks")
    assert code == 2
    assert err.startswith(f"error: {tmp_path.resolve()}: no spec found (looked for "
                          ".kiro/specs/*/tasks.md, specs/*/tasks.md, docs/*-spec.md)\n")


@pytest.mark.parametrize("source, target, ids", [
    ("docs/todo-api-spec.md", "docs/todo-api-spec.md",
     ["T1", "T2", "T3", "T3.1", "T3.2", "T4", "T5", "T6"]),
    ("speckit/heroparser/tasks.md", "specs/001-heroparser/tasks.md", ["T001", "T002"]),
])
def test_other_formats_list_their_ids(tmp_path, monkeypatch, capsys, source, target, ids):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / target).parent.mkdir(parents=True)
    shutil.copy(FIXTURES / source, tmp_path / target)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(capsys, "tasks")
    assert code == 0
    listed = list(table_rows(out))
    assert listed[:len(ids)] == ids


def test_version(capsys):
    code, out, _ = run_cli(capsys, "--version")
    assert (code, out) == (0, f"reviewloop, version {__version__}\n")


def test_version_through_python_dash_m():
    done = subprocess.run([sys.executable, "-m", "reviewloop", "--version"],
                          capture_output=True, text=True, check=False)
    assert (done.returncode, done.stdout) == (0, f"reviewloop, version {__version__}\n")


def test_tasks_help(capsys):
    code, out, _ = run_cli(capsys, "tasks", "--help")
    assert code == 0
    assert out.startswith("Usage: reviewloop tasks [OPTIONS]\n\n"
                          "  List the spec's tasks with status, wave, dependencies and "
                          "diagnostics.\n")
    assert "--spec PATH" in out and "--json" in out and "-h, --help" in out


def test_unknown_option_is_a_usage_error(repo, capsys):
    code, _, err = run_cli(capsys, "tasks", "--jsn")
    assert code == 2
    assert "Error: No such option '--jsn'. Did you mean '--json'?" in err
