"""An editing agent ends with its last edit (`agent.done`): a reply that calls `done` beside
its edits is the last model call when every call of it applied, and is not when any was
refused or failed, whatever the calls and their order."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessage

from reviewloop.agent.done import NAME
from reviewloop.agent.workspace import Workspace
from reviewloop.findings.schema import Finding, FindingDraft, Severity
from reviewloop.fixes.fixer import fix_with_llm
from reviewloop.implement.implementer import edit_with_llm
from reviewloop.policy.commands import CommandPolicy
from tests.support.chat import ScriptedChatModel

_ids = itertools.count(1)
# Each kind of call, with whether it applies in a repository holding a.py = "x = 1\n".
CALLS: dict[str, tuple[str, dict[str, str], bool]] = {
    "edit": ("edit_file", {"path": "a.py", "old": "x = 1", "new": "x = 2"}, True),
    "edit-missing-text": ("edit_file", {"path": "a.py", "old": "y = 1", "new": "y = 2"}, False),
    "edit-missing-file": ("edit_file", {"path": "b.py", "old": "x", "new": "y"}, False),
    "write": ("write_file", {"path": "c.py", "content": "z = 3\n"}, True),
    "write-outside": ("write_file", {"path": "../out.py", "content": "z\n"}, False),
    "read": ("fs_read", {"path": "a.py"}, True),
    "read-missing": ("fs_read", {"path": "nowhere.py"}, False),
    "bad-arguments": ("edit_file", {"path": "a.py"}, False),
}


def reply(*calls: tuple[str, dict[str, str]]) -> AIMessage:
    return AIMessage(content="", tool_calls=[
        {"name": name, "args": args, "id": f"call_{next(_ids)}", "type": "tool_call"}
        for name, args in calls])


def repository() -> Path:
    root = Path(tempfile.mkdtemp(prefix="done-"))
    (root / "a.py").write_text("x = 1\n")
    return root


@settings(max_examples=60, deadline=None)
@given(kinds=st.lists(st.sampled_from(sorted(CALLS)), max_size=4, unique=True),
       done_at=st.integers(min_value=0, max_value=4), with_done=st.booleans())
def test_done_ends_the_work_only_when_every_call_of_its_reply_applied(
        kinds: list[str], done_at: int, with_done: bool) -> None:
    calls = [CALLS[k][:2] for k in kinds]
    if with_done:
        calls.insert(min(done_at, len(calls)), (NAME, {"summary": "changed x"}))
    model = ScriptedChatModel().enqueue(reply(*calls) if calls else "nothing to do",
                                        "closing words")
    result = edit_with_llm(model, "You edit.", "Edit a.py.", Workspace(root=repository()),
                           CommandPolicy(), role="fix", agent="fixer")
    ends = with_done and all(CALLS[k][2] for k in kinds)
    assert len(model.history) == (1 if ends or not calls else 2)
    assert result.summary == ("changed x" if ends else
                              "nothing to do" if not calls else "closing words")


def test_a_failed_edit_beside_done_is_shown_and_the_fixer_tries_again() -> None:
    root = repository()
    model = ScriptedChatModel().enqueue(
        reply(CALLS["edit-missing-text"][:2], (NAME, {"summary": "first try"})),
        reply(CALLS["edit"][:2], (NAME, {"summary": "x is 2"})))
    finding = Finding.from_draft(FindingDraft(
        severity=Severity.SHOULD_FIX, file="a.py", start_line=1, end_line=1,
        title="x is 1", rationale="it should be 2", confidence=0.9), agent="review-security")
    result = fix_with_llm(model, [finding], None, Workspace(root=root), CommandPolicy())
    second = model.history[1]
    refused = [m for m in second if getattr(m, "name", None) == "edit_file"]
    assert refused and str(refused[0].content).startswith("refused:")
    assert len(model.history) == 2 and result.summary == "x is 2"
    assert (root / "a.py").read_text() == "x = 2\n" and result.written == ("a.py",)
    assert NAME in model.offered_tools[0]
