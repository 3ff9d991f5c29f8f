"""An editing agent ends with its last edit (`agent.done`): a reply that calls `done` beside
its edits is the last model call when every call of it succeeded, and is not when any was
refused, failed, named no tool, ran a command that failed, or when `done` itself was called
wrongly — whatever the calls and their order."""

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
from reviewloop.implement.implementer import ImplementResult, edit_with_llm
from reviewloop.policy.commands import CommandPolicy
from tests.support.chat import ScriptedChatModel

_ids = itertools.count(1)
# Each kind of call, with whether it succeeds in a repository holding a.py = "x = 1\n".
CALLS: dict[str, tuple[str, dict[str, str], bool]] = {
    "edit": ("edit_file", {"path": "a.py", "old": "x = 1", "new": "x = 2"}, True),
    "edit-missing-text": ("edit_file", {"path": "a.py", "old": "y = 1", "new": "y = 2"}, False),
    "edit-missing-file": ("edit_file", {"path": "b.py", "old": "x", "new": "y"}, False),
    "write": ("write_file", {"path": "c.py", "content": "z = 3\n"}, True),
    "write-outside": ("write_file", {"path": "../out.py", "content": "z\n"}, False),
    "read": ("fs_read", {"path": "a.py"}, True),
    "read-missing": ("fs_read", {"path": "nowhere.py"}, False),
    "bad-arguments": ("edit_file", {"path": "a.py"}, False),
    "misspelled-tool": ("edit_flie", {"path": "a.py", "old": "x = 1", "new": "x = 3"}, False),
    # commands the default policy allows (`true` and `false` it refuses): one exits 0, one 1
    "command": ("run_command", {"command": "python3 -m this"}, True),
    "failing-command": ("run_command", {"command": "python3 -m no_such_module_x"}, False),
}
# `done` as the agent may call it: its summary, or arguments it does not take.
DONES: dict[str, tuple[dict[str, str], bool]] = {
    "first": ({"summary": "changed x"}, True),
    "second": ({"summary": "and c.py"}, True),
    "no-summary": ({}, False),
    "other-key": ({"text": "changed x"}, False),
}


def reply(*calls: tuple[str, dict[str, str]]) -> AIMessage:
    return AIMessage(content="", tool_calls=[
        {"name": name, "args": args, "id": f"call_{next(_ids)}", "type": "tool_call"}
        for name, args in calls])


def edited(calls: list[tuple[str, dict[str, str]]], root: Path,
           *later: AIMessage | str) -> tuple[ScriptedChatModel, ImplementResult]:
    model = ScriptedChatModel().enqueue(reply(*calls) if calls else "nothing to do", *later)
    return model, edit_with_llm(model, "You edit.", "Edit a.py.", Workspace(root=root),
                                CommandPolicy(), role="fix", agent="fixer")


def repository(root: Path) -> Path:
    (root / "a.py").write_text("x = 1\n")
    return root


@settings(max_examples=80, deadline=None)
@given(kinds=st.lists(st.sampled_from(sorted(CALLS)), max_size=4, unique=True),
       dones=st.lists(st.sampled_from(sorted(DONES)), max_size=2, unique=True),
       places=st.lists(st.integers(min_value=0, max_value=6), min_size=2, max_size=2))
def test_done_ends_the_work_only_when_every_call_of_its_reply_succeeded(
        kinds: list[str], dones: list[str], places: list[int]) -> None:
    calls = [CALLS[k][:2] for k in kinds]
    for done, place in zip(dones, places, strict=False):
        calls.insert(min(place, len(calls)), (NAME, DONES[done][0]))
    ends = bool(dones) and all(CALLS[k][2] for k in kinds) and all(DONES[d][1] for d in dones)
    with tempfile.TemporaryDirectory(prefix="done-") as where:
        root = repository(Path(where))
        model, result = edited(calls, root, "closing words")
        assert len(model.history) == (1 if ends or not calls else 2)
        said = "\n".join(str(args.get("summary", "")) for name, args in calls if name == NAME)
        assert result.summary == (said if ends else
                                  "nothing to do" if not calls else "closing words")
        # what applied stays applied, whether the work ended there or not
        assert (root / "a.py").read_text() == ("x = 2\n" if "edit" in kinds else "x = 1\n")
        assert result.written == tuple(sorted(
            {"edit": "a.py", "write": "c.py"}[k] for k in kinds if k in ("edit", "write")))


def test_a_call_the_provider_could_not_parse_keeps_the_work_going() -> None:
    broken = reply((NAME, {"summary": "changed x"}))
    broken.invalid_tool_calls = [{"name": "edit_file", "args": '{"path": "a.py", "old": ',
                                  "id": "call_broken", "error": "truncated JSON",
                                  "type": "invalid_tool_call"}]
    with tempfile.TemporaryDirectory(prefix="done-") as where:
        root = repository(Path(where))
        model = ScriptedChatModel().enqueue(broken, "closing words")
        result = edit_with_llm(model, "You edit.", "Edit a.py.", Workspace(root=root),
                               CommandPolicy(), role="fix", agent="fixer")
    assert len(model.history) == 2 and result.summary == "closing words"


def test_a_failed_edit_beside_done_is_shown_and_the_fixer_tries_again(tmp_path: Path) -> None:
    root = repository(tmp_path)
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
