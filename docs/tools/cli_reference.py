"""Write docs/cli.md, the CLI reference, from the click commands themselves.

    python docs/tools/cli_reference.py           # regenerate docs/cli.md
    python docs/tools/cli_reference.py --check   # exit 1 when docs/cli.md is out of date

Every command and subcommand of `reviewloop.cli.app:cli` (hidden ones left out), its usage
line, its help text and each option's help as `--help` prints it. tests/test_docs.py fails
when the committed page differs from what this writes."""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "cli.md"
REGENERATE = "python docs/tools/cli_reference.py"

_CODE = re.compile(r"(`[^`]*`)")
_SPECIAL = re.compile(r"([\\*_\[\]<>|#])")


def _escape(text: str) -> str:
    """Markdown-safe text: code spans kept (a `|` in one escaped for tables), the rest of
    the characters Markdown or HTML would read escaped."""
    parts = _CODE.split(text)
    return "".join(part.replace("|", "\\|") if part.startswith("`") and part.endswith("`")
                   and len(part) > 1 else _SPECIAL.sub(r"\\\1", part) for part in parts)


def _code(text: str) -> str:
    return "`" + text.replace("|", "\\|") + "`"


def _commands(command: click.Command, ctx: click.Context) -> Iterator[
        tuple[click.Command, click.Context]]:
    yield command, ctx
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from _commands(sub, click.Context(sub, info_name=name, parent=ctx))


def _help(command: click.Command) -> list[str]:
    text = inspect.cleandoc(command.help or command.short_help or "").split("\f", 1)[0]
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return [_escape(" ".join(line.strip() for line in p.replace("\b\n", "").splitlines()))
            for p in paragraphs]


def _section(command: click.Command, ctx: click.Context) -> list[str]:
    path = ctx.command_path
    usage = " ".join([path, *command.collect_usage_pieces(ctx)])
    lines = [f"## {path}", "", f"Usage: {_code(usage)}", ""]
    for paragraph in _help(command):
        lines += [paragraph, ""]
    records = [r for p in command.get_params(ctx)
               if isinstance(p, click.Option) and (r := p.get_help_record(ctx))]
    if records:
        lines += ["| option | what it does |", "| --- | --- |"]
        lines += [f"| {_code(opts)} | {_escape(' '.join(text.split()))} |"
                  for opts, text in records]
        lines.append("")
    if isinstance(command, click.Group):
        subs = [n for n in command.list_commands(ctx)
                if (c := command.get_command(ctx, n)) is not None and not c.hidden]
        anchor = path.replace(" ", "-")
        lines += ["Commands: " + ", ".join(f"[`{n}`](#{anchor}-{n})" for n in subs) + ".", ""]
    return lines


def render(cli: click.Group | None = None) -> str:
    """The whole page for `cli` (default: reviewloop's), as it should be committed."""
    if cli is None:
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        from reviewloop.cli.app import cli
    root = click.Context(cli, info_name="reviewloop")
    lines = ["# CLI reference", "",
             f"<!-- Generated from the click commands by `{REGENERATE}`; do not edit. -->", "",
             "Every command with its options, as `reviewloop COMMAND --help` prints them. "
             "[Commands](commands.md) explains them with examples, "
             "[Troubleshooting](troubleshooting.md) the exit codes.", ""]
    for command, ctx in _commands(cli, root):
        lines += _section(command, ctx)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str]) -> int:
    page = render()
    if "--check" in argv:
        if PAGE.read_text(encoding="utf-8") != page:
            print(f"{PAGE.relative_to(ROOT)} is out of date: run `{REGENERATE}`", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(page, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
