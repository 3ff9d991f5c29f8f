"""`reviewloop agents` and `reviewloop agents validate`: the effective reviewers, checked."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from reviewloop.checks.analyzers.registry import analyzers
from reviewloop.cli import ui
from reviewloop.config import Settings
from reviewloop.errors import AgentDefinitionError
from reviewloop.review.agent_errors import where
from reviewloop.review.agent_files import entries
from reviewloop.review.definitions import (
    AgentDefinition,
    AgentSet,
    shown,
    validate_file,
)
from reviewloop.review.kiro_tools import READ_ONLY_TOOLS
from reviewloop.review.reviewer_set import load_reviewers


def list_effective(settings: Settings, root: Path, *, as_json: bool = False) -> int:
    """Print the reviewers that would run, where each came from, and what was left out."""
    agent_set = load_reviewers(root, settings)
    if as_json:
        print(json.dumps(to_json(agent_set, root), indent=2, ensure_ascii=False))
        return 0
    out = ui.console()
    out.print(agents_table(agent_set, root))
    for item in agent_set.skipped:
        _line(out, f"skipped {shown(item.source, root)} ({item.name}): {item.reason}")
    for note in agent_set.notes:
        _line(out, f"note: {note}")
    return 0


def validate(settings: Settings, root: Path, paths: Sequence[Path]) -> int:
    """Check the given files and folders, or the effective set; the first error raises."""
    out = ui.console()
    if not paths:
        agent_set = load_reviewers(root, settings)
        for agent in agent_set.agents:
            _report(out, shown(agent.source, root), agent)
        for item in agent_set.skipped:
            _line(out, f"skipped {shown(item.source, root)} ({item.name}): {item.reason}")
        unreadable = [item for item in agent_set.skipped if item.unreadable]
        for item in unreadable:  # it may be a reviewer: the check fails until it reads
            _line(out, f"error: {shown(item.source, root)} cannot be read as an agent file")
        return 2 if unreadable else 0
    for path in paths:
        for file in _agent_files(path):
            _report(out, str(file), validate_file(file))
    return 0


def to_json(agent_set: AgentSet, root: Path) -> dict:
    """The effective reviewers as docs/schemas/agents.schema.json describes them."""
    return {
        "agents": [{
            "name": a.name, "origin": a.origin, "source": _source(a, root),
            "description": a.description, "tools": list(a.tools), "model": a.model,
            "analyzers": list(a.analyzers), "include": list(a.include),
            "exclude": list(a.exclude),
            "severity_floor": a.severity_floor.value if a.severity_floor else None,
            "notes": list(a.notes)} for a in agent_set.agents],
        "skipped": [{"source": shown(s.source, root), "name": s.name, "reason": s.reason}
                    for s in agent_set.skipped],
        "notes": list(agent_set.notes),
    }


def _source(agent: AgentDefinition, root: Path) -> str:
    # Built-ins live wherever the wheel was installed; the file name is what matters.
    return agent.source.name if agent.origin == "built-in" else shown(agent.source, root)


def agents_table(agent_set: AgentSet, root: Path) -> Table:
    table = Table(title=f"{len(agent_set.agents)} reviewer(s)", title_justify="left")
    for name, wraps in (("name", False), ("origin", False), ("source", True),
                        ("tools", False), ("model", False), ("analyzers", True)):
        table.add_column(name, no_wrap=not wraps, overflow="fold" if wraps else "ellipsis")
    for agent in agent_set.agents:
        source = _source(agent, root)
        tools = "all read-only" if agent.tools == READ_ONLY_TOOLS else ", ".join(agent.tools)
        table.add_row(agent.name, agent.origin, source, tools or "none",
                      agent.model or "default", ", ".join(agent.analyzers))
    return table


def _agent_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = entries(path)  # a dangling link or a folder among them is an error
        if not files:
            raise AgentDefinitionError("no agent files (*.json) in this folder", where=str(path),
                                       fix="pass a folder that holds agent JSON files")
        return files
    if not path.exists():
        raise AgentDefinitionError("no such file or folder", where=str(path),
                                   fix="check the path")
    return [path]


def _report(out: Console, label: str, agent: AgentDefinition) -> None:
    _check_analyzers(agent)
    _line(out, f"ok {label}")
    for note in agent.notes:
        _line(out, f"  note: {note}")


def _line(out: Console, text: str) -> None:
    # Paths and notes are data: no markup, no emoji codes, no wrapping of long paths.
    out.print(text, markup=False, emoji=False, soft_wrap=True)


def _check_analyzers(agent: AgentDefinition) -> None:
    """An analyzer no built-in or installed plugin provides would fail every review."""
    known = analyzers()  # the built-ins and the plugins' (a broken plugin: its own error)
    for index, name in enumerate(agent.analyzers):
        if name not in known:
            text = agent.source.read_text(encoding="utf-8-sig") if agent.source.is_file() else ""
            raise AgentDefinitionError(
                f'"reviewloop.analyzers" lists an unknown analyzer "{name}" (entry {index + 1}, '
                f"in {agent.name})",
                where=where(agent.source, text, ("reviewloop", "analyzers")),
                fix=f"use one of: {', '.join(sorted(known))}, or install the plugin that "
                    "provides it")
