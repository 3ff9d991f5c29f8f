"""The Kiro tasks.md reader: real fixtures against hand-written expectations, then variants."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.spec import kiro
from reviewloop.spec.model import TaskStatus
from tests.support.spec_fixtures import SPECS, expected_summaries, task_summary

FIXTURES = SPECS / "kiro"
FIXTURE_DIRS = sorted(p.parent for p in FIXTURES.glob("*/tasks.md"))


def _parse(text: str):
    return kiro.parse(text, "spec/tasks.md")


def _task(text: str, task_id: str):
    return _parse(text).by_id()[task_id]


@pytest.mark.parametrize("folder", FIXTURE_DIRS, ids=lambda p: p.name)
def test_fixture_matches_expected(folder: Path):
    text = (folder / "tasks.md").read_bytes().decode("utf-8-sig")
    parsed = kiro.parse(text, f"{folder.name}/tasks.md")
    expected = expected_summaries(folder / "expected.json")
    assert [task_summary(t) for t in parsed.tasks] == expected
    assert parsed.diagnostics == ()


@pytest.mark.parametrize("folder", FIXTURE_DIRS, ids=lambda p: p.name)
def test_fixture_lines_point_at_their_checkbox(folder: Path):
    text = (folder / "tasks.md").read_bytes().decode("utf-8-sig")
    lines = text.split("\n")
    for task in kiro.parse(text, "t.md").tasks:
        assert task.id in lines[task.line - 1]
        assert task.file == "t.md"


def test_there_are_at_least_ten_fixtures():
    assert len(FIXTURE_DIRS) >= 10


# --- ids and titles -----------------------------------------------------------------

@pytest.mark.parametrize(("line", "task_id", "title"), [
    ("- [ ] 1. Set up", "1", "Set up"),
    ("- [ ] 2.1 Write code", "2.1", "Write code"),
    ("- [ ] 2.1. Write code", "2.1", "Write code"),
    ("- [ ] 1.1.1 Deep", "1.1.1", "Deep"),
    ("- [ ] 1 Title without dot", "1", "Title without dot"),
    ("- [ ] **1.1** Bold id", "1.1", "Bold id"),
    ("- [ ] **1.1 Bold all**", "1.1", "Bold all"),
    ("- [ ] 3. **Bold title**   ", "3", "Bold title"),
    ("- [ ] Task 4: Colon", "4", "Colon"),
])
def test_id_and_title_forms(line, task_id, title):
    tasks = _parse(line).tasks
    assert [(t.id, t.title) for t in tasks] == [(task_id, title)]


def test_statuses_and_optional_marker():
    text = "- [ ] 1. a\n- [x] 2. b\n- [X] 3. c\n- [-] 4. d\n- [~] 5. e\n- [ ]* 6. f\n- [x]* 7. g"
    tasks = _parse(text).tasks
    assert [t.status for t in tasks] == [
        TaskStatus.OPEN, TaskStatus.DONE, TaskStatus.DONE, TaskStatus.IN_PROGRESS,
        TaskStatus.QUEUED, TaskStatus.OPEN, TaskStatus.DONE]
    assert [t.optional for t in tasks] == [False] * 5 + [True, True]


def test_line_is_one_based_checkbox_line():
    tasks = _parse("# Plan\n\n- [ ] 1. a\n  - detail\n- [ ] 2. b").tasks
    assert [t.line for t in tasks] == [3, 5]


# --- hierarchy ----------------------------------------------------------------------

def test_indented_subtasks_have_parent_and_parent_depends_on_children():
    text = "- [ ] 1. Parent\n  - [ ] 1.1 A\n  - [ ] 1.2 B\n- [ ] 2. Next"
    parsed = _parse(text).by_id()
    assert parsed["1.1"].parent == "1" and parsed["1.2"].parent == "1"
    assert parsed["1"].children == ("1.1", "1.2")
    assert parsed["1"].depends_on == ("1.1", "1.2")
    assert parsed["2"].parent is None


def test_flush_left_subtasks_use_id_prefix():
    parsed = _parse("- [ ] 2. Parent\n- [ ] 2.1 Child\n- [ ]* 2.2 Optional child").by_id()
    assert parsed["2.1"].parent == "2" and parsed["2.2"].parent == "2"
    assert parsed["2.2"].optional


def test_parent_by_indentation_when_ids_do_not_nest():
    parsed = _parse("- [ ] 1. Parent\n  - [ ] 7 Odd child\n- [ ] 8 Top").by_id()
    assert parsed["7"].parent == "1"
    assert parsed["8"].parent is None


def test_three_levels():
    parsed = _parse("- [ ] 0. a\n  - [ ] 0.1 b\n    - [ ] 0.1.1 c\n- [ ] 0.2 d").by_id()
    assert parsed["0.1.1"].parent == "0.1"
    assert parsed["0.2"].parent == "0"
    assert parsed["0"].depends_on == ("0.1", "0.2")


# --- detail lines and labelled lines ------------------------------------------------

def test_details_requirements_and_blank_lines():
    text = (
        "- [ ] 1. Task\n"
        "  - First detail\n"
        "\n\n\n"
        "  - **Property 1: thing**\n"
        "  -\n"
        "  - _Requirements: 1.1, 2.3_\n"
        "  - _Requirements: 2.3, 3.1_\n"
        "    continuation text\n"
    )
    task = _task(text, "1")
    assert task.details == ("First detail", "**Property 1: thing**", "continuation text")
    assert task.requirements == ("1.1", "2.3", "3.1")


def test_translated_requirement_labels():
    text = ("- [ ] 1. a\n  - _Requisitos: 1.1, 1.2_\n- [ ] 2. b\n  - _需求: 需求1-3_\n"
            "- [ ] 3. c\n  - _Anforderungen: 2.1–2.3_\n- [ ] 4. d\n  - **Requirements**: 6")
    parsed = _parse(text).by_id()
    assert parsed["1"].requirements == ("1.1", "1.2")
    assert parsed["2"].requirements == ("1", "2", "3")
    assert parsed["3"].requirements == ("2.1", "2.2", "2.3")
    assert parsed["4"].requirements == ("6",)


def test_cc_sdd_parallel_depends_boundary_blocked():
    text = (
        "- [ ] 1. Base\n"
        "- [ ] 1.1 (P) First\n"
        "- [ ] 1.2 Second (P)\n"
        "- [ ] 1.3 Third\n"
        "  - not (P) because it needs 1.2\n"
        "  - _Depends: 1.1, 1.2_\n"
        "  - _Boundary: parser_\n"
        "  - _Blocked: waiting for review_\n"
    )
    parsed = _parse(text).by_id()
    assert parsed["1.1"].parallel and parsed["1.1"].title == "First"
    assert parsed["1.2"].parallel and parsed["1.2"].title == "Second"
    assert not parsed["1.3"].parallel
    assert parsed["1.3"].depends_on == ("1.1", "1.2")
    assert parsed["1.3"].details == ("not (P) because it needs 1.2", "Boundary: parser",
                                     "Blocked: waiting for review")


def test_prose_dependencies_only_when_the_id_exists():
    text = ("- [ ] 1. a\n- [ ] 2. b\n  - Depends on 1 being merged\n  - Start after 9.9\n"
            "- [ ] 3. c\n  - Run this after 2 and after 2.5 seconds")
    parsed = _parse(text)
    assert parsed.by_id()["2"].depends_on == ("1",)
    assert parsed.by_id()["3"].depends_on == ("2",)
    assert parsed.diagnostics == ()


def test_unknown_explicit_dependency_is_a_diagnostic():
    parsed = _parse("- [ ] 1. a\n  - _Depends: 1.9_\n")
    assert parsed.by_id()["1"].depends_on == ()
    assert [str(d) for d in parsed.diagnostics] == [
        "spec/tasks.md:2: task 1 depends on unknown task 1.9"]


def test_flush_left_prose_ends_a_task_body():
    task = _task("- [ ] 1. a\n  - d\nSome paragraph\n  - not a detail of 1", "1")
    assert task.details == ("d",)


def test_heading_ends_a_task_body():
    task = _task("- [ ] 1. a\n## Notes\n  - note", "1")
    assert task.details == ()


def test_fenced_code_is_ignored():
    text = ("- [ ] 1. a\n  ```python\n  - [ ] 2. not a task\n  _Requirements: 9.9_\n  ```\n"
            "  - _Requirements: 1.1_\n```\n- [ ] no id in code\n```")
    parsed = _parse(text)
    assert [t.id for t in parsed.tasks] == ["1"]
    assert parsed.by_id()["1"].requirements == ("1.1",)
    assert parsed.diagnostics == ()


# --- unnumbered checkboxes, checklists, duplicates ----------------------------------

def test_unnumbered_boxes_get_synthetic_ids_when_nothing_is_numbered():
    parsed = _parse("# Todo\n- [ ] first\n- [x] second\n  - [ ] nested")
    assert [(t.id, t.title, t.parent) for t in parsed.tasks] == [
        ("1", "first", None), ("2", "second", None), ("3", "nested", "2")]


def test_unnumbered_box_under_numbered_task_is_a_sub_step():
    parsed = _parse("- [ ] 1. a\n  - [ ] write the test\n  - [x] **run** it")
    assert parsed.by_id()["1"].details == ("write the test", "**run** it")
    assert parsed.diagnostics == ()


def test_unnumbered_box_elsewhere_is_a_diagnostic():
    parsed = _parse("- [ ] 1. a\n\n- [ ] stray item")
    assert [t.id for t in parsed.tasks] == ["1"]
    assert len(parsed.diagnostics) == 1
    assert str(parsed.diagnostics[0]).startswith("spec/tasks.md:3: looks like a task but has no id")


@pytest.mark.parametrize("heading", [
    "Definition of Done", "Acceptance Criteria", "Checklist", "Verification",
    "Success Criteria", "检查点",
])
def test_checklist_sections_are_not_tasks(heading):
    parsed = _parse(f"- [ ] 1. a\n\n## {heading}\n- [ ] all tests pass\n- [x] docs\n")
    assert [t.id for t in parsed.tasks] == ["1"]
    assert parsed.diagnostics == ()


def test_numbered_boxes_in_a_checklist_section_are_still_tasks():
    parsed = _parse("## Verification\n- [ ] 5. Checkpoint\n")
    assert [t.id for t in parsed.tasks] == ["5"]


def test_duplicate_id_keeps_first_and_reports_second():
    parsed = _parse("- [ ] 1. first\n  - keep\n- [x] 1. again\n  - dropped")
    assert [(t.id, t.title, t.details) for t in parsed.tasks] == [("1", "first", ("keep",))]
    assert [str(d) for d in parsed.diagnostics] == [
        "spec/tasks.md:3: duplicate task id 1 (first on line 1); this one is ignored"]


def test_task_without_title_is_reported():
    parsed = _parse("- [ ] 3.")
    assert parsed.tasks[0].id == "3"
    assert "no title" in parsed.diagnostics[0].message


# --- robustness ---------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "", "\n", "\ufeff", "- [ ]", "```", "# only\n", "- [ ] 1.\n- [ ] 1.1.1.1.1.1.1 x",
    "\r\n\r\n- [ ] 1. crlf\r\n  - _Requirements: 1.1_\r\n", "- [ ] 99999999999999999999 big",
    "- [ ] 1. x\n  - _Requirements: 1-99999999999_",
])
def test_odd_inputs_do_not_raise(text):
    kiro.parse(text, "f.md")


def test_crlf_file_parses_like_lf():
    lf = "- [ ] 1. a\n  - _Requirements: 1.1_\n  - [ ] 1.1 b\n"
    crlf = lf.replace("\n", "\r\n")
    summaries = [[task_summary(t) for t in _parse(text).tasks] for text in (lf, crlf)]
    assert summaries[0] == summaries[1]
    assert _parse(crlf).tasks[0].title == "a"


def test_phase_is_the_nearest_section_heading():
    parsed = _parse("# Plan\n- [ ] 1. a\n### 第一阶段\n- [ ] 2. b").by_id()
    assert parsed["1"].phase is None
    assert parsed["2"].phase == "第一阶段"
