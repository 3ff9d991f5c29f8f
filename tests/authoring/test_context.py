"""What a spec is written against: steering and existing specs reach the prompts, redacted."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.authoring import phases as ph
from reviewloop.authoring.context import gather
from reviewloop.authoring.sessions import SpecSessions
from reviewloop.authoring.start import NewSpec, deps_for, first_state
from reviewloop.config import load_settings
from reviewloop.errors import ExitCode, UserInputError
from tests.support import drafts, file_kinds
from tests.support.chat import ScriptedChatModel, message_text
from tests.support.repos import init_repo, repo_here

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


@settings(max_examples=3, deadline=None, derandomize=True)
@given(words=st.lists(st.text("QXZ", min_size=1, max_size=6), min_size=1, max_size=4)
       .map(" ".join))
@pytest.mark.parametrize("rel", [".kiro/specs/other/requirements.md",
                                 ".kiro/steering/org.md"])
@pytest.mark.parametrize("kind", file_kinds.KINDS)
def test_a_kiro_document_is_context_as_it_is_or_refused_by_name(kind, rel, words):
    """What `spec new` drafts against: an existing spec's requirements.md or a steering file
    that cannot be read as it is (a dangling link, a folder, a FIFO never opened, UTF-16,
    Latin-1, a link out) is refused by name (exit 2), not an internal error or a hang."""
    with tempfile.TemporaryDirectory(prefix="context-") as name:
        root = init_repo(Path(name) / "repo")
        file_kinds.make(kind, root, rel, f"# Other\n\nRule {words}.\n")
        before = file_kinds.state(root / rel)
        if kind in file_kinds.READABLE:
            assert (words in gather(root)) is (kind != "empty")
        else:
            with pytest.raises(UserInputError) as caught:
                gather(root)
            assert caught.value.exit_code == ExitCode.USAGE
            assert Path(rel).name in (caught.value.where or "")
            assert file_kinds.NAMED[kind] in str(caught.value)
        assert file_kinds.state(root / rel) == before
