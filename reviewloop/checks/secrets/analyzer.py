"""The `secrets` analyzer: reviewloop's secrets scanner on the added lines, for the security
reviewer. Every hit is must_fix (see `reviewloop.checks.secrets.scanner`)."""

from __future__ import annotations

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.findings import Finding

NAME = "secrets"


class SecretsScan:
    name = NAME

    def available(self) -> str | None:
        return None  # part of reviewloop

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        from reviewloop.checks.secrets.scanner import scan_added_lines, to_findings

        in_scope = set(ctx.files)
        hits = [hit for hit in scan_added_lines(ctx.diff_text) if hit.path in in_scope]
        return to_findings(hits, agent=ctx.agent)
