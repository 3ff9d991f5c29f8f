"""The Spec Kit reader: real tasks.md files against hand-written expectations, then the rules."""

from __future__ import annotations

import pytest

from reviewloop.spec import speckit
from reviewloop.spec.loader import load_spec
from reviewloop.spec.model import SpecFormat, TaskStatus
from tests.support.spec_fixtures import SPECS, expected_summaries, task_summary

FIXTURES = SPECS / "speckit"
NAMES = sorted(p.name for p in FIXTURES.iterdir() if (p / "tasks.md").is_file())


def _parse(text: str, file: str = "specs/001-x/tasks.md"):
    return speckit.parse(text, file)


@pytest.mark.parametrize("name", NAMES)
def test_fixture_matches_expected(name):
    text = (FIXTURES / name / "tasks.md").read_text(encoding="utf-8")
    expected = expected_summaries(FIXTURES / name / "expected.json")
    parsed = _parse(text, f"{name}/tasks.md")
    assert [task_summary(t) for t in parsed.tasks] == expected


@pytest.mark.parametrize("name", NAMES)
def test_fixture_lines_point_at_their_checkbox(name):
    lines = (FIXTURES / name / "tasks.md").read_text(encoding="utf-8").split("\n")
    for task in _parse("\n".join(lines)).tasks:
        assert lines[task.line - 1].lstrip().startswith(("- [", "* [")), task.id
        assert task.id in lines[task.line - 1]


def test_four_fixtures_are_present():
    assert len(NAMES) >= 4


def test_heroparser_placeholder_ids_are_reported_and_checkpoints_ignored():
    text = (FIXTURES / "heroparser" / "tasks.md").read_text(encoding="utf-8")
    parsed = _parse(text, "specs/001-aim-to-be/tasks.md")
    assert [str(d) for d in parsed.diagnostics] == [
        f"specs/001-aim-to-be/tasks.md:{n}: checkbox without a task id; Spec Kit tasks read "
        "`- [ ] T001 Description` (line ignored)" for n in range(160, 165)
    ]
    by_id = parsed.by_id()
    assert by_id["T001"].title.startswith("Create C# NuGet library solution structure")
    assert by_id["T045"].title.startswith("**FEATURE 1 COMPLETE**")
    assert by_id["T003"].parallel and not by_id["T001"].parallel
    assert all(t.phase is None for t in parsed.tasks)


def test_asset_portfolio_phases_and_parallel_markers():
    text = (FIXTURES / "asset-portfolio" / "tasks.md").read_text(encoding="utf-8")
    by_id = _parse(text).by_id()
    assert by_id["T001"].phase == "Phase 1: Setup (Shared Infrastructure)"
    assert by_id["T038"].phase.startswith("Phase 8: User Story 6")
    assert by_id["T038"].parallel and by_id["T038"].requirements == ("US6",)
    assert by_id["T038"].title == "Implement calculateAnnualizedReturn (CAGR) in " \
                                  "src/lib/services/metrics-service.ts"
    assert by_id["T037"].status is TaskStatus.OPEN and by_id["T036"].is_done


def test_forms_of_the_task_line():
    text = "\n".join([
        "## Phase 1: Setup",
        "- [ ] T001 [P] [US1] Plain form in src/a.py",
        "- [x] **T002** Bold id",
        "- [X] T003: Colon after the id",
        "* [ ] **T004:** Bold id with colon, star bullet",
        "- [ ] T005 [US1] [US2] Two stories",
        "- [ ] T006 [P] (optional) Nice to have",
    ])
    tasks = _parse(text).by_id()
    assert tasks["T001"].parallel and tasks["T001"].requirements == ("US1",)
    assert tasks["T001"].title == "Plain form in src/a.py"
    assert tasks["T002"].title == "Bold id" and tasks["T002"].is_done
    assert tasks["T003"].title == "Colon after the id" and tasks["T003"].is_done
    assert tasks["T004"].title == "Bold id with colon, star bullet"
    assert tasks["T005"].requirements == ("US1", "US2")
    assert tasks["T006"].optional and tasks["T006"].title == "Nice to have"


def test_phase_order_skips_phases_without_tasks():
    text = "\n".join([
        "## Phase 1: Setup",
        "- [ ] T001 a",
        "- [ ] T002 b",
        "## Phase 2: Foundational",
        "Nothing here yet.",
        "## Phase 3: User Story 1",
        "### Implementation",
        "- [ ] T003 [US1] c",
        "## Phase 4: Polish",
        "- [ ] T004 d",
        "## Notes",
        "- [ ] T005 outside any phase",
    ])
    tasks = _parse(text).by_id()
    assert tasks["T001"].depends_on == ()
    assert tasks["T002"].depends_on == ("T001",)  # no [P]: after the task before it
    assert tasks["T003"].depends_on == ("T002",)  # the last of Phase 1; T001 comes with it
    assert tasks["T003"].phase == "Phase 3: User Story 1"
    assert tasks["T004"].depends_on == ("T003",)
    assert tasks["T005"].depends_on == () and tasks["T005"].phase is None


@pytest.mark.parametrize("prose, deps", [
    ("Wire it up (depends on T002)", ("T002",)),
    ("Wire it up (after T001, T002)", ("T001", "T002")),
    ("Wire it up; requires T001", ("T001",)),
    ("Wire it up, blocked by T002", ("T002",)),
    ("Wire it up after T001/T002 land", ("T001", "T002")),
    ("Compare against the T001 baseline", ()),
])
def test_dependencies_in_task_prose(prose, deps):
    text = f"- [ ] T001 a\n- [ ] T002 b\n- [ ] T003 {prose}\n"
    assert _parse(text).by_id()["T003"].depends_on == deps


def test_details_are_indented_lines_and_may_carry_dependencies():
    text = "\n".join([
        "- [ ] T001 a",
        "- [ ] T002 Build the parser",
        "  - Handle quoted fields",
        "",
        "    Needs T001 merged first",
        "  - [ ] write the property test",
        "Back to prose.",
        "  indented prose after a paragraph is not a detail",
    ])
    task = _parse(text).by_id()["T002"]
    assert task.details == ("Handle quoted fields", "Needs T001 merged first",
                            "[ ] write the property test")
    assert task.depends_on == ("T001",)


def test_dependencies_section_lines():
    text = "\n".join([
        "- [ ] T010 a", "- [ ] T011 b", "- [ ] T012 c", "- [ ] T020 d", "- [ ] T021 e",
        "",
        "## Dependencies & Execution Order",
        "",
        "- T012 depends on T010 and T011",
        "- T010 (models) blocks T020 (service)",
        "- T020 → T021",
        "- Setup (T010) before Polish",
    ])
    tasks = _parse(text).by_id()
    assert tasks["T012"].depends_on == ("T010", "T011")
    assert tasks["T020"].depends_on == ("T010",)
    assert tasks["T021"].depends_on == ("T020",)
    assert tasks["T010"].depends_on == ()


def test_checkboxes_without_ids():
    text = "\n".join([
        "## Phase 1: Setup",
        "- [ ] T001 a",
        "- [ ] an unnumbered task",
        "## Definition of Done",
        "- [ ] all tests pass",
        "## Acceptance",
        "### Story 1",
        "- [x] works",
        "## Validation Checklist",
        "- [x] every task has a path",
    ])
    parsed = _parse(text, "specs/001-x/tasks.md")
    assert [t.id for t in parsed.tasks] == ["T001"]
    assert [str(d) for d in parsed.diagnostics] == [
        "specs/001-x/tasks.md:3: checkbox without a task id; Spec Kit tasks read "
        "`- [ ] T001 Description` (line ignored)"]


def test_duplicate_ids_and_unknown_dependencies_are_diagnosed():
    text = "- [ ] T001 a\n- [ ] T001 again\n- [ ] T002 b (depends on T099)\n"
    parsed = _parse(text, "t.md")
    assert [t.id for t in parsed.tasks] == ["T001", "T002"]
    assert parsed.by_id()["T002"].depends_on == ()
    assert [str(d) for d in parsed.diagnostics] == [
        "t.md:2: duplicate task id T001 (first at line 1); this line is ignored, give it a new id",
        "t.md:3: T002 depends on T099, which is not a task in this file (ignored)",
    ]


def test_fenced_code_and_non_checkbox_bullets_are_not_tasks():
    text = "\n".join([
        "- [P] tasks = different files, no dependencies",
        "```bash",
        "# Phase 9: not a heading",
        "- [ ] T900 inside a fence",
        "```",
        "- [ ] T001 real",
    ])
    parsed = _parse(text)
    assert [t.id for t in parsed.tasks] == ["T001"]
    assert parsed.tasks[0].line == 6 and parsed.diagnostics == ()


def test_crlf_and_status_marks():
    text = "## Phase 1: A\r\n- [-] T001 going\r\n- [~] T002 queued\r\n- [ ] T003 open\r\n"
    tasks = _parse(text).by_id()
    assert tasks["T001"].status is TaskStatus.IN_PROGRESS
    assert tasks["T002"].status is TaskStatus.QUEUED
    assert tasks["T003"].line == 4 and tasks["T003"].title == "open"


def test_an_optional_heading_leaves_its_tasks_required():
    """Spec Kit's template keeps "(OPTIONAL - only if requested)" when the tests were asked
    for (tests/spec/test_speckit_optional_heading.py generates the forms)."""
    text = "### Tests (OPTIONAL - only if requested)\n- [ ] T010 [P] [US1] test\n" \
           "### Implementation\n- [ ] T011 [US1] code\n"
    tasks = _parse(text).by_id()
    assert not tasks["T010"].optional and not tasks["T011"].optional


def test_empty_and_garbage_input():
    assert _parse("").tasks == ()
    assert _parse("\x00\x0b\u2028- [ ]\n").tasks == ()


def test_loader_reads_a_speckit_folder(tmp_path):
    folder = tmp_path / "specs" / "178-helpers"
    folder.mkdir(parents=True)
    source = FIXTURES / "fsgg-test-util-helpers" / "tasks.md"
    (folder / "tasks.md").write_bytes(source.read_bytes())
    (folder / "spec.md").write_text("# Spec\n\nFR-001 ...\n", encoding="utf-8")
    spec = load_spec(tmp_path)
    assert spec.format is SpecFormat.SPECKIT
    assert len(spec.tasks) == 25 and spec.progress() == (25, 25)
    assert spec.requirements_text.startswith("# Spec")
    assert spec.tasks[0].file == "specs/178-helpers/tasks.md"


def test_a_deps_label_is_the_whole_list_and_a_nested_task_is_a_sub_task():
    text = ("## Phase 1: Setup\n"
            "- [ ] T001 Scaffold\n"
            "- [ ] T002 [deps: none] Docs, independent of the scaffold\n"
            "## Phase 2: Build\n"
            "- [ ] T003 [deps: T001] Store\n"
            "  - [ ] T004 Dataclass\n"
            "    - a detail of T004\n"
            "  - [ ] T005 [P] Add\n"
            "- [ ] T006 Wire up\n")
    tasks = speckit.parse(text, "tasks.md")
    by_id = tasks.by_id()
    assert tasks.diagnostics == ()
    assert by_id["T002"].depends_on == ()  # not after T001, though in file order after it
    assert by_id["T003"].children == ("T004", "T005")
    assert by_id["T003"].depends_on == ("T001", "T004", "T005")  # its list and its sub-tasks
    assert (by_id["T004"].parent, by_id["T004"].details) == ("T003", ("a detail of T004",))
    # unlabelled tasks keep Spec Kit's order: the phase barrier, then the file order
    assert by_id["T004"].depends_on == ("T001", "T002")
    assert by_id["T005"].depends_on == ("T004",)
    assert by_id["T006"].depends_on == ("T005",)
