"""A change's edit of the Python version its project declares (`[project] requires-python`
of a pyproject.toml), named: ruff takes its version from it when its config sets no
`target-version`, and the review reads the base's version of every config the change edits.
Without this note a change that raised the floor and used the new syntax got a 🔴
`invalid-syntax … on Python 3.8` with nothing saying why the old version was used (now the
raised floor is the one used).

Raising the floor is a decision the project may make (it drops the Pythons it no longer
supports), not a suppression: the note says so, and which version the review used. A raised
floor is applied to the change's own review (`ruff_version.raised`), as plain ruff at the
head applies it; a lowered or dropped one is not (it would drop pyupgrade findings)."""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from pathlib import PurePosixPath
from typing import Any

from reviewloop.checks.analyzers.ruff_version import raised
from reviewloop.findings.schema import Finding, Severity

RULE = "changes-declared-python"
SOURCE = "reviewloop"
AGENT = "review-security"


def declared_python_edit(path: str, added: Collection[int], mine: str | None,
                         trusted: str | None) -> Finding | None:
    """The note on a pyproject.toml whose `requires-python` the change alters (the change's
    text `mine`, the trusted side's `trusted`); None for any other file or edit."""
    if PurePosixPath(path).name != "pyproject.toml" or mine is None:
        return None
    now, before = _requires(mine), _requires(trusted)
    if now == before or now is None:
        return None
    if raised(mine, trusted) is not None:  # applied: the head's floor, as plain ruff's
        used = f"the change's `{now}` (a raised floor is applied: it only drops Pythons)"
        title = f"this change raises requires-python to {now}; checked on it"
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


def _requires(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        project: Any = tomllib.loads(text).get("project", {})
    except ValueError:  # TOMLDecodeError is one
        return None
    value = project.get("requires-python") if isinstance(project, dict) else None
    return value if isinstance(value, str) else None
