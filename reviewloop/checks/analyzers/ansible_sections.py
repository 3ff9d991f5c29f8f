"""A play's `pre_tasks`, `post_tasks` and `handlers`, given to checkov as the play's `tasks`.

checkov's Ansible runner (`ansible/runner.py`, `graph_builder/local_graph.py`) checks a
play's `tasks` (and the `block` lists in them) and nothing else of it: a `get_url` with
`validate_certs: false` under `pre_tasks:` runs first on every host, and plain `checkov -d .`
says nothing of it. So for each such section a playbook holds, checkov is also given a copy of
the playbook where that section is each play's `tasks` and the play's own `tasks` is renamed
away (`tasks_`: read once, in the playbook itself). A copy renames keys only, on their own
lines: every line is where it is in the playbook, so a finding on the copy is the playbook's
own line, and the report names the playbook (`copies`, an alias of the review's run).

A block's `rescue` and `always` tasks checkov does not check either (it reads a task's `block`
list alone), and no copy can give it them without its other tasks twice: a file holding them
is named, with their lines (`unchecked`).
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from reviewloop.git.names import under

KIND = "ansible"
SECTIONS = ("pre_tasks", "post_tasks", "handlers")  # a play's task lists checkov never reads
TASKS = "tasks"
AWAY = "tasks_"  # the play's own `tasks` in a copy: no key Ansible or checkov reads


def sections(text: str) -> dict[str, str]:
    """{section: the playbook `text` with that section as each play's `tasks`} for each of
    `SECTIONS` a play of `text` holds tasks under; none for a text that is no playbook."""
    plays = _plays(text)
    made: dict[str, str] = {}
    for section in SECTIONS:
        if not any(_tasks_under(play, section) for play in plays):
            continue
        renames: list[tuple[int, int, str]] = []
        for play in plays:
            for key, _ in play.value:
                if key.value == section:
                    renames.append((key.start_mark.index, key.end_mark.index, TASKS))
                elif key.value == TASKS:
                    renames.append((key.start_mark.index, key.end_mark.index, AWAY))
        made[section] = _renamed(text, renames)
    return made


def copies(targets: dict[str, str], at: Path, scratch: Path
           ) -> tuple[dict[str, str], dict[str, str]]:
    """({copy: `KIND`}, {copy: the playbook it is read as}) for each Ansible file among
    `targets` (found under `at`), written in `scratch` under the playbook's own name."""
    given: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for index, path in enumerate(p for p, kind in targets.items() if kind == KIND):
        source = under(at, path)
        try:
            text = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # unread as it is: `checkov_reads` tells
        for section, copied in sections(text).items():
            made = scratch / str(index) / section / PurePosixPath(path).name
            made.parent.mkdir(parents=True, exist_ok=True)
            made.write_text(copied, encoding="utf-8")
            given[str(made)], aliases[str(made)] = KIND, str(source)
    return given, aliases


def unchecked(text: str) -> str | None:
    """The `rescue` and `always` task lists of `text`'s blocks, as a reason (None: none)."""
    import yaml

    if "rescue" not in text and "always" not in text:
        return None
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError, ValueError):
        return None  # checkov cannot load it either: `checkov_skips` names it
    found = sorted({(value.start_mark.line + 1, key.value) for document in documents
                    for key, value in _handlers_of_blocks(document)})
    if not found:
        return None
    where = ", ".join(f"`{name}` (line {line})" for line, name in found[:5])
    return f"checkov checks a block's `block` tasks only: the tasks under {where} were not " \
           f"checked"


def _handlers_of_blocks(node: Any) -> list[tuple[Any, Any]]:
    """Every (key, list) of a `rescue` or `always` beside a `block` under `node`."""
    import yaml

    found: list[tuple[Any, Any]] = []
    stack = [node]
    while stack:
        at = stack.pop()
        if isinstance(at, yaml.SequenceNode):
            stack.extend(at.value)
        elif isinstance(at, yaml.MappingNode):
            keys = {getattr(key, "value", None) for key, _ in at.value}
            found += [(key, value) for key, value in at.value if "block" in keys
                      and getattr(key, "value", None) in ("rescue", "always")
                      and isinstance(value, yaml.SequenceNode) and value.value]
            stack.extend(value for _, value in at.value)
    return found


def _plays(text: str) -> list[Any]:
    """The mapping nodes of `text`'s plays: the items with `hosts` of its top-level lists."""
    import yaml  # only for an Ansible file

    if not any(section in text for section in SECTIONS):
        return []
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError, ValueError):
        return []  # checkov cannot load it either: `checkov_skips` names it
    return [item for document in documents if isinstance(document, yaml.SequenceNode)
            for item in document.value if isinstance(item, yaml.MappingNode)
            and any(isinstance(key, yaml.ScalarNode) and key.value == "hosts"
                    for key, _ in item.value)]


def _tasks_under(play: Any, section: str) -> bool:
    import yaml

    return any(isinstance(key, yaml.ScalarNode) and key.value == section
               and isinstance(value, yaml.SequenceNode) and value.value
               for key, value in play.value)


def _renamed(text: str, renames: list[tuple[int, int, str]]) -> str:
    """`text` with each (start, end) span replaced, the last first (no offset moves)."""
    for start, end, name in sorted(renames, reverse=True):
        text = f"{text[:start]}{name}{text[end:]}"
    return text
