"""Options several commands share, defined once: the model, the Bedrock region, the
review's --format (its names and help read from the format registry when first needed), and
a format's shortcut flag (`--json`, `--html`) that refuses a `--format` it contradicts."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import click
from click.core import ParameterSource

model_opt = click.option(
    "--model", help="LangChain model string provider:model-id; a bare id "
    "means Bedrock Converse (e.g. us.anthropic.claude-sonnet-4-5-20250929-v1:0).")
region_opt = click.option("--region", help="AWS region for Bedrock (default: the AWS chain).")


class LazyChoice(click.Choice):
    """A choice among a registry's names, asked when a command line is parsed or help is
    shown, not when the CLI module is imported (installed plugins load only then)."""

    def __init__(self, names: Callable[[], Iterable[str]]):
        self._names = names
        super().__init__(())

    @property  # type: ignore[override]
    def choices(self) -> Sequence[str]:
        return tuple(self._names())

    @choices.setter
    def choices(self, _: object) -> None:  # click.Choice.__init__ assigns it
        pass


class _HelpFromRegistry(click.Option):
    """An option whose help text is computed when help is shown."""

    def __init__(self, *args: Any, help_text: Callable[[], str], **kwargs: Any):
        self._help_text = help_text
        super().__init__(*args, **kwargs)

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        self.help = self._help_text()
        return super().get_help_record(ctx)


def _format_names() -> list[str]:
    from reviewloop.reports.formats import formats

    return list(formats())


def _format_help() -> str:
    from reviewloop.reports.formats import formats

    return "; ".join(f"{f.name}: {f.description}" for f in formats().values()) + "."


format_opt = click.option(
    "--format", "fmt", cls=_HelpFromRegistry, help_text=_format_help,
    type=LazyChoice(_format_names), default="text", show_default=True)


def format_flag(flag: str, value: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`flag` (`--json`) as the same as `--format VALUE`, for a command whose `--format`
    fills `fmt`: given with a `--format` of another value on the command line, refused as a
    usage error naming both (click would let the later one win, silently)."""
    dest = f"_{flag.lstrip('-')}_flag"

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def resolved(*args: Any, **kwargs: Any) -> Any:
            if kwargs.pop(dest):
                given = click.get_current_context().get_parameter_source("fmt")
                if given is ParameterSource.COMMANDLINE and kwargs["fmt"] != value:
                    raise click.UsageError(
                        f"{flag} and --format {kwargs['fmt']} ask for two formats: {flag} is "
                        f"--format {value}; give one of them")
                kwargs["fmt"] = value
            return command(*args, **kwargs)

        return click.option(flag, dest, is_flag=True,
                            help=f"Same as --format {value}.")(resolved)

    return decorate
