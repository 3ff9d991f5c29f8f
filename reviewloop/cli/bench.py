"""`reviewloop bench`: the reviewers replayed on the repository's own history (or a JSONL
file of labelled cases), per model and per reviewer; the work is in `reviewloop.bench`,
imported only when the command runs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

from reviewloop.cli.options import format_flag, region_opt

if TYPE_CHECKING:
    from reviewloop.agent.models import ModelFactory
    from reviewloop.bench.cases import Case
    from reviewloop.bench.review import Reviewer
    from reviewloop.cli.app import Context
    from reviewloop.git.repository import Repository
    from reviewloop.runs.trusted import SettingsLoader


@dataclass(frozen=True)
class BenchOptions:
    models: tuple[str, ...] = ()
    rev: str = "HEAD"
    patterns: tuple[str, ...] = ()  # empty: szz.FIX_PATTERNS
    issues: tuple[int, ...] = ()
    fixes: tuple[str, ...] | None = None  # None: no --fix or --fixes given (the patterns)
    cases_file: Path | None = None
    limit: int | None = None
    budget_usd: float | None = None
    near: int = 3
    name: str = "default"
    format: str = "table"
    dry_run: bool = False


def run(load: SettingsLoader, root: Path, options: BenchOptions, *,
        config_file: Path | None = None, model_factory: ModelFactory | None = None) -> int:
    """Find the cases, review those the store lacks with every model, print the report.
    Exit 0 when every selected case has a result (or a budget stopped it), 1 when a review
    failed (not measured, retried by the next run), 2 for bad input."""
    from reviewloop.bench import replay, score
    from reviewloop.bench.review import review_case
    from reviewloop.bench.store import BenchStore
    from reviewloop.cli import bench_output
    from reviewloop.errors import ExitCode
    from reviewloop.git.repository import open_repository

    repo = open_repository(root)
    store = BenchStore(repo.root, options.name)  # a name the run would refuse: so does a dry run
    cases, fixes, skipped = _cases(repo, options)
    if options.dry_run:
        bench_output.print_cases(cases, skipped, limit=options.limit, fixes=fixes,
                                 fmt=options.format)
        return ExitCode.OK
    reviewers = _reviewers(load, root, options, config_file, model_factory)
    plan = replay.Plan(cases, reviewers, options.budget_usd, options.limit)
    stopped = replay.replay(store, plan, lambda case, who: review_case(repo.root, case, who),
                            bench_output.progress)
    report = score.build(name=options.name, cases=plan.selected(),
                         models=[r.model for r in reviewers], results=store.results(),
                         near=options.near, stopped=stopped, fixes=fixes, skipped=skipped)
    bench_output.emit(report, options.format)
    # a failed review is a case not measured: the figures are incomplete until a rerun
    return ExitCode.BLOCKING if any(m.failed for m in report.models) else ExitCode.OK


def _cases(repo: Repository, options: BenchOptions) -> tuple[list[Case], int, list[str]]:
    from reviewloop.bench import szz
    from reviewloop.bench.cases import load_cases

    if options.cases_file is not None:
        return load_cases(options.cases_file, repo), 0, []
    rule = szz.FixRule(patterns=options.patterns or szz.FIX_PATTERNS,
                       issues=frozenset(options.issues), commits=options.fixes)
    mined = szz.mine(repo, rule, options.rev)
    if mined.shallow and not mined.cases:  # the history is cut: measuring nothing is no pass
        from reviewloop.errors import UserInputError

        raise UserInputError(
            f"this clone is shallow: its history is cut, and {options.rev} gave no case "
            f"({mined.fixes} fix commit(s) found" + (f"; {mined.skipped[0]}" if mined.skipped
                                                     else "") + ")",
            where=str(repo.root), fix="fetch the whole history (git fetch --unshallow); in "
            "GitHub Actions use actions/checkout with fetch-depth: 0")
    return mined.cases, mined.fixes, mined.skipped


def _reviewers(load: SettingsLoader, root: Path, options: BenchOptions,
               config_file: Path | None, model_factory: ModelFactory | None) -> list[Reviewer]:
    """One reviewer per model, with the checkout's settings; no model at all is an error
    (the bench measures the model reviewers), as are missing credentials."""
    from reviewloop.app.models import model_switch
    from reviewloop.bench.review import Reviewer, measured
    from reviewloop.config import model_for
    from reviewloop.errors import ConfigError

    models = options.models or tuple(filter(None, [model_for(load(root, config_file),
                                                             "review")]))
    if not models:
        raise ConfigError("bench measures the model reviewers, and no model is configured",
                          where="model", fix="pass --model (repeat it to compare models) or "
                          "set `model` in .reviewloop.toml")
    reviewers = []
    for model in dict.fromkeys(models):
        settings = measured(load(root, config_file), model)
        factory, _ = model_switch(settings, model_factory, require_llm=True)
        reviewers.append(Reviewer(model, settings, factory))
    return reviewers


def _read_fixes(path: Path | None) -> tuple[str, ...]:
    """`--fixes FILE`: one commit per line; blank lines and `#` comments ignored. A file
    that names no commit is refused: it must not mean "every commit the patterns find"."""
    if path is None:
        return ()
    from reviewloop.errors import UserInputError

    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()  # a Windows editor's BOM
    except (OSError, UnicodeDecodeError) as exc:
        raise UserInputError(f"cannot read the fixes file: {exc}", where=str(path),
                             fix="give a text file with one commit id per line") from None
    commits = tuple(word for line in lines if (word := line.split("#", 1)[0].strip()))
    if not commits:
        raise UserInputError("the fixes file holds no commit", where=str(path),
                             fix="give one commit id per line, or leave out --fixes to find "
                                 "the fix commits by their messages")
    return commits


def _history_options(ctx: click.Context) -> list[str]:
    """The options that choose fix commits in the history, as given on the command line."""
    given = {"rev": "--rev", "patterns": "--pattern", "issues": "--issue", "fixes": "--fix",
             "fixes_file": "--fixes"}
    return [flag for name, flag in given.items()
            if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE]


def _regexes(ctx: click.Context, param: click.Parameter, patterns: tuple[str, ...]
             ) -> tuple[str, ...]:
    """`--pattern`s as given, each a regular expression Python compiles (a usage error,
    exit 2, naming the pattern and why, before anything is looked at). One that matches
    an empty message (`''`, `.*`, `x?`) or is blank (a space is in nearly every message)
    matches every commit: refused, never "all"."""
    for pattern in patterns:
        try:
            matches_all = re.compile(pattern).search("") is not None
        except (re.error, OverflowError, RecursionError) as exc:  # x{99999999999}, (((…)))
            raise click.BadParameter(f"{pattern!r} is not a regular expression: {exc}; "
                                     "escape a literal ( [ * + ? with a backslash") from None
        if matches_all or not pattern.strip():
            raise click.BadParameter(f"{pattern!r} matches an empty or blank message, so "
                                     "every commit would be a fix; give a word a fix's "
                                     "message holds (--pattern 'fix'), or --fix COMMIT for "
                                     "chosen commits")
    return patterns


def _given(ctx: click.Context, param: click.Parameter, value: object) -> object:
    """A value that must not be blank (`--rev ''`, `--fix ''`, `--fixes ''`, `--cases ''`:
    an unset variable in CI), refused as a usage error, exit 2, naming the option."""
    values = value if isinstance(value, tuple) else (value,)
    if any(v is not None and not str(v).strip() for v in values):
        flag = (param.opts or [param.name or "?"])[0]
        raise click.BadParameter(f"{flag} was given an empty value; give one, or leave "
                                 f"{flag} out for its default")
    return value


def _file(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    """A file option (`--fixes`, `--cases`), refused when blank as `_given` says: an empty
    path would be read as the current folder."""
    return None if value is None else Path(str(_given(ctx, param, value)))


@click.command("bench")
@click.option("--model", "models", multiple=True, metavar="MODEL",
              help="A LangChain model string (a bare id: Bedrock); repeat it to compare "
              "models on the same cases (default: the configured model).")
@region_opt
@click.option("--rev", default="HEAD", show_default=True, callback=_given,
              help="The history to look for fixes in: a branch, a commit or a range "
              "(v1.0..HEAD).")
@click.option("--pattern", "patterns", multiple=True, metavar="REGEX", callback=_regexes,
              help="A commit message matching it is a fix (repeatable; replaces the "
              "defaults: fix, bug, regression, hotfix, closes #N).")
@click.option("--issue", "issues", multiple=True, type=click.IntRange(min=1), metavar="N",
              help="A commit naming #N fixes a bug (repeatable): issues your tracker labels "
              "as bugs.")
@click.option("--fix", "fixes", multiple=True, metavar="COMMIT", callback=_given,
              help="Use this fix commit (repeatable); the message patterns are not used.")
@click.option("--fixes", "fixes_file", type=click.Path(dir_okay=False), callback=_file,
              help="A file of fix commits, one per line.")
@click.option("--cases", "cases_file", type=click.Path(dir_okay=False), callback=_file,
              help="Labelled cases as JSONL (docs/schemas/bench-case.schema.json) instead "
              "of the history.")
@click.option("--limit", type=click.IntRange(min=1), help="Review at most N cases.")
@click.option("--budget", "budget_usd", type=click.FloatRange(min=0), metavar="USD",
              help="Start no review once the bench has spent this much.")
@click.option("--near", type=click.IntRange(min=0), default=3, show_default=True,
              help="A finding this many lines from a labelled line still counts as a hit.")
@click.option("--name", default="default", show_default=True,
              help="The bench's store (.reviewloop/bench/NAME/): run it again to resume.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="json: docs/schemas/bench.schema.json (with --dry-run: the "
              "cases, docs/bench.md).")
@format_flag("--json", "json")
@click.option("--dry-run", is_flag=True, help="List the cases found; review nothing.")
@click.pass_obj
def bench_cmd(obj: Context, models: tuple[str, ...], region: str | None, rev: str,
              patterns: tuple[str, ...], issues: tuple[int, ...], fixes: tuple[str, ...],
              fixes_file: Path | None, cases_file: Path | None, limit: int | None,
              budget_usd: float | None, near: int, name: str, fmt: str, dry_run: bool) -> int:
    """Replay the reviewers on the bug-introducing commits of this repository's history
    (traced back from its fix commits) and measure what they find, per model and reviewer.
    Findings on unlabelled lines are unconfirmed, not false (docs/bench.md)."""
    if any(not model.strip() for model in models):  # an unset variable in CI
        raise click.UsageError("--model needs a model id (one was empty)")
    if cases_file is not None and (given := _history_options(click.get_current_context())):
        raise click.UsageError(f"--cases cannot be combined with {', '.join(given)}: the "
                               "cases file replaces the history's fix commits")
    chosen = (*fixes, *_read_fixes(fixes_file)) if fixes or fixes_file is not None else None
    options = BenchOptions(models=models, rev=rev, patterns=patterns, issues=issues,
                           fixes=chosen, cases_file=cases_file,
                           limit=limit, budget_usd=budget_usd, near=near, name=name,
                           format=fmt, dry_run=dry_run)
    return run(obj.loader(region=region), obj.root, options, config_file=obj.config)
