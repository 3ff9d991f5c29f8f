"""Whether a project runs the very ruff reviewloop ships, so that its config's rules are
ruff's own default selection rather than the classic `E4, E7, E9, F` (`ruff_chain.written`).

A config that selects nothing (or only `extend-select`) runs ruff's default selection, which
differs between ruff's releases; not knowing the project's release, reviewloop builds on
the long-standing `E4, E7, E9, F` (`ruff_config`). But a project that pins the ruff
reviewloop ships — `required-version = "==0.17.6"` (or `"0.17.6"`) in its config chain, or
the `rev: v0.17.6` of its pre-commit ruff hook — runs exactly that ruff's default: the
fuzzer's D1 (26 findings of plain `ruff check .`, I001, UP006, LOG015, T100…, silently
missing from such a project's review). A project that selects nothing and pins no release
(or another one) keeps the classic default, and the analyzer's row says so (`classic_note`).
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.precommit_hooks import hook_rev
from reviewloop.checks.analyzers.ruff_lookup import HOOKS, Governing


@cache
def shipped() -> str | None:
    """The version of the ruff reviewloop runs; None when it is not installed."""
    try:
        return version("ruff")
    except PackageNotFoundError:
        return None


def pinned(ctx: AnalyzerContext, config: Governing) -> bool:
    """Whether the project declares the ruff reviewloop ships: the nearest `required-version`
    of `config`'s chain, else its pre-commit ruff hook's `rev`, names exactly that release."""
    for _, table in reversed(config.layers):
        required = table.get("required-version")
        if required is not None:
            return isinstance(required, str) and _same(required.strip().removeprefix("=="))
    rev = hook_rev(ctx, HOOKS)
    return rev is not None and _same(rev.strip().removeprefix("v"))


def classic_note(config: Governing) -> str | None:
    """What the analyzer's row says of `config` when its rules were built on the classic
    default rather than ruff's own (no `select` in its chain); None when it selects them."""
    for _, table in config.layers:
        lint = table.get("lint")
        if "select" in table or (isinstance(lint, dict) and "select" in lint):
            return None
    return (f"{config.path} selects no rules (`extend-select` at most): its rules ran on ruff's "
            "classic default E4, E7, E9, F, not on the default of the project's ruff release, "
            f"which is not known; fix: pin `required-version = \"=={shipped()}\"` (the ruff "
            "reviewloop runs) or set `select`")


def _same(given: str) -> bool:
    ours = shipped()
    return ours is not None and given.strip() == ours
