"""A heading after a doc spec's `## Tasks` (`## Phase 2`, `## Testing`, `## Rollout`) is a
phase of the plan, as in Kiro's and Spec Kit's readers: its tasks are read. A heading that ends
the plan (`## Open questions`, `## Design notes`) leaves its task lines unread, and each is a
diagnostic at its line: a task line is never dropped silently. Generated: heading words,
level, and where among the tasks the heading goes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.spec import docspec

HEAD = "# Todo spec\n\n## Requirements\n\n- FR-1 Add\n- FR-2 List\n\n## Design\n\nOne module.\n\n"
TASKS = ["- [x] T1 Create the store", "  - Requirements: FR-1", "- [ ] T2 Add the endpoint",
         "  - Requirements: FR-2", "- [ ] T3 Write the tests", "  Depends: T2",
         "- [ ] T4 Document the API"]
STARTS = [0, 2, 4, 6]  # the lines of TASKS a heading may go before
PHASES = st.sampled_from(["Phase 2", "Phase 2: Hardening", "Testing", "Rollout",
                          "Milestone 3", "Hardening", "Stage two", "Wrap-up"])
ENDINGS = st.sampled_from(["Open questions", "Notes", "Out of scope", "Design notes",
                           "Future work", "Risks"])
LEVELS = st.sampled_from(["#", "##", "###"])


def _text(inserted: str, at: int) -> tuple[str, list[int]]:
    lines = [*HEAD.split("\n")[:-1], "## Tasks", ""]
    body = [*TASKS[:at], "", inserted, "", *TASKS[at:]]
    text = "\n".join(lines + body) + "\n"
    boxes = [n for n, line in enumerate(text.split("\n"), start=1) if line.startswith("- [")]
    return text, boxes


@settings(max_examples=120, deadline=None, derandomize=True)
@given(words=PHASES, level=LEVELS, at=st.sampled_from(STARTS))
def test_a_phase_heading_after_tasks_keeps_every_task(words: str, level: str, at: int) -> None:
    text, boxes = _text(f"{level} {words}", at)
    parsed = docspec.parse(text, "docs/todo-spec.md")
    assert [t.id for t in parsed.tasks] == ["T1", "T2", "T3", "T4"], text
    assert [t.line for t in parsed.tasks] == boxes
    assert parsed.diagnostics == (), text
    after = [t.phase for t in parsed.tasks][at // 2:]
    assert after == [words] * len(after)
    assert parsed.by_id()["T3"].depends_on == ("T2",)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(words=ENDINGS, level=st.sampled_from(["#", "##"]), at=st.sampled_from(STARTS))
def test_a_heading_that_ends_the_plan_names_each_task_line_it_leaves(words: str, level: str,
                                                                     at: int) -> None:
    text, boxes = _text(f"{level} {words}", at)
    parsed = docspec.parse(text, "docs/todo-spec.md")
    read = {t.line for t in parsed.tasks}
    named = {d.line for d in parsed.diagnostics if "is not read" in d.message}
    assert read | named == set(boxes) and not read & named, text
    assert [t.id for t in parsed.tasks] == ["T1", "T2", "T3", "T4"][:at // 2]


def test_the_reported_spec_reads_phase_two() -> None:
    """fz2 D7: T1 done under `## Tasks`, T2 and T3 under `## Phase 2`: 1 of 3 done, not 1/1."""
    text = HEAD + "## Tasks\n\n- [x] T1 Store (FR-1)\n\n## Phase 2\n\n- [ ] T2 Endpoint (FR-2)\n" \
                  "- [ ] T3 Tests\n"
    parsed = docspec.parse(text, "docs/todo-spec.md")
    assert [(t.id, t.phase) for t in parsed.tasks] == [
        ("T1", None), ("T2", "Phase 2"), ("T3", "Phase 2")]
    assert parsed.by_id()["T2"].requirements == ("FR-2",)


def test_a_task_line_in_the_design_section_is_named() -> None:
    text = HEAD.replace("One module.", "One module.\n- [ ] T9 Stray task") + \
        "## Tasks\n\n- [ ] T1 Store\n"
    parsed = docspec.parse(text, "docs/todo-spec.md")
    assert [t.id for t in parsed.tasks] == ["T1"]
    assert [(d.line, "design section is not read" in d.message)
            for d in parsed.diagnostics] == [(11, True)]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(heading=st.sampled_from(["Acceptance criteria", "Success criteria", "Verification checklist",
                                "Launch checklist", "Definition of Done", "Done when",
                                "Success metrics", "KPIs", "Sign-off"]),
       level=st.sampled_from(["##", "###"]), second=st.booleans(),
       boxes=st.lists(st.sampled_from(["- [ ] 1. WHEN the CLI runs THEN it exits 0",
                                       "- [ ] 2 All tests pass", "- [ ] Security sign-off",
                                       "- [x] Docs updated"]), min_size=1, max_size=4))
def test_criteria_and_checklists_after_the_plan_are_no_tasks_and_no_noise(
        heading: str, level: str, second: bool, boxes: list[str]) -> None:
    """A review found `## Verification checklist`, `## Success criteria` or `## Definition of
    Done` after `## Tasks` read as phases of the plan: "All tests pass" became a task `run next`
    would implement, and an id-less box a warning. Criteria and checklists end the plan; their
    boxes are neither tasks nor diagnostics, but a `T<n>` line there is named."""
    body = "\n".join(boxes)
    extra = f"\n\n{level} Success metrics\n\n{body}" if second else ""
    text = (HEAD + "## Tasks\n\n" + "\n".join(TASKS) + f"\n\n{level} {heading}\n\n{body}{extra}\n")
    parsed = docspec.parse(text, "spec.md")
    assert [t.id for t in parsed.tasks] == ["T1", "T2", "T3", "T4"]
    assert parsed.diagnostics == ()
    moved = docspec.parse(text + "- [ ] T5 Ship it\n", "spec.md")
    assert [t.id for t in moved.tasks] == ["T1", "T2", "T3", "T4"]
    [said] = moved.diagnostics
    assert said.line == len(text.split("\n")) and "is not read" in said.message
