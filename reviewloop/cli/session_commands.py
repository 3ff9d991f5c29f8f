"""The session commands `handoff`, `pickup` and `note` as click commands (registered by
`cli.app`), printing as text or JSON; their work is in `app/handoff.py`, imported only when
one runs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from reviewloop.errors import ExitCode

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
    from reviewloop.app import handoff
    from reviewloop.cli.terminal import terminal

    done = handoff.write(obj.settings(), obj.root, learn=learn, outputs=outputs)
    if as_json:
        _print_json(done.as_json(obj.root))
    else:
        handoff.tell(done, obj.root, terminal())
    return ExitCode.OK


@click.command("pickup")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_obj
def pickup_cmd(obj: Context, as_json: bool) -> int:
    """Read the last handoff, check it against git and the runs, and say where to start."""
    from reviewloop.app import handoff

    report = handoff.pickup(obj.settings(), obj.root)
    if as_json:
        _print_json(report)
    else:
        _print_pickup(report)
    return ExitCode.OK


@click.command("note")
@click.argument("text")
@click.option("--preference", is_flag=True, help="A standing preference, not a decision.")
@click.pass_obj
def note_cmd(obj: Context, text: str, preference: bool) -> int:
    """Record a decision (with its rationale) for the next handoff."""
    from reviewloop.app import handoff
    from reviewloop.cli import ui

    recorded = handoff.note(obj.root, text, "preference" if preference else "decision")
    ui.console().print(f"noted ({recorded.kind}): {recorded.text}", markup=False)
    return ExitCode.OK


def _print_json(data: dict[str, Any]) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a file name with bytes that are not UTF-8: escaped, as
        text = json.dumps(data, indent=2)  # \udcff, so the output stays UTF-8 JSON
    print(text)


def _print_pickup(report: dict[str, Any]) -> None:
    from reviewloop.cli import ui

    out = ui.console()
    if report["discrepancies"]:
        out.print("[bold yellow]Changed since the handoff:[/]")
        for item in report["discrepancies"]:
            out.print(f"  ! {item}", markup=False)
    for title, key in (("Where we left off", "left_off"), ("Next", "next"),
                       ("Blockers", "blockers"), ("Key decisions", "decisions"),
                       ("Preferences", "preferences")):
        out.print(f"[bold]{title}:[/]")
        items = report[key] or ["none"]
        for number, item in enumerate(items, 1):
            out.print(f"  {number}. {item}" if key == "next" else f"  - {item}", markup=False)
