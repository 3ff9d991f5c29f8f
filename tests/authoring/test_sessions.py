"""The gated spec graph through its sessions store: gates, revisions, resume, --approve-all."""

from __future__ import annotations

import pytest

from reviewloop.authoring import phases as ph
from reviewloop.authoring.sessions import SpecSessions
from reviewloop.authoring.start import NewSpec, deps_for, first_state
from reviewloop.config import load_settings
from reviewloop.errors import UserInputError
from reviewloop.spec.loader import load_spec
from tests.support import drafts
from tests.support.chat import ScriptedChatModel, message_text, tool_call
from tests.support.repos import repo_here

APPROVE = {"action": "approve"}


@pytest.fixture
def repo(tmp_path, monkeypatch):
    return repo_here(tmp_path / "repo", monkeypatch)


def _start(root, model, **request):
    settings = load_settings(root, flags={"model": "scripted"})
    deps = deps_for(root, settings, lambda name: model)
    state = first_state(root, NewSpec(what="A todo API", name="todo", **request), "scripted")
    return SpecSessions(root), deps, SpecSessions(root).start(state, deps)


def test_four_gates_with_one_revision_then_the_spec_is_written(repo):
    model = ScriptedChatModel().enqueue("NONE", drafts.REQUIREMENTS, drafts.HIGH_LEVEL,
                                        drafts.HIGH_LEVEL_REVISED, drafts.LOW_LEVEL, drafts.TASKS)
    sessions, deps, step = _start(repo, model, interactive=False)
    assert (step.status, step.waiting["phase"]) == ("waiting", ph.REQUIREMENTS)
    step = sessions.resume("todo", APPROVE, deps)
    assert step.waiting["phase"] == ph.HIGH_LEVEL and step.waiting["previous"] is None
    step = sessions.resume("todo", {"action": "feedback", "text": "say it is a dict"}, deps)
    assert step.waiting["phase"] == ph.HIGH_LEVEL
    assert (step.waiting["previous"], step.waiting["draft"]) == (drafts.HIGH_LEVEL,
                                                                 drafts.HIGH_LEVEL_REVISED)
    step = sessions.resume("todo", APPROVE, deps)
    assert step.waiting["phase"] == ph.LOW_LEVEL
    assert drafts.HIGH_LEVEL_REVISED in message_text(model.history[-1][-1])
    step = sessions.resume("todo", APPROVE, deps)
    assert step.waiting["phase"] == ph.TASKS and step.waiting["problems"] == []
    step = sessions.resume("todo", APPROVE, deps)
    assert step.status == "written" and model.remaining() == 0
    spec = load_spec(repo, repo / "docs/todo-spec.md")
    assert spec.diagnostics == () and len(spec.tasks) == 5
    assert "dict keyed by id" in spec.design_text
    assert sessions.find("todo").status == "written"


def test_a_new_process_finds_the_session_at_its_gate_with_drafts_intact(repo):
    model = ScriptedChatModel().enqueue("NONE", drafts.REQUIREMENTS, drafts.HIGH_LEVEL)
    sessions, deps, _ = _start(repo, model, interactive=False)
    sessions.resume("todo", APPROVE, deps)
    fresh = SpecSessions(repo)  # what `spec resume` builds after a crash
    waiting = fresh.waiting("todo")
    assert waiting.waiting["phase"] == ph.HIGH_LEVEL
    assert waiting.values["approved"][ph.REQUIREMENTS] == drafts.REQUIREMENTS.strip()
    assert waiting.waiting["draft"] == drafts.HIGH_LEVEL and len(model.history) == 3
    assert fresh.find(None).name == "todo"


def test_approve_all_skips_every_gate_and_says_so(repo):
    model = ScriptedChatModel().enqueue("NONE", drafts.REQUIREMENTS, drafts.HIGH_LEVEL,
                                        drafts.LOW_LEVEL, drafts.TASKS)
    _, _, step = _start(repo, model, approve_all=True)
    assert step.status == "written"
    text = (repo / "docs/todo-spec.md").read_text()
    assert "approve-all: every phase was accepted without human review" in text


def test_interactive_questions_come_first_and_their_answers_reach_the_requirements(repo):
    model = ScriptedChatModel().enqueue("- Which storage?", drafts.REQUIREMENTS)
    sessions, deps, step = _start(repo, model, interactive=True)
    assert step.waiting == {"kind": "questions", "questions": ["Which storage?"]}
    step = sessions.resume("todo", {"text": "in memory"}, deps)
    assert step.waiting["phase"] == ph.REQUIREMENTS
    assert "in memory" in message_text(model.history[-1][-1])


def test_unanswered_questions_become_open_questions(repo):
    model = ScriptedChatModel().enqueue("- Which storage?", drafts.REQUIREMENTS)
    _start(repo, model, interactive=False)
    asked = message_text(model.history[-1][-1])
    assert "list these under Open questions:\n- Which storage?" in asked


def test_a_plan_the_reader_still_rejects_cannot_be_approved(repo):
    model = ScriptedChatModel().enqueue("NONE", drafts.REQUIREMENTS, drafts.HIGH_LEVEL,
                                        drafts.LOW_LEVEL, *[drafts.CYCLIC_TASKS] * 3,
                                        drafts.TASKS)
    sessions, deps, step = _start(repo, model, interactive=False)
    for _ in range(3):
        step = sessions.resume("todo", APPROVE, deps)
    assert step.waiting["phase"] == ph.TASKS and step.waiting["problems"]
    step = sessions.resume("todo", APPROVE, deps)  # refused: becomes a revision request
    assert "fix the problems the spec reader reported" in message_text(model.history[-1][-1])
    assert step.waiting["phase"] == ph.TASKS and step.waiting["problems"] == []
    assert sessions.resume("todo", APPROVE, deps).status == "written"


def test_a_low_level_design_that_traces_nothing_is_refused_at_its_gate(repo):
    bare = "### Components\n\n- **TodoStore** — owns the todos\n"
    model = ScriptedChatModel().enqueue("NONE", drafts.REQUIREMENTS, drafts.HIGH_LEVEL,
                                        *[bare] * 3, drafts.LOW_LEVEL, drafts.TASKS)
    sessions, deps, step = _start(repo, model, interactive=False)
    for _ in range(2):
        step = sessions.resume("todo", APPROVE, deps)
    assert step.waiting["phase"] == ph.LOW_LEVEL
    assert [p.split(":")[0] for p in step.waiting["problems"]] == [
        f"requirement {r} is not traced to the low-level design" for r in ("FR-1", "FR-2",
                                                                            "NFR-1")]
    step = sessions.resume("todo", APPROVE, deps)  # refused: sent back with the problems
    assert "requirement NFR-1 is not traced to the low-level design" in message_text(
        model.history[-1][-1])
    assert step.waiting["phase"] == ph.LOW_LEVEL and step.waiting["problems"] == []
    step = sessions.resume("todo", APPROVE, deps)
    assert sessions.resume("todo", APPROVE, deps).status == "written"


def test_a_name_in_use_or_an_existing_spec_is_refused(repo):
    model = ScriptedChatModel().enqueue("NONE", drafts.REQUIREMENTS)
    _start(repo, model, interactive=False)
    with pytest.raises(UserInputError, match="is unfinished"):
        _start(repo, model, interactive=False)
    (repo / "docs").mkdir()
    (repo / "docs/other-spec.md").write_text("# x\n")
    with pytest.raises(UserInputError, match="already exists"):
        first_state(repo, NewSpec(what="x", name="other"), None)
    with pytest.raises(UserInputError, match="invalid spec name"):
        first_state(repo, NewSpec(what="x", name="../escape"), None)


def test_research_reads_the_repository_read_only_and_has_its_own_gate(repo):
    (repo / "README.md").write_text("Todo app; storage lives in todo/store.py\n")
    model = ScriptedChatModel().enqueue(
        tool_call("fs_read", {"path": "README.md"}),
        "`todo/store.py` holds storage; keep to it.",
        "NONE", drafts.REQUIREMENTS)
    sessions, deps, step = _start(repo, model, research=True, interactive=False)
    assert step.waiting["phase"] == ph.RESEARCH
    assert step.waiting["draft"] == "`todo/store.py` holds storage; keep to it."
    assert "storage lives in todo/store.py" in message_text(model.history[1][-1])
    assert set(model.offered_tools[0]) == {"fs_read", "code", "grep", "glob"}
    step = sessions.resume("todo", APPROVE, deps)
    assert step.waiting["phase"] == ph.REQUIREMENTS
    assert "## Research findings (approved)" in message_text(model.history[-1][-1])


def test_offline_spec_new_says_no_model_was_used_and_still_reads_cleanly(repo, capsys):
    from reviewloop.cli.app import main

    with pytest.raises(SystemExit) as exited:
        main(["spec", "new", "A todo API", "--approve-all", "--yes"])
    out, err = capsys.readouterr()
    assert exited.value.code == 0
    assert "NO MODEL WAS USED: no model is configured" in err
    assert "`[models] spec` in .reviewloop.toml" in " ".join(err.split())  # not eaten as markup
    assert "--yes does not skip spec gates" in out
    assert "path: docs/a-todo-api-spec.md (docs)" in out and "tasks: 1 in 1 wave(s)" in out
    spec = load_spec(repo)
    assert spec.diagnostics == () and spec.tasks[0].title == "Implement a-todo-api (placeholder)"
    with pytest.raises(SystemExit):
        main(["spec", "resume", "--list"])
    assert "a-todo-api  written  docs/a-todo-api-spec.md" in capsys.readouterr().out


def test_models_per_phase_fall_back_to_spec_then_model(repo):
    from reviewloop.authoring.start import phase_models

    (repo / ".reviewloop.toml").write_text(
        'model = "base"\n[models]\nspec = "writer"\nspec_tasks = "planner"\n')
    chosen = phase_models(load_settings(repo))
    assert chosen == {ph.RESEARCH: "writer", ph.REQUIREMENTS: "writer",
                      ph.HIGH_LEVEL: "writer", ph.LOW_LEVEL: "writer", ph.TASKS: "planner"}
