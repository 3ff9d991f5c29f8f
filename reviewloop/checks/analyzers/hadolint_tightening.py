"""Whether a change's edit of `.hadolint.yaml` only TIGHTENS hadolint (`tightened`, the judge
`suppressions.tightening` asks for hadolint's files): each setting it changes can only add
findings, raise their levels or make hadolint fail sooner, every other setting the same.

* `trustedRegistries` set where there was none, or shortened (DL3026 for more images);
* `override` raising rules: one listed before keeps a level at least as high, one new is
  listed under `error` (its own level is not known here: any lower one might lower it);
* `strict-labels` switched on (DL3050);
* `label-schema` grown, every label kept with its kind, while `strict-labels` was off
  (with it on, a label the schema adds is one DL3050 no longer flags);
* `failure-threshold` lowered (`ignore` and `none` are the lowest; unset is `info`).

Each side is taken as hadolint takes it (`hadolint_yaml`, `hadolint_yaml.accepted`): a file
it refuses is no config at all. A change's file it refuses is never a tightening (rev11 D11:
with the base's `failure-threshold: warning`, `ignored: {}` read as it lowered to `info`).
Anything else (a setting dropped, a rule lowered, a kind changed, another key edited) may
loosen: not a tightening.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reviewloop.checks.analyzers.hadolint_yaml import LEVELS, accepted, mapping

# the findings' lowest level hadolint fails on (measured: `ignore` and `none` fail on any)
_FAILS = {"ignore": 0, "none": 0, "style": 1, "info": 2, "warning": 3, "error": 4}
Judge = Callable[[dict[str, Any], dict[str, Any]], list[str] | None]  # (mine, trusted)


def tightened(mine: str, trusted: str) -> list[str] | None:
    """What the edit switches on, when that is all it does; None when it may loosen, or
    when hadolint refuses the change's file: it then lints with none of it (rev11 D11)."""
    if not (head := mapping(mine)) or not accepted(head):
        return None  # refused (or `{}`, no setting at all: nothing it could switch on)
    new, old = _taken(mine), _taken(trusted)
    if _rest(new) != _rest(old):
        return None
    added: list[str] = []
    for judge in _JUDGES.values():
        more = judge(new, old)
        if more is None:
            return None
        added += more
    return added or None


def _taken(text: str) -> dict[str, Any]:
    data = mapping(text)
    return {key: value for key, value in data.items() if value not in (None, [], {})} \
        if accepted(data) else {}


def _rest(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in _JUDGES}


def _registries(new: dict[str, Any], old: dict[str, Any]) -> list[str] | None:
    now, before = set(new.get("trustedRegistries", ())), set(old.get("trustedRegistries", ()))
    if now == before:
        return []
    if not now or (before and not now < before):
        return None  # none (any registry), or one added: more images allowed
    return [f"trustedRegistries: {', '.join(sorted(now))}"]


def _levels(data: dict[str, Any]) -> dict[str, str] | None:
    """Each overridden rule's level; None when a rule is under two levels."""
    levels: dict[str, str] = {}
    for level, rules in (data.get("override") or {}).items():
        for rule in rules or ():
            if rule in levels or level not in LEVELS:
                return None
            levels[rule] = level
    return levels


def _override(new: dict[str, Any], old: dict[str, Any]) -> list[str] | None:
    now, before = _levels(new), _levels(old)
    if now is None or before is None:
        return None
    raised = []
    for rule, level in now.items():
        was = before.get(rule)
        if (was is None and level != "error") or \
                (was is not None and LEVELS.index(level) < LEVELS.index(was)):
            return None
        if level != was:
            raised.append(f"override {level}: {rule}")
    return raised if set(before) <= set(now) else None


def _strict(new: dict[str, Any], old: dict[str, Any]) -> list[str] | None:
    now, before = new.get("strict-labels") is True, old.get("strict-labels") is True
    return None if before and not now else ["strict-labels: true"] if now and not before \
        else []


def _schema(new: dict[str, Any], old: dict[str, Any]) -> list[str] | None:
    now, before = new.get("label-schema", {}), old.get("label-schema", {})
    if now == before:
        return []
    if old.get("strict-labels") is True or any(now.get(k) != v for k, v in before.items()):
        return None
    return [f"label-schema {label}: {kind}" for label, kind in now.items() if label not in before]


def _threshold(new: dict[str, Any], old: dict[str, Any]) -> list[str] | None:
    now, before = new.get("failure-threshold", "info"), old.get("failure-threshold", "info")
    if now == before:
        return []
    return [f"failure-threshold: {now}"] if _FAILS[now] < _FAILS[before] else None


_JUDGES: dict[str, Judge] = {"trustedRegistries": _registries, "override": _override,
                             "strict-labels": _strict, "label-schema": _schema,
                             "failure-threshold": _threshold}
