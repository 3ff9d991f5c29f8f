"""What a spec is written against: steering and existing specs reach the prompts, redacted."""

from __future__ import annotations

import pytest

from reviewloop.authoring import phases as ph
from reviewloop.authoring.context import gather
from reviewloop.authoring.sessions import SpecSessions
from reviewloop.authoring.start import NewSpec, deps_for, first_state
from reviewloop.config import load_settings
from tests.support import drafts
from tests.support.chat import ScriptedChatModel, message_text
from tests.support.repos import repo_here

KEY = "AKIA" + "QWERTYUIOPASDFGH"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = repo_here(tmp_path / "repo", monkeypatch)
    steering = root / ".kiro/steering"
    steering.mkdir(parents=True)
    (steering / "tech.md").write_text("---\ninclusion: always\n---\nPython 3.11, pytest only.\n")
    (steering / "private.md").write_text("---\ninclusion: manual\n---\nOnly when asked.\n")
    (root / "docs").mkdir()
    (root / "docs/billing-spec.md").write_text(f"# Billing\n\naws key {KEY}\n")
    return root


def test_steering_and_existing_specs_are_context_and_secrets_are_redacted(repo):
    text = gather(repo)
    assert "### Steering: tech\n\nPython 3.11, pytest only." in text
    assert "Only when asked" not in text
    assert "### Existing spec: docs/billing-spec.md" in text
    assert KEY not in text


def test_the_context_reaches_the_model_but_not_the_checkpoints(repo):
    model = ScriptedChatModel().enqueue("NONE", drafts.REQUIREMENTS)
    deps = deps_for(repo, load_settings(repo, flags={"model": "m"}), lambda name: model)
    state = first_state(repo, NewSpec(what="invoices", name="invoices", interactive=False), "m")
    step = SpecSessions(repo).start(state, deps)
    asked = message_text(model.history[-1][-1])
    assert step.waiting["phase"] == ph.REQUIREMENTS
    assert "<context>" in asked and "Python 3.11, pytest only." in asked
    assert "Python 3.11" not in str(step.values)
