"""`.kiro/governance.yaml`: what a project says needs a human's approval, and its quality gates.

reviewloop reads this mapping (keys in any of camelCase, snake_case, kebab-case)::

    require_human_approval:
      file_patterns: ["src/payments/**"]       # globs; also paths, files_matching
      change_types: [database_schema, security_config, ci_cd_pipeline,
                     environment_variables]     # see policy.change_types
      thresholds:                               # each may also sit directly above
        files_changed: 10                       # more files than this
        lines_added: 400                        # more added lines than this
        lines_changed: 800                      # more added + removed lines than this
        complexity_increase: 15                 # more decision points added than this
    quality_gates:
      test_coverage: 0.85                       # of the changed lines: 0.85, 85 or "85%"

Kiro's guides write the sections as lists of one-key items (`- file_patterns: [...]`,
`- thresholds: {...}`); that form is read as the mapping it spells out, and a key given in
two items is an error. A threshold written as a percentage (`complexity_increase: 20%`) is
relative to what the change's files held before it: lines added (or changed) against their
line count, decision points added against their complexity. A change whose files had no
base (only new files, or no decision point before) is over any percentage once it adds one.
`files_changed` has no base to be relative to and takes a whole number only.

Thresholds are exclusive ("over 10 files"), like `.kiro/config.yaml`'s. Complexity is
measured with ruff's mccabe rule (C901, already a dependency): the sum over the change's
Python files of each function's cyclomatic complexity above 1, after minus before.

Strictness. A malformed file, a wrong type or an unknown key inside `require_human_approval`
or `thresholds` is a `ConfigError` naming the file, key and line (an approval rule that is
silently ignored would be a hole); an unknown change type lists the known ones. Other
top-level sections and unknown `quality_gates` are noted, not refused: Kiro may define more.

The file is trusted input: a run reads it from the tree the run started from, a review of
two commits from the base commit (`runs.trusted`), and a change to it is a lever
(`policy.trust`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewloop.policy import change_types, kiro_yaml
from reviewloop.policy.kiro_yaml import KeyPath, KiroReader

GOVERNANCE_FILE = ".kiro/governance.yaml"


@dataclass(frozen=True)
class HumanApproval:
    """The rules `.kiro/governance.yaml` sets; None or empty: not set."""

    file_patterns: tuple[str, ...] = ()
    change_types: tuple[str, ...] = ()  # canonical names (`policy.change_types.TYPES`)
    files_changed: int | None = None
    lines_added: int | None = None
    lines_changed: int | None = None
    complexity_increase: int | None = None
    test_coverage: float | None = None  # a fraction of the changed lines, 0 < x <= 1
    # thresholds written as a percentage ("20%"): name -> the fraction (0.2) of the base the
    # change may add; the whole-number field of that name is then None
    relative: Mapping[str, float] = field(default_factory=dict)
    keys: Mapping[str, str] = field(default_factory=dict)  # name -> key path as written

    def rule(self, name: str) -> str:
        """Where a rule is written, for the reason that cites it."""
        return f"{GOVERNANCE_FILE} {self.keys.get(name, name)}"


_TOP = {"require_human_approval": ("require_human_approval", "human_approval",
                                   "requires_human_approval"),
        "quality_gates": ("quality_gates",)}
_THRESHOLDS = {"files_changed": ("files_changed", "max_files_changed", "file_changes_over"),
               "lines_added": ("lines_added", "max_lines_added"),
               "lines_changed": ("lines_changed", "max_lines_changed", "lines_changed_over"),
               "complexity_increase": ("complexity_increase", "max_complexity_increase")}
_APPROVAL = {"file_patterns": ("file_patterns", "paths", "files_matching"),
             "change_types": ("change_types",), "thresholds": ("thresholds",), **_THRESHOLDS}
_GATES = {"test_coverage": ("test_coverage", "coverage", "min_coverage")}


def load_governance(path: Path) -> tuple[HumanApproval, list[str]]:
    """The file's rules and notes on what was ignored; empty rules when it is absent."""
    text = kiro_yaml.read_text(path, GOVERNANCE_FILE)
    return (HumanApproval(), []) if text is None else parse_governance(text)


def parse_governance(text: str) -> tuple[HumanApproval, list[str]]:
    """The rules of a governance file's text; a `ConfigError` naming the key when malformed."""
    data = kiro_yaml.parse(text, GOVERNANCE_FILE)
    reader = KiroReader(text, GOVERNANCE_FILE)
    if data is None:
        return HumanApproval(), []
    if not isinstance(data, Mapping):
        raise reader.error((), "the top level must be a mapping of sections", data,
                           "start the file with `require_human_approval:`")
    notes = [f"{key} in {GOVERNANCE_FILE} is not a reviewloop setting and was ignored"
             for key in data if kiro_yaml.canonical(key, _TOP) is None]
    values: dict[str, Any] = {}
    keys: dict[str, str] = {}
    approval_at = reader.find(data, (), _TOP["require_human_approval"])
    if approval_at is not None:
        approval = reader.section(data, approval_at, _APPROVAL, strict=True)
        _approval(reader, approval, approval_at, values, keys)
    gates_at = reader.find(data, (), _TOP["quality_gates"])
    if gates_at is not None:
        gates = reader.section(data, gates_at, _GATES)
        for key, value in gates.items():
            if kiro_yaml.canonical(key, _GATES) == "test_coverage":
                _put(values, keys, "test_coverage", (*gates_at, str(key)),
                     _fraction(reader, (*gates_at, str(key)), value), reader)
    return HumanApproval(**values, keys=keys), [*notes, *reader.notes]


def _approval(reader: KiroReader, section: Mapping[str, Any], at: KeyPath,
              values: dict[str, Any], keys: dict[str, str]) -> None:
    for key, value in section.items():
        name = kiro_yaml.canonical(key, _APPROVAL)
        where = (*at, str(key))
        if name == "thresholds":
            inner = reader.section(section, where, _THRESHOLDS, strict=True)
            _approval(reader, inner, where, values, keys)
        elif name == "file_patterns":
            patterns = reader.globs(where, value)  # {a,b} alternatives expanded
            reader.check_globs(where, patterns)
            _put(values, keys, name, where, patterns, reader)
        elif name == "change_types":
            _put(values, keys, name, where, _types(reader, where, value), reader)
        elif name is not None and _percent(value) is not None:
            _put(values, keys, name, where, None, reader)
            values.setdefault("relative", {})[name] = _relative(reader, name, where, value)
        elif name is not None:
            floor = 0 if name == "complexity_increase" else 1
            _put(values, keys, name, where, reader.whole(where, value, floor=floor), reader)


def _put(values: dict[str, Any], keys: dict[str, str], name: str, where: KeyPath,
         value: Any, reader: KiroReader) -> None:
    if name in keys:
        raise reader.error(where, f"repeats {keys[name]}", value,
                           f"keep one of {keys[name]} and {'.'.join(where)}")
    values[name] = value
    keys[name] = ".".join(where)


def _percent(value: Any) -> float | None:
    """The number of a "20%" string, None for anything else."""
    if not isinstance(value, str) or not value.strip().endswith("%"):
        return None
    try:
        return float(value.strip()[:-1])
    except ValueError:
        return None


def _relative(reader: KiroReader, name: str, where: KeyPath, value: Any) -> float:
    """A percentage threshold as the fraction of the base it allows: lines against the
    lines the changed files held, complexity against their complexity before the change.
    A file count has no such base."""
    if name == "files_changed":
        raise reader.error(where, "a percentage of what? files_changed counts the files the "
                           "change touches", value,
                           "set files_changed to a whole number such as 10")
    percent = _percent(value)
    if percent is None or not 0 <= percent <= 100_000:
        raise reader.error(where, "expected a percentage such as 20%", value,
                           f"set {where[-1]} to a percentage (20%) or a whole number")
    return percent / 100


def _types(reader: KiroReader, where: KeyPath, value: Any) -> tuple[str, ...]:
    names = reader.strings(where, value)
    found = []
    for name in names:
        kind = change_types.known(name)
        if kind is None:
            raise reader.error(where, f"unknown change type {name!r}", name,
                               "use one of " + ", ".join(t.name for t in change_types.TYPES))
        found.append(kind)
    return tuple(dict.fromkeys(found))


def _fraction(reader: KiroReader, where: KeyPath, value: Any) -> float | None:
    """0.85, 85 and "85%" all mean 85% of the changed lines."""
    number: Any = value
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            number = float(value.strip()[:-1]) / 100
        except ValueError:
            number = None
    elif isinstance(value, int | float) and not isinstance(value, bool) and 1 < value <= 100:
        number = value / 100
    if value is None:
        return None
    if isinstance(number, int | float) and not isinstance(number, bool) and 0 < number <= 1:
        return float(number)
    raise reader.error(where, "expected a fraction of the changed lines", value,
                       f"set {where[-1]} to a number such as 0.85 (or \"85%\")")
