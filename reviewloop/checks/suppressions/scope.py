"""Which change a review must not take suppressions from, and the suppressions it gets.

* A pull request (`review --base/--head`, `review --github`): everything from its base to
  its head (`pr_trust`); suppression files are read from the base commit.
* A run (`reviewloop run`, and `review --fix`): everything written since the run started —
  by the implementer, the fixer, any model — measured from the tree the user handed over
  (`run_trust`); suppression files the run touched are read from that tree.
* A local review of the user's own change: nothing is written after it starts, so
  `run_trust` trusts it all; its suppressions are still listed as suppressed, never silent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reviewloop.checks.secrets.gitleaks import IGNORE_FILE, IgnoreEntry, parse_ignore
from reviewloop.checks.suppressions.added import added_suppressions
from reviewloop.checks.suppressions.eslint_inline_config import InlineConfig
from reviewloop.checks.suppressions.eslint_project import ProjectEslint
from reviewloop.checks.suppressions.files import TrustedFiles
from reviewloop.checks.suppressions.suppressor import (
    BASELINE,
    BaselineEntry,
    Suppressor,
    parse_baseline,
)
from reviewloop.checks.suppressions.tool_config import config_skips
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import ChangeSet, parse_diff
from reviewloop.git.provenance import blame
from reviewloop.git.repository import Repository, Snapshot
from reviewloop.policy.trust import Trust
from reviewloop.sandbox.bubblewrap import SandboxMode


@dataclass(frozen=True)
class Suppressions:
    """A round's suppression decision, and the findings for what the change adds."""

    suppress: Suppressor
    added: list[Finding]


def suppressions_for(repo: Repository, root: Path, trust: Trust,
                     sandbox: SandboxMode = "auto") -> Suppressions:
    """The suppressions of the tree at `root` (the reviewed files) under `trust`; the
    project's ESLint config is evaluated under the `sandbox` setting."""
    files = TrustedFiles(repo, root, trust)
    suppressor = Suppressor(files, baseline=_baseline(files), gitleaks=_gitleaks(files),
                            config=config_skips(files.trusted_text),
                            blame=lambda path, line: blame(repo, path, line, trust.head),
                            project=(project := ProjectEslint(files, repo, sandbox)),
                            eslint_inline=InlineConfig(files, project))
    return Suppressions(suppressor, added_suppressions(files))


def pr_trust(repo: Repository, base: str, head: str, changes: ChangeSet | None = None
             ) -> Trust:
    """A pull request's change: base...head (from their merge base), as its review sees it;
    `changes` is that diff parsed, when the caller has it."""
    if changes is None:
        changes = parse_diff(repo.diff_refs(base, head))
    return Trust.from_changes(changes, base=base, head=head)


def run_trust(repo: Repository, baseline: Snapshot, carried_tree: str | None = None) -> Trust:
    """What was written since a run started: from the user's tree a manual run carried into
    its worktree (`carried_tree`), else from the run's baseline snapshot."""
    start = baseline.model_copy(update={"tree": carried_tree or baseline.tree})
    return Trust.from_changes(parse_diff(repo.diff_since(start)), base=start.tree)


def _baseline(files: TrustedFiles) -> list[BaselineEntry]:
    text = files.trusted_text(BASELINE)
    return parse_baseline(text, _where(files, BASELINE)) if text is not None else []


def _gitleaks(files: TrustedFiles) -> list[IgnoreEntry]:
    text = files.trusted_text(IGNORE_FILE)
    return parse_ignore(text) if text is not None else []


def _where(files: TrustedFiles, path: str) -> str:
    trust = files.trust
    return path if trust.file(path) or trust.base is None else f"{path} (at {trust.base[:12]})"
