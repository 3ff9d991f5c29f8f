"""`reviewloop plan` through the command line, against a real bare "origin" repository."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewloop.spec.batch import eligible_wave
from reviewloop.spec.kiro import parse
from tests.support.cli_main import run_cli
from tests.support.gitutil import git
from tests.support.repos import bare_origin

SPEC_FILE = ".kiro/specs/shop/tasks.md"
TASKS = """\
# Implementation Plan

- [ ] 1. Catalogue
  - _Requirements: 1.1_
- [ ] 2. Basket
  - _Requirements: 1.2_
- [ ] 3. Checkout
  - _Depends: 1, 2_
- [ ] 4. Search
  - _Depends: 1_
- [ ] 5. Receipts
  - _Depends: 3_
"""


@pytest.fixture
def origin(tmp_path) -> Path:
    """A bare origin holding the spec on main, as a batch's runners would clone it."""
    return bare_origin(tmp_path, {SPEC_FILE: TASKS}, "spec")


def clone(origin: Path, name: str) -> Path:
    target = origin.parent / name
    git(origin.parent, "clone", "-q", str(origin), str(target))
    return target


def land_task(origin: Path, task_id: str) -> None:
    """What a merged reviewloop PR leaves behind: the task ticked on its branch, merged."""
    work = clone(origin, f"runner-{task_id}")
    git(work, "switch", "-q", "-c", f"reviewloop/task-{task_id}")
    path = work / SPEC_FILE
    path.write_text(path.read_text().replace(f"- [ ] {task_id}.", f"- [x] {task_id}."))
    git(work, "commit", "-q", "-am", f"task {task_id}")
    git(work, "push", "-q", "origin", f"reviewloop/task-{task_id}")
    maintainer = clone(origin, f"maintainer-{task_id}")
    git(maintainer, "merge", "-q", "--no-ff", "-m", f"Merge task {task_id}",
        f"origin/reviewloop/task-{task_id}")
    git(maintainer, "push", "-q", "origin", "main")


def matrix(capsys, *extra: str) -> dict:
    code, out, _ = run_cli(capsys, "plan", "--format", "github-matrix", *extra)
    assert code == 0
    assert out.count("\n") == 1  # one line, as $GITHUB_OUTPUT needs
    return json.loads(out)


def test_the_wave_moves_on_as_the_first_waves_branches_merge(origin, capsys, monkeypatch):
    checkout = clone(origin, "planner")
    monkeypatch.chdir(checkout)
    assert matrix(capsys) == {"include": [{"task": "1", "title": "Catalogue"},
                                          {"task": "2", "title": "Basket"}]}

    land_task(origin, "1")
    git(checkout, "fetch", "-q")
    # The checkout's own tasks file is unchanged; the merged tick comes from origin/main.
    assert matrix(capsys) == {"include": [{"task": "1", "title": "Catalogue"},
                                          {"task": "2", "title": "Basket"}]}
    assert matrix(capsys, "--ref", "origin/main") == {
        "include": [{"task": "2", "title": "Basket"}, {"task": "4", "title": "Search"}]}

    land_task(origin, "2")
    git(checkout, "fetch", "-q")
    assert matrix(capsys, "--ref", "origin/main") == {
        "include": [{"task": "3", "title": "Checkout"}, {"task": "4", "title": "Search"}]}
    git(checkout, "pull", "-q")  # the same answer from the tasks file itself once pulled
    assert matrix(capsys) == matrix(capsys, "--ref", "origin/main")


def test_max_holds_back_the_rest_and_json_says_so(origin, capsys, monkeypatch):
    monkeypatch.chdir(clone(origin, "planner"))
    code, out, _ = run_cli(capsys, "plan", "--format", "json", "--max", "1")
    data = json.loads(out)
    assert code == 0
    assert [t["task"] for t in data["tasks"]] == ["1"]
    assert data["held"] == ["2"]
    assert data["remaining"] == 5
    assert data["tasks"][0]["file"] == SPEC_FILE and data["tasks"][0]["line"] == 3

    code, out, _ = run_cli(capsys, "plan")
    assert code == 0
    assert "2 task(s) can start now; 5 not done in all:" in out
    assert "  1  Catalogue" in out and "  2  Basket" in out


def test_an_unknown_ref_is_a_usage_error_naming_it(origin, capsys, monkeypatch):
    monkeypatch.chdir(clone(origin, "planner"))
    code, _, err = run_cli(capsys, "plan", "--ref", "origin/nope")
    assert code == 2
    assert "origin/nope" in err


def test_a_spec_not_yet_in_the_ref_counts_nothing_as_merged(origin, capsys, monkeypatch):
    checkout = clone(origin, "planner")
    monkeypatch.chdir(checkout)
    git(checkout, "mv", SPEC_FILE, ".kiro/specs/shop/tasks-new.md")
    git(checkout, "commit", "-q", "-m", "move")
    (checkout / SPEC_FILE).parent.joinpath("tasks.md").write_text(
        TASKS.replace("- [ ] 1.", "- [x] 1."))
    git(checkout, "add", SPEC_FILE)  # committed: a task only in the working file cannot start
    git(checkout, "commit", "-q", "-m", "a new spec at the old place")
    code, out, err = run_cli(capsys, "plan", "--format", "github-matrix", "--ref", "HEAD~1",
                             "--spec", SPEC_FILE)
    assert code == 0
    assert [t["task"] for t in json.loads(out)["include"]] == ["2", "4"]
    assert f"{SPEC_FILE}:1: not in HEAD~1: no task counts as merged there" in err


@pytest.mark.parametrize("title", ["Write the README", "Catalogue", "  catalogue "],
                         ids=["another task", "the same", "the same, spaced"])
def test_an_id_ticked_at_the_ref_counts_only_for_the_same_task(origin, capsys, monkeypatch,
                                                                 title):
    """A spec revised and renumbered at the ref: task 1 ticked there is another task than
    task 1 here, which stays to do, and the plan says why."""
    work = clone(origin, "reviser")
    path = work / SPEC_FILE
    path.write_text(TASKS.replace("- [ ] 1. Catalogue", f"- [x] 1. {title}"))
    git(work, "commit", "-q", "-am", "revised")
    git(work, "push", "-q", "origin", "main")
    checkout = clone(origin, "planner")
    git(checkout, "reset", "-q", "--hard", "HEAD~1")  # this branch has the spec as it was
    monkeypatch.chdir(checkout)
    code, out, err = run_cli(capsys, "plan", "--format", "github-matrix", "--ref",
                             "origin/main")
    same = title.strip().casefold() == "catalogue"
    assert code == 0
    assert [t["task"] for t in json.loads(out)["include"]] == (["2", "4"] if same
                                                                 else ["1", "2"])
    assert ("not taken as merged" in err) is not same


def test_everything_done_gives_an_empty_matrix():
    done = parse(TASKS.replace("- [ ] ", "- [x] "), SPEC_FILE).tasks
    wave = eligible_wave(done)
    assert wave.tasks == () and wave.remaining == 0


# Spec problems `tasks` reports, each in the two task-list formats: (docs tasks, Kiro tasks)
PROBLEMS = {
    "duplicate id": ("- [x] T1 a\n- [ ] T2 b\n- [ ] T2 again\n  - Depends: T1\n",
                     "- [x] 1. a\n- [ ] 2. b\n- [ ] 2. again\n"),
    "unknown dependency": ("- [ ] T1 a\n  - Depends: T9\n- [ ] T2 b\n  - Depends: T1\n",
                           "- [ ] 1. a\n  - _Depends: 9_\n- [ ] 2. b\n  - _Depends: 1_\n"),
    "sub-task on its parent": ("- [ ] 1 parent\n  - [ ] 1.1 child\n    - Depends: 1\n",
                               "- [ ] 1. parent\n  - [ ] 1.1 child\n    - _Depends: 1_\n"),
    "cycle": ("- [ ] T1 a\n  - Depends: T2\n- [ ] T2 b\n  - Depends: T1\n",
              "- [ ] 1. a\n  - _Depends: 2_\n- [ ] 2. b\n  - _Depends: 1_\n"),
}


@pytest.mark.parametrize("fmt", ["json", "github-matrix", "text"])
@pytest.mark.parametrize("kiro", [False, True])
@pytest.mark.parametrize("problem", sorted(PROBLEMS))
def test_plan_says_every_spec_problem_tasks_reports(tmp_path, capsys, monkeypatch, problem,
                                                    kiro, fmt):
    """Before: a duplicate id, an unknown dependency and a sub-task depending on its parent
    were said by `tasks` (or nowhere) and dropped by `plan`: a batch silently never ran a
    task. Now `plan` says each diagnostic `tasks --json` lists (the oracle), in every
    format, stdout left the matrix or the JSON."""
    root = tmp_path / "r"
    root.mkdir()
    git(root, "init", "-q")
    spec = ".kiro/specs/s/tasks.md" if kiro else "docs/work.md"
    body = PROBLEMS[problem][kiro]
    (root / spec).parent.mkdir(parents=True)
    (root / spec).write_text(("# Implementation Plan\n\n" if kiro else "# S\n\n## Tasks\n")
                             + body)
    monkeypatch.chdir(root)
    code, out, _ = run_cli(capsys, "tasks", "--spec", spec, "--json")
    said = json.loads(out)["diagnostics"]
    code, out, err = run_cli(capsys, "plan", "--spec", spec, "--format", fmt)
    assert code == (1 if problem == "cycle" else 0)  # a cycle of every open task: stuck
    if fmt == "json":
        assert json.loads(out)["diagnostics"] == said
    elif fmt == "github-matrix":
        assert "include" in json.loads(out)
    flat = " ".join(err.split())
    assert said, problem  # the problem is a diagnostic at all
    for diagnostic in said:
        assert " ".join(diagnostic["message"].split()) in flat


# how a task comes to be only in the working tree's spec
UNCOMMITTED = {
    "added": lambda text: text + "- [ ] 6. Gift cards\n",
    "renamed": lambda text: text.replace("- [ ] 2. Basket", "- [ ] 6. Basket"),
}


@pytest.mark.parametrize("edit", sorted(UNCOMMITTED))
def test_a_task_only_in_the_uncommitted_spec_is_never_offered_until_committed(
        origin, capsys, monkeypatch, edit):
    """`run TASK` and `run all` refuse a task only in the uncommitted spec (a run starts from
    the last commit): `plan` names it with that reason and the fix, in every format, and
    offers it once the spec is committed."""
    checkout = clone(origin, "planner")
    monkeypatch.chdir(checkout)
    spec = checkout / SPEC_FILE
    spec.write_text(UNCOMMITTED[edit](spec.read_text()))
    why = (f"task 6 is only in your uncommitted {SPEC_FILE}: a run starts from your last "
           f"commit, whose spec has no task 6; commit the spec first (git add -- {SPEC_FILE} "
           "&& git commit), then run it again")

    code, out, err = run_cli(capsys, "plan", "--format", "json", "--max", "2")
    data = json.loads(out)
    assert code == 0
    assert [t["task"] for t in data["tasks"]] == (["1"] if edit == "renamed" else ["1", "2"])
    assert data["held"] == []
    assert data["unstartable"] == [{"task": "6", "why": why}]
    assert f"Cannot start: {why}" in " ".join(err.split())
    assert matrix(capsys) == {"include": [{"task": "1", "title": "Catalogue"}] + (
        [] if edit == "renamed" else [{"task": "2", "title": "Basket"}])}
    code, out, _ = run_cli(capsys, "plan")
    said = " ".join(out.split())
    assert code == 0 and f"Cannot start: {why}" in said and "  6  " not in out

    git(checkout, "commit", "-q", "-am", "the spec, committed")
    code, out, err = run_cli(capsys, "plan", "--format", "json")
    data = json.loads(out)
    assert "6" in [t["task"] for t in data["tasks"]]
    assert data["unstartable"] == [] and "Cannot start" not in err
