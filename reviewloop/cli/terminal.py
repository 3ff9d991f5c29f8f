"""The terminal as a use case's `Output` (`app/output.py`): lines on stdout and stderr,
notices and progress as -q and -v say, the summary panel, and questions asked only when
both ends are a terminal (the live view paused while one is asked)."""

from __future__ import annotations

import sys
from functools import cache
from typing import TYPE_CHECKING

from rich.text import Text

from reviewloop.cli import ui
from reviewloop.cli.panel import to_rich
from reviewloop.cli.progress import STEPS

if TYPE_CHECKING:
    from reviewloop.reports.report import RunSummary
    from reviewloop.runs.streaming import Listener


class Terminal:
    """Where the command line's use cases speak."""

    @property
    def progress(self) -> Listener | None:
        return STEPS

    def say(self, text: str, *, style: str | None = None) -> None:
        ui.console().print(text, style=style, markup=False, highlight=False, soft_wrap=True)

    def warn(self, text: str, *, style: str | None = None) -> None:
        ui.console(stderr=True).print(text, style=style, markup=False, highlight=False,
                                      soft_wrap=True)

    def done(self, head: str, rest: str) -> None:
        ui.console().print(Text.assemble((head, "green"), rest), highlight=False)

    def notice(self, text: str) -> None:
        ui.notice(text)

    def summary(self, summary: RunSummary) -> None:
        ui.console().print(to_rich(summary))

    def ask(self, question: str, *, default: bool) -> bool | None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            return None
        from rich.prompt import Confirm  # only a terminal's question loads it

        from reviewloop.cli.live import paused

        with paused():  # other runs of a wave may still be drawn live
            return Confirm.ask(question, default=default, console=ui.console())

    def quiet(self) -> bool:
        return ui.quiet()


@cache
def terminal() -> Terminal:
    return Terminal()
