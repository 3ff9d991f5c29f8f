"""The single-document spec reader: sections, requirement items, the task plan."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reviewloop.spec import docspec, select
from reviewloop.spec.loader import load_spec
from reviewloop.spec.model import SpecFormat, TaskStatus
from tests.support.spec_fixtures import SPECS, expected_summaries, task_summary

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = SPECS / "docs"
EXAMPLE = ROOT / "examples" / "todo-api"
NAMES = sorted(p.name.removesuffix(".md") for p in FIXTURES.glob("*-spec.md"))


@pytest.mark.parametrize("name", NAMES)
def test_fixture_matches_expected(name):
    text = (FIXTURES / f"{name}.md").read_text(encoding="utf-8")
    expected = expected_summaries(FIXTURES / f"{name}.expected.json")
    assert [task_summary(t) for t in docspec.parse(text, f"docs/{name}.md").tasks] == expected


def test_example_spec_is_the_fixture():
    example = EXAMPLE / "docs" / "todo-api-spec.md"
    assert example.read_bytes() == (FIXTURES / "todo-api-spec.md").read_bytes()


def test_example_spec_reads_cleanly():
    text = (FIXTURES / "todo-api-spec.md").read_text(encoding="utf-8")
    parsed = docspec.parse(text, "docs/todo-api-spec.md")
    assert parsed.diagnostics == ()
    by_id = parsed.by_id()
    assert by_id["T1"].details == ("`todo/store.py` and `tests/test_store.py`",)
    assert by_id["T3"].children == ("T3.1", "T3.2")
    assert by_id["T4"].title == "Search todos by text"
    assert by_id["T6"].title == "Add a `clear_completed()` helper that deletes completed todos"
    lines = text.split("\n")
    assert all(lines[t.line - 1].lstrip().startswith("- [") for t in parsed.tasks)


def test_messy_fixture_diagnostics():
    text = (FIXTURES / "billing-export-spec.md").read_text(encoding="utf-8")
    parsed = docspec.parse(text, "docs/billing-export-spec.md")
    assert [str(d) for d in parsed.diagnostics] == [
        "docs/billing-export-spec.md:60: 4 names requirement FR-9, which the Requirements "
        "section does not define",
        "docs/billing-export-spec.md:62: 4 depends on 7, which is not a task in this spec "
        "(ignored)",
        "docs/billing-export-spec.md:63: checkbox without a task id; write `- [ ] T3 Title` "
        "or `- [ ] 3 Title` (line ignored)",
        "docs/billing-export-spec.md:64: duplicate task id 3 (first at line 58); this line is "
        "ignored, renumber it",
        "docs/billing-export-spec.md:71: task line in a section outside the plan is not read: "
        "the plan is the `## Tasks` section and the phase headings after it (up to one such as "
        "`## Open questions`); move it there",
    ]
    by_id = parsed.by_id()
    assert by_id["2"].details == ("read rates from the rates table",
                                  "[ ] handle a missing rate with a clear error")
    assert by_id["2"].title == "Conversion at the invoice-date rate"
    assert by_id["2"].phase == "Milestone 2: the real work"
    assert by_id["3"].title == "Write the CSV file"
    assert "T9" not in by_id and "6" not in by_id


def test_sections_of_the_messy_fixture():
    text = (FIXTURES / "billing-export-spec.md").read_text(encoding="utf-8")
    found = docspec.sections(text)
    assert found.requirements is not None and found.design is not None
    assert found.requirements.startswith("## 1. Functional Requirements")
    assert found.requirements.endswith("* NFR-2: No customer data is logged.")
    assert found.design.startswith("## Architecture")
    assert "## Detailed Design" in found.design and "Implementation Plan" not in found.design
    assert list(found.requirement_items) == ["FR-1", "FR-2", "FR-3", "NFR-1", "NFR-2"]
    assert found.requirement_items["FR-1"] == (
        "### FR-1: Monthly CSV export\n"
        "The service writes one CSV per customer per month.\n\n"
        "#### Acceptance criteria\n"
        "- [ ] The file name is `<customer>-<yyyy-mm>.csv`\n"
        "- [ ] Amounts use two decimals and a dot")
    assert found.requirement_items["FR-3"].startswith("### fr3 — Re-running is safe")


def test_sections_of_the_example():
    found = docspec.sections((FIXTURES / "todo-api-spec.md").read_text(encoding="utf-8"))
    assert len(found.requirement_items) == 8
    assert found.requirement_items["FR-3"].splitlines() == [
        "- **FR-3** A caller can mark a todo as complete by id.",
        "  - Completing an already completed todo is allowed and changes nothing.",
        "  - An unknown id raises `KeyError` naming the id.",
    ]
    assert found.design is not None
    assert "## High-level design" in found.design and "## Low-level design" in found.design
    assert "## Tasks" not in found.design


def test_sections_absent():
    found = docspec.sections("# Just a title\n\n- [ ] T1 thing\n")
    assert found.requirements is None and found.design is None
    assert found.requirement_items == {}


@pytest.mark.parametrize("heading", [
    "## Tasks", "# TASKS", "### Task plan", "## Implementation Plan", "## 4. Task list",
    "#### work plan",
])
def test_task_section_synonyms(heading):
    text = f"# Spec\n\n- [ ] T9 not in the plan\n\n{heading}\n\n- [ ] T1 First\n"
    parsed = docspec.parse(text, "s.md")
    assert [t.id for t in parsed.tasks] == ["T1"]


@pytest.mark.parametrize("title, kind", [
    ("Requirements", "requirements"), ("Non-functional requirements", "requirements"),
    ("High-level design", "design"), ("LOW LEVEL DESIGN", "design"),
    ("Architecture", "design"), ("FR-3: Tasks can be completed", None),
    ("Open questions", None), ("2. Task plan", "tasks"),
])
def test_section_kind(title, kind):
    assert docspec.section_kind(title) == kind


def test_requirement_item_forms():
    text = "\n".join([
        "## Requirements",
        "FR-1: paragraph form",
        "- **NFR-1** bold bullet form",
        "1. FR-2 numbered form",
        "### FR-4 — heading form",
        "- given a heading item, its bullets are criteria",
        "Mentions of FR-1 inside text do not start an item.",
        "## Design",
    ])
    items = docspec.sections(text).requirement_items
    assert list(items) == ["FR-1", "NFR-1", "FR-2", "FR-4"]
    assert items["FR-4"].endswith("do not start an item.")


def test_metadata_lines_and_inline_forms():
    text = "\n".join([
        "## Requirements",
        "- FR-1 a", "- FR-2 b", "- NFR-1 c",
        "## Tasks",
        "- [ ] T1 First",
        "- [ ] T2 Second (depends on T1) (FR-1, FR-2)",
        "  _Requirements: NFR-1_",
        "- [ ] T3 Third",
        "  - **Depends:** T1, T2",
        "  - Reqs: fr2",
        "  - Depends: none",
    ])
    parsed = docspec.parse(text, "s.md")
    by_id = parsed.by_id()
    assert by_id["T2"].title == "Second"
    assert by_id["T2"].depends_on == ("T1",)
    assert by_id["T2"].requirements == ("FR-1", "FR-2", "NFR-1")
    assert by_id["T3"].depends_on == ("T1", "T2") and by_id["T3"].requirements == ("FR-2",)
    assert by_id["T3"].details == () and parsed.diagnostics == ()


def test_nesting_by_indentation_and_dotted_ids():
    text = "\n".join([
        "## Tasks",
        "- [ ] 1 Parent",
        "\t- [x] 1.1 tab-indented child",
        "      - [ ] 1.1.1 grandchild (a tab counts as four columns)",
        "- [ ] 1.2 flush-left child of 1",
        "- [ ] 2 Next (depends on 1)",
    ])
    by_id = docspec.parse(text, "s.md").by_id()
    assert by_id["1"].children == ("1.1", "1.2")
    assert by_id["1.1"].children == ("1.1.1",) and by_id["1.1.1"].parent == "1.1"
    assert by_id["1"].depends_on == ("1.1", "1.2")
    assert by_id["2"].depends_on == ("1",) and by_id["1.1"].status is TaskStatus.DONE


def test_ids_match_with_or_without_the_t_prefix():
    text = "## Tasks\n- [ ] 1 a\n- [ ] 2 b\n  Depends: T1\n- [ ] T3 c\n  Depends: 2\n"
    by_id = docspec.parse(text, "s.md").by_id()
    assert by_id["2"].depends_on == ("1",)
    assert by_id["T3"].depends_on == ("2",)


def test_optional_forms():
    text = "## Tasks\n- [ ]* 1 star\n- [ ] 2 (optional) word\n- [ ] 3 Optional: prefix\n" \
           "- [ ] 4 plain\n"
    by_id = docspec.parse(text, "s.md").by_id()
    assert [by_id[i].optional for i in "1234"] == [True, True, True, False]
    assert by_id["2"].title == "word" and by_id["3"].title == "prefix"


def test_without_a_tasks_heading_checkboxes_outside_other_sections_count():
    text = "## Requirements\n- [ ] FR-1 criterion checkbox\n\n# Plan B\n- [ ] T1 a\n"
    parsed = docspec.parse(text, "s.md")
    assert [t.id for t in parsed.tasks] == ["T1"]


def test_no_tasks_at_all_is_one_diagnostic():
    parsed = docspec.parse("# Empty spec\n\nSome prose.\n", "docs/x-spec.md")
    assert parsed.tasks == ()
    assert [str(d) for d in parsed.diagnostics] == [
        "docs/x-spec.md:1: no tasks found; add a `## Tasks` section with lines like "
        "`- [ ] T1 Title` (see docs/spec-format.md)"]


def test_crlf_keeps_line_numbers():
    text = "## Tasks\r\n\r\n- [ ] T1 a\r\n  Depends: T2\r\n- [ ] T2 b\r\n"
    parsed = docspec.parse(text, "s.md")
    assert [(t.id, t.line, t.title) for t in parsed.tasks] == [("T1", 3, "a"), ("T2", 5, "b")]
    assert parsed.by_id()["T1"].depends_on == ("T2",)


def test_loader_reads_the_example(tmp_path):
    spec = load_spec(EXAMPLE, EXAMPLE / "docs" / "todo-api-spec.md")
    assert spec.format is SpecFormat.DOCS
    assert spec.progress() == (1, 7)
    assert spec.requirements_text is not None and spec.design_text is not None
    assert spec.requirements_text.startswith("## Requirements")
    assert spec.design_text.startswith("## High-level design")
    assert spec.steering_dir == EXAMPLE / ".kiro" / "steering"


def test_example_project_tests_pass():
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            cwd=EXAMPLE, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_example_in_the_format_guide_parses_cleanly():
    guide = (ROOT / "docs" / "spec-format.md").read_text(encoding="utf-8")
    example = guide.split("## Example", 1)[1].split("```markdown\n", 1)[1].split("\n```", 1)[0]
    parsed = docspec.parse(example, "guide.md")
    assert parsed.diagnostics == ()
    assert [task_summary(t) for t in parsed.tasks] == [
        {"id": "T1", "status": "done", "optional": False, "parent": None, "depends_on": [],
         "requirements": ["FR-1", "NFR-1"]},
        {"id": "T2", "status": "open", "optional": False, "parent": None, "depends_on": ["T1"],
         "requirements": ["FR-2"]},
        {"id": "T3", "status": "open", "optional": True, "parent": None, "depends_on": ["T2"],
         "requirements": []},
    ]
    assert list(docspec.sections(example).requirement_items) == ["FR-1", "FR-2", "NFR-1"]


def test_a_sub_task_naming_its_parent_is_not_a_cycle():
    text = "## Tasks\n- [ ] T1 parent\n  - [ ] T1.1 child\n    Depends: T1\n"
    parsed = docspec.parse(text, "s.md")
    # kept as written; the plan ignores it (the parent waits for it already) and says so
    assert parsed.by_id()["T1.1"].depends_on == ("T1",)
    plan = select.waves(parsed.tasks)
    assert plan.waves == (("T1.1",),)
    assert [d.message for d in plan.diagnostics] == [
        "T1.1 depends on T1, a task it is part of, which already waits for it (ignored)"]
