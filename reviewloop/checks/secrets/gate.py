"""The secrets gate: no added line may carry a credential. The output is redacted."""

from __future__ import annotations

import time

from reviewloop.checks.gates.base import GateContext, GateResult


class SecretsGate:
    name = "secrets"

    def applies(self, ctx: GateContext) -> bool:
        return bool(ctx.diff_text.strip())

    def run(self, ctx: GateContext) -> GateResult:
        from reviewloop.checks.secrets.analyzer import secrets_only
        from reviewloop.checks.secrets.diff_scan import scan_changes
        from reviewloop.checks.secrets.scanner import blocking, to_findings
        started = time.monotonic()
        changes = ctx.changes
        # an example host's credentials are the analyzer's 🟡, not a gate failure
        hits = [h for h in secrets_only(scan_changes(changes), changes) if blocking(h)]
        if not hits:
            return GateResult(name=self.name, passed=True, summary="no secret in added lines",
                              duration_s=time.monotonic() - started)
        lines = [f"{h.path}:{h.line}: {h.description} ({h.preview})" for h in hits]
        return GateResult(
            name=self.name, passed=False,
            summary=f"{len(hits)} secret(s) in added lines: move them to the environment or "
                    "a secret store and read them at run time",
            output_tail="\n".join(lines), findings=to_findings(hits),
            duration_s=time.monotonic() - started)
