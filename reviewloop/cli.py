"""Command line: parse, call a command function, print, exit. No domain logic here."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from reviewloop import __version__
from reviewloop.config import Settings, load_settings, project_root
from reviewloop.crash import guarded
from reviewloop.errors import ExitCode

_SPEC_HELP = "A tasks.md, a docs/<feature>-spec.md, or a spec folder (default: auto-detect)."


class Context:
    """What every command needs from the command line, built once."""

    def __init__(self, config: Path | None):
        self.config = config
        self.root = project_root(Path.cwd())

    def settings(self, **flags) -> Settings:
        return load_settings(self.root, flags=flags, config_file=self.config)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="reviewloop")
@click.option("--config", type=click.Path(path_type=Path, dir_okay=False),
              help="Read settings from this TOML file instead of .reviewloop.toml.")
@click.pass_context
def cli(ctx: click.Context, config: Path | None) -> None:
    """Implement a spec task, gate it, review it with five agents, fix, and commit on approval.

    Exit codes: 0 ok, 1 blocking outcome, 2 usage/config/input error, 3 internal error,
    130 interrupted.
    """
    ctx.obj = Context(config)


@cli.command("tasks")
@click.option("--spec", type=click.Path(path_type=Path), help=_SPEC_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_obj
def tasks_cmd(obj: Context, spec: Path | None, as_json: bool) -> int:
    """List the spec's tasks with status, wave, dependencies and diagnostics."""
    from reviewloop.commands import tasks

    return tasks.run(obj.settings(spec=spec), obj.root, as_json=as_json)


@cli.group("agents", invoke_without_command=True)
@click.pass_context
def agents_group(ctx: click.Context) -> int | None:
    """List the effective reviewers and where each came from."""
    if ctx.invoked_subcommand is None:
        from reviewloop.commands import agents

        obj: Context = ctx.obj
        return agents.list_effective(obj.settings(), obj.root)
    return None


@agents_group.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.pass_obj
def agents_validate_cmd(obj: Context, paths: tuple[Path, ...]) -> int:
    """Check agent files (default: the effective set); exit 2 on the first broken one."""
    from reviewloop.commands import agents

    return agents.validate(obj.settings(), obj.root, paths)


def main(argv: list[str] | None = None) -> None:
    def call() -> int:
        try:
            code = cli.main(args=argv, prog_name="reviewloop", standalone_mode=False)
        except click.exceptions.Abort:
            raise KeyboardInterrupt from None
        except click.ClickException as exc:
            exc.show()
            return ExitCode.USAGE if exc.exit_code == 2 else exc.exit_code
        return int(code or 0)

    sys.exit(guarded(call, lambda text: click.echo(text, err=True)))
