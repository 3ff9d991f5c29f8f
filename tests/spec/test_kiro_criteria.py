"""Checkboxes under a Kiro tasks file's "Definition of Done" or "Acceptance Criteria" heading
are criteria, not tasks, numbered or not (docs/specs.md); a phase named "Verification" or
"Checklist" keeps its numbered tasks. Generated: heading words, levels and the criteria's
forms (numbered, sub-numbered, EARS lines that reuse a task's id)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.spec import kiro

HEAD = "# Implementation Plan\n\n- [ ] 1. Set up project\n- [ ] 2. Build API\n  - Detail\n\n"
CRITERIA = st.sampled_from(["Definition of Done", "Acceptance Criteria", "Success criteria",
                            "Exit Criteria", "DoD / Definition of done", "验收标准",
                            "**Acceptance Criteria:**", "5. Exit criteria (all must hold) ✅"])
ITEMS = st.lists(st.sampled_from([
    "- [ ] 3. All unit tests pass", "- [ ] 4. Code reviewed by a second engineer",
    "- [ ] 1. WHEN a user posts THEN the API SHALL store it", "- [x] 2.1 Docs updated",
    "- [ ] Lint is clean", "  - [ ] 5. Nested criterion"]), min_size=1, max_size=5)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(heading=CRITERIA, level=st.sampled_from(["##", "###"]), items=ITEMS)
def test_criteria_are_never_tasks(heading: str, level: str, items: list[str]) -> None:
    text = HEAD + f"{level} {heading}\n" + "".join(f"{item}\n" for item in items)
    parsed = kiro.parse(text, ".kiro/specs/f/tasks.md")
    assert [t.id for t in parsed.tasks] == ["1", "2"], text
    assert parsed.by_id()["2"].details == ("Detail",)
    numbered = [number for number, line in enumerate(text.split("\n"), start=1)
                if kiro.split_id(line.split("]", 1)[-1].strip()) is not None]
    # each numbered box skipped as a criterion is named at its line, never dropped silently
    assert [d.line for d in parsed.diagnostics] == numbered[2:], text
    assert all("read as a criterion, not a task" in d.message for d in parsed.diagnostics)


def test_a_phase_named_verification_keeps_its_tasks() -> None:
    text = HEAD + "## Verification\n- [ ] 3. Verify the deployment\n## Checklist\n" \
                  "- [ ] 4. Check the logs\n"
    assert [t.id for t in kiro.parse(text, "tasks.md").tasks] == ["1", "2", "3", "4"]


PHASE_FORMS = st.sampled_from(["Phase {n}: Validate {name}", "Phase {n}: {name} Validation",
                               "Phase {n}: {name}", "{name} review and sign-off",
                               "Check the {name}", "Phase {n} — meet the {name}"])


@settings(max_examples=100, deadline=None, derandomize=True)
@given(form=PHASE_FORMS, name=CRITERIA, n=st.integers(1, 12),
       level=st.sampled_from(["##", "###"]))
def test_a_phase_heading_holding_the_words_keeps_its_tasks(form: str, name: str, n: int,
                                                           level: str) -> None:
    """`## Phase 2: Validate Success Criteria` is a phase: its numbered boxes are tasks."""
    heading = form.format(n=n, name=name)
    text = HEAD + f"{level} {heading}\n- [ ] 3. Write the end-to-end tests\n" \
                  "  - _Requirements: 1.1_\n- [ ] 4. Run them in CI\n"
    parsed = kiro.parse(text, ".kiro/specs/f/tasks.md")
    assert [t.id for t in parsed.tasks] == ["1", "2", "3", "4"], heading
    assert parsed.by_id()["3"].phase == heading
    assert parsed.diagnostics == (), heading


@settings(max_examples=40, deadline=None, derandomize=True)
@given(name=st.sampled_from(["Acceptance criteria", "Definition of Done", "Exit criteria",
                             "Success Criteria", "DoD"]),
       rest=st.sampled_from([" for task 2", " of phase 1", " per task", " - phase 1",
                             " — rollout"]),
       level=st.sampled_from(["##", "###"]))
def test_a_heading_that_opens_with_a_criteria_name_holds_criteria(
        name: str, rest: str, level: str) -> None:
    """A review found "### Acceptance criteria for task 2" read as a phase: its numbered
    boxes became tasks 3 and 4, silently. A heading that opens with a criteria name and goes
    on `for …`/`of …`/`- …` is criteria; one that only holds the words later ("Phase 2:
    Validate Success Criteria") stays a phase."""
    text = HEAD + f"{level} {name}{rest}\n\n- [ ] 3. It exits 0\n- [ ] 4. It prints usage\n"
    parsed = kiro.parse(text, "tasks.md")
    assert [t.id for t in parsed.tasks] == ["1", "2"]
    assert [d.line for d in parsed.diagnostics] == [9, 10]
    phase = kiro.parse(HEAD + f"{level} Phase 3: Check {name}{rest}\n\n- [ ] 3. It exits 0\n",
                       "tasks.md")
    assert [t.id for t in phase.tasks] == ["1", "2", "3"]
