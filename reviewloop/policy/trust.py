"""What can lower a verdict, decided in one place: the files that configure, suppress,
classify or hook into a review, and the inline markers that silence a finding.

A review's verdict may be lowered only by what the trusted side carries: the base commit, or
a human with write access. Everything else asks this module whether a path or a line is one
of those levers, and `Trust` whether a given lever came from the trusted side:

* `lever(path)` — the `Lever` a repository path is (settings, agent definitions, steering,
  a suppression file of reviewloop's or of a wrapped tool, `.gitattributes`, a hook), or None.
* `markers(line)` — the suppression markers an added line carries, in every syntax the
  wrapped tools and the common linters read (`# nosec`, `# noqa`, `#checkov:skip=`,
  `# hadolint ignore=`, `# zizmor: ignore[…]`, `gitleaks:allow`, `pragma: allowlist secret`,
  `reviewloop: ignore[…]`, …).
* `Trust` — which lines and files of a tree are the untrusted change's: a marker on one of
  them is reported, never honoured; a lever file the change touches is read from the base.

The lists are deliberately wide: a lever missing here is a hole, an extra one costs a 🟡
finding a maintainer reads once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from reviewloop.git.diff import ChangeSet
from reviewloop.policy import globs


class LeverKind(StrEnum):
    """What a lever changes about a review."""

    CONFIG = "configuration"  # settings, reviewer definitions, steering, governance
    SUPPRESSION = "suppression"  # a file that silences findings
    CLASSIFICATION = "classification"  # what counts as generated, vendored, binary
    HOOK = "hook"  # code git or a hook manager runs at commit

    @property
    def verb(self) -> str:
        return _VERBS[self]


_VERBS = {LeverKind.CONFIG: "reconfigures the review", LeverKind.SUPPRESSION: "suppresses findings",
          LeverKind.CLASSIFICATION: "hides files from the review",
          LeverKind.HOOK: "adds code that runs at commit"}


@dataclass(frozen=True)
class Lever:
    """One kind of file that can lower a verdict, and whose it is."""

    glob: str  # gitignore-style, matched against the repository path
    kind: LeverKind
    owner: str  # who reads it: "reviewloop", "bandit", "git", "husky", …


def _levers(kind: LeverKind, owner: str, *patterns: str) -> tuple[Lever, ...]:
    return tuple(Lever(p, kind, owner) for p in patterns)


LEVERS: tuple[Lever, ...] = (
    *_levers(LeverKind.CONFIG, "reviewloop", "/.reviewloop.toml", "/.reviewloop/*.toml",
             "/pyproject.toml"),
    *_levers(LeverKind.CONFIG, "kiro", "/.kiro/agents/**", "/.kiro/steering/**",
             "/.kiro/config.yaml", "/.kiro/settings/**", "/.kiro/hooks/**"),
    *_levers(LeverKind.SUPPRESSION, "reviewloop", "/.reviewloop-baseline.json"),
    *_levers(LeverKind.SUPPRESSION, "gitleaks", ".gitleaksignore", ".gitleaks.toml"),
    *_levers(LeverKind.SUPPRESSION, "detect-secrets", ".secrets.baseline"),
    *_levers(LeverKind.SUPPRESSION, "bandit", ".bandit", "bandit.yaml", "bandit.yml",
             ".bandit.yaml", ".bandit.yml"),
    *_levers(LeverKind.SUPPRESSION, "ruff", "ruff.toml", ".ruff.toml", "setup.cfg", "tox.ini",
             ".flake8"),
    *_levers(LeverKind.SUPPRESSION, "checkov", ".checkov.yaml", ".checkov.yml",
             ".checkov.baseline"),
    *_levers(LeverKind.SUPPRESSION, "hadolint", ".hadolint.yaml", ".hadolint.yml",
             "hadolint.yaml", "hadolint.yml"),
    *_levers(LeverKind.SUPPRESSION, "zizmor", "zizmor.yml", "zizmor.yaml", ".zizmor.yml",
             ".zizmor.yaml"),
    *_levers(LeverKind.SUPPRESSION, "other scanners", ".semgrepignore", ".trivyignore",
             ".trivyignore.yaml", ".tfsec/**", ".snyk", ".eslintignore", ".prettierignore"),
    *_levers(LeverKind.CLASSIFICATION, "git", ".gitattributes", "/.git-blame-ignore-revs"),
    *_levers(LeverKind.CLASSIFICATION, "reviewloop", ".reviewloopignore"),
    *_levers(LeverKind.HOOK, "git", "/.githooks/**", "/.git-hooks/**", "/.hooks/**",
             "/githooks/**", "/hooks/**", "/.gitconfig"),
    *_levers(LeverKind.HOOK, "husky", "/.husky/**"),
    *_levers(LeverKind.HOOK, "pre-commit", ".pre-commit-config.yaml", ".pre-commit-config.yml",
             ".pre-commit-hooks.yaml"),
    *_levers(LeverKind.HOOK, "lefthook", "lefthook.yml", "lefthook.yaml", ".lefthook.yml",
             ".lefthook.yaml", "lefthook-local.yml", "lefthook-local.yaml", "/.lefthook/**"),
    *_levers(LeverKind.HOOK, "overcommit", ".overcommit.yml"),
    *_levers(LeverKind.HOOK, "simple-git-hooks", ".simple-git-hooks.json",
             ".simple-git-hooks.js", ".simple-git-hooks.cjs", "simple-git-hooks.json"),
)


def lever(path: str, extra: Iterable[Lever] = ()) -> Lever | None:
    """The lever `path` is (the first matching entry of `extra`, then `LEVERS`), or None.

    `extra` carries what only the repository knows: its configured hooks folder, the
    reviewer folders its settings name."""
    for candidate in (*extra, *LEVERS):
        if globs.matches(candidate.glob, path):
            return candidate
    return None


@dataclass(frozen=True)
class Marker:
    """A suppression marker found in a line: which tool honours it, and what it names."""

    owner: str
    text: str  # the marker as written, e.g. "# nosec B602"


# One pattern per syntax; each names the tool that honours it. Case-insensitive where the
# tool itself is (bandit reads NOSEC, ruff reads NoQA).
_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (owner, re.compile(pattern, re.IGNORECASE)) for owner, pattern in (
        ("reviewloop", r"reviewloop:\s*ignore\b[^\n]*"),
        ("bandit", r"#\s*nosec\b[^\n]*"),
        ("ruff", r"#\s*noqa\b[^\n]*"),
        ("ruff", r"#\s*ruff\s*:\s*noqa\b[^\n]*"),
        ("flake8", r"#\s*flake8\s*:\s*noqa\b[^\n]*"),
        ("pylint", r"pylint\s*:\s*disable\b[^\n]*"),
        ("checkov", r"checkov\s*:\s*skip\s*=[^\n]*"),
        ("hadolint", r"hadolint\s+(?:global\s+)?ignore\s*=[^\n]*"),
        ("zizmor", r"zizmor\s*:\s*ignore\b[^\n]*"),
        ("gitleaks", r"gitleaks\s*:\s*allow\b[^\n]*"),
        ("detect-secrets", r"pragma\s*:\s*allowlist\s+(?:nextline\s+)?secret\b[^\n]*"),
        ("semgrep", r"nosemgrep\b[^\n]*"),
        ("tfsec", r"tfsec\s*:\s*ignore\s*:[^\n]*"),
        ("trivy", r"trivy\s*:\s*ignore\s*:[^\n]*"),
        ("kics", r"kics-scan\s+ignore\b[^\n]*"),
        ("sonar", r"\bNOSONAR\b[^\n]*"),
        ("eslint", r"eslint-disable\b[^\n]*"),
        ("typescript", r"@ts-(?:ignore|nocheck|expect-error)\b[^\n]*"),
        ("coverage", r"pragma\s*:\s*no\s*cover\b[^\n]*"),
    ))


def markers(line: str) -> list[Marker]:
    """Every suppression marker in `line`, in the order the patterns list them."""
    found = []
    for owner, pattern in _MARKERS:
        match = pattern.search(line)
        if match:
            found.append(Marker(owner, match.group(0).strip()))
    return found


@dataclass(frozen=True)
class Trust:
    """Which parts of a tree are the untrusted change's: its added lines per file and the
    files it touches. A review of the user's own working change trusts everything
    (`Trust.everything()`); a pull request or a run's model change does not."""

    added: Mapping[str, frozenset[int]] = field(default_factory=dict)
    touched: frozenset[str] = frozenset()
    trusted_all: bool = False

    @classmethod
    def everything(cls) -> Trust:
        return cls(trusted_all=True)

    @classmethod
    def from_changes(cls, changes: ChangeSet) -> Trust:
        """The untrusted side of `changes`: each file's added lines, the paths it changes."""
        return cls(added={f.path: frozenset(f.added_lines) for f in changes.files},
                   touched=frozenset(changes.paths))

    def line(self, path: str, number: int) -> bool:
        """Whether line `number` of `path` comes from the trusted side."""
        return self.trusted_all or number not in self.added.get(path, frozenset())

    def file(self, path: str) -> bool:
        """Whether `path` as it is in the tree may be read as trusted (else: the base's)."""
        return self.trusted_all or path not in self.touched
