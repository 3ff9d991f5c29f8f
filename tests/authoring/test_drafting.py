"""Drafting a phase: a plan the reader rejects goes back to the model with the reader's words."""

from __future__ import annotations

from reviewloop.authoring import drafting
from reviewloop.authoring import phases as ph
from tests.support import drafts
from tests.support.chat import ScriptedChatModel, message_text

INPUTS = ph.Inputs(what="a todo API", name="todo", approved={ph.REQUIREMENTS: drafts.REQUIREMENTS})


def test_a_cyclic_plan_is_sent_back_with_the_validators_message():
    model = ScriptedChatModel().enqueue(drafts.CYCLIC_TASKS, drafts.TASKS)
    result = drafting.draft_phase(ph.TASKS, INPUTS, model)
    assert result.text == drafts.TASKS.strip() and result.problems == () and result.attempts == 2
    retry = message_text(model.history[1][-1])
    assert "The spec reader rejected that draft" in retry
    assert "cycle" in retry.lower() and drafts.CYCLIC_TASKS.splitlines()[0] in retry


def test_an_uncited_requirement_is_sent_back():
    model = ScriptedChatModel().enqueue(drafts.UNCITED_TASKS, drafts.TASKS)
    result = drafting.draft_phase(ph.TASKS, INPUTS, model)
    assert result.problems == ()
    retry = message_text(model.history[1][-1])
    assert "requirement FR-2 is not traced to the task plan" in retry
    assert "task T2 cites no requirement" in retry


def test_a_design_that_skips_a_requirement_is_sent_back_naming_it_and_the_layer():
    partial = "One module, `todo/store.py` (FR-1, FR-2)."
    model = ScriptedChatModel().enqueue(partial, drafts.HIGH_LEVEL)
    result = drafting.draft_phase(ph.HIGH_LEVEL, INPUTS, model)
    assert result.problems == () and result.attempts == 2
    retry = message_text(model.history[1][-1])
    assert "requirement NFR-1 is not traced to the high-level design" in retry


def test_a_low_level_design_citing_nothing_is_refused_at_its_gate():
    bare = "### Components\n\n- **TodoStore** — owns the todos\n"
    model = ScriptedChatModel().enqueue(*[bare] * drafting.MAX_ATTEMPTS)
    result = drafting.draft_phase(ph.LOW_LEVEL, INPUTS, model)
    assert result.attempts == drafting.MAX_ATTEMPTS
    assert [p.split(":")[0] for p in result.problems] == [
        f"requirement {r} is not traced to the low-level design"
        for r in ("FR-1", "FR-2", "NFR-1")]


def test_a_plan_still_rejected_after_the_last_attempt_keeps_its_problems():
    model = ScriptedChatModel().enqueue(*[drafts.CYCLIC_TASKS] * drafting.MAX_ATTEMPTS)
    result = drafting.draft_phase(ph.TASKS, INPUTS, model)
    assert result.attempts == drafting.MAX_ATTEMPTS and len(model.history) == drafting.MAX_ATTEMPTS
    assert any("cycle" in p.lower() for p in result.problems)


def test_a_revision_carries_the_feedback_and_the_previous_draft():
    model = ScriptedChatModel().enqueue(drafts.HIGH_LEVEL_REVISED)
    result = drafting.draft_phase(ph.HIGH_LEVEL, INPUTS, model, feedback=["say it is a dict"],
                                  previous=drafts.HIGH_LEVEL)
    asked = message_text(model.history[0][-1])
    assert drafts.HIGH_LEVEL in asked and "- say it is a dict" in asked
    assert drafts.REQUIREMENTS.strip() in asked  # the approved phase before it
    assert result.text == drafts.HIGH_LEVEL_REVISED


def test_offline_each_phase_is_a_skeleton_with_the_description():
    for phase in ph.PHASES:
        result = drafting.draft_phase(phase, ph.Inputs(
            what="A todo API", name="todo",
            approved={ph.REQUIREMENTS: ph.skeleton(ph.REQUIREMENTS, INPUTS)}), None)
        assert result.problems == (), phase
    assert "No model was used" in ph.skeleton(ph.RESEARCH, INPUTS)
    assert "a todo API" in ph.skeleton(ph.TASKS, INPUTS)


def test_offline_feedback_is_kept_as_a_note():
    result = drafting.draft_phase(ph.HIGH_LEVEL, INPUTS, None, feedback=["use a dict"],
                                  previous="Placeholder.")
    assert result.text == "Placeholder.\n\n> Review note: use a dict"


def test_clarifying_questions_are_parsed():
    model = ScriptedChatModel().enqueue("- Which storage?\n- Multi-user?\n", "NONE")
    assert drafting.questions(model, "a todo API") == ["Which storage?", "Multi-user?"]
    assert drafting.questions(model, "a todo API") == []
    assert drafting.questions(None, "a todo API") == []
