"""The analyzers reviewloop knows, by the name a reviewer's `reviewloop.analyzers` list uses."""


from __future__ import annotations

from typing import Protocol

from reviewloop import plugins
from reviewloop.checks.analyzers.bandit import Bandit
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov import Checkov
from reviewloop.checks.analyzers.eslint import (
    ESLINT_MAINTAINABILITY,
    ESLINT_PERFORMANCE,
    ESLINT_SECURITY,
)
from reviewloop.checks.analyzers.failing_tests import FailingTests
from reviewloop.checks.analyzers.hadolint import Hadolint
from reviewloop.checks.analyzers.ruff import RUFF_MAINTAINABILITY, RUFF_PERFORMANCE
from reviewloop.checks.analyzers.shellcheck import SHELLCHECK, SHELLCHECK_SECURITY
from reviewloop.checks.analyzers.test_changes import TestChanges
from reviewloop.checks.analyzers.zizmor import Zizmor
from reviewloop.checks.cdk.analyzers import CdkCheckov, CdkNag
from reviewloop.checks.coverage.analyzer import NewCodeCoverage
from reviewloop.checks.secrets.analyzer import SecretsScan
from reviewloop.findings.schema import Finding
from reviewloop.policy.lever_files import ConfigFile
from reviewloop.policy.markers import MarkerSyntax


class Analyzer(Protocol):
    """One tool. `available` says why it cannot run (None when it can); nothing happens at
    construction or import. `reads` names the changed files (of `ctx.files`) it reads, each
    up to `max_bytes`: the coverage matrix holds it to them, and every one of them it did not
    read it names (`AnalyzerContext.not_read`) — see `base`'s contract. An analyzer that
    reads no file as such (it runs the tests, synthesizes an app) says `[]`.
    An analyzer may also define `wants(ctx) -> bool`: False when
    none of the changed files is of a kind it analyzes, so a missing tool with nothing to do
    is not reported as missing. And `claims(root, path) -> bool`: True for a changed file
    it analyzes even outside its reviewer's scope globs (a CDK app's sources), so the
    reviewer's analyzers see that file and keep what they find in it (with it, optionally,
    `claimed(root, paths)`: the ones of `paths` it claims, asked at once). And
    `base_folders(ctx) -> Sequence[str]`: the analyzer is run on the change's base too, with
    the changed files as they were and these folders whole, so a finding the change
    introduced off its own lines (a deleted protective line) is inside the change
    (`review.introduced`; its findings name their subject in `Finding.symbol`). With it,
    `base_context(ctx) -> Sequence[str]`: unchanged files its run reads with the changed
    ones (a Terraform module's), read at the base too; and `attributed(finding, ctx) ->
    Finding | None`: where a finding the change introduced on a file it did not touch is
    shown (on the changed variable line that opened it; None: not shown).
    `markers` are the suppression syntaxes its tool honours (`policy.markers`): a marker of
    one of them silences this analyzer's findings when the trusted side wrote it, and is
    reported when the change adds it (`checks.suppressions`); `()` for a tool that reads
    none. `config_files` are the files its tool finds in the checkout by itself and obeys
    (`policy.lever_files.ConfigFile`): each is a suppression lever of that tool
    (`checks.suppressions.config_files`); `()` for a tool that obeys none. `line_breaks`:
    the line breaks its tool counts and git does not (`analyzers.line_breaks`; None: it
    numbers lines as git does); one that declares none is held to every break there is.
    `wide_text`: True when it reads a file in UTF-16 or UTF-32 as text (`git.encodings`);
    one that does not say so names each such file as not analysed. `notebook_code`: True
    when of a notebook it reads the code cells alone, so its `max_bytes` measures them, not
    the outputs beside them (`checks.notebook_size`); any other is held to the file's size."""

    @property
    def name(self) -> str: ...

    @property
    def max_bytes(self) -> int: ...

    @property
    def markers(self) -> tuple[MarkerSyntax, ...]: ...

    @property
    def config_files(self) -> tuple[ConfigFile, ...]: ...

    def available(self) -> str | None: ...

    def reads(self, ctx: AnalyzerContext) -> list[str]: ...

    def run(self, ctx: AnalyzerContext) -> list[Finding]: ...


ANALYZERS: dict[str, Analyzer] = {
    "bandit": Bandit(),
    "secrets": SecretsScan(),
    "ruff-maintainability": RUFF_MAINTAINABILITY,
    "ruff-performance": RUFF_PERFORMANCE,
    "checkov": Checkov(),
    "hadolint": Hadolint(),
    "zizmor": Zizmor(),
    "eslint-security": ESLINT_SECURITY,
    "eslint-maintainability": ESLINT_MAINTAINABILITY,
    "eslint-performance": ESLINT_PERFORMANCE,
    "shellcheck-security": SHELLCHECK_SECURITY,
    "shellcheck": SHELLCHECK,
    "cdk-checkov": CdkCheckov(),
    "cdk-nag": CdkNag(),
    "coverage": NewCodeCoverage(),
    "test-changes": TestChanges(),
    "failing-tests": FailingTests(),
}


# what `Analyzer` declares of itself: an analyzer without one of these fails the contract test
DECLARATIONS = ("name", "max_bytes", "markers", "config_files", "reads", "available", "run")


def undeclared(analyzer: object) -> list[str]:
    """The declarations of `Analyzer` that `analyzer` lacks (markers and config files must
    be tuples, even empty ones: "none" is said, never assumed)."""
    missing = [name for name in DECLARATIONS if not hasattr(analyzer, name)]
    for name, kind in (("markers", MarkerSyntax), ("config_files", ConfigFile)):
        value = getattr(analyzer, name, None)
        if name not in missing and not (isinstance(value, tuple)
                                        and all(isinstance(v, kind) for v in value)):
            missing.append(name)
    return missing


_WHAT = "analyzer (an object with " + ", ".join(DECLARATIONS) + ")"


def _declares(value: object) -> bool:
    return not undeclared(value)


# each plugin analyzer's package, recorded when `analyzers` loads it: its failed row names
# the package without asking plugin code again (`failure.failed`; a plugin's property read
# then could raise or hang outside any boundary)
_PACKAGES: dict[str, str] = {}


def analyzers() -> dict[str, Analyzer]:
    """Every analyzer: the built-ins (`ANALYZERS`), then those installed plugins add through
    the entry-point group `reviewloop.analyzers` (each an object satisfying `Analyzer`, with
    every declaration the contract asks for: `undeclared`)."""
    table = plugins.extend(ANALYZERS, plugins.ANALYZERS, _declares, _WHAT)
    # the entry points `extend` just loaded and checked (kept by `plugins.load`: no import)
    packages = {p.name: p.distribution for p in plugins.load(plugins.ANALYZERS)}
    for gone in _PACKAGES.keys() - packages.keys():  # uninstalled since (a test's site)
        _PACKAGES.pop(gone, None)
    _PACKAGES.update(packages)
    return table


def package_of(name: str) -> str | None:
    """The installed package whose entry point is the analyzer `name`, as `analyzers`
    recorded it; None for a built-in or a name no plugin it loaded declares. Runs no plugin
    code: it is asked on an analyzer's failure path."""
    return None if name in ANALYZERS else _PACKAGES.get(name)
