"""Whether a change's edit of a tool's config only TIGHTENS it: the checks it switches on
and nothing else (ruff `select` / `extend-select` grown, `.shellcheckrc` `enable=` grown,
`.hadolint.yaml` `trustedRegistries` set or shortened, rules raised, labels required, the
failure threshold lowered). Such an edit hides nothing, so it
is no suppression (`added`). shellcheck and hadolint run with it (`APPLIED`:
`trusted_config.tightened_text`): an edit that can only add findings cannot narrow the
review. ruff still reads the base's config, and a 🔵 note says that the rules the edit adds
were not applied to the change that adds them.

An edit that cannot be read, or changes anything else, is not a tightening: it stays a
suppression lever."""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Collection, Sequence
from pathlib import PurePosixPath
from typing import Any

from reviewloop.findings.schema import Finding, Severity

_RUFF_GROWN = ("select", "extend-select")  # lists whose growth only adds rules
RULE_TIGHTENS = "tightens-config"
APPLIED = frozenset({"shellcheck", "hadolint"})  # their review runs a tightening's checks
SOURCE = "reviewloop"
AGENT = "review-security"


def tightening(path: str, mine: str | None, trusted: str | None) -> list[str] | None:
    """What the edit of the config file `path` (the change's text `mine`, the trusted
    side's `trusted`) switches on, when that is all it does; None when it may loosen."""
    if mine is None or trusted is None:
        return None
    name = PurePosixPath(path).name
    judge: Callable[[str, str], list[str] | None] | None = {
        "ruff.toml": _ruff_file, ".ruff.toml": _ruff_file, "pyproject.toml": _pyproject,
        ".shellcheckrc": _shellcheck, "shellcheckrc": _shellcheck,
        ".hadolint.yaml": _hadolint, ".hadolint.yml": _hadolint,
    }.get(name)
    try:
        return judge(mine, trusted) if judge else None
    except ValueError:  # TOMLDecodeError is one
        return None


def _ruff_file(mine: str, trusted: str) -> list[str] | None:
    return _ruff(tomllib.loads(mine), tomllib.loads(trusted))


def _pyproject(mine: str, trusted: str) -> list[str] | None:
    def table(text: str) -> Any:
        return tomllib.loads(text).get("tool", {}).get("ruff", {})
    return _ruff(table(mine), table(trusted))


def _ruff(mine: Any, trusted: Any) -> list[str] | None:
    """ruff rules the head's settings add at the top level or in `[lint]`, all else equal.
    A `select` only one side has is no growth: without it ruff's defaults apply."""
    if not isinstance(mine, dict) or not isinstance(trusted, dict):
        return None
    added: list[str] = []
    rest = []
    for side in (mine, trusted):
        top = {k: v for k, v in side.items() if k not in _RUFF_GROWN and k != "lint"}
        lint = side.get("lint", {})
        if not isinstance(lint, dict):
            return None
        rest.append((top, {k: v for k, v in lint.items() if k not in _RUFF_GROWN}))
    if rest[0] != rest[1]:
        return None
    for level in (mine, mine.get("lint", {})):
        other = trusted if level is mine else trusted.get("lint", {})
        for key in _RUFF_GROWN:
            if (key in level) != (key in other) and key == "select":
                return None
            new, old = level.get(key, []), other.get(key, [])
            if not isinstance(new, list) or not isinstance(old, list) or not set(old) <= set(new):
                return None
            added += [str(rule) for rule in new if rule not in old]
    return added or None


def _shellcheck(mine: str, trusted: str) -> list[str] | None:
    """The checks `enable=` adds, every other directive the same."""
    def read(text: str) -> tuple[list[str], list[str]]:
        enabled, rest = [], []
        for line in text.splitlines():
            for word in line.partition("#")[0].split():
                key, _, value = word.partition("=")
                if key.strip() == "enable":
                    enabled += [v.strip() for v in value.split(",") if v.strip()]
                else:
                    rest.append(word)
        return enabled, rest
    (new, mine_rest), (old, trusted_rest) = read(mine), read(trusted)
    if mine_rest != trusted_rest or not set(old) <= set(new):
        return None
    return [f"enable={check}" for check in dict.fromkeys(new) if check not in old] or None


def _hadolint(mine: str, trusted: str) -> list[str] | None:
    """trustedRegistries narrowed, rules raised, labels required, the threshold lowered; all
    else the same (`analyzers.hadolint_tightening`)."""
    from reviewloop.checks.analyzers.hadolint_tightening import tightened  # it reads this

    return tightened(mine, trusted)


def tightening_finding(path: str, owner: str, added: Collection[int],
                       enables: Sequence[str]) -> Finding:
    """A 🔵 note that the checks an edit switches on were not applied to its own change."""
    line = min(added, default=1)
    return Finding(
        severity=Severity.NIT, file=path, start_line=line, end_line=line, level="file",
        title=f"this change tightens {path}; its new checks were not run on it"[:120],
        rationale=(f"{path} configures {owner}. The change under review only switches checks "
                   f"on in it ({', '.join(enables)}): it hides nothing. This review read the "
                   "base version of every tool config the change edits, so the checks the "
                   "edit adds were not applied to the change itself; once it is merged, "
                   f"{owner} runs them on what this change adds."),
        suggestion=(f"Run {owner} with the new config on the changed files (or review them "
                    "again after the merge)."),
        confidence=1.0, agent=AGENT, source=SOURCE, rule=RULE_TIGHTENS)
