"""`review`: an existing change reviewed with the configuration it may trust, as a summary
(or nothing to review) for a face to render: the command line prints it in a format, the
MCP server answers with its compact form."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from reviewloop.app.models import model_switch
from reviewloop.app.output import Output
from reviewloop.checks.gates.commands import project_tests
from reviewloop.config import Settings
from reviewloop.git.repository import Repository, open_repository
from reviewloop.policy.governance import load_policy, with_quality_gates
from reviewloop.policy.sensitive import is_sensitive
from reviewloop.reports.report import RunSummary
from reviewloop.review.evidence import AnalyzerReport, analyze
from reviewloop.review.introduced import BaseTrees
from reviewloop.runs.path_scope import under
from reviewloop.runs.review import DiffSource, NothingToReview, review_change
from reviewloop.runs.trusted import SettingsLoader, review_config
from reviewloop.sandbox.bubblewrap import require
from reviewloop.spec.steering import STEERING_DIR, load_layered
from reviewloop.spec.steering_set import cut_notices, with_references

if TYPE_CHECKING:  # chat models load LangChain: not before the analyzers start
    from reviewloop.agent.models import ModelFactory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReviewOptions:
    source: DiffSource = field(default_factory=DiffSource)
    format: str = "text"
    output: Path | None = None
    fail_on: str = "must_fix"
    fix: bool = False
    require_llm: bool = False
    sarif: Path | None = None
    tests: bool = False  # --tests: run the project's tests (sandboxed) for coverage


@dataclass(frozen=True)
class Nothing:
    """An empty change (exit 0) and the untracked paths the working tree left out."""

    message: str
    left_out: list[str]


def analyzers_for(settings: Settings, base: str | None = None,
                  bases: BaseTrees | None = None) -> Callable[..., AnalyzerReport]:
    """The reviewers' analyzers; the project's tests run (sandboxed) only when asked:
    `--tests` or `[review] run_tests = true`, never by default. `base`: the commit a working
    change is reviewed against; `bases`: the review's copies of the change's base, shared by
    all its reviewers (`review.introduced`; without it, one per reviewer)."""
    tests = project_tests(settings) if settings.review.run_tests else None
    if tests is not None:
        require(tests.sandbox)  # refuse before reviewing, not halfway through
        tests = replace(tests, base=base)
    return partial(analyze, tests=tests, bases=bases, sandbox=settings.sandbox)


def review(load: SettingsLoader, root: Path, options: ReviewOptions, out: Output, *,
           config_file: Path | None = None,
           model_factory: ModelFactory | None = None) -> RunSummary | Nothing:
    """Review; with --head the configuration comes from the base commit, never the change.
    The paths the working tree leaves out are in the summary's `skipped`."""
    source = options.source
    log.debug("review %s in %s, format %s, fail on %s", source, root, options.format,
              options.fail_on)
    repo = open_repository(root)
    source.hold(repo)
    # the change's base, copied once for every reviewer, removed when the review is done
    with review_config(repo, source.base, source.head, load, config_file) as trusted, \
            BaseTrees() as bases:
        factory, llm = model_switch(trusted.settings, model_factory, options.require_llm,
                                    warn=None if out.quiet() else out.warn)
        log.debug("settings from %s: model %s (LLM %s), reviewers %s",
                  trusted.base or "the checkout", trusted.settings.model, "on" if llm else "off",
                  ", ".join(trusted.settings.reviewers) or "built-in")
        summary = review_change(root, trusted.settings, source, model_factory=factory,
                                llm=llm, fix=options.fix,
                                analyze=analyzers_for(with_quality_gates(
                                    trusted.settings,
                                    load_policy(trusted.root or root, trusted.settings)),
                                    base=None if source.head else source.base, bases=bases),
                                progress=out.progress, trusted=trusted, repo=repo)
        left_out = working_tree_left_out(repo, source)  # as the review's snapshot listed it
        if isinstance(summary, NothingToReview):
            return Nothing(summary.message, left_out)
        if llm:  # a rule past the cap went missing from the reviewers' prompts: said, as `run`
            for notice in steering_cuts(trusted.root or root, copied=trusted.root is not None):
                out.warn(notice, style="yellow")
    summary = summary.model_copy(update={"skipped": [*left_out, *summary.skipped]})
    if log.isEnabledFor(logging.DEBUG):  # not counted for nothing: 1,500 entries
        log.debug("ledger: %s; health: %s", summary.ledger.counts(),
                  "; ".join(h.describe() for h in summary.ledger.health) or "none")
    return summary


def steering_cuts(config_root: Path, *, copied: bool) -> list[str]:
    """`run`'s notice (`cut_notices`) for each steering file the review's prompts cut, read
    as the review read them (`SteeringSet.collect`, which refused a broken one already). A
    `copied` config root (the base commit's, in a folder of its own) names a project file
    by its path in the repository."""
    project = config_root / STEERING_DIR
    files = with_references(load_layered(project), project, is_sensitive)
    if copied:
        files = [replace(f, path=f.path.relative_to(config_root))
                 if f.path.is_relative_to(config_root) else f for f in files]
    return cut_notices(files)


def working_tree_left_out(repo: Repository, source: DiffSource) -> list[str]:
    """`path: reason` for each untracked path the working-tree change leaves out (a
    virtualenv, node_modules, build output; never a file for its size) under the review's
    paths; none for --staged or --head, which read no untracked file."""
    if source.staged or source.head:
        return []
    return [str(skipped) for skipped in repo.untracked_skipped()
            if not source.paths or under(skipped.path.rstrip("/"), source.paths)]
