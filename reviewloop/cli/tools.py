"""`reviewloop tools install|list|clean`: the cached environments of the heavy analyzers."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from reviewloop.checks.analyzers.cleanup import clean
from reviewloop.checks.analyzers.provision import (
    TOOLS,
    ProvisionError,
    Tool,
    entries,
    foreign,
    install,
    stale,
    tools_dir,
)
from reviewloop.errors import ExitCode, UserInputError


def chosen(names: tuple[str, ...]) -> list[Tool]:
    """The named tools (all of them when none is named); an unknown name is a usage error."""
    unknown = [n for n in names if n not in TOOLS]
    if unknown:
        raise UserInputError(f"unknown tool {', '.join(unknown)}",
                             fix=f"choose from {', '.join(TOOLS)}")
    return [TOOLS[n] for n in names] if names else list(TOOLS.values())


@click.group("tools")
def tools_group() -> None:
    """The heavy analyzers' cached environments (~/.cache/reviewloop/tools, or
    $REVIEWLOOP_TOOLS_DIR): installed on first use, then reused offline."""


@tools_group.command("install")
@click.argument("names", nargs=-1, metavar="[NAME]...")
def install_cmd(names: tuple[str, ...], root: Path | None = None) -> int:
    """Install the pinned version of each tool now (default: all), e.g. before going offline;
    cached ones are left alone. Exit 1 if one fails."""
    base = root or tools_dir()
    failed = 0
    for tool in chosen(names):
        try:
            command = install(tool, base, notify=lambda text: click.echo(text, err=True))
        except ProvisionError as exc:
            click.echo(f"{tool.name}: {exc}", err=True)
            failed += 1
            continue
        click.echo(f"{tool.name} {tool.version}: {command}")
    return ExitCode.BLOCKING if failed else ExitCode.OK


@tools_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def list_cmd(as_json: bool, root: Path | None = None) -> int:
    """Show each tool's pinned version and whether it is cached, on PATH or absent."""
    base = root or tools_dir()
    rows = entries(base)
    extra, other = stale(base), foreign(base)
    if as_json:
        click.echo(json.dumps({"tools_dir": str(base), "tools": [asdict(r) for r in rows],
                               "stale": [str(p) for p in extra],
                               "other": [str(p) for p in other]}, indent=2))
        return ExitCode.OK
    click.echo(f"tools folder: {base}")
    for row in rows:
        where = {"cached": row.command, "path": f"not cached; using {row.command} from PATH",
                 "absent": f"not installed; installed on first use, or now with "
                           f"`reviewloop tools install {row.name}`"}[row.status]
        click.echo(f"  {row.name:<10} {row.version:<10} {where}")
    for path in extra:
        click.echo(f"  stale: {path} (no pin names it; `reviewloop tools clean` removes it)")
    for path in other:
        click.echo(f"  not reviewloop's: {path} (`reviewloop tools clean` leaves it alone)")
    return ExitCode.OK


@tools_group.command("clean")
@click.argument("names", nargs=-1, metavar="[NAME]...")
def clean_cmd(names: tuple[str, ...], root: Path | None = None) -> int:
    """Remove the named tools' environments, every version (default: the whole cache).
    Only what reviewloop made goes; anything else in the folder is named and left alone.
    Exit 1 when one could not be removed (each is named with why; the rest are removed), or
    another process is installing one now (named once, left alone)."""
    chosen(names)  # reject unknown names before removing anything
    base = root or tools_dir()
    done = clean(names, base)
    for path in done.removed:
        click.echo(f"removed {path}")
    if not (done.removed or done.failed or done.busy):
        click.echo("nothing to remove")
    for path in foreign(base):
        if not names or any(path.name.lstrip(".").startswith(f"{n}-") for n in names):
            click.echo(f"kept {path}: reviewloop did not make it", err=True)
    for path, why in done.busy:
        click.echo(f"left {path}: {why}", err=True)
    for path, why in done.failed:
        click.echo(f"could not remove {path}: {why}", err=True)
    if done.failed:
        click.echo(f"{len(done.failed)} could not be removed: fix what is named above (a "
                   "folder you cannot write: `chmod -R u+w` it) and run `reviewloop tools "
                   "clean` again", err=True)
    return ExitCode.BLOCKING if done.failed or done.busy else ExitCode.OK
