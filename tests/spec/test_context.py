"""Task context: requirement criteria, design sections and steering for the implementer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reviewloop.spec import context
from reviewloop.spec.model import Spec, SpecFormat, Task

CORPUS = Path("/work/shared/corpus/specs")
MAIL = "Vaishnavishatagopam77__mail_automation__.kiro__specs__email-automation__"
HINTO = "meiiie__Hinto_Stock__.kiro__specs__desktop-trading-dashboard__"
GOV = "zxj6827111-blip__KIROGOVCOMPARE__.kiro__specs__gov-report-diff__"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "docs"

SPECKIT_SPEC = """\
# Feature Specification: Portfolio

## User Scenarios & Testing *(mandatory)*

### User Story 1 - See live prices (Priority: P1)

A user opens the dashboard and sees prices update.

**Acceptance Scenarios**:

1. **Given** an open dashboard, **When** a price changes, **Then** it is shown.

### User Story 2 - Export (Priority: P2)

A user exports holdings as CSV.

## Requirements *(mandatory)*

### Functional Requirements

- **FR-001**: System MUST poll prices every 5 seconds.
- **FR-002**: System MUST export CSV.
"""


def kiro_spec(tmp_path: Path, prefix: str, *, tasks: tuple[Task, ...] = (),
              steering: Path | None = None, design: bool = True) -> Spec:
    """Copy a real Kiro requirements/design pair into a temp spec folder."""
    folder = tmp_path / ".kiro" / "specs" / "feature"
    folder.mkdir(parents=True)
    shutil.copy(CORPUS / f"{prefix}requirements.md", folder / "requirements.md")
    if design:
        shutil.copy(CORPUS / f"{prefix}design.md", folder / "design.md")
    read = lambda name: (folder / name).read_text(encoding="utf-8") \
        if (folder / name).exists() else None  # noqa: E731
    return Spec(format=SpecFormat.KIRO, root=tmp_path, tasks_file=folder / "tasks.md",
                tasks=tasks, requirements_file=folder / "requirements.md",
                requirements_text=read("requirements.md"), design_text=read("design.md"),
                steering_dir=steering)


def task(tid="2.1", title="Do it", *, refs=(), details=(), parent=None, optional=False) -> Task:
    return Task(id=tid, title=title, details=tuple(details), requirements=tuple(refs),
                parent=parent, optional=optional, file=".kiro/specs/feature/tasks.md", line=5)


# ---- requirements -----------------------------------------------------------------------


def test_kiro_criteria_are_picked_from_their_requirement(tmp_path):
    spec = kiro_spec(tmp_path, MAIL)
    ctx = context.task_context(spec, task(refs=("1.1", "1.3")))
    (excerpt,) = ctx.requirements
    assert excerpt.heading == "Requirement 1: Manage Recipient List"
    assert excerpt.refs == ("1.1", "1.3")
    lines = excerpt.text.splitlines()
    assert lines[0].startswith("**User Story:** As a Sender, I want to create and manage")
    assert lines[1].startswith("1. THE System SHALL allow the Sender to create a Recipient_List")
    assert lines[2].startswith("3. IF an email address in the Recipient_List is malformed")
    assert len(lines) == 3
    assert ctx.missing_requirements == ()


def test_a_bare_number_is_the_whole_requirement(tmp_path):
    spec = kiro_spec(tmp_path, MAIL)
    (excerpt,) = context.task_context(spec, task(refs=("2",))).requirements
    assert excerpt.heading == "Requirement 2: Create and Configure a Campaign"
    assert "#### Acceptance Criteria" in excerpt.text
    assert "1. THE System SHALL require the Sender to provide a campaign name" in excerpt.text
    assert "4. WHEN a Campaign is saved" in excerpt.text
    assert "Requirement 3" not in excerpt.text


def test_refs_across_requirements_give_one_excerpt_each_in_ref_order(tmp_path):
    spec = kiro_spec(tmp_path, MAIL)
    ctx = context.task_context(spec, task(refs=("3.2", "1.6", "3.1")))
    assert [(e.heading.split(":")[0], e.refs) for e in ctx.requirements] == [
        ("Requirement 3", ("3.2", "3.1")), ("Requirement 1", ("1.6",))]


def test_unknown_refs_are_reported_not_invented(tmp_path):
    spec = kiro_spec(tmp_path, MAIL)
    ctx = context.task_context(spec, task(refs=("1.2", "99.1", "NOPE-")))
    assert [e.refs for e in ctx.requirements] == [("1.2",)]
    assert ctx.missing_requirements == ("99.1", "NOPE-")
    assert "Not found in the requirements document: 99.1, NOPE-" in context.render(ctx)


def test_chinese_requirements_headings_and_criteria(tmp_path):
    spec = kiro_spec(tmp_path, GOV)
    (excerpt,) = context.task_context(spec, task(refs=("1.2",))).requirements
    assert excerpt.heading == "需求 1：直接上传发起比对"
    assert excerpt.text.splitlines()[0].startswith("**用户故事：**")
    assert excerpt.text.splitlines()[-1] == ("2. WHEN 用户提供两个年报的URL THEN 系统 SHALL "
                                             "下载文件并创建比对任务")


def test_criteria_without_a_trailing_colon_heading(tmp_path):
    spec = kiro_spec(tmp_path, HINTO)
    (excerpt,) = context.task_context(spec, task(refs=("7.3",))).requirements
    assert excerpt.heading == "Requirement 7: Data Persistence and History"
    assert excerpt.text.splitlines()[-1].startswith("3. WHEN calculating performance THEN")


def test_speckit_user_story_and_functional_requirement(tmp_path):
    spec = Spec(format=SpecFormat.SPECKIT, root=tmp_path, tasks_file=tmp_path / "tasks.md",
                requirements_text=SPECKIT_SPEC)
    ctx = context.task_context(spec, task("T005", refs=("US1", "FR-001", "us2")))
    first, fr, second = ctx.requirements
    assert first.heading == "User Story 1 - See live prices (Priority: P1)"
    assert "**Given** an open dashboard" in first.text
    assert "User Story 2" not in first.text
    assert fr.text == "- **FR-001**: System MUST poll prices every 5 seconds."
    assert second.heading.startswith("User Story 2")


@pytest.mark.parametrize("ref, heading, needle", [
    ("FR-1", "FR-1: Monthly CSV export", "The file name is `<customer>-<yyyy-mm>.csv`"),
    ("FR-2", "FR-2: Currency conversion", "Rates come from the rates table"),
    ("FR-3", "fr3 — Re-running is safe", "produces identical files"),
    ("NFR-1", "NFR-1", "* NFR-1: An export of 10 000 invoices finishes within 30 seconds."),
])
def test_docs_requirement_headings_and_items(tmp_path, ref, heading, needle):
    text = (FIXTURES / "billing-export-spec.md").read_text(encoding="utf-8")
    spec = Spec(format=SpecFormat.DOCS, root=tmp_path, tasks_file=tmp_path / "x-spec.md",
                requirements_text=text)
    (excerpt,) = context.task_context(spec, task("1", refs=(ref,))).requirements
    assert excerpt.heading == heading
    assert needle in excerpt.text


def test_docs_bullet_item_keeps_its_sub_bullets(tmp_path):
    text = (FIXTURES / "todo-api-spec.md").read_text(encoding="utf-8")
    spec = Spec(format=SpecFormat.DOCS, root=tmp_path, tasks_file=tmp_path / "x-spec.md",
                requirements_text=text)
    (excerpt,) = context.task_context(spec, task("T1", refs=("FR-1",))).requirements
    assert excerpt.text.splitlines() == [
        "- **FR-1** A caller can add a todo with a title and gets back the new item.",
        "  - The title is stripped of surrounding whitespace.",
        "  - An empty or whitespace-only title is rejected with `ValueError`.",
        "  - Every todo gets a unique, increasing integer id, starting at 1.",
    ]


# ---- design -----------------------------------------------------------------------------


def test_design_sections_follow_key_words_and_requirement_ids(tmp_path):
    spec = kiro_spec(tmp_path, MAIL)
    work = task(title="Implement `validateEmail`, `createList` and `addRecipients` in "
                      "RecipientListService", refs=("1.2", "1.3"))
    design = context.task_context(spec, work).design
    headings = [d.heading for d in design]
    assert "RecipientListService" in headings
    assert "Property 1: Email validation rejects malformed addresses with identification" \
        in headings
    assert len(design) <= context.MAX_DESIGN_SECTIONS
    assert sum(len(d.text) for d in design) <= context.MAX_DESIGN_CHARS


def test_design_sections_stay_in_document_order_and_are_bounded_on_a_long_design(tmp_path):
    spec = kiro_spec(tmp_path, GOV)
    design = context.task_context(spec, task(title="任务管理服务", refs=("1", "2"),
                                             details=("实现任务状态管理",))).design
    assert 0 < len(design) <= context.MAX_DESIGN_SECTIONS
    assert all(len(d.text) <= context.MAX_SECTION_CHARS + 2 for d in design)
    text = spec.design_text
    positions = [text.index(d.heading) for d in design]
    assert positions == sorted(positions)


def test_no_design_section_when_nothing_relates(tmp_path):
    spec = kiro_spec(tmp_path, MAIL)
    ctx = context.task_context(spec, task(title="Zzz qqq"))
    assert ctx.design == ()
    assert "## Design" not in context.render(ctx)


# ---- steering and rendering -------------------------------------------------------------


def make_steering(tmp_path: Path) -> Path:
    folder = tmp_path / ".kiro" / "steering"
    folder.mkdir(parents=True)
    (folder / "tech.md").write_text("Use Python 3.11.\n", encoding="utf-8")
    (folder / "python.md").write_text("---\ninclusion: fileMatch\nfileMatchPattern: '**/*.py'\n"
                                      "---\nType every function.\n", encoding="utf-8")
    (folder / "web.md").write_text("---\ninclusion: fileMatch\nfileMatchPattern: '**/*.ts'\n"
                                   "---\nNo any.\n", encoding="utf-8")
    (folder / "deploy.md").write_text("---\ninclusion: manual\n---\nDeploy on Fridays never.\n",
                                      encoding="utf-8")
    (folder / "broken.md").write_text("---\ninclusion: nope\n---\nStill read.\n",
                                      encoding="utf-8")
    return folder


def test_steering_always_and_file_match_from_task_text(tmp_path):
    spec = kiro_spec(tmp_path, MAIL, steering=make_steering(tmp_path))
    ctx = context.task_context(spec, task(details=("Edit `todo/store.py`",)))
    assert [s.name for s in ctx.steering] == ["broken", "python", "tech"]
    assert ctx.paths == ("todo/store.py",)
    assert [d.line for d in ctx.diagnostics] == [2]


def test_steering_from_given_paths_and_manual_names(tmp_path):
    spec = kiro_spec(tmp_path, MAIL, steering=make_steering(tmp_path))
    ctx = context.task_context(spec, task(details=("Follow #deploy",)), paths=["web/app.ts"])
    assert [s.name for s in ctx.steering] == ["broken", "deploy", "tech", "web"]


def test_mentioned_paths():
    text = "Create `src/api/main.py` and lib/util.ts, e.g. like Node.js; see `README.md`.\n" \
           "Not `foo bar.py`, not https://example.com/x.html"
    assert context.mentioned_paths(text) == ["src/api/main.py", "README.md", "lib/util.ts"]


def test_render_has_the_four_sections_in_order(tmp_path):
    parent = task("2", "Implement RecipientListService")
    child = task(title="Validate addresses", refs=("1.2",), parent="2",
                 details=("Reject malformed addresses", "Edit `src/recipients.py`"))
    spec = kiro_spec(tmp_path, MAIL, tasks=(parent, child), steering=make_steering(tmp_path))
    text = context.render(context.task_context(spec, child))
    assert text.startswith("## Task 2.1: Validate addresses\n\n"
                           "Part of task 2: Implement RecipientListService\n"
                           "Requirements: 1.2\nFiles: src/recipients.py\n\n"
                           "- Reject malformed addresses\n- Edit `src/recipients.py`\n")
    order = [text.index(h) for h in ("## Task", "## Requirements", "## Design", "## Steering")]
    assert order == sorted(order)
    assert "### Requirement 1: Manage Recipient List (1.2)" in text
    assert "### python.md (fileMatch)\n\nType every function." in text
    assert "Deploy on Fridays" not in text
    assert text.endswith("\n")


def test_render_omits_what_the_spec_does_not_have(tmp_path):
    spec = Spec(format=SpecFormat.KIRO, root=tmp_path, tasks_file=tmp_path / "tasks.md")
    ctx = context.task_context(spec, task(refs=("1.1",), optional=True))
    assert ctx.requirements == () and ctx.design == () and ctx.steering == ()
    assert context.render(ctx) == ("## Task 2.1: Do it\n\nThis task is marked optional.\n"
                                   "Requirements: 1.1\n")


def test_context_is_frozen(tmp_path):
    spec = Spec(format=SpecFormat.KIRO, root=tmp_path, tasks_file=tmp_path / "tasks.md")
    ctx = context.task_context(spec, task())
    with pytest.raises(AttributeError):
        ctx.paths = ()  # type: ignore[misc]
