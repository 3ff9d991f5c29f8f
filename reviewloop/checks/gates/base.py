"""What every gate shares: the context it reads, the result it returns, and the report of a run."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator

from reviewloop.config import Settings
from reviewloop.findings.schema import Finding

if TYPE_CHECKING:
    from reviewloop.git.diff import ChangeSet
    from reviewloop.policy.trust import Trust

TAIL_CHARS = 4000
# How a test gate that found tests no command runs starts its summary (`gates.not_run`); the
# run's verdict names it as incomplete (`reports.report.verdict_reasons`)
NOT_RUN = "not verified: tests added but not run"
Phase = Literal["implement", "fix", "review"]


@dataclass(frozen=True)
class GateContext:
    """Everything a gate may look at; built once per gate run by the caller."""

    root: Path
    settings: Settings
    changed_files: tuple[str, ...]
    diff_text: str
    branch: str | None  # None: HEAD is detached
    default_branch: str | None
    phase: Phase
    parsed: ChangeSet | None = None  # `diff_text` parsed, when the caller has it already
    # where the project's own config is read from, as the analyzers read it (the secrets
    # gate's `.gitleaks.toml` rules); None: the tree at `root`
    trust: Trust | None = None

    @cached_property
    def changes(self) -> ChangeSet:
        """`diff_text` parsed: the caller's parse, or one shared by every gate of the run."""
        from reviewloop.git.diff import parse_diff

        return self.parsed if self.parsed is not None else parse_diff(
            self.diff_text, source="the run's change")


def tail(text: str, limit: int = TAIL_CHARS) -> str:
    """The last `limit` characters, cut at a line start when possible, marked when cut."""
    if len(text) <= limit:
        return text
    marker = "[… earlier output cut …]\n"
    kept = text[-(limit - len(marker)):]
    newline = kept.find("\n")
    if 0 <= newline < len(kept) // 2:
        kept = kept[newline + 1:]
    return marker + kept


class GateResult(BaseModel):
    """One gate's verdict. Skipped gates pass; a non-blocking failure never stops the loop."""

    model_config = ConfigDict(frozen=True)

    name: str
    passed: bool
    skipped: bool = False
    summary: str
    output_tail: str = ""
    passed_tests: int | None = None
    failed_tests: int | None = None
    duration_s: float = 0.0
    findings: list[Finding] = Field(default_factory=list[Finding])
    blocking: bool = True
    # the program the shell could not find (exit 127): no change of the code fixes that
    missing_tool: str | None = None
    # a failure no change of the code can fix (a language whose coverage is not measured
    # under `gates.coverage = "strict"`): what you do about it. The run stops for you
    # (`GateReport.for_user`) instead of asking the implementer again.
    user_fix: str | None = None

    @field_validator("summary")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return " ".join(value.split())

    @field_validator("output_tail")
    @classmethod
    def _bounded(cls, value: str) -> str:
        return tail(value)

    @classmethod
    def skip(cls, name: str, reason: str) -> GateResult:
        return cls(name=name, passed=True, skipped=True, summary=f"skipped: {reason}")


class Gate(Protocol):
    """A guard-rail. `applies` says whether it makes sense at all for this context (phase,
    files); `run` does the work. Nothing happens at construction."""

    name: str

    def applies(self, ctx: GateContext) -> bool: ...

    def run(self, ctx: GateContext) -> GateResult: ...


def gate_event(name: str, result: GateResult | None) -> dict[str, object]:
    """A gate's start (`result` None) or end as plain data, for whoever streams the run: the
    live view, CI logs, the run's trace (`runs.trace`)."""
    if result is None:
        return {"kind": "gate", "gate": name, "status": "running"}
    status = "skipped" if result.skipped else "passed" if result.passed else "failed"
    return {"kind": "gate", "gate": name, "status": status,
            "duration_s": round(result.duration_s, 1), "summary": result.summary}


class GateReport(BaseModel):
    """The results of one pass over the gates, in the order they ran. A change with no file
    in it fails without running any gate (`no_change`)."""

    model_config = ConfigDict(frozen=True)

    results: tuple[GateResult, ...] = ()
    no_change: bool = False
    # The test count of an earlier pass, kept when a re-run of the tests reported none.
    earlier_tests: int | None = None

    @property
    def failed(self) -> tuple[GateResult, ...]:
        """Blocking gates that did not pass."""
        return tuple(r for r in self.results if r.blocking and not r.passed)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        return not self.no_change and not self.failed

    @property
    def tools_missing(self) -> bool:
        """Whether every failing gate failed for a program not installed here (exit 127):
        the implementer cannot fix that, so it is not asked to try again."""
        return bool(self.failed) and all(r.missing_tool for r in self.failed)

    @property
    def for_user(self) -> tuple[GateResult, ...]:
        """The blocking failures only you can fix (`GateResult.user_fix`): while one stands
        the gates cannot pass, whatever the implementer does, so none is sent back to it."""
        return tuple(r for r in self.failed if r.user_fix)

    def escalation(self, run_id: str = "<run>", task_id: str = "<task>") -> str:
        """Why the run stops on its gates: the failed gates, and each failure only you can
        fix with what to do and the step after it. `reviewloop resume` replays this stop (the
        run's gates are not run again), so the way on is a new run of the task."""
        said = ", ".join(r.name for r in self.failed) if self.failed else self.headline
        fixes = "".join(f"; the {r.name} gate needs you (the implementer is not asked "
                        f"again): {r.user_fix}" for r in self.for_user)
        then = (f"; then `reviewloop reject {run_id}` and `reviewloop run {task_id}` again "
                "(resuming this run replays this stop)") if self.for_user else ""
        return f"guard-rails failed: {said}{fixes}{then}"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed_tests(self) -> int | None:
        """The passing tests summed over the gates that reported a count; None when none did."""
        counts = [r.passed_tests for r in self.results if r.passed_tests is not None]
        return sum(counts) if counts else self.earlier_tests

    @computed_field  # type: ignore[prop-decorator]
    @property
    def headline(self) -> str:
        if self.no_change:
            return "the implementer made no change"
        if self.passed:
            return "all passed"
        return "failed: " + ", ".join(r.name for r in self.failed)

    def result(self, name: str) -> GateResult | None:
        return next((r for r in self.results if r.name == name), None)

    def merged(self, new: GateReport) -> GateReport:
        """This report with the gates `new` re-ran replaced by their new results."""
        rerun = {r.name: r for r in new.results}
        results = [rerun.pop(r.name, r) for r in self.results] + list(rerun.values())
        return GateReport(results=tuple(results), earlier_tests=self.passed_tests)

    def feedback(self) -> str:
        """What the implementer is told when gates fail: each failure with its output tail."""
        if self.no_change:
            return "No file was changed. Implement the task."
        failures = [r for r in self.results if not r.passed]
        if not failures:
            return ""
        parts = ["The guard-rails failed. Fix these before anything else:"]
        for result in failures:
            heading = f"## {result.name} gate: {result.summary}"
            if not result.blocking:
                heading += " (advisory)"
            parts.append(heading)
            if result.output_tail.strip():
                parts.append(_fenced(result.output_tail.rstrip("\n")))
        return "\n\n".join(parts) + "\n"


def _fenced(text: str) -> str:
    """A code fence longer than any backtick run inside, so the output cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"
