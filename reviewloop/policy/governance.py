"""Governance: sensitive files, trusted and denied commands, and what needs a human's approval.

`load_policy` merges reviewloop's own settings with the `security` and `governance` sections
of `.kiro/config.yaml` and with `.kiro/governance.yaml` (`policy.governance_file`) when those
files exist. Kiro publishes no schema for those sections, so reviewloop reads this mapping;
keys may be camelCase, snake_case or kebab-case::

    security:
      sensitiveFiles: [globs]     # also sensitivePaths, sensitive
      deniedCommands: [patterns]  # also denyCommands, blockedCommands
      trustedCommands: [prefixes] # also allowedCommands, allowCommands
    governance:
      require_approval:           # also approval
        file_changes_over: 20     # also maxFilesChanged, maxFiles; null means no limit
        lines_changed_over: 800   # also maxLinesChanged, maxLines; null means no limit
        files_matching: [globs]   # also paths, protectedPaths, approvalPaths

A change over a limit (more files than `file_changes_over`, more added + removed lines than
`lines_changed_over`) or touching a matching file needs a human's approval, even under --yes;
the reason names the rule and the file it came from (`policy.approval`).

Merging. Each list starts from reviewloop's setting (or its built-in default when unset) and
Kiro's entries are added: Kiro can widen the sensitive, denied and protected lists and trust
more commands, never narrow them. Narrowing a default (dropping `*secret*` in a repository
whose code is about secrets, say) is done by setting the full list in reviewloop's config.
An empty reviewloop `commands.allow` means "anything not denied", so Kiro's trusted commands
add nothing to it. Numbers come from reviewloop's config when set there, else from Kiro's,
else the defaults. Other keys in the two sections are ignored with a note in `Policy.notes`
(Kiro may define more), which a run prints when it starts; other top-level sections are not
reviewloop's business.

Dependency manifests (`requirements*.txt`, `package.json`, …) are not protected by default:
dependency changes are routine in feature work, and an approval prompt that fires on most
tasks stops being read. Lockfiles are generated and never protected. Add the manifests to
`governance.approval_paths` (or Kiro's `files_matching`) to review them by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from reviewloop.config import Governance, Settings
from reviewloop.policy import globs, kiro_yaml
from reviewloop.policy.commands import DEFAULT_ALLOW, DEFAULT_DENY, CommandPolicy
from reviewloop.policy.governance_file import GOVERNANCE_FILE, HumanApproval, load_governance
from reviewloop.policy.kiro_yaml import KiroReader
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


@dataclass(frozen=True)
class Policy:
    """The merged governance rules; `sources` and `notes` are for display."""

    sensitive: tuple[str, ...] = DEFAULT_SENSITIVE
    command_allow: tuple[str, ...] = DEFAULT_ALLOW
    command_deny: tuple[str, ...] = DEFAULT_DENY
    max_files: int | None = Governance.model_fields["max_files"].default
    max_lines: int | None = Governance.model_fields["max_lines"].default
    approval_paths: tuple[str, ...] = DEFAULT_APPROVAL_PATHS
    # `.kiro/governance.yaml`: patterns, change types, thresholds and quality gates
    human: HumanApproval = field(default_factory=HumanApproval)
    # the rule each limit came from, for the approval reason: "max_files" -> where it is set
    rules: Mapping[str, str] = field(default_factory=dict)
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
_APPROVAL_SECTION = ("require_approval", "approval")
_APPROVAL_KEYS = {
    "max_files": ("file_changes_over", "max_files_changed", "max_files"),
    "max_lines": ("lines_changed_over", "max_lines_changed", "max_lines"),
    "paths": ("files_matching", "paths", "protected_paths", "approval_paths"),
}
_INTS = {"max_files", "max_lines"}
_GLOBS = {"sensitive", "paths"}  # path globs: {a,b} alternatives expanded


def load_policy(root: Path, settings: Settings) -> Policy:
    """reviewloop's settings merged with `.kiro/config.yaml` and `.kiro/governance.yaml`
    under `root`, where present."""
    kiro, notes = _read_kiro(root / KIRO_CONFIG)
    human, human_notes = load_governance(root / GOVERNANCE_FILE)
    sources: list[str] = []
    rules: dict[str, str] = {}
    gov = settings.governance
    return Policy(
        sensitive=_merge_list(sources, "sensitive files", settings.sensitive, DEFAULT_SENSITIVE,
                              "sensitive", kiro.get("sensitive")),
        command_allow=_merge_list(sources, "trusted commands", settings.commands.allow,
                                  DEFAULT_ALLOW, "commands.allow", kiro.get("allow"),
                                  grow_empty=False),
        command_deny=_merge_list(sources, "denied commands", settings.commands.deny,
                                 DEFAULT_DENY, "commands.deny", kiro.get("deny")),
        max_files=_merge_limit(sources, rules, "file limit", gov, "max_files",
                               kiro.get("max_files")),
        max_lines=_merge_limit(sources, rules, "line limit", gov, "max_lines",
                               kiro.get("max_lines")),
        approval_paths=_merge_list(sources, "protected paths", gov.approval_paths,
                                   DEFAULT_APPROVAL_PATHS, "governance.approval_paths",
                                   kiro.get("paths")),
        human=human, rules=rules,
        sandbox=Sandbox.from_settings(settings),
        sources=tuple(sources),
        notes=(*notes, *human_notes),
    )


def with_quality_gates(settings: Settings, policy: Policy) -> Settings:
    """The settings with `.kiro/governance.yaml`'s quality gates where reviewloop's own config
    sets none (`gates.coverage_threshold` in reviewloop's config wins)."""
    wanted = policy.human.test_coverage
    if wanted is None or "coverage_threshold" in settings.gates.model_fields_set:
        return settings
    gates = settings.gates.model_copy(update={"coverage_threshold": wanted})
    return settings.model_copy(update={"gates": gates})


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


def _merge_limit(sources: list[str], rules: dict[str, str], label: str, gov: Governance,
                 name: str, theirs: _Found | None) -> int | None:
    """reviewloop's value when set explicitly, else Kiro's, else the default; `rules` gets
    where it came from (nothing for the default: the reason names the reviewloop key)."""
    if name in gov.model_fields_set:
        sources.append(f"{label}: reviewloop config (governance.{name})")
        rules[name] = f"reviewloop config governance.{name}"
        return getattr(gov, name)
    if theirs is not None:
        sources.append(f"{label}: {KIRO_CONFIG} ({theirs.keypath})")
        rules[name] = f"{KIRO_CONFIG} {theirs.keypath}"
        return theirs.value
    sources.append(f"{label}: built-in default")
    return getattr(gov, name)


def _union(first: Iterable[str], second: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*first, *second)))


def _read_kiro(path: Path) -> tuple[dict[str, _Found], list[str]]:
    """The recognised values of the Kiro file by canonical name, and notes on ignored keys."""
    text = kiro_yaml.read_text(path, KIRO_CONFIG)
    return ({}, []) if text is None else _parse_kiro(text)


def kiro_values(text: str) -> dict[str, Any]:
    """The values a `.kiro/config.yaml` text sets, by canonical name ("allow", "deny",
    "sensitive", "max_files", "max_lines", "paths"); a `ConfigError` as `load_policy`
    would raise it."""
    return {name: found.value for name, found in _parse_kiro(text)[0].items()}


def _parse_kiro(text: str) -> tuple[dict[str, _Found], list[str]]:
    data = kiro_yaml.parse(text, KIRO_CONFIG)
    reader = KiroReader(text, KIRO_CONFIG)
    if data is None:
        return {}, []
    if not isinstance(data, Mapping):
        raise reader.error((), "the top level must be a mapping of sections",
                           data, "start the file with `security:` or `governance:`")
    found: dict[str, _Found] = {}
    security = reader.section(data, ("security",), _SECURITY_KEYS)
    found |= _pick(reader, security, ("security",), _SECURITY_KEYS)
    governance = reader.section(data, ("governance",), {"approval": _APPROVAL_SECTION},
                                hint=_approval_hint)
    keypath = reader.find(governance, ("governance",), _APPROVAL_SECTION)
    if keypath is not None:
        approval = reader.section(governance, keypath, _APPROVAL_KEYS)
        found |= _pick(reader, approval, keypath, _APPROVAL_KEYS)
    return found, reader.notes


def _approval_hint(key: str) -> str:
    if kiro_yaml.canonical(key, _APPROVAL_KEYS) is None:
        return ""
    return f"; did you mean governance.require_approval.{key}?"


def _pick(reader: KiroReader, section: Mapping[str, Any], keypath: tuple[str, ...],
          known: Mapping[str, tuple[str, ...]]) -> dict[str, _Found]:
    found: dict[str, _Found] = {}
    for key, value in section.items():
        name = kiro_yaml.canonical(key, known)
        if name is None:
            continue  # noted by section()
        where = (*keypath, str(key))
        if name in found:
            raise reader.error(where, f"repeats {found[name].keypath}", value,
                               f"keep one of {found[name].keypath} and {'.'.join(where)}")
        if name in _INTS:
            found[name] = _Found(".".join(where), reader.whole(where, value))
            continue
        checked = reader.globs(where, value) if name in _GLOBS else reader.strings(where, value)
        if name == "paths":
            reader.check_globs(where, checked)
        found[name] = _Found(".".join(where), checked)
    return found


# ---------------------------------------------------------------- using the policy


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

