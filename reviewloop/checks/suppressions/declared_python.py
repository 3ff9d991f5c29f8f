"""A change's edit of the Python version its project declares (`[project] requires-python`
of a pyproject.toml), named: ruff takes its version from it when its config sets no
`target-version`, and the review reads the base's version of every config the change edits.
Without this note a change that raised the floor and used the new syntax got a 🔴
`invalid-syntax … on Python 3.8` with nothing saying why the old version was used (now the
raised floor is the one used).

Raising the floor is a decision the project may make (it drops the Pythons it no longer
supports), not a suppression: the note says so, and which version the review used. A raised
floor is applied to the change's own review (`ruff_version.raised`), as plain ruff at the
head applies it; a lowered or dropped one is not (it would drop pyupgrade findings). So is
a ruff config's raised `target-version` or `per-file-target-version` entry
(`target_version_edit`; a raised per-file entry was a suppression before). A `target-version` in
the file's own `[tool.ruff]` overrides the floor for ruff: the note names it, not the floor
(it said "checked on" a raised floor ruff does not use: review round 11, D9). So does one
in another ruff config in or below the file's folder (`sub_targets`, for the files under it: the
note said "checked on" the floor for them too).

A file's version as ruff derives it, a config's `extend` chain followed, is
`analyzers.ruff_version`'s; this note reads each config's own table."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Sequence
from pathlib import PurePosixPath
from typing import Any

from reviewloop.checks.analyzers.ruff_version import raised
from reviewloop.checks.suppressions.tightening import tightening
from reviewloop.findings.schema import Finding, Severity

RULE = "changes-declared-python"
SOURCE = "reviewloop"
AGENT = "review-security"


def declared_python_edit(path: str, added: Collection[int], mine: str | None,
                         trusted: str | None,
                         overrides: Sequence[tuple[str, str]] = ()) -> Finding | None:
    """The note on a pyproject.toml whose `requires-python` the change alters (the change's
    text `mine`, the trusted side's `trusted`); None for any other file or edit.
    `overrides`: (config, its `target-version`) of the other ruff configs in or below the
    file's folder that set their own (`sub_targets`): ruff checks their files on that."""
    if PurePosixPath(path).name != "pyproject.toml" or mine is None:
        return None
    now, before = _requires(mine), _requires(trusted)
    if now == before or now is None:
        return None
    applied = mine if raised(mine, trusted) is not None or \
        tightening(path, mine, trusted) is not None else trusted
    if (target := _target(applied, "pyproject.toml")) is not None:  # it decides, not the floor
        used = f"its `[tool.ruff] target-version = \"{target}\"`, which ruff takes first"
        title = f"this change sets requires-python to {now}; checked on target-version {target}"
    elif raised(mine, trusted) is not None:  # applied: the head's floor, as plain ruff's
        used = f"the change's `{now}` (a raised floor is applied: it only drops Pythons)"
        title = f"this change raises requires-python to {now}; checked on it"
        if overrides:  # a config below sets its own: ruff takes it there (not the floor)
            there = ", ".join(f"{config}: {target}" for config, target in overrides)
            used += f", but for the files under a config setting its own target-version ({there})"
            title += f" (not under {', '.join(c for c, _ in overrides)}: own target-version)"
    else:
        used = f"the base's `{before}`" if before else "ruff's default (the base declares none)"
        title = f"this change sets requires-python to {now}; checked on the base's version"
    line = min(added, default=1)
    return Finding(
        severity=Severity.SHOULD_FIX, file=path, start_line=line, end_line=line, level="file",
        title=title[:120],
        rationale=(f"The change under review sets `requires-python = \"{now}\"` in {path}. "
                   "ruff takes the Python version it checks for from it when no "
                   "`target-version` is set. This review reads the trusted side's version "
                   "of every config file the change edits, but for an edit that raises the "
                   "floor: ruff's version-dependent findings (`invalid-syntax` for syntax "
                   f"newer than the floor, pyupgrade rules) were judged on {used}. Moving "
                   "the floor is the project's call, not a suppression: plain ruff after "
                   "the merge uses the new version."),
        suggestion=("If the project drops the older Pythons, confirm the new floor (a "
                    "maintainer's review, or land the version bump on the base first); else "
                    "keep the code valid on the declared version."),
        confidence=1.0, agent=AGENT, source=SOURCE, rule=RULE)


def target_version_edit(path: str, added: Collection[int], mine: str | None,
                        trusted: str | None) -> Finding | None:
    """The note on a ruff config (`ruff.toml`, `.ruff.toml`, `[tool.ruff]`) whose
    `target-version` or `per-file-target-version` the change raises, which the review
    applies (`tightening`): it judges the syntax on the new version. A lowered one is set
    aside whole (`adds-suppression`)."""
    name = PurePosixPath(path).name
    if name not in ("ruff.toml", ".ruff.toml", "pyproject.toml"):
        return None
    judged = tightening(path, mine, trusted)
    if judged is None:  # a loosening beside: set aside
        return None
    now, before = _target(mine, name), _target(trusted, name)
    if now is not None and before is not None and int(now[3:]) > int(before[3:]):
        return _raise_note(path, added, f"ruff's target-version to {now}",
                           f"ruff's `target-version` in {path} from {before} to {now}",
                           f"{now}, not on the base's {before}")
    per_file = [r.removeprefix("per-file-target-version ") for r in judged
                if r.startswith("per-file-target-version ")]
    if not per_file:
        return None
    raised = ", ".join(per_file)
    return _raise_note(path, added, f"ruff's per-file-target-version ({raised})",
                       f"ruff's `per-file-target-version` in {path} ({raised})",
                       "the new versions for the files those patterns take, not on the base's")


def _raise_note(path: str, added: Collection[int], what: str, edit: str,
                judged_on: str) -> Finding:
    line = min(added, default=1)
    return Finding(
        severity=Severity.SHOULD_FIX, file=path, start_line=line, end_line=line, level="file",
        title=f"this change raises {what}; checked on it"[:120],
        rationale=(f"The change under review raises {edit}. A raised floor is applied to the "
                   "change's own review, as plain ruff at the head applies it: ruff's "
                   "version-dependent findings (`invalid-syntax` for syntax newer than the "
                   f"floor, pyupgrade rules) were judged on {judged_on}. Moving the floor is "
                   "the project's call, not a suppression."),
        suggestion=("If the project drops the older Pythons, confirm the new floor; else keep "
                    "the code valid on the base's version."),
        confidence=1.0, agent=AGENT, source=SOURCE, rule=RULE)


def _target(text: str | None, name: str) -> str | None:
    """The `py3X` `target-version` of a ruff config's `text` (`[tool.ruff]` of a
    pyproject.toml)."""
    if text is None:
        return None
    try:
        table: Any = tomllib.loads(text)
    except ValueError:  # TOMLDecodeError is one
        return None
    if name == "pyproject.toml":
        table = table.get("tool", {}).get("ruff") if isinstance(table.get("tool"), dict) \
            else None
    value = table.get("target-version") if isinstance(table, dict) else None
    return value if isinstance(value, str) and re.fullmatch(r"py3\d+", value) else None


def _requires(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        project: Any = tomllib.loads(text).get("project", {})
    except ValueError:  # TOMLDecodeError is one
        return None
    value = project.get("requires-python") if isinstance(project, dict) else None
    return value if isinstance(value, str) else None


RUFF_CONFIGS = ("ruff.toml", ".ruff.toml", "pyproject.toml")


def sub_targets(configs: Sequence[tuple[str, str | None]],
                pyproject: str) -> list[tuple[str, str]]:
    """(config, its `target-version`) of the ruff `configs` ((path, the text the review
    applies)) in `pyproject`'s folder (a `ruff.toml` there is ruff's first) or below it
    that set one of their own, in path order."""
    folder = str(PurePosixPath(pyproject).parent)
    found = []
    for path, text in sorted(configs):
        parent = str(PurePosixPath(path).parent)
        below = parent == folder or folder == "." or parent.startswith(folder + "/")
        target = _target(text, PurePosixPath(path).name) if below else None
        if path != pyproject and target is not None:
            found.append((path, target))
    return found
