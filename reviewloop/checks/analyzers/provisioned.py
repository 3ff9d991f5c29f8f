"""The shape every provisioned analyzer shares (checkov, hadolint, zizmor): a tool that
reviewloop installs in its own cached environment on first use (`provision.py`), run once on
the changed files it understands, whose JSON report becomes findings.

A subclass says which files it takes (`targets`), the command for them (`command`) and how
to read the report (`to_findings`); running, the missing-tool error and the report's parsing
are here. A tool that would read its configuration (and the suppressions in it) from the
folder it runs in is `isolated`: it runs in an empty folder of its own, on absolute paths,
so a config file in the reviewed tree never reaches it (`reviewloop.checks.suppressions`
honours the trusted side's instead).
"""

from __future__ import annotations

import json
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from reviewloop.checks.analyzers.base import (
    AnalyzerContext,
    AnalyzerError,
    parse_json,
    run_tool_logged,
)
from reviewloop.checks.analyzers.provision import Tool, locate, unavailable
from reviewloop.findings.schema import Finding


class ProvisionedAnalyzer(ABC):
    name: str
    tool: Tool
    env: Mapping[str, str] | None = None  # extra environment for the tool
    no_output: str | None = None  # the report an empty output stands for (None: an error)
    isolated: bool = False  # run in an empty folder: no configuration from the tree
    max_bytes: int = 2_000_000  # a config file or a Dockerfile is rarely over 100 kB

    def reads(self, ctx: AnalyzerContext) -> list[str]:
        """The changed files it reads: its targets."""
        return sorted(self.targets(ctx))

    @abstractmethod
    def targets(self, ctx: AnalyzerContext) -> Collection[str]:
        """The changed files the tool takes (a mapping when each needs more, e.g. checkov's
        framework); empty: the tool does not run."""

    @abstractmethod
    def command(self, executable: Path, targets: Any, at: Path) -> list[str]:
        """The tool's command line for `targets` (found under `at`: the tree's root for an
        isolated tool, else the folder it runs in), printing a JSON report on stdout."""

    @abstractmethod
    def to_findings(self, report: Any, ctx: AnalyzerContext) -> list[Finding]:
        """The parsed report as findings."""

    def available(self) -> str | None:
        """None when the tool can run: cached, on PATH, or installed right now (first use)."""
        return unavailable(self.tool)

    def wants(self, ctx: AnalyzerContext) -> bool:
        return bool(self.targets(ctx))

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        targets = self.targets(ctx)
        if not targets:
            return []
        return self.to_findings(self.report(ctx, targets), ctx)

    def report(self, ctx: AnalyzerContext, targets: Any) -> Any:
        """The tool's parsed JSON report on `targets` (staged, then its `command`)."""
        executable = locate(self.tool)
        if executable is None:
            raise AnalyzerError(f"{self.name} is not installed; fix: reviewloop tools install "
                                f"{self.name}")
        with tempfile.TemporaryDirectory(prefix=f"reviewloop-{self.name}-") as empty:
            cwd, at = (Path(empty), ctx.root) if self.isolated else (ctx.root, Path())
            given, aliases = self.stage(ctx, targets, at, Path(empty) / "view")
            output, log = run_tool_logged(self.command(executable, given, at), cwd,
                                          ctx.timeout, ok_codes=(0,), env=self.env)
            self.heard(log, given, at, ctx)
        for alias, real in sorted(aliases.items(), key=lambda a: -len(a[0])):
            # the report names a file the tool read under an alias by its own name
            output = output.replace(json.dumps(alias)[1:-1], json.dumps(real)[1:-1])
        return parse_json(output or self.no_output or "", self.name)

    def heard(self, log: str, given: Any, at: Path, ctx: AnalyzerContext) -> None:
        """Name (`ctx.not_read`) each of the files `given` (under `at`) that the tool's
        `log` (its stderr) shows it skipped, for a tool that says so only there. By default
        its report tells."""
        return None

    def stage(self, ctx: AnalyzerContext, targets: Any, at: Path, scratch: Path
              ) -> tuple[Any, dict[str, str]]:
        """`staged`, for a tool that needs the tree (`ctx.root`) to make its aliases."""
        return self.staged(targets, at, scratch)

    def staged(self, targets: Any, at: Path, scratch: Path) -> tuple[Any, dict[str, str]]:
        """The targets as the tool is given them, and {alias: real path} for each it is
        given under another name (made in `scratch`, gone after the run): a tool that
        skips a file by its name is shown it under one it reads. By default, as they are."""
        return targets, {}
