"""A round's shared tool list: a refused stand-in is the same tool to the provider (name,
description, argument schema, so the cached prefix is byte-identical) and does nothing."""

from __future__ import annotations

from pathlib import Path

from langchain_core.utils.function_calling import convert_to_openai_tool

from reviewloop.agent.round_tools import granted_only, refusing
from reviewloop.agent.tools import CommandPolicy, ToolLog, Workspace, editor_tools
from reviewloop.review.submit import submit_tool


def test_a_stand_in_has_the_spec_of_the_tool_it_stands_for(tmp_path: Path) -> None:
    for tool in [*editor_tools(Workspace(tmp_path), CommandPolicy()), submit_tool()]:
        stand_in = refusing(tool, "not yours")
        assert convert_to_openai_tool(stand_in) == convert_to_openai_tool(tool)


def test_a_reviewer_declares_every_tool_and_may_use_only_its_grants(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    log = ToolLog()
    declared = editor_tools(Workspace(tmp_path), CommandPolicy(), log)
    tools = {t.name: t for t in granted_only(declared, {"fs_read"}, "reviewer r")}
    assert list(tools) == [t.name for t in declared]
    assert "x = 1" in tools["fs_read"].invoke({"path": "a.py"})
    answer = tools["write_file"].invoke({"path": "a.py", "content": "hijacked\n"})
    assert answer == ("refused: write_file is not one of the tools of reviewer r "
                      "(yours: fs_read)")
    assert tools["edit_file"].invoke({"path": "a.py", "old": "x", "new": "y"}).startswith(
        "refused: edit_file")
    assert tools["run_command"].invoke({"command": "touch b"}).startswith("refused:")
    assert (tmp_path / "a.py").read_text() == "x = 1\n" and not (tmp_path / "b").exists()
    assert log.written == frozenset()


def test_bad_arguments_to_a_stand_in_are_refused_too(tmp_path: Path) -> None:
    declared = editor_tools(Workspace(tmp_path), CommandPolicy())
    tools = {t.name: t for t in granted_only(declared, (), "the fixer")}
    assert tools["edit_file"].invoke({"nonsense": 1}).startswith("refused: edit_file")
