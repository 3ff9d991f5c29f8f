"""The secrets gate: no added line may carry a credential. The output is redacted."""

from __future__ import annotations

import time

from reviewloop.checks.gates.base import GateContext, GateResult
from reviewloop.findings.schema import Finding


class SecretsGate:
    name = "secrets"

    def applies(self, ctx: GateContext) -> bool:
        return bool(ctx.diff_text.strip())

    def run(self, ctx: GateContext) -> GateResult:
        from reviewloop.checks.analyzers.base import AnalyzerContext
        from reviewloop.checks.secrets.analyzer import change_hits
        from reviewloop.checks.secrets.scanner import blocking, to_findings
        started = time.monotonic()
        # the analyzer's scan on every file of the change, the project's own rules with it:
        # one finding per credential, the same the analyzer reports
        scan = AnalyzerContext(root=ctx.root, changes=ctx.changes, diff_text=ctx.diff_text,
                               agent="review-security", files=ctx.changes.paths,
                               trust=ctx.trust)
        # an example host's credentials are the analyzer's 🟡, not a gate failure
        hits = [h for h in change_hits(scan) if blocking(h)]
        unread = "".join(f"\nnot fully scanned: {why}" for why in sorted(set(scan.unread.values())))
        if not hits:
            return GateResult(name=self.name, passed=True, summary="no secret in added lines",
                              output_tail=unread.lstrip("\n"),
                              duration_s=time.monotonic() - started)
        lines = [f"{h.path}:{h.line}: {h.description} ({h.preview})" for h in hits]
        return GateResult(
            name=self.name, passed=False,
            summary=f"{len(hits)} secret(s) in added lines: move them to the environment or "
                    "a secret store and read them at run time",
            output_tail="\n".join(lines) + unread, findings=_binary_introduced(
                to_findings(hits), ctx),
            duration_s=time.monotonic() - started)


def _binary_introduced(findings: list[Finding], ctx: GateContext) -> list[Finding]:
    """`findings`, those on a binary file marked as the change's (`introduced`): the diff
    shows no line of it to place them on, and its scan already left out what the base's
    file held (`binary_text`), so they count in the verdict instead of lying "outside"."""
    binary = {f.path for f in ctx.changes.files if f.binary}
    return [f.model_copy(update={"introduced": True}) if f.file in binary else f
            for f in findings] if binary else findings
