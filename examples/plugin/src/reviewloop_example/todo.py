"""`todo-comments`: a TODO or FIXME comment the change adds is a nit (unfinished work)."""

from __future__ import annotations

import re

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.findings.schema import Finding, Severity

_TODO = re.compile(r"#\s*(TODO|FIXME)\b[:\s]*(?P<what>.*)")


class TodoComments:
    """Reads the added lines of the changed Python files from the diff (no tool to run)."""

    name = "todo-comments"
    max_bytes = 1_000_000
    markers = ()  # its findings are silenced by reviewloop's own markers only

    def available(self) -> str | None:
        return None  # nothing to install

    def reads(self, ctx: AnalyzerContext) -> list[str]:
        return ctx.files_for("python")

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        found = []
        for path in self.reads(ctx):
            change = ctx.changes.file(path)
            for line in change.added if change is not None else ():
                match = _TODO.search(line.text)
                if match:
                    found.append(Finding(
                        severity=Severity.NIT, file=path, start_line=line.line,
                        end_line=line.line, title=f"{match.group(1)} left in the change",
                        rationale=f"Unfinished work: {match.group('what') or 'no detail'}.",
                        confidence=1.0, agent=ctx.agent, source=self.name, rule="TODO"))
        return found


TODO_COMMENTS = TodoComments()
