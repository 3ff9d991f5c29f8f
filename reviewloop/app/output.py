"""The one port a use case speaks through: lines for the user, notices, a run's summary,
a yes/no question, and the progress of a running graph. The command line gives a terminal
(`cli/terminal.py`); the MCP server and embedding callers give `Recorded`, which keeps every
line (nothing reaches stdout, the MCP protocol's channel)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from reviewloop.reports.report import RunSummary
    from reviewloop.runs.streaming import Listener


class Output(Protocol):
    """Where a use case's words go. `style` is a rich style name a terminal may use."""

    @property
    def progress(self) -> Listener | None:
        """Told as each step of a graph starts, reports and ends; None: not shown."""
        ...

    def say(self, text: str, *, style: str | None = None) -> None:
        """The command's own output (stdout on a terminal)."""

    def warn(self, text: str, *, style: str | None = None) -> None:
        """A line beside the output: a refusal, a fallback, why something stopped (stderr)."""

    def done(self, head: str, rest: str) -> None:
        """An outcome on one line: its headline (green on a terminal), then the rest."""

    def notice(self, text: str) -> None:
        """A sentence the user should read, dropped by -q."""

    def summary(self, summary: RunSummary) -> None:
        """A run's or review's summary (the panel on a terminal)."""

    def ask(self, question: str, *, default: bool) -> bool | None:
        """A yes/no answer, or None when nobody can be asked (not a terminal)."""

    def quiet(self) -> bool:
        """-q: only errors and the command's own output."""
        ...


@dataclass
class Recorded:
    """An `Output` that keeps what was said, asks nobody, and shows no progress."""

    lines: list[str] = field(default_factory=list)
    summaries: list[RunSummary] = field(default_factory=list)

    @property
    def progress(self) -> Listener | None:
        return None

    def say(self, text: str, *, style: str | None = None) -> None:
        self.lines.append(text)

    def warn(self, text: str, *, style: str | None = None) -> None:
        self.lines.append(text)

    def done(self, head: str, rest: str) -> None:
        self.lines.append(head + rest)

    def notice(self, text: str) -> None:
        self.lines.append(text)

    def summary(self, summary: RunSummary) -> None:
        self.summaries.append(summary)

    def ask(self, question: str, *, default: bool) -> bool | None:
        return None

    def quiet(self) -> bool:
        return False

    def text(self) -> str:
        return "\n".join(self.lines)
