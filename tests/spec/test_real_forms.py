"""Forms seen in public cc-sdd, Kiro and Spec Kit files: read them as their authors meant."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from reviewloop.spec import kiro, select, speckit
from reviewloop.spec.loader import load_spec
from reviewloop.spec.writeback import mark_done
from tests.support.spec_fixtures import SPECS


def test_optional_marker_directly_after_the_id():
    text = ("- [ ] 7. Tests\n"
            "- [ ] 7.8 API end-to-end test\n"
            "  - full flow\n"
            "- [ ] 7.9* (P) Performance test\n"
            "  - load test at 1000 req/min\n")
    tasks = kiro.parse(text, "tasks.md")
    by_id = tasks.by_id()
    assert not tasks.diagnostics
    assert by_id["7.9"].optional and by_id["7.9"].parallel
    assert by_id["7.9"].title == "Performance test"
    assert by_id["7.9"].details == ("load test at 1000 req/min",)
    assert by_id["7.8"].details == ("full flow",)


def test_bold_ids_still_read_after_the_optional_form_was_added():
    by_id = kiro.parse("- [ ] **1.2** Title\n", "t.md").by_id()
    assert by_id["1.2"].title == "Title" and not by_id["1.2"].optional


def test_stray_list_markers_before_the_checkbox():
    text = ("- [ ] 1. Requirements\n"
            "  - - [ ] 1.1 A user is defined by name and fund\n"
            "  - - [x] 1.2 A user can be edited\n")
    tasks = kiro.parse(text, "tasks.md")
    assert [t.id for t in tasks.tasks] == ["1", "1.1", "1.2"]
    assert tasks.by_id()["1.2"].is_done and tasks.by_id()["1.1"].parent == "1"


def test_an_ordered_list_checkbox_is_a_task():
    tasks = speckit.parse("1. [ ] T001 Create the project\n2. [x] T002 Add CI\n", "t.md")
    assert [(t.id, t.is_done) for t in tasks.tasks] == [("T001", False), ("T002", True)]


def test_an_unreadable_checkbox_keeps_its_details_to_itself():
    text = ("- [ ] 1. First\n"
            "  - first detail\n"
            "- [ ] Second, without an id\n"
            "  - second detail\n"
            "- [ ] 2. Third\n")
    tasks = kiro.parse(text, "tasks.md")
    assert tasks.by_id()["1"].details == ("first detail",)
    assert [d.line for d in tasks.diagnostics] == [3]


def test_commented_out_tasks_are_not_tasks():
    text = ("- [ ] T001 Real task\n"
            "<!-- - [ ] T002 Dropped task -->\n"
            "<!--\n"
            "- [ ] T003 Also dropped\n"
            "-->\n"
            "- [ ] T004 Real again <!-- #42 -->\n")
    tasks = speckit.parse(text, "tasks.md")
    assert [t.id for t in tasks.tasks] == ["T001", "T004"]
    assert tasks.by_id()["T004"].title == "Real again"
    assert not tasks.diagnostics


def test_issue_number_comment_after_a_kiro_title_is_dropped():
    tasks = kiro.parse("- [ ] 2.1 (P) Build PDF template engine <!-- #44 -->\n", "t.md")
    assert tasks.by_id()["2.1"].title == "Build PDF template engine"


def test_letter_suffixed_ids_and_prose_that_names_them():
    text = ("## Phase 1: Setup\n"
            "- [ ] T010 Configure the harness\n"
            "- [ ] T010a [P] Watchdog\n"
            "- [ ] T010b [P] Cache\n"
            "- [ ] T011 Wire it up (after T010a)\n")
    by_id = speckit.parse(text, "t.md").by_id()
    assert list(by_id) == ["T010", "T010a", "T010b", "T011"]
    assert by_id["T010a"].parallel and by_id["T010a"].depends_on == ("T010",)
    assert by_id["T011"].depends_on == ("T010a", "T010b")


def test_cc_sdd_waves_follow_file_order_and_parallel_markers():
    text = ("- [ ] 1. Base\n"
            "- [ ] 1.1 Schema\n"
            "- [ ] 1.2 (P) Model\n"
            "- [ ] 1.3 (P) Repository\n"
            "- [ ] 2. Services\n"
            "- [ ] 2.1 (P) Follow service\n"
            "- [ ] 2.2 (P) Mute service\n"
            "- [ ] 2.3 Endpoints\n"
            "  - _Depends: 2.1_\n")
    tasks = kiro.parse(text, "tasks.md")
    assert tasks.dialect == "cc-sdd"
    assert select.waves(tasks.tasks).waves == (
        ("1.1",), ("1.2", "1.3"), ("2.1", "2.2"), ("2.3",))


def test_plain_kiro_files_keep_their_own_dependencies_only():
    text = "- [ ] 1. A\n- [ ] 2. B\n- [ ] 3. C\n  - _Requirements: 1.1_\n"
    tasks = kiro.parse(text, "tasks.md")
    assert tasks.dialect is None
    assert select.waves(tasks.tasks).waves == (("1", "2", "3"),)


def test_cc_sdd_spec_json_makes_a_file_without_markers_sequential(tmp_path: Path):
    folder = tmp_path / ".kiro" / "specs" / "todo"
    folder.mkdir(parents=True)
    (folder / "tasks.md").write_text("- [ ] 1. A\n- [ ] 2. B\n")
    (folder / "spec.json").write_text(json.dumps({"feature_name": "todo", "phase": "tasks"}))
    spec = load_spec(tmp_path)
    assert spec.dialect == "cc-sdd"
    assert spec.task("2").depends_on == ("1",)


def test_spec_kit_story_phases_the_file_frees_run_beside_each_other():
    text = "\n".join([
        "## Phase 1: Setup", "- [ ] T001 a",
        "## Phase 2: Foundational", "- [ ] T002 b",
        "## Phase 3: User Story 1 - Sign in", "### Tests", "- [ ] T003 [P] [US1] t1",
        "- [ ] T004 [P] [US1] t2", "### Implementation", "- [ ] T005 [P] [US1] i1",
        "## Phase 4: User Story 2 - Profiles", "- [ ] T006 [US2] p",
        "## Phase 5: Polish", "- [ ] T007 docs",
        "## Dependencies & Execution Order",
        "- **User Story 1 (P1)**: Can start after Foundational (Phase 2)",
        "- **User Story 2 (P2)**: Can start after Foundational (Phase 2) - May integrate with US1",
    ])
    tasks = speckit.parse(text, "tasks.md")
    assert select.waves(tasks.tasks).waves == (
        ("T001",), ("T002",), ("T003", "T004", "T006"), ("T005",), ("T007",))


def test_atlas_pie_fixture_plan():
    text = (SPECS / "speckit" / "atlas-pie" / "tasks.md").read_text(encoding="utf-8")
    tasks = speckit.parse(text, "tasks.md")
    plan = select.waves(tasks.tasks)
    # T131-T132 are ticked ahead of the open T130b-T130d: T133 still waits for those
    assert plan.waves[:4] == (("T130b",), ("T130c", "T130d"), ("T133",), ("T133a",))
    assert plan.order[-1] == "T037d"
    assert [d.message for d in tasks.diagnostics] == [
        "duplicate task id T037 (first at line 164); this line is ignored, give it a new id"]


def test_writing_back_a_letter_suffixed_task_touches_only_its_mark(tmp_path: Path):
    target = tmp_path / "specs" / "001-x" / "tasks.md"
    target.parent.mkdir(parents=True)
    shutil.copyfile(SPECS / "speckit" / "atlas-pie" / "tasks.md", target)
    before = target.read_bytes()
    spec = load_spec(tmp_path)
    assert mark_done(target, spec.tasks, "T130b") == ["T130b"]
    after = target.read_bytes()
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    line = before[:changed[0]].count(b"\n") + 1
    assert len(changed) == 1 and line == spec.task("T130b").line


def test_writing_back_an_optional_starred_task(tmp_path: Path):
    target = tmp_path / ".kiro" / "specs" / "f" / "tasks.md"
    target.parent.mkdir(parents=True)
    target.write_text("- [ ] 7. Tests\n- [ ] 7.8 E2E\n- [ ] 7.9* (P) Perf\n")
    spec = load_spec(tmp_path)
    mark_done(target, spec.tasks, "7.9")
    assert target.read_text() == "- [ ] 7. Tests\n- [ ] 7.8 E2E\n- [x] 7.9* (P) Perf\n"


def test_a_spec_kit_task_without_a_checkbox_is_reported_not_guessed():
    text = ("## Phase 1: Setup\n"
            "- [ ] T001 Create the project\n"
            "- T002 [P] Create the config\n"
            "  - with defaults\n"
            "- [ ] T003 Add CI\n"
            "  - T001 must be merged first\n"
            "## Parallel Opportunities\n"
            "- T002–T003 can run together\n")
    tasks = speckit.parse(text, "tasks.md")
    assert [t.id for t in tasks.tasks] == ["T001", "T003"]
    assert tasks.by_id()["T001"].details == ()  # T002's detail is not T001's
    assert tasks.by_id()["T003"].details == ("T001 must be merged first",)
    assert [(d.line, d.message) for d in tasks.diagnostics] == [
        (3, "T002 looks like a task but has no checkbox (write `- [ ] T012 …`); not read")]


def test_bracketed_ids_priority_and_dependency_labels():
    text = ("## Phase 1: Setup\n"
            "- [ ] [T001] [P1] [SETUP] Verify the feature is complete\n"
            "- [ ] [T002] [P] [US1] [deps:T001, T009] Implement it\n")
    tasks = speckit.parse(text, "tasks.md")
    by_id = tasks.by_id()
    assert list(by_id) == ["T001", "T002"]
    assert by_id["T001"].title == "[SETUP] Verify the feature is complete"
    assert by_id["T001"].requirements == ()  # [P1] is a priority
    assert by_id["T002"].parallel and by_id["T002"].requirements == ("US1",)
    assert by_id["T002"].depends_on == ("T001",)
    assert [d.message for d in tasks.diagnostics] == [
        "T002 depends on T009, which is not a task in this file (ignored)"]
