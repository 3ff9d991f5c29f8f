"""Governance: sensitive files, trusted and denied commands, and what needs a human's approval.

`load_policy` merges reviewloop's own settings with the `security` and `governance` sections
of `.kiro/config.yaml` when that file exists. Kiro publishes no schema for those sections, so
reviewloop reads this mapping; keys may be camelCase, snake_case or kebab-case::

    security:
      sensitiveFiles: [globs]     # also sensitivePaths, sensitive
      deniedCommands: [patterns]  # also denyCommands, blockedCommands
      trustedCommands: [prefixes] # also allowedCommands, allowCommands
    governance:
      approval:
        maxFilesChanged: 20       # also maxFiles; null means no limit
        maxLinesChanged: 800      # also maxLines; null means no limit
        paths: [globs]            # also protectedPaths, approvalPaths

Merging. Each list starts from reviewloop's setting (or its built-in default when unset) and
Kiro's entries are added: Kiro can widen the sensitive, denied and protected lists and trust
more commands, never narrow them. Narrowing a default (dropping `*secret*` in a repository
whose code is about secrets, say) is done by setting the full list in reviewloop's config.
An empty reviewloop `commands.allow` means "anything not denied", so Kiro's trusted commands
add nothing to it. Numbers come from reviewloop's config when set there, else from Kiro's,
else the defaults. Other keys in the two sections are ignored with a note in `Policy.notes`
(Kiro may define more); other top-level sections are not reviewloop's business.

Dependency manifests (`requirements*.txt`, `package.json`, …) are not protected by default:
dependency changes are routine in feature work, and an approval prompt that fires on most
tasks stops being read. Lockfiles are generated and never protected. Add the manifests to
`governance.approval_paths` (or Kiro's `paths`) to review them by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from reviewloop.config import Governance, Settings, load_yaml
from reviewloop.errors import ConfigError
from reviewloop.policy import globs
from reviewloop.policy.commands import DEFAULT_ALLOW, DEFAULT_DENY, CommandPolicy
from reviewloop.policy.sensitive import DEFAULT_SENSITIVE, is_sensitive
from reviewloop.sandbox.bubblewrap import Sandbox

KIRO_CONFIG = ".kiro/config.yaml"

DEFAULT_APPROVAL_PATHS = (
    # database migrations and schemas
    "**/migrations/**", "**/migrate/**", "*.sql", "**/alembic/**", "db/schema.rb",
    "prisma/schema.prisma",
    # API and data schemas
    "**/*.schema.json", "**/schema.graphql", "**/openapi*.y*ml", "**/*.proto",
    # CI workflows
    ".github/workflows/**", ".gitlab-ci.yml", "Jenkinsfile", ".circleci/**", ".ci/**",
    # containers and infrastructure
    "**/Dockerfile*", "**/docker-compose*.y*ml", "**/*.tf", "**/k8s/**", "**/helm/**",
    # access control
    "**/iam*.json", "**/*policy*.json",
    # git hooks, what they run and config a repository may include: run at your commits
    ".githooks/**", ".husky/**", ".pre-commit-config.yaml", "lefthook.yml", ".lefthook.yml",
    "lefthook-local.yml", "**/.gitconfig", "*.gitconfig",
)
_LISTED_PATHS = 5


@dataclass(frozen=True)
class Policy:
    """The merged governance rules; `sources` and `notes` are for display."""

    sensitive: tuple[str, ...] = DEFAULT_SENSITIVE
    command_allow: tuple[str, ...] = DEFAULT_ALLOW
    command_deny: tuple[str, ...] = DEFAULT_DENY
    max_files: int | None = Governance.model_fields["max_files"].default
    max_lines: int | None = Governance.model_fields["max_lines"].default
    approval_paths: tuple[str, ...] = DEFAULT_APPROVAL_PATHS
    # where the agents' commands run (settings only, never Kiro)
    sandbox: Sandbox = field(default_factory=Sandbox)
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


# ---------------------------------------------------------------- loading


@dataclass(frozen=True)
class _Found:
    """One value read from the Kiro file, with the key path it was written under."""

    keypath: str
    value: Any


# Canonical name -> accepted spellings, compared after `_snake`.
_SECURITY_KEYS = {
    "sensitive": ("sensitive_files", "sensitive_paths", "sensitive"),
    "deny": ("denied_commands", "deny_commands", "blocked_commands"),
    "allow": ("trusted_commands", "allowed_commands", "allow_commands"),
}
_APPROVAL_KEYS = {
    "max_files": ("max_files_changed", "max_files"),
    "max_lines": ("max_lines_changed", "max_lines"),
    "paths": ("paths", "protected_paths", "approval_paths"),
}
_INTS = {"max_files", "max_lines"}


def load_policy(root: Path, settings: Settings) -> Policy:
    """reviewloop's settings merged with `.kiro/config.yaml` under `root`, if present."""
    kiro, notes = _read_kiro(root / KIRO_CONFIG)
    sources: list[str] = []
    gov = settings.governance
    return Policy(
        sensitive=_merge_list(sources, "sensitive files", settings.sensitive, DEFAULT_SENSITIVE,
                              "sensitive", kiro.get("sensitive")),
        command_allow=_merge_list(sources, "trusted commands", settings.commands.allow,
                                  DEFAULT_ALLOW, "commands.allow", kiro.get("allow"),
                                  grow_empty=False),
        command_deny=_merge_list(sources, "denied commands", settings.commands.deny,
                                 DEFAULT_DENY, "commands.deny", kiro.get("deny")),
        max_files=_merge_limit(sources, "file limit", gov, "max_files", kiro.get("max_files")),
        max_lines=_merge_limit(sources, "line limit", gov, "max_lines", kiro.get("max_lines")),
        approval_paths=_merge_list(sources, "protected paths", gov.approval_paths,
                                   DEFAULT_APPROVAL_PATHS, "governance.approval_paths",
                                   kiro.get("paths")),
        sandbox=Sandbox.from_settings(settings),
        sources=tuple(sources),
        notes=tuple(notes),
    )


def _merge_list(sources: list[str], label: str, ours: tuple[str, ...] | None,
                default: tuple[str, ...], ours_key: str, theirs: _Found | None,
                *, grow_empty: bool = True) -> tuple[str, ...]:
    """Ours (or the default) plus Kiro's entries; an empty list stays empty unless
    `grow_empty`, since an empty allow list means "anything not denied"."""
    merged = default if ours is None else ours
    origins = ["built-in defaults" if ours is None else f"reviewloop config ({ours_key})"]
    if theirs is not None and (grow_empty or merged):
        merged = _union(merged, theirs.value)
        origins.append(f"{KIRO_CONFIG} ({theirs.keypath})")
    sources.append(f"{label}: {' + '.join(origins)}")
    return merged


def _merge_limit(sources: list[str], label: str, gov: Governance, name: str,
                 theirs: _Found | None) -> int | None:
    """reviewloop's value when set explicitly, else Kiro's, else the default."""
    if name in gov.model_fields_set:
        sources.append(f"{label}: reviewloop config (governance.{name})")
        return getattr(gov, name)
    if theirs is not None:
        sources.append(f"{label}: {KIRO_CONFIG} ({theirs.keypath})")
        return theirs.value
    sources.append(f"{label}: built-in default")
    return getattr(gov, name)


def _union(first: Iterable[str], second: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*first, *second)))


def _read_kiro(path: Path) -> tuple[dict[str, _Found], list[str]]:
    """The recognised values of the Kiro file by canonical name, and notes on ignored keys."""
    if not path.is_file():
        return {}, []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot be read ({exc})", where=KIRO_CONFIG,
                          fix="make it a readable UTF-8 YAML file, or remove it") from None
    return _parse_kiro(text)


def kiro_values(text: str) -> dict[str, Any]:
    """The values a `.kiro/config.yaml` text sets, by canonical name ("allow", "deny",
    "sensitive", "max_files", "max_lines", "paths"); a `ConfigError` as `load_policy`
    would raise it."""
    return {name: found.value for name, found in _parse_kiro(text)[0].items()}


def _parse_kiro(text: str) -> tuple[dict[str, _Found], list[str]]:
    try:
        data = load_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        where = f"{KIRO_CONFIG}:{line}" if line else KIRO_CONFIG
        at = f"line {line} of {KIRO_CONFIG}" if line else KIRO_CONFIG
        raise ConfigError(f"not valid YAML ({exc.problem or exc})", where=where,
                          fix=f"correct the YAML syntax at {at}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"cannot be read ({exc})", where=KIRO_CONFIG,
                          fix="make it a readable UTF-8 YAML file, or remove it") from None
    reader = _KiroReader(text)
    if data is None:
        return {}, []
    if not isinstance(data, Mapping):
        raise reader.error((), "the top level must be a mapping of sections",
                           data, "start the file with `security:` or `governance:`")
    found: dict[str, _Found] = {}
    security = reader.section(data, ("security",), _SECURITY_KEYS)
    found |= reader.pick(security, ("security",), _SECURITY_KEYS)
    governance = reader.section(data, ("governance",), {"approval": ("approval",)})
    approval = reader.section(governance, ("governance", "approval"), _APPROVAL_KEYS)
    found |= reader.pick(approval, ("governance", "approval"), _APPROVAL_KEYS)
    return found, reader.notes


class _KiroReader:
    """Type checks over the parsed file; errors name the key path and, when known, the line."""

    def __init__(self, text: str):
        self._text = text
        self.notes: list[str] = []

    def section(self, parent: Mapping[str, Any], keypath: tuple[str, ...],
                known: Mapping[str, tuple[str, ...]]) -> Mapping[str, Any]:
        """The mapping at `keypath` ({} when absent), noting the keys reviewloop ignores."""
        value = parent.get(keypath[-1])
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            raise self.error(keypath, "expected a mapping", value,
                             f"write {keypath[-1]}: as a mapping of keys, or remove it")
        for key in value:
            if _canonical(key, known) is None:
                hint = ""
                if keypath == ("governance",) and _canonical(key, _APPROVAL_KEYS):
                    hint = f"; did you mean governance.approval.{key}?"
                self.notes.append(f"{'.'.join((*keypath, str(key)))} in {KIRO_CONFIG} is not "
                                  f"a reviewloop setting and was ignored{hint}")
        return value

    def pick(self, section: Mapping[str, Any], keypath: tuple[str, ...],
             known: Mapping[str, tuple[str, ...]]) -> dict[str, _Found]:
        found: dict[str, _Found] = {}
        for key, value in section.items():
            name = _canonical(key, known)
            if name is None:
                continue  # noted by section()
            where = (*keypath, str(key))
            if name in found:
                raise self.error(where, f"repeats {found[name].keypath}", value,
                                 f"keep one of {found[name].keypath} and {'.'.join(where)}")
            checked = self._int(where, value) if name in _INTS else self._strings(where, value)
            if name == "paths":
                self._check_globs(where, checked)
            found[name] = _Found(".".join(where), checked)
        return found

    def _int(self, keypath: tuple[str, ...], value: Any) -> int | None:
        if value is None or (isinstance(value, int) and not isinstance(value, bool)
                             and value >= 1):
            return value
        raise self.error(keypath, "expected a whole number of at least 1, or null", value,
                         f"set {keypath[-1]} to a number such as 20, or null for no limit")

    def _strings(self, keypath: tuple[str, ...], value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
            return tuple(v.strip() for v in value)
        raise self.error(keypath, "expected a list of non-empty strings", value,
                         f'write it as a list, e.g. {keypath[-1]}: ["first", "second"]')

    def _check_globs(self, keypath: tuple[str, ...], patterns: Any) -> None:
        for pattern in patterns:
            try:
                globs.check(pattern)
            except globs.BadGlob as exc:
                raise self.error(keypath, f"invalid glob {pattern!r}: {exc}", pattern,
                                 'use *, ** and ? wildcards, e.g. "db/migrations/**"') from None

    def error(self, keypath: tuple[str, ...], problem: str, value: Any, fix: str) -> ConfigError:
        line = _line_of(self._text, keypath)
        where = f"{KIRO_CONFIG}:{line}" if line else KIRO_CONFIG
        subject = f'key "{".".join(keypath)}": ' if keypath else ""
        return ConfigError(f"{subject}{problem} (got {value!r})", where=where, fix=fix)


def _snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).replace("-", "_").lower()


def _canonical(key: Any, known: Mapping[str, tuple[str, ...]]) -> str | None:
    if not isinstance(key, str):
        return None
    snake = _snake(key)
    return next((name for name, spellings in known.items() if snake in spellings), None)


def _line_of(text: str, keypath: tuple[str, ...]) -> int | None:
    """The 1-based line the key path is written on, when the file says so plainly."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    line = None
    for key in keypath:
        if not isinstance(node, yaml.MappingNode):
            return line
        pair = next(((k, v) for k, v in node.value if k.value == key), None)
        if pair is None:
            return line
        line, node = pair[0].start_mark.line + 1, pair[1]
    return line


# ---------------------------------------------------------------- using the policy


def approval_reasons(policy: Policy, *, files: Sequence[str], added: int,
                     removed: int) -> list[str]:
    """Why the change needs an explicit human approval; empty when it does not."""
    reasons = []
    if policy.max_files is not None and len(files) > policy.max_files:
        reasons.append(f"{len(files)} files changed (limit {policy.max_files})")
    lines = added + removed
    if policy.max_lines is not None and lines > policy.max_lines:
        reasons.append(f"{lines} lines changed (limit {policy.max_lines})")
    hits = [(path, pattern) for path in files
            if (pattern := protected_by(policy, path)) is not None]
    if hits:
        shown = ", ".join(f"{path} (matches {pattern})" for path, pattern in hits[:_LISTED_PATHS])
        more = f" and {len(hits) - _LISTED_PATHS} more" if len(hits) > _LISTED_PATHS else ""
        what = "a protected path" if len(hits) == 1 else f"{len(hits)} protected paths"
        reasons.append(f"touches {what}: {shown}{more}")
    return reasons


def protected_by(policy: Policy, path: str) -> str | None:
    """The first approval pattern `path` matches, or None."""
    return next((p for p in policy.approval_paths
                 if globs.matches(p, _norm(path), ignore_case=True)), None)


def sensitive_in(policy: Policy, files: Iterable[str]) -> list[str]:
    """The files that must never be read by a model, sent in a prompt or committed."""
    return [f for f in files if is_sensitive(PurePosixPath(_norm(f)), policy.sensitive)]


def command_policy(policy: Policy) -> CommandPolicy:
    return CommandPolicy(allow=policy.command_allow, deny=policy.command_deny,
                         sensitive=policy.sensitive, sandbox=policy.sandbox)


def _norm(path: str) -> str:
    return path.replace("\\", "/").lstrip("/").removeprefix("./")

