"""The session commands `handoff`, `pickup` and `note` as click commands (registered by
`cli.app`); their work is in `cli/handoff.py`, imported only when one runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from reviewloop.cli.app import Context


@click.command("handoff")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of Markdown.")
@click.option("--learn", is_flag=True, help="Also append the decisions and preferences "
              "recorded with `note` to .kiro/steering/memory.md (steering later sessions).")
@click.option("--outputs", multiple=True, metavar="PATH",
              help="Outputs file (cdk-outputs.json, cdk.out, terraform output -json) to list "
              "deployed resources from; repeatable (default: handoff_outputs, then the usual "
              "names).")
@click.pass_obj
def handoff_cmd(obj: Context, as_json: bool, learn: bool, outputs: tuple[str, ...]) -> int:
    """Write .reviewloop/handoff.md: blockers, next steps and state for the next session."""
    from reviewloop.cli import handoff

    return handoff.write(obj.settings(), obj.root, as_json=as_json, learn=learn,
                         outputs=outputs)


@click.command("pickup")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_obj
def pickup_cmd(obj: Context, as_json: bool) -> int:
    """Read the last handoff, check it against git and the runs, and say where to start."""
    from reviewloop.cli import handoff

    return handoff.pickup(obj.settings(), obj.root, as_json=as_json)


@click.command("note")
@click.argument("text")
@click.option("--preference", is_flag=True, help="A standing preference, not a decision.")
@click.pass_obj
def note_cmd(obj: Context, text: str, preference: bool) -> int:
    """Record a decision (with its rationale) for the next handoff."""
    from reviewloop.cli import handoff

    return handoff.note(obj.root, text, "preference" if preference else "decision")


COMMANDS = (handoff_cmd, pickup_cmd, note_cmd)
