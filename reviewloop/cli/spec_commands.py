"""The `spec` command group (`spec new`, `spec resume`) as click commands, registered by
`cli.app`; their dialog is in `cli/spec_new.py` (the use case in `app/spec_authoring.py`),
imported only when one runs."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from reviewloop.cli.options import model_opt, region_opt

if TYPE_CHECKING:
    from reviewloop.cli.app import Context


@click.group("spec")
def spec_group() -> None:
    """Write a spec with a human gate after every phase, or continue one."""


@spec_group.command("new")
@click.argument("what")
@click.option("--name", help="Feature name (default: from the description), e.g. todo-api.")
@click.option("--format", "fmt", type=click.Choice(["doc", "kiro", "speckit"]), default="doc",
              show_default=True,
              help="docs/<name>-spec.md, .kiro/specs/<name>/ or specs/NNN-<name>/.")
@click.option("--research", is_flag=True, help="First let the model read the repository "
              "(read-only) and write research findings.")
@click.option("--approve-all", is_flag=True, help="Skip every gate (the front matter says so).")
@click.option("--revise", is_flag=True,
              help="The spec exists: load it as the draft and revise it for WHAT.")
@click.option("--fresh", is_flag=True,
              help="The spec exists: write a new one over it (old files backed up).")
@model_opt
@region_opt
@click.option("--yes", "-y", is_flag=True, help="Accepted for symmetry; never skips a gate.")
@click.pass_obj
def spec_new_cmd(obj: Context, what: str, name: str | None, fmt: str, research: bool,
                 approve_all: bool, revise: bool, fresh: bool, model: str | None,
                 region: str | None, yes: bool) -> int:
    """Draft requirements, designs and a task plan for WHAT, one reviewed phase at a time."""
    from reviewloop.authoring.start import NewSpec
    from reviewloop.cli import spec_new

    if revise and fresh:  # alternatives: neither may silently win
        raise click.UsageError("--revise and --fresh are alternatives: pass one of them")
    existing = "revise" if revise else "fresh" if fresh else None

    request = NewSpec(what=what, name=name, format=fmt, research=research,
                      approve_all=approve_all, interactive=sys.stdin.isatty(),
                      existing=existing)
    return spec_new.new(obj.settings(model=model, region=region), obj.root, request, yes=yes)


@spec_group.command("resume")
@click.argument("name", required=False)
@click.option("--list", "list_only", is_flag=True, help="List spec sessions and stop.")
@model_opt
@region_opt
@click.pass_obj
def spec_resume_cmd(obj: Context, name: str | None, list_only: bool, model: str | None,
                    region: str | None) -> int:
    """Continue a stopped spec session at its gate (default: the latest unfinished one)."""
    from reviewloop.cli import spec_new

    return spec_new.resume(obj.settings(model=model, region=region), obj.root, name,
                           list_only=list_only)
