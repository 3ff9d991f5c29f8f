"""Command line: parse, call a command function, print, exit. No domain logic here."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from reviewloop import __version__
from reviewloop.checks.analyzers import provision
from reviewloop.cli.crash import guarded
from reviewloop.cli.lazy import LazyGroup
from reviewloop.cli.memory import tune_collector
from reviewloop.cli.options import format_flag, format_opt, model_opt, region_opt
from reviewloop.config import Settings, load_settings, project_root
from reviewloop.errors import ExitCode
from reviewloop.findings.schema import Severity

if TYPE_CHECKING:  # the run command loads LangGraph: only when it runs
    from reviewloop.app.run import RunOptions

_LIVE = frozenset({"run", "resume", "approve", "reject", "review"})  # shown live (cli/live.py)
_SPEC_HELP = "A tasks.md, a docs/<feature>-spec.md, or a spec folder (default: auto-detect)."
COMMENT_EVENTS = ("issue_comment", "pull_request_review_comment")  # = github.commands.EVENTS


class Context:
    """What every command needs from the command line, built once."""

    def __init__(self, config: Path | None):
        self.config = config
        self.root = project_root(Path.cwd())

    def settings(self, **flags: Any) -> Settings:
        return load_settings(self.root, flags=flags, config_file=self.config)

    def loader(self, **flags: Any) -> Callable[[Path, Path | None], Settings]:
        """Settings from a given root and config file: PR mode reads them from the base."""
        return lambda root, config_file: load_settings(root, flags=flags,
                                                       config_file=config_file)


# commands of their own modules, imported when named (the help imports them all)
_LAZY = {"bench": "reviewloop.cli.bench:bench_cmd", "mcp": "reviewloop.cli.mcp_server:mcp_cmd",
         "spec": "reviewloop.cli.spec_commands:spec_group",
         "tools": "reviewloop.cli.tools:tools_group",
         "install-hook": "reviewloop.cli.hook_command:install_hook_cmd",
         **{name: f"reviewloop.cli.session_commands:{name}_cmd"
            for name in ("handoff", "pickup", "note")},
         **{name: f"reviewloop.cli.report_commands:{name}_cmd" for name in ("report", "stats")}}


@click.group(cls=LazyGroup, lazy=_LAZY,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="reviewloop")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False),
              help="Read settings from this TOML file instead of .reviewloop.toml.")
@click.option("--quiet", "-q", "verbosity", flag_value="quiet", help="No progress or notices.")
@click.option("--verbose", "-v", "verbosity", flag_value="verbose", help="Debug logging too.")
@click.pass_context
def cli(ctx: click.Context, config: Path | None, verbosity: str | None) -> None:
    """Implement a spec task, gate it, review it with its reviewers, fix, and commit on approval.

    Exit codes: 0 ok, 1 blocking outcome, 2 usage/config/input error, 3 internal error,
    4 review --github could not publish, 130 interrupted (143
    SIGTERM, 129 SIGHUP).
    """
    from reviewloop.cli import ui

    ui.set_verbosity(verbosity or ui.NORMAL)
    provision.listen(ui.notice)  # an analyzer's first-use install says what it does
    ctx.obj = Context(config)
    if ctx.invoked_subcommand in _LIVE and not ctx.resilient_parsing and ui.live_terminal() \
            and not ui.quiet():
        from reviewloop.cli import live  # LangChain's callbacks: loaded only for the view

        ctx.with_resource(live.session(ui.progress_text))


@click.command("tasks")
@click.option("--spec", type=click.Path(path_type=Path), help=_SPEC_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_obj
def tasks_cmd(obj: Context, spec: Path | None, as_json: bool) -> int:
    """List the spec's tasks with status, wave, dependencies and diagnostics."""
    from reviewloop.cli import tasks

    return tasks.run(obj.settings(spec=spec), obj.root, as_json=as_json)


@click.group("agents", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def agents_group(ctx: click.Context, as_json: bool) -> int | None:
    """List the effective reviewers and where each came from."""
    if ctx.invoked_subcommand is None:
        from reviewloop.cli import agents

        obj: Context = ctx.obj
        return agents.list_effective(obj.settings(), obj.root, as_json=as_json)
    return None


@agents_group.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_obj
def agents_validate_cmd(obj: Context, paths: tuple[Path, ...]) -> int:
    """Check agent files (default: the effective set); exit 2 on the first broken one."""
    from reviewloop.cli import agents

    return agents.validate(obj.settings(), obj.root, paths)


def _run_options(**kw: Any) -> RunOptions:
    from reviewloop.app.run import RunOptions

    return RunOptions(**kw)


_yes_opt = click.option("--yes", "-y", is_flag=True,
                        help="Approve the commit when nothing was escalated.")
_llm_opt = click.option("--require-llm", is_flag=True,
                        help="Fail instead of running the analyzers-only review when no model "
                        "or credentials are available.")


@click.command("run")
@click.argument("target", metavar="TASK|next|all")
@click.option("--spec", type=click.Path(path_type=Path), help=_SPEC_HELP)
@model_opt
@region_opt
@click.option("--implementer", default="llm", show_default=True,
              help='llm, manual (your change in the working tree) or cmd:"your-agent …".')
@_yes_opt
@click.option("--max-rounds", type=int, help="Review rounds at most (default 3).")
@click.option("--branch", help="Create and switch to this working branch first.")
@click.option("--continue", "keep_going", is_flag=True,
              help="With `all`: go on after a declined or escalated task.")
@click.option("--jobs", "-j", type=click.IntRange(1, 32),
              help="With `all`: run up to N tasks of one dependency wave at once, each in its "
              "own worktree (default: run.jobs, 1).")
@click.option("--approve-at-end", is_flag=True,
              help="With `all`: ask for the approvals after every task has run, one at a time.")
@click.option("--force", is_flag=True, help="Run a task even if it is already done.")
@_llm_opt
@click.pass_obj
def run_cmd(obj: Context, target: str, spec: Path | None, model: str | None,
            region: str | None, implementer: str, yes: bool, max_rounds: int | None,
            branch: str | None, keep_going: bool, jobs: int | None, approve_at_end: bool,
            force: bool, require_llm: bool) -> int:
    """Implement, gate, review, fix and commit one task, the next one, or all of them.

    Each run works in its own git worktree under .reviewloop/worktrees/ on its own branch;
    your checkout changes only when you approve (see run.land)."""
    from reviewloop.app import run
    from reviewloop.cli.terminal import terminal

    settings = obj.settings(spec=spec, model=model, region=region, max_rounds=max_rounds)
    options = _run_options(implementer=implementer, yes=yes, branch=branch,
                           keep_going=keep_going, require_llm=require_llm, force=force,
                           jobs=jobs, approve_at_end=approve_at_end)
    return run.run(settings, obj.root, target, options, terminal())


@click.command("resume")
@click.argument("run_id", required=False, metavar="[RUN]")
@model_opt
@region_opt
@_yes_opt
@_llm_opt
@click.pass_obj
def resume_cmd(obj: Context, run_id: str | None, model: str | None, region: str | None,
               yes: bool, require_llm: bool) -> int:
    """Continue a stopped or crashed run (default: the latest unfinished one)."""
    from reviewloop.app import run
    from reviewloop.cli.terminal import terminal

    settings = obj.settings(model=model, region=region)
    return run.resume(settings, obj.root, run_id,
                      _run_options(yes=yes, require_llm=require_llm), terminal())


@click.command("approve")
@click.argument("run_id", metavar="RUN")
@click.option("--continue", "keep_going", is_flag=True,
              help="A batch's run: after committing it, go on with the batch's other tasks.")
@click.pass_obj
def approve_cmd(obj: Context, run_id: str, keep_going: bool) -> int:
    """Approve a run waiting for approval: mark the task done and commit its files.

    A run of a batch (`run all`, `--approve-at-end`, a wave) is approved alone; continue
    the batch with `reviewloop run all`, or with `reviewloop approve RUN --continue`."""
    from reviewloop.app import run
    from reviewloop.cli.terminal import terminal

    return run.decide(obj.settings(), obj.root, run_id, "approve", terminal(),
                      keep_going=keep_going)


@click.command("reject")
@click.argument("run_id", metavar="RUN")
@click.pass_obj
def reject_cmd(obj: Context, run_id: str) -> int:
    """Decline a run: nothing is committed and the working tree is left as it is."""
    from reviewloop.app import run
    from reviewloop.cli.terminal import terminal

    return run.decide(obj.settings(), obj.root, run_id, "reject", terminal())


@click.command("runs")
@click.option("--json", "as_json", is_flag=True, help="JSON (docs/schemas/runs.schema.json).")
@click.option("--repair", is_flag=True, help="Move damaged store files aside; keep what reads.")
@click.pass_obj
def runs_cmd(obj: Context, as_json: bool, repair: bool) -> int:
    """List runs, where each stands and where its worktree is."""
    from reviewloop.cli import runs

    return runs.list_runs(obj.settings(), obj.root, as_json=as_json, repair=repair)


@click.command("clean")
@click.argument("run_ids", nargs=-1, metavar="[RUN]...")
@click.option("--all", "everything", is_flag=True,
              help="Also remove the worktrees of unfinished runs (they are abandoned).")
@click.option("--force", is_flag=True, help="Also remove those holding changes made after a run.")
@click.pass_obj
def clean_cmd(obj: Context, run_ids: tuple[str, ...], everything: bool, force: bool) -> int:
    """Remove kept worktrees: of finished (declined) runs, of the named runs, or all."""
    from reviewloop.cli import runs

    return runs.clean(obj.settings(), obj.root, run_ids, everything, force)


@click.command("review")
@click.option("--base", help="Compare against this ref (default: HEAD; with --head: the "
              "default branch).")
@click.option("--head", help="Review BASE...HEAD (two commits) instead of the working tree.")
@click.option("--staged", is_flag=True,
              help="Review what is staged, as `git commit` would record it (against --base).")
@click.option("--working", is_flag=True, help="Review the working tree (the default).")
@format_opt
@format_flag("--json", "json")
@click.option("--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the report to this file ('-': standard output); the terminal "
                   "then shows its summary (the counts, the 10 most severe findings, the file).")
@click.option("--fail-on", type=click.Choice([*(s.value for s in Severity), "never"]),
              default="must_fix", show_default=True,
              help="Exit 1 when findings at or above this severity remain.")
@click.option("--fix", is_flag=True, help="Run fix and re-review rounds; leave the result "
              "uncommitted.")
@click.option("--sarif", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write SARIF 2.1.0 to this file.")
@click.option("--tests", "tests", is_flag=True, help="Also run the project's test command "
              "(sandboxed, network off) to check new code's coverage; off by default because "
              "it executes the change's code.")
@click.option("--github/--no-github", "github", default=None,
              help="Pull-request mode: review the PR of GITHUB_EVENT_PATH and publish the "
              "review (default: on inside a GitHub Actions pull_request run).")
@click.option("--quiet", "-q", "quiet", is_flag=True, help="No panel, progress or notices: "
              "the text format prints nothing when the review passes, ruff's lines when it "
              "blocks (as `reviewloop -q review`).")
@model_opt
@region_opt
@_llm_opt
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_obj
def review_cmd(obj: Context, base: str | None, head: str | None, staged: bool, working: bool,
               fmt: str, output: Path | None, fail_on: str, fix: bool, sarif: Path | None,
               tests: bool, github: bool | None, quiet: bool, model: str | None,
               region: str | None, require_llm: bool, paths: tuple[Path, ...]) -> int:
    """Review an existing change with the guard-rails' analyzers and the reviewers;
    with PATHS, only the changed files under them."""
    from reviewloop.app.review import ReviewOptions
    from reviewloop.cli import review, ui
    from reviewloop.runs.review import DiffSource

    if sum(bool(x) for x in (head, staged, working)) > 1:
        raise click.UsageError("choose one of --head, --staged, --working")
    if "" in (base, head):  # an unset variable in CI, not "no revision": another change
        raise click.UsageError("--base and --head need a revision (one was empty)")
    if quiet:
        ui.set_verbosity(ui.QUIET)
    scope = review.scope_paths(obj.root, paths, (head, base or "HEAD"), index=staged)
    options = ReviewOptions(
        source=DiffSource(base=base, head=head, staged=staged, paths=scope), format=fmt,
        output=None if str(output) == "-" else output,  # as `report --output -`
        fail_on=fail_on, fix=fix, require_llm=require_llm, sarif=sarif, tests=tests)
    review.prepare_outputs(options, obj.root)
    load = obj.loader(model=model, region=region,
                      review={"run_tests": True} if tests else None)
    if github is None:
        github = (os.environ.get("GITHUB_ACTIONS") == "true"
                  and (os.environ.get("GITHUB_EVENT_NAME", "").startswith("pull_request")
                       or os.environ.get("GITHUB_EVENT_NAME") in COMMENT_EVENTS))
    if github and paths:
        raise click.UsageError("PATHS limit a local review; --github reviews the whole pull "
                               "request (drop the paths)")
    if github and os.environ.get("GITHUB_EVENT_NAME") in COMMENT_EVENTS:
        from reviewloop.app import pr_command  # a `/reviewloop …` comment on a PR
        from reviewloop.cli.terminal import terminal

        return pr_command.run(load, obj.root, options, out=terminal(), show=review.emit,
                              config_file=obj.config)
    if github:
        from reviewloop.app import pull_request
        from reviewloop.cli.terminal import terminal

        return pull_request.run(load, obj.root, options, out=terminal(), show=review.emit,
                                config_file=obj.config)
    return review.run(load, obj.root, options, config_file=obj.config)


@click.command("demo")
@click.option("--dir", "directory", type=click.Path(path_type=Path, file_okay=False),
              help="Create the example repository here (default: a new temp folder).")
def demo_cmd(directory: Path | None) -> int:
    """Run the whole loop offline on a bundled example project in a temp git repo."""
    from reviewloop.cli import demo

    return demo.run(directory)


@click.command("init")
@click.option("--pre-commit", "pre_commit", is_flag=True,
              help="Also add the reviewloop hook to .pre-commit-config.yaml.")
@click.option("--no-workflow", "no_workflow", is_flag=True,
              help="Do not write .github/workflows/reviewloop-pr.yml.")
@click.option("--force", is_flag=True,
              help="Replace a workflow that differs from the template, keeping a backup.")
@click.pass_obj
def init_cmd(obj: Context, pre_commit: bool, no_workflow: bool, force: bool) -> int:
    """Write the settings (.reviewloop.toml or --config's) and PR workflow if missing."""
    from reviewloop.cli import init

    return init.init(obj.root, workflow=not no_workflow, pre_commit=pre_commit, force=force,
                     config=obj.config)


@click.command("plan")
@click.option("--spec", type=click.Path(path_type=Path), help=_SPEC_HELP)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github-matrix"]),
              default="text", show_default=True,
              help="github-matrix prints {\"include\": [{\"task\": …, \"title\": …}]} on one line.")
@format_flag("--json", "json")
@click.option("--max", "limit", type=click.IntRange(min=1), help="Start at most N tasks.")
@click.option("--ref", help="Also count tasks ticked in the spec at this ref as done (e.g. "
              "origin/main after the wave's pull requests merged).")
@click.pass_obj
def plan_cmd(obj: Context, spec: Path | None, fmt: str, limit: int | None,
             ref: str | None) -> int:
    """The tasks that may start now (their dependencies done or merged), as one wave."""
    from reviewloop.cli import plan

    return plan.run(obj.settings(spec=spec), obj.root, fmt=fmt, limit=limit, ref=ref)


# Every command, registered here and only here: those defined above, and `_LAZY`'s: the
# analyzer environments (`tools`, cli/tools.py), `spec` (cli/spec_commands.py), the session
# commands (cli/session_commands.py), `report` and `stats` (cli/report_commands.py),
# `install-hook` (cli/hook_command.py).
COMMANDS: tuple[click.Command, ...] = (
    tasks_cmd, agents_group, run_cmd, resume_cmd, approve_cmd, reject_cmd, runs_cmd, clean_cmd,
    review_cmd, demo_cmd, init_cmd, plan_cmd)
for _command in COMMANDS:
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    tune_collector()

    def call() -> int:
        try:
            code = cli.main(args=argv, prog_name="reviewloop", standalone_mode=False)
        except click.exceptions.Abort as exc:  # click's word for Ctrl-C (or a stopping signal)
            cause = exc.__cause__
            raise cause if isinstance(cause, KeyboardInterrupt) else KeyboardInterrupt() from None
        except click.ClickException as exc:
            exc.show()
            return ExitCode.USAGE if exc.exit_code == 2 else exc.exit_code
        return int(code or 0)

    sys.exit(guarded(call, lambda text: click.echo(text, err=True)))
