"""Each output format, written from the same drafts, reads back through `reviewloop tasks`."""

from __future__ import annotations

import json

import pytest

from reviewloop.authoring import document
from reviewloop.authoring import phases as ph
from reviewloop.authoring.output import count_components, summarise
from reviewloop.cli.app import main
from reviewloop.spec import select
from reviewloop.spec.loader import load_spec
from tests.support import drafts
from tests.support.repos import repo_here

DRAFTS = drafts.plan()


@pytest.fixture
def repo(tmp_path, monkeypatch):
    return repo_here(tmp_path / "repo", monkeypatch)


def _write(root, fmt, *, approve_all=False):
    return drafts.write_spec(root, fmt, DRAFTS, model="scripted", approve_all=approve_all)


@pytest.mark.parametrize("fmt, expected", [
    ("doc", ["docs/todo-spec.md"]),
    ("kiro", [".kiro/specs/todo/requirements.md", ".kiro/specs/todo/design.md",
              ".kiro/specs/todo/tasks.md"]),
    ("speckit", ["specs/001-todo/spec.md", "specs/001-todo/plan.md", "specs/001-todo/tasks.md"]),
])
def test_each_format_round_trips_through_reviewloop_tasks(repo, capsys, fmt, expected):
    tasks_file, files = _write(repo, fmt)
    assert sorted(p.relative_to(repo).as_posix() for p in files) == sorted(expected)
    with pytest.raises(SystemExit) as exited:
        main(["tasks", "--json", "--spec", str(tasks_file)])
    listing = json.loads(capsys.readouterr().out)
    assert exited.value.code == 0 and listing["diagnostics"] == []
    spec = load_spec(repo, tasks_file)
    assert spec.format.value == {"doc": "docs"}.get(fmt, fmt)
    leaves = [t for t in spec.tasks if t.is_leaf and not t.optional]
    assert len(leaves) == 3  # T1.1, T1.2, T2 (T3 is optional)
    assert select.next_task(spec.tasks).title.endswith("The Todo dataclass")
    assert select.waves(spec.tasks).diagnostics == ()
    assert spec.requirements_text and "Add a todo" in spec.requirements_text
    assert spec.design_text and "TodoStore" in spec.design_text


def _waves(listing):
    """Wave number -> leaf titles, as `reviewloop tasks --json` lists them (Spec Kit flattens
    a sub-task's title to `Parent: child`, so only the last part is compared)."""
    found: dict[int, list[str]] = {}
    for task in listing["tasks"]:
        if task["wave"] is not None:
            found.setdefault(task["wave"], []).append(task["title"].split(": ")[-1])
    return found


@pytest.mark.parametrize("fmt", document.FORMATS)
def test_parallel_plan_keeps_its_waves_in_every_format(repo, capsys, fmt):
    tasks_file, _ = drafts.write_spec(repo, fmt, drafts.plan(drafts.PARALLEL_TASKS))
    with pytest.raises(SystemExit) as exited:
        main(["tasks", "--json", "--spec", str(tasks_file)])
    listing = json.loads(capsys.readouterr().out)
    assert exited.value.code == 0 and listing["diagnostics"] == []
    assert _waves(listing) == {1: ["Todo dataclass", "Delete by id"], 2: ["Store add"],
                               3: ["Wire up the API"]}
    done = [t["title"] for t in listing["tasks"] if t["status"] == "done"]
    assert [title.split(": ")[-1] for title in done] == ["Scaffold the package"]
    spec = load_spec(repo, tasks_file)
    with_optional = select.waves(spec.tasks, include_optional=True).waves
    assert [len(wave) for wave in with_optional] == [3, 1, 1]  # the benchmark joins wave 1


def test_speckit_writes_sub_tasks_nested_and_every_dependency_list_whole(repo):
    plan = {**DRAFTS, ph.TASKS: drafts.PARALLEL_TASKS}
    meta = document.Meta(name="todo", what="A todo API", model=None, approve_all=False,
                         created="2026-11-23")
    tasks_file = document.target("speckit", "todo", repo)
    text = document.render("speckit", meta, plan, tasks_file)[tasks_file]
    assert text.endswith(
        "## Phase 1: Implementation\n\n"
        "- [x] T001 [deps: none] [NFR-001] Scaffold the package\n"
        "- [ ] T002 [deps: T001] [FR-001] The store\n"
        "  - [ ] T003 [P] [deps: none] Todo dataclass\n"
        "  - [ ] T004 [deps: T003] Store add\n"  # alone in its wave: no [P]
        "- [ ] T005 [P] [deps: T001] [FR-002] Delete by id\n"
        "- [ ] T006 [P] [deps: T001] [NFR-001] Benchmark the store (optional)\n"
        "- [ ] T007 [deps: T002, T005] [FR-001] [FR-002] Wire up the API\n")


def test_front_matter_says_who_approved_and_which_model(repo):
    _, files = _write(repo, "doc", approve_all=True)
    text = next(iter(files.values()))
    assert text.startswith("---\nfeature: todo\nformat: doc\n")
    assert 'approval: "approve-all: every phase was accepted without human review"' in text
    assert "model: scripted" in text


def test_kiro_requirements_keep_ears_criteria_and_numbering(repo):
    _write(repo, "kiro")
    text = (repo / ".kiro/specs/todo/requirements.md").read_text()
    assert "### Requirement 2: Delete a todo (FR-2)" in text
    assert "1. WHEN a caller deletes an unknown id THE SYSTEM SHALL raise KeyError" in text
    tasks = (repo / ".kiro/specs/todo/tasks.md").read_text()
    assert "- [ ] 2. TodoStore.delete\n  - Unknown ids raise KeyError\n  - _Depends: 1_\n" \
        "  - _Requirements: 2_" in tasks
    assert "- [ ]* 3. Benchmark 10 000 todos" in tasks


def test_speckit_numbers_the_folder_after_existing_ones(repo):
    (repo / "specs/004-older").mkdir(parents=True)
    assert document.target("speckit", "todo", repo).parent.name == "005-todo"


def test_summary_counts_from_the_written_files(repo):
    tasks_file, _ = _write(repo, "doc")
    summary = summarise(repo, tasks_file, DRAFTS)
    assert (summary.functional, summary.non_functional, summary.components) == (2, 1, 2)
    assert (summary.tasks, summary.waves, summary.diagnostics) == (5, 4, ())
    assert summary.next_command == "reviewloop run next"
    assert count_components("no components heading\n- **x** y") == 0


@pytest.mark.parametrize("fmt, tasks_file", [
    ("doc", "docs/todo-spec.md"), ("kiro", ".kiro/specs/todo/tasks.md"),
    ("speckit", "specs/001-todo/tasks.md")])
def test_spec_new_in_each_format_reads_back_with_no_diagnostics(repo, capsys, fmt, tasks_file):
    with pytest.raises(SystemExit) as exited:
        main(["spec", "new", "A todo API", "--name", "todo", "--format", fmt, "--approve-all"])
    out = capsys.readouterr().out
    assert exited.value.code == 0 and f"path: {tasks_file}" in out
    with pytest.raises(SystemExit):
        main(["tasks", "--json"])  # auto-detected, as `run next` finds it
    listing = json.loads(capsys.readouterr().out)
    assert listing["diagnostics"] == [] and len(listing["tasks"]) == 1
    assert listing["spec"]["file"].endswith(tasks_file)
