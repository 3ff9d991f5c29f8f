"""The `secrets` analyzer: reviewloop's secrets scanner on the added lines, for the security
reviewer. Every hit is must_fix (see `reviewloop.checks.secrets.scanner`)."""

from __future__ import annotations

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.findings.schema import Finding
from reviewloop.policy.lever_files import ConfigFile
from reviewloop.policy.markers import MarkerSyntax, Reach, listed

NAME = "secrets"


# the allow markers of gitleaks and detect-secrets, whose rules the scan carries; in any file
MARKERS = (
    MarkerSyntax("gitleaks", r"gitleaks\s*:\s*allow\b[^\n]*", Reach.LINES, listed, "gitleaks"),
    MarkerSyntax("detect-secrets", r"pragma\s*:\s*allowlist\s+secret\b[^\n]*", Reach.LINES,
                 listed, "allowlist"),
    MarkerSyntax("detect-secrets", r"pragma\s*:\s*allowlist\s+nextline\s+secret\b[^\n]*",
                 Reach.ABOVE, listed, "allowlist"),
)


# gitleaks' ignore list (honoured from the trusted side, `secrets.gitleaks`) and its config
CONFIG_FILES = (ConfigFile(".gitleaksignore", "gitleaks"), ConfigFile(".gitleaks.toml", "gitleaks"))


class SecretsScan:
    name = NAME
    markers = MARKERS
    config_files = CONFIG_FILES
    max_bytes = 16_000_000  # ~5 MB/s on this project's machines: the diff's ceiling

    def available(self) -> str | None:
        return None  # part of reviewloop

    def reads(self, ctx: AnalyzerContext) -> list[str]:
        """Every changed text file: a key is a key in any language."""
        return list(ctx.files)

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        from reviewloop.checks.secrets.scanner import scan_changes, to_findings

        # only the agent's files: an oversize or out-of-scope file's lines are not scanned
        # here (the secrets gate still scans every added line of the change)
        return to_findings(scan_changes(ctx.changes, ctx.files), agent=ctx.agent)
